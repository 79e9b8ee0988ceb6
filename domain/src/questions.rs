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

use crate::fields::{FieldError, FieldName};
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

// ---------------------------------------------------------------------------------------------
// The admins' editor (`/staff/admin/questions`): a question as typed into its form, and the one
// check that turns it into a [`Question`] or says, field by field, what is wrong.

/// Longest question code.
pub const CODE_MAX: usize = 32;
/// Longest label (question or choice), in characters: "请填写" + label must still read as one line.
pub const LABEL_MAX: usize = 40;
/// Longest help text, in characters.
pub const HELP_MAX: usize = 200;
/// Longest unit ("元", "个月", "people"), in characters.
pub const UNIT_MAX: usize = 10;
/// Largest `max` a number question may have (well inside the digits an answer may have).
pub const NUMBER_MAX: i64 = 1_000_000_000_000;
/// Most digits after the decimal point a number question may allow.
pub const DECIMALS_MAX: u8 = 4;
/// Most choices of one question.
pub const CHOICES_MAX: usize = 30;
/// Most questions of one category (each one is a field of the wizard's step).
pub const QUESTIONS_MAX: usize = 20;

/// A question as posted by the admin form: every field as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionForm {
    pub code: String,
    pub kind: String,
    pub required: bool,
    pub label: String,
    pub label_en: String,
    pub help: String,
    pub help_en: String,
    pub max_len: String,
    pub max: String,
    pub decimals: String,
    pub unit: String,
    pub unit_en: String,
    /// One choice a line: `code|中文|English` (a full-width `｜` works too).
    pub choices: String,
}

impl QuestionForm {
    /// The form of a stored question (what the edit form shows).
    #[must_use]
    pub fn of(q: &Question) -> Self {
        let num = |n: i64, applies: bool| if applies { n.to_string() } else { String::new() };
        Self {
            code: q.code.clone(),
            kind: match q.kind {
                QuestionKind::Text => "text",
                QuestionKind::Number => "number",
                QuestionKind::Choice => "choice",
            }
            .to_owned(),
            required: q.required,
            label: q.label.clone(),
            label_en: q.label_en.clone(),
            help: q.help.clone(),
            help_en: q.help_en.clone(),
            max_len: num(i64::try_from(q.max_len).unwrap_or(0), q.kind == QuestionKind::Text),
            max: num(q.max, q.kind == QuestionKind::Number),
            decimals: num(i64::from(q.decimals), q.kind == QuestionKind::Number),
            unit: q.unit.clone(),
            unit_en: q.unit_en.clone(),
            choices: choices_text(&q.choices),
        }
    }
}

/// The stored name of a kind (`text`, `number`, `choice`).
#[must_use]
pub fn kind_name(k: QuestionKind) -> &'static str {
    match k {
        QuestionKind::Text => "text",
        QuestionKind::Number => "number",
        QuestionKind::Choice => "choice",
    }
}

/// Whether `s` is a question or choice code: `[a-z0-9_]{1,32}`.
#[must_use]
pub fn valid_code(s: &str) -> bool {
    !s.is_empty() && s.len() <= CODE_MAX && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Choices as the editor's textarea shows them, one `code|中文|English` a line.
#[must_use]
pub fn choices_text(choices: &[Choice]) -> String {
    choices.iter().map(|c| format!("{}|{}|{}", c.code, c.label, c.label_en)).collect::<Vec<_>>().join("\n")
}

/// One line: control characters become spaces, runs of spaces one, trimmed.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A whole number typed into a limit field (full-width digits accepted) within `lo..=hi`.
fn whole_in(s: &str, lo: i64, hi: i64) -> Option<i64> {
    let s: String = s.trim().chars().map(halfwidth).collect();
    if s.is_empty() || s.len() > 15 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().filter(|n| (lo..=hi).contains(n))
}

/// Checks a question typed into the editor. `others` are the codes of the category's other
/// questions (for an edit: all but the one edited), so the code stays unique and the category
/// keeps at most [`QUESTIONS_MAX`]. Only the limits of the chosen kind are read; the others are
/// stored empty, as the migration's rows have them.
///
/// # Errors
/// Every field's problem, in the form's order.
pub fn check_question(f: &QuestionForm, others: &[&str]) -> Result<Question, Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut err = |field, msg| errs.push(FieldError::new(field, msg));
    let code = f.code.trim().to_owned();
    if !valid_code(&code) {
        err(FieldName::Code, Msg::ErrQuestionCode);
    } else if others.contains(&code.as_str()) {
        err(FieldName::Code, Msg::ErrQuestionCodeTaken);
    } else if others.len() >= QUESTIONS_MAX {
        err(FieldName::Code, Msg::ErrQuestionsTooMany);
    }
    let kind = QuestionKind::parse(f.kind.trim());
    if kind.is_none() {
        err(FieldName::QuestionKind, Msg::ErrQuestionKind);
    }
    let (label, label_en) = (one_line(&f.label), one_line(&f.label_en));
    for (field, v) in [(FieldName::Label, &label), (FieldName::LabelEn, &label_en)] {
        if v.is_empty() {
            err(field, Msg::ErrQuestionLabelEmpty);
        } else if v.chars().count() > LABEL_MAX {
            err(field, Msg::ErrQuestionLabelLong);
        }
    }
    let (help, help_en) = (one_line(&f.help), one_line(&f.help_en));
    for (field, v) in [(FieldName::Help, &help), (FieldName::HelpEn, &help_en)] {
        if v.chars().count() > HELP_MAX {
            err(field, Msg::ErrQuestionHelpLong);
        }
    }
    let mut q = Question {
        code,
        kind: kind.unwrap_or(QuestionKind::Text),
        required: f.required,
        label,
        label_en,
        help,
        help_en,
        max_len: 0,
        max: 0,
        decimals: 0,
        unit: String::new(),
        unit_en: String::new(),
        choices: Vec::new(),
    };
    match kind {
        None => {}
        Some(QuestionKind::Text) => match whole_in(&f.max_len, 1, i64::try_from(ANSWER_TEXT_MAX).unwrap_or(200)) {
            Some(n) => q.max_len = usize::try_from(n).unwrap_or(0),
            None => err(FieldName::MaxLen, Msg::ErrQuestionMaxLen),
        },
        Some(QuestionKind::Number) => {
            match whole_in(&f.max, 1, NUMBER_MAX) {
                Some(n) => q.max = n,
                None => err(FieldName::MaxValue, Msg::ErrQuestionMaxValue),
            }
            match whole_in(&f.decimals, 0, i64::from(DECIMALS_MAX)) {
                Some(n) => q.decimals = u8::try_from(n).unwrap_or(0),
                None => err(FieldName::Decimals, Msg::ErrQuestionDecimals),
            }
            // A unit is cut off the end of a typed answer ("3000元"): it must not look like
            // part of a number.
            let unit_ok = |u: &str| {
                u.chars().count() <= UNIT_MAX && !u.chars().any(|c| c.is_numeric() || matches!(halfwidth(c), '.' | ','))
            };
            for (field, typed, slot) in
                [(FieldName::UnitZh, &f.unit, &mut q.unit), (FieldName::UnitEn, &f.unit_en, &mut q.unit_en)]
            {
                let u = one_line(typed);
                if unit_ok(&u) {
                    *slot = u;
                } else {
                    err(field, Msg::ErrQuestionUnit);
                }
            }
        }
        Some(QuestionKind::Choice) => match parse_choices(&f.choices) {
            Ok(c) => q.choices = c,
            Err(m) => err(FieldName::Choices, m),
        },
    }
    if errs.is_empty() {
        Ok(q)
    } else {
        Err(errs)
    }
}

/// The choices textarea: one `code|中文|English` a line, blank lines ignored.
fn parse_choices(text: &str) -> Result<Vec<Choice>, Msg> {
    let mut out: Vec<Choice> = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<String> = line.split(['|', '｜']).map(one_line).collect();
        let [code, label, label_en] = parts.as_slice() else { return Err(Msg::ErrQuestionChoiceLine) };
        let label_ok = |l: &str| !l.is_empty() && l.chars().count() <= LABEL_MAX;
        if !valid_code(code) || !label_ok(label) || !label_ok(label_en) {
            return Err(Msg::ErrQuestionChoiceLine);
        }
        if out.iter().any(|c| &c.code == code) {
            return Err(Msg::ErrQuestionChoicesDuplicate);
        }
        out.push(Choice { code: code.clone(), label: label.clone(), label_en: label_en.clone() });
    }
    if out.len() < 2 {
        return Err(Msg::ErrQuestionChoicesFew);
    }
    if out.len() > CHOICES_MAX {
        return Err(Msg::ErrQuestionChoicesMany);
    }
    Ok(out)
}

/// The order after moving `code` one place up (`up`) or down; `None` when it cannot move
/// (unknown code, already first or last).
#[must_use]
pub fn moved(codes: &[String], code: &str, up: bool) -> Option<Vec<String>> {
    let i = codes.iter().position(|c| c == code)?;
    let j = if up { i.checked_sub(1)? } else { Some(i + 1).filter(|j| *j < codes.len())? };
    let mut v = codes.to_vec();
    v.swap(i, j);
    Some(v)
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
    fn form(kind: &str) -> QuestionForm {
        QuestionForm {
            code: "employer".into(),
            kind: kind.into(),
            required: true,
            label: " 欠薪的单位名称 ".into(),
            label_en: "Employer's name".into(),
            max_len: "100".into(),
            max: "120".into(),
            decimals: "0".into(),
            unit: "个月".into(),
            unit_en: "months".into(),
            choices: "fire|消防|Fire\n\ngas ｜ 燃气 ｜ Gas\n".into(),
            ..QuestionForm::default()
        }
    }

    fn fields(r: Result<Question, Vec<FieldError>>) -> Vec<(FieldName, Msg)> {
        r.expect_err("refused").into_iter().map(|e| (e.field, e.msg)).collect()
    }

    #[test]
    fn an_edited_question_keeps_only_its_kinds_limits() {
        let t = check_question(&form("text"), &["amount"]).unwrap();
        assert_eq!(
            (t.code.as_str(), t.kind, t.max_len, t.max, t.unit.as_str()),
            ("employer", QuestionKind::Text, 100, 0, "")
        );
        assert_eq!(t.label, "欠薪的单位名称", "trimmed");
        assert!(t.choices.is_empty());
        let n = check_question(&form("number"), &[]).unwrap();
        assert_eq!((n.max_len, n.max, n.decimals, n.unit.as_str(), n.unit_en.as_str()), (0, 120, 0, "个月", "months"));
        let c = check_question(&form("choice"), &[]).unwrap();
        assert_eq!(
            c.choices.iter().map(|c| (c.code.as_str(), c.label.as_str())).collect::<Vec<_>>(),
            [("fire", "消防"), ("gas", "燃气")]
        );
        assert_eq!(c.max, 0);
        // What the editor shows again is what it reads back.
        for q in [t, n, c] {
            assert_eq!(check_question(&QuestionForm::of(&q), &[]).unwrap(), q);
        }
    }

    #[test]
    fn the_editor_says_what_is_wrong_field_by_field() {
        let mut f = form("number");
        f.code = "Employer-1".into();
        f.label = String::new();
        f.label_en = "x".repeat(41);
        f.help_en = "y".repeat(201);
        f.max = "0".into();
        f.decimals = "5".into();
        f.unit = "万元2".into();
        assert_eq!(
            fields(check_question(&f, &[])),
            [
                (FieldName::Code, Msg::ErrQuestionCode),
                (FieldName::Label, Msg::ErrQuestionLabelEmpty),
                (FieldName::LabelEn, Msg::ErrQuestionLabelLong),
                (FieldName::HelpEn, Msg::ErrQuestionHelpLong),
                (FieldName::MaxValue, Msg::ErrQuestionMaxValue),
                (FieldName::Decimals, Msg::ErrQuestionDecimals),
                (FieldName::UnitZh, Msg::ErrQuestionUnit),
            ]
        );
        assert_eq!(fields(check_question(&form("date"), &[])), [(FieldName::QuestionKind, Msg::ErrQuestionKind)]);
        assert_eq!(
            fields(check_question(&form("text"), &["employer"])),
            [(FieldName::Code, Msg::ErrQuestionCodeTaken)]
        );
        let full: Vec<String> = (0..QUESTIONS_MAX).map(|i| format!("q{i}")).collect();
        let full: Vec<&str> = full.iter().map(String::as_str).collect();
        assert_eq!(fields(check_question(&form("text"), &full)), [(FieldName::Code, Msg::ErrQuestionsTooMany)]);
        assert!(check_question(&form("text"), &full[1..]).is_ok(), "the twentieth is fine");
        for (max_len, ok) in [
            ("1", true),
            ("200", true),
            ("２００", true),
            ("0", false),
            ("201", false),
            ("", false),
            ("-3", false),
            ("1.5", false),
        ] {
            let mut f = form("text");
            f.max_len = max_len.into();
            assert_eq!(check_question(&f, &[]).is_ok(), ok, "{max_len}");
        }
        for (code, ok) in [
            ("a", true),
            ("a_1", true),
            (&"a".repeat(32) as &str, true),
            (&"a".repeat(33), false),
            ("", false),
            ("工资", false),
            ("a b", false),
        ] {
            let mut f = form("text");
            f.code = code.into();
            assert_eq!(check_question(&f, &[]).is_ok(), ok, "{code}");
        }
        let mut f = form("number");
        f.max = NUMBER_MAX.to_string();
        f.unit = String::new();
        f.unit_en = String::new();
        assert!(check_question(&f, &[]).is_ok(), "the largest max, no unit");
        f.max = (NUMBER_MAX + 1).to_string();
        assert_eq!(fields(check_question(&f, &[])), [(FieldName::MaxValue, Msg::ErrQuestionMaxValue)]);
    }

    #[test]
    fn choices_need_two_distinct_well_formed_lines() {
        for (text, msg) in [
            ("fire|消防|Fire", Msg::ErrQuestionChoicesFew),
            ("", Msg::ErrQuestionChoicesFew),
            ("fire|消防|Fire\nfire|火|Flames", Msg::ErrQuestionChoicesDuplicate),
            ("fire|消防\ngas|燃气|Gas", Msg::ErrQuestionChoiceLine),
            ("fire|消防|Fire|x\ngas|燃气|Gas", Msg::ErrQuestionChoiceLine),
            ("Fire|消防|Fire\ngas|燃气|Gas", Msg::ErrQuestionChoiceLine),
            ("fire||Fire\ngas|燃气|Gas", Msg::ErrQuestionChoiceLine),
        ] {
            let mut f = form("choice");
            f.choices = text.into();
            assert_eq!(fields(check_question(&f, &[])), [(FieldName::Choices, msg)], "{text:?}");
        }
        let mut f = form("choice");
        f.choices = (0..=CHOICES_MAX).map(|i| format!("c{i}|选{i}|C{i}")).collect::<Vec<_>>().join("\n");
        assert_eq!(fields(check_question(&f, &[])), [(FieldName::Choices, Msg::ErrQuestionChoicesMany)]);
    }

    #[test]
    fn moving_swaps_with_the_neighbour() {
        let codes: Vec<String> = ["a", "b", "c"].iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(moved(&codes, "b", true).unwrap(), ["b", "a", "c"]);
        assert_eq!(moved(&codes, "b", false).unwrap(), ["a", "c", "b"]);
        assert_eq!(moved(&codes, "a", true), None);
        assert_eq!(moved(&codes, "c", false), None);
        assert_eq!(moved(&codes, "x", true), None);
    }
}
