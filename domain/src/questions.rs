//! Extra questions per category (issue 13, "answers faster"): what a category asks besides the
//! description (the employer and the amount for unpaid wages, …), and the one set of rules that
//! checks the answers, whichever way they come in (the wizard, the staff intake form, Open311's
//! `attribute[code]`).
//!
//! The definitions are data (table `category_questions`, loaded with the catalogue), so a
//! category without rows asks nothing. Answers travel as raw text by question code; [`check`]
//! turns them into [`StoredAnswer`]s (trimmed, numbers normalised) or one [`AnswerError`] per
//! question. A stored answer carries its question's labels, so the staff page shows it as it was
//! asked even after the definitions change.

use crate::i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest text answer anyone may set as a question's `max_len`, in characters.
pub const ANSWER_TEXT_MAX: usize = 200;
/// Digits before the decimal point we look at; anything longer is "too big" for every question
/// (and cannot overflow an `i64`).
const INTEGER_DIGITS_MAX: usize = 15;

/// What kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuestionKind {
    /// One line of free text, at most `max_len` characters.
    Text,
    /// A number greater than 0 and at most `max`, with at most `decimals` digits after the point.
    Number,
    /// One of `choices`, by its code.
    Choice,
}

impl QuestionKind {
    /// The stored name (`text`, `number`, `choice`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(Self::Text),
            "number" => Some(Self::Number),
            "choice" => Some(Self::Choice),
            _ => None,
        }
    }
    /// The GeoReport v2 `datatype` of an attribute of this kind.
    #[must_use]
    pub fn open311_datatype(self) -> &'static str {
        match self {
            Self::Text => "string",
            Self::Number => "number",
            Self::Choice => "singlevaluelist",
        }
    }
}

/// One option of a [`QuestionKind::Choice`] question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub label: String,
    pub label_en: String,
}

/// One extra question of a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// Unique within the category; the form field is [`Question::input_name`].
    pub code: String,
    pub kind: QuestionKind,
    pub required: bool,
    /// zh-CN and English label, written so that "请填写" + label reads well ("欠薪的单位名称").
    pub label: String,
    pub label_en: String,
    pub help: String,
    pub help_en: String,
    /// Text: the longest answer, in characters.
    pub max_len: usize,
    /// Number: the largest value accepted (whole units).
    pub max: i64,
    /// Number: digits allowed after the decimal point (0: whole numbers only).
    pub decimals: u8,
    /// Number: the unit shown after the input ("元"), also accepted after the number when typed.
    pub unit: String,
    pub unit_en: String,
    pub choices: Vec<Choice>,
}

impl Question {
    /// The wizard's and intake form's field name (and element id) for this question.
    #[must_use]
    pub fn input_name(&self) -> String {
        format!("q_{}", self.code)
    }
    #[must_use]
    pub fn label_in(&self, lang: Lang) -> &str {
        crate::region::localized(lang, &self.label, &self.label_en)
    }
    #[must_use]
    pub fn help_in(&self, lang: Lang) -> &str {
        crate::region::localized(lang, &self.help, &self.help_en)
    }
    #[must_use]
    pub fn unit_in(&self, lang: Lang) -> &str {
        crate::region::localized(lang, &self.unit, &self.unit_en)
    }
}

/// A question's answer that was not accepted: the question's code and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerError {
    pub code: String,
    pub msg: Msg,
}

impl AnswerError {
    /// The message with the question's label (and limit) filled in, in `lang`.
    #[must_use]
    pub fn text(&self, questions: &[Question], lang: Lang) -> String {
        let q = questions.iter().find(|q| q.code == self.code);
        let label = q.map_or(self.code.as_str(), |q| q.label_in(lang));
        let (max, unit) = match (q, self.msg) {
            (Some(q), Msg::ErrAnswerTooLong) => (q.max_len.to_string(), String::new()),
            (Some(q), _) => (q.max.to_string(), q.unit_in(lang).to_owned()),
            (None, _) => (String::new(), String::new()),
        };
        let decimals = q.map_or(0, |q| q.decimals).to_string();
        self.msg
            .text(lang)
            .replace("{label}", label)
            .replace("{max}", &max)
            .replace("{unit}", &unit)
            .replace("{n}", &decimals)
    }
}

/// An accepted answer as stored with the appeal: its question's labels at the time, and the
/// value (normalised; for a choice, the option's label in both languages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAnswer {
    pub code: String,
    pub label: String,
    pub label_en: String,
    pub value: String,
    pub value_en: String,
}

impl StoredAnswer {
    #[must_use]
    pub fn label_in(&self, lang: Lang) -> &str {
        crate::region::localized(lang, &self.label, &self.label_en)
    }
    #[must_use]
    pub fn value_in(&self, lang: Lang) -> &str {
        crate::region::localized(lang, &self.value, &self.value_en)
    }
}

/// Raw answers by question code, as typed.
pub type RawAnswers = BTreeMap<String, String>;

/// Checks every question's answer (in the questions' order). Unanswered optional questions are
/// left out of the result; answers to codes no question has are ignored.
///
/// # Errors
/// One [`AnswerError`] per question whose answer is missing or not acceptable.
pub fn check(questions: &[Question], raw: &RawAnswers) -> Result<Vec<StoredAnswer>, Vec<AnswerError>> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for q in questions {
        let given = raw.get(&q.code).map_or("", String::as_str);
        match check_one(q, given) {
            Ok(Some(a)) => out.push(a),
            Ok(None) => {}
            Err(msg) => errs.push(AnswerError { code: q.code.clone(), msg }),
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

/// One answer: `Ok(None)` for an optional question left empty.
///
/// # Errors
/// The message key of what is wrong with it.
pub fn check_one(q: &Question, input: &str) -> Result<Option<StoredAnswer>, Msg> {
    // One line: newlines and other control characters become spaces, runs of spaces one.
    let text: String = input
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        return if q.required { Err(Msg::ErrAnswerRequired) } else { Ok(None) };
    }
    let answer = |value: String, value_en: String| StoredAnswer {
        code: q.code.clone(),
        label: q.label.clone(),
        label_en: q.label_en.clone(),
        value,
        value_en,
    };
    match q.kind {
        QuestionKind::Text => {
            if text.chars().count() > q.max_len.min(ANSWER_TEXT_MAX) {
                return Err(Msg::ErrAnswerTooLong);
            }
            Ok(Some(answer(text.clone(), text)))
        }
        QuestionKind::Number => {
            // Stored with its unit, so the staff page reads "3000 元" whatever changes later.
            let n = parse_number(&text, q)?;
            let with = |unit: &str| format!("{n} {unit}").trim_end().to_owned();
            Ok(Some(answer(with(&q.unit), with(&q.unit_en))))
        }
        QuestionKind::Choice => {
            let c = q.choices.iter().find(|c| c.code == text).ok_or(Msg::ErrAnswerChoice)?;
            Ok(Some(answer(c.label.clone(), c.label_en.clone())))
        }
    }
}

/// Full-width digits and punctuation (typed with a Chinese input method) as ASCII.
fn halfwidth(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c),
        '，' => ',',
        '．' | '。' => '.',
        _ => c,
    }
}

/// A number as residents type it: full-width digits, thousands separators in groups of three
/// ("3,000"), the question's unit after it ("3000元", "12 个月"). Not accepted: anything else
/// after or inside the number ("3万", "3-4"), a sign, more decimals than the question allows.
/// Returns the normalised form: no separators, no leading zeros, no trailing zero decimals.
fn parse_number(text: &str, q: &Question) -> Result<String, Msg> {
    let mut s: String = text.chars().map(halfwidth).collect();
    for unit in [&q.unit, &q.unit_en] {
        let unit = unit.trim();
        let cut = s.len().saturating_sub(unit.len());
        if !unit.is_empty() && s.len() >= unit.len() && s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(unit) {
            s.truncate(cut);
        }
    }
    let s = s.trim();
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    let groups: Vec<&str> = int_part.split(',').collect();
    let well_grouped = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let digits: String = groups.concat();
    if digits.is_empty()
        || !well_grouped
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
        || (s.contains('.') && frac_part.is_empty())
    {
        return Err(Msg::ErrAnswerNumber);
    }
    let frac = frac_part.trim_end_matches('0');
    if frac.len() > usize::from(q.decimals) {
        return Err(if q.decimals == 0 { Msg::ErrAnswerWhole } else { Msg::ErrAnswerDecimals });
    }
    let int = digits.trim_start_matches('0');
    if int.len() > INTEGER_DIGITS_MAX {
        return Err(Msg::ErrAnswerTooBig);
    }
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| Msg::ErrAnswerNumber)? };
    if whole == 0 && frac.is_empty() {
        return Err(Msg::ErrAnswerNumber);
    }
    if whole > q.max || (whole == q.max && !frac.is_empty()) {
        return Err(Msg::ErrAnswerTooBig);
    }
    Ok(if frac.is_empty() { whole.to_string() } else { format!("{whole}.{frac}") })
}

/// The raw answers posted with a form: every field named `q_<code>` of `questions`, each cut to
/// [`RAW_ANSWER_MAX`] characters.
#[must_use]
pub fn from_form<'a>(questions: &[Question], get: impl Fn(&str) -> Option<&'a str>) -> RawAnswers {
    from_form_with(questions, "q_", get)
}

/// The same with another prefix than `q_`: the staff intake form shows every category's
/// questions at once and names them `q_<category>.<code>`, so two categories may use one code.
#[must_use]
pub fn from_form_with<'a>(questions: &[Question], prefix: &str, get: impl Fn(&str) -> Option<&'a str>) -> RawAnswers {
    questions
        .iter()
        .filter_map(|q| {
            get(&format!("{prefix}{}", q.code)).map(|v| (q.code.clone(), v.chars().take(RAW_ANSWER_MAX).collect()))
        })
        .collect()
}

/// The most characters of one raw answer kept (in a draft, on the form shown again). Twice the
/// longest valid answer: a too-long answer is still kept long enough to be refused as too long
/// (and shown for correction), but a megabyte posted in a field does not go into the draft.
pub const RAW_ANSWER_MAX: usize = 2 * ANSWER_TEXT_MAX;

/// The intake form's field-name prefix for a category's questions (see [`from_form_with`]).
#[must_use]
pub fn intake_prefix(category: &str) -> String {
    format!("q_{category}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(code: &str, required: bool) -> Question {
        Question {
            code: code.into(),
            kind: QuestionKind::Text,
            required,
            label: "欠薪的单位名称".into(),
            label_en: "Employer's name".into(),
            help: String::new(),
            help_en: String::new(),
            max_len: 20,
            max: 0,
            decimals: 0,
            unit: String::new(),
            unit_en: String::new(),
            choices: Vec::new(),
        }
    }

    fn amount() -> Question {
        Question {
            code: "amount".into(),
            kind: QuestionKind::Number,
            label: "欠薪金额".into(),
            label_en: "Amount owed".into(),
            max: 10_000_000,
            decimals: 2,
            unit: "元".into(),
            unit_en: "yuan".into(),
            ..text("amount", true)
        }
    }

    fn months() -> Question {
        Question {
            code: "months".into(),
            max: 120,
            decimals: 0,
            unit: "个月".into(),
            unit_en: "months".into(),
            ..amount()
        }
    }

    fn hazard() -> Question {
        let c = |code: &str, zh: &str, en: &str| Choice { code: code.into(), label: zh.into(), label_en: en.into() };
        Question {
            code: "hazard".into(),
            kind: QuestionKind::Choice,
            required: false,
            label: "隐患类型".into(),
            label_en: "Kind of hazard".into(),
            choices: vec![c("fire", "消防", "Fire"), c("gas", "燃气", "Gas")],
            ..text("hazard", false)
        }
    }

    fn num(q: &Question, s: &str) -> Result<String, Msg> {
        // The number without its unit.
        check_one(q, s).map(|a| a.map(|a| a.value.split(' ').next().unwrap_or_default().to_owned()).unwrap_or_default())
    }

    #[test]
    fn numbers_are_read_leniently_and_normalised() {
        let q = amount();
        assert_eq!(num(&q, "3000"), Ok("3000".into()));
        assert_eq!(num(&q, " 3,000 "), Ok("3000".into()));
        assert_eq!(num(&q, "１２，５００"), Ok("12500".into()), "full-width digits and comma");
        assert_eq!(num(&q, "3000元"), Ok("3000".into()));
        assert_eq!(num(&q, "3000 元"), Ok("3000".into()));
        assert_eq!(num(&q, "3000 Yuan"), Ok("3000".into()));
        assert_eq!(num(&q, "0012.50"), Ok("12.5".into()));
        assert_eq!(num(&q, "99.99"), Ok("99.99".into()));
        assert_eq!(num(&q, "１２．５"), Ok("12.5".into()));
        assert_eq!(num(&q, "10,000,000"), Ok("10000000".into()), "the limit itself");
        let a = check_one(&q, "3,000元").unwrap().unwrap();
        assert_eq!((a.value.as_str(), a.value_en.as_str()), ("3000 元", "3000 yuan"), "stored with the unit");
    }

    #[test]
    fn numbers_that_are_not_say_why() {
        let q = amount();
        for bad in ["3万", "abc", "3-4", "-5", "+5", "3,00", ",300", "3.", ".", "3 000", "1,0000", "元"] {
            assert_eq!(num(&q, bad), Err(Msg::ErrAnswerNumber), "{bad}");
        }
        assert_eq!(num(&q, "0"), Err(Msg::ErrAnswerNumber), "greater than 0");
        assert_eq!(num(&q, "0.00"), Err(Msg::ErrAnswerNumber));
        assert_eq!(num(&q, "0.01"), Ok("0.01".into()));
        assert_eq!(num(&q, "10000000.01"), Err(Msg::ErrAnswerTooBig));
        assert_eq!(num(&q, "10000001"), Err(Msg::ErrAnswerTooBig));
        assert_eq!(num(&q, "99999999999999999999999"), Err(Msg::ErrAnswerTooBig), "no overflow");
        assert_eq!(num(&q, "1.234"), Err(Msg::ErrAnswerDecimals));
    }

    #[test]
    fn whole_numbers_and_their_range() {
        let q = months();
        assert_eq!(num(&q, "1"), Ok("1".into()));
        assert_eq!(num(&q, "120"), Ok("120".into()));
        assert_eq!(num(&q, "6个月"), Ok("6".into()));
        assert_eq!(num(&q, "6.0"), Ok("6".into()), "a zero decimal is still whole");
        assert_eq!(num(&q, "121"), Err(Msg::ErrAnswerTooBig));
        assert_eq!(num(&q, "0"), Err(Msg::ErrAnswerNumber));
        assert_eq!(num(&q, "1.5"), Err(Msg::ErrAnswerWhole));
    }

    #[test]
    fn text_is_trimmed_one_line_and_limited() {
        let q = text("employer", true);
        assert_eq!(check_one(&q, "  某某建筑\n公司  ").unwrap().unwrap().value, "某某建筑 公司");
        assert_eq!(check_one(&q, " \t\n"), Err(Msg::ErrAnswerRequired));
        assert_eq!(check_one(&q, &"字".repeat(20)).unwrap().unwrap().value.chars().count(), 20);
        assert_eq!(check_one(&q, &"字".repeat(21)), Err(Msg::ErrAnswerTooLong));
        let optional = text("company", false);
        assert_eq!(check_one(&optional, "  "), Ok(None));
    }

    #[test]
    fn choices_are_by_code_and_stored_with_both_labels() {
        let q = hazard();
        let a = check_one(&q, "gas").unwrap().unwrap();
        assert_eq!((a.value.as_str(), a.value_en.as_str()), ("燃气", "Gas"));
        assert_eq!(check_one(&q, "燃气"), Err(Msg::ErrAnswerChoice));
        assert_eq!(check_one(&q, ""), Ok(None));
    }

    #[test]
    fn check_reports_every_question_in_order_and_ignores_strangers() {
        let qs = vec![text("employer", true), amount(), months(), hazard()];
        let mut raw = RawAnswers::new();
        raw.insert("amount".into(), "很多".into());
        raw.insert("months".into(), "3".into());
        raw.insert("nobody".into(), "x".into());
        let errs = check(&qs, &raw).unwrap_err();
        let got: Vec<(&str, Msg)> = errs.iter().map(|e| (e.code.as_str(), e.msg)).collect();
        assert_eq!(got, vec![("employer", Msg::ErrAnswerRequired), ("amount", Msg::ErrAnswerNumber)]);
        raw.insert("employer".into(), "某某公司".into());
        raw.insert("amount".into(), "3,000元".into());
        let ok = check(&qs, &raw).unwrap();
        let codes: Vec<&str> = ok.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(codes, vec!["employer", "amount", "months"], "the optional empty one is left out");
        assert_eq!(check(&[], &raw), Ok(Vec::new()), "a category without questions asks nothing");
    }

    #[test]
    fn error_texts_name_the_question_in_both_languages() {
        let qs = vec![text("employer", true), amount(), months()];
        let e = |code: &str, msg| AnswerError { code: code.into(), msg };
        assert_eq!(e("employer", Msg::ErrAnswerRequired).text(&qs, Lang::ZhCn), "请填写欠薪的单位名称");
        assert_eq!(e("amount", Msg::ErrAnswerNumber).text(&qs, Lang::ZhCn), "欠薪金额须为大于0的数字");
        assert_eq!(e("months", Msg::ErrAnswerTooBig).text(&qs, Lang::ZhCn), "欠薪金额不能超过 120 个月");
        assert_eq!(
            e("amount", Msg::ErrAnswerTooBig).text(&qs, Lang::En),
            "“Amount owed” cannot be more than 10000000 yuan"
        );
        assert_eq!(e("employer", Msg::ErrAnswerTooLong).text(&qs, Lang::ZhCn), "欠薪的单位名称最多 20 字");
        assert_eq!(
            e("amount", Msg::ErrAnswerDecimals).text(&qs, Lang::En),
            "“Amount owed” allows at most 2 decimal places"
        );
    }

    #[test]
    fn form_fields_are_named_by_code() {
        let qs = vec![text("employer", true), amount()];
        let form: BTreeMap<&str, &str> = [("q_employer", "甲公司"), ("q_other", "x"), ("employer", "y")].into();
        let raw = from_form(&qs, |k| form.get(k).copied());
        assert_eq!(raw.len(), 1);
        assert_eq!(raw["employer"], "甲公司");
        let form: BTreeMap<&str, &str> = [("q_wage_arrears.employer", "乙公司"), ("q_employer", "甲公司")].into();
        let raw = from_form_with(&qs, &intake_prefix("wage_arrears"), |k| form.get(k).copied());
        assert_eq!(raw["employer"], "乙公司");
        assert_eq!(QuestionKind::parse("choice"), Some(QuestionKind::Choice));
        assert_eq!(QuestionKind::Number.open311_datatype(), "number");
    }

    #[test]
    fn raw_answers_are_cut_to_twice_the_longest_answer() {
        assert_eq!(RAW_ANSWER_MAX, 400);
        let qs = vec![text("employer", true)];
        // Multi-byte characters: the cut counts characters, never splits one.
        let huge = "欠".repeat(100_000);
        let exact = "欠".repeat(400);
        for (posted, kept) in [(huge.as_str(), 400), (exact.as_str(), 400), ("甲公司", 3)] {
            let form: BTreeMap<&str, &str> = [("q_employer", posted)].into();
            let raw = from_form(&qs, |k| form.get(k).copied());
            assert_eq!(raw["employer"].chars().count(), kept);
            let form: BTreeMap<&str, &str> = [("q_wage_arrears.employer", posted)].into();
            let raw = from_form_with(&qs, &intake_prefix("wage_arrears"), |k| form.get(k).copied());
            assert_eq!(raw["employer"].chars().count(), kept);
        }
        // What was cut is still refused as too long, not taken as a valid answer.
        let form: BTreeMap<&str, &str> = [("q_employer", huge.as_str())].into();
        let raw = from_form(&qs, |k| form.get(k).copied());
        assert!(check(&qs, &raw).is_err());
    }
}
