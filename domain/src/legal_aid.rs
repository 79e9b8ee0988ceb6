//! The legal-aid self-check: three questions, asked one per page, and the rule that turns the
//! answers into "likely eligible", "likely not" or "it depends", after the Legal Aid Law of the
//! PRC (法律援助法, in force since 2022-01-01):
//!
//! - art. 31: the civil and administrative matters legal aid covers for people in financial
//!   difficulty (state compensation, social insurance or assistance, pensions for the bereaved,
//!   maintenance, labour relations and pay, legal capacity, personal injury from work, traffic,
//!   food and drug or medical accidents, environmental damage, and others laid down by law);
//! - art. 32: situations where the financial check does not apply (close relatives of heroes
//!   and martyrs defending their honour, acts of bravery, state compensation after acquittal on
//!   retrial, victims of abuse, abandonment or domestic violence, others laid down by law);
//! - the local income standard, or receiving 低保 / 特困供养, which meets it by itself.
//!
//! Criminal defence and representation follow their own rules (some are appointed whatever the
//! means): the check says "it depends, ask the centre". The result is a first orientation, never
//! a decision; only the legal aid centre decides.

use crate::i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};

/// Question 1: what the matter is about (art. 31, plus criminal cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Matter {
    StateCompensation,
    SocialInsurance,
    Pension,
    Maintenance,
    Labour,
    Capacity,
    Injury,
    Environment,
    OtherByLaw,
    Criminal,
    NotListed,
}

/// Question 2: a situation exempt from the financial check (art. 32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Group {
    HeroRelative,
    Bravery,
    Acquitted,
    AbuseVictim,
    OtherByLaw,
    NoneOfThese,
}

/// Question 3: the household's means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Means {
    /// Receives 低保 or 特困供养: meets the standard by itself.
    Assistance,
    AtOrBelow,
    Above,
    Unsure,
}

macro_rules! coded {
    ($t:ty { $($v:ident => $code:literal, $label:ident;)* }) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            /// The value in the query string.
            #[must_use]
            pub fn code(self) -> &'static str {
                match self { $(Self::$v => $code),* }
            }
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                match s.trim() { $($code => Some(Self::$v),)* _ => None }
            }
            /// The answer as the resident chose it.
            #[must_use]
            pub fn label(self) -> Msg {
                match self { $(Self::$v => Msg::$label),* }
            }
        }
    };
}

coded!(Matter {
    StateCompensation => "state_compensation", LegalAidMatterStateCompensation;
    SocialInsurance => "social_insurance", LegalAidMatterSocialInsurance;
    Pension => "pension", LegalAidMatterPension;
    Maintenance => "maintenance", LegalAidMatterMaintenance;
    Labour => "labour", LegalAidMatterLabour;
    Capacity => "capacity", LegalAidMatterCapacity;
    Injury => "injury", LegalAidMatterInjury;
    Environment => "environment", LegalAidMatterEnvironment;
    OtherByLaw => "other_law", LegalAidMatterOtherByLaw;
    Criminal => "criminal", LegalAidMatterCriminal;
    NotListed => "none", LegalAidMatterNotListed;
});

coded!(Group {
    HeroRelative => "hero", LegalAidGroupHero;
    Bravery => "bravery", LegalAidGroupBravery;
    Acquitted => "acquitted", LegalAidGroupAcquitted;
    AbuseVictim => "abuse", LegalAidGroupAbuse;
    OtherByLaw => "other_law", LegalAidGroupOtherByLaw;
    NoneOfThese => "none", LegalAidGroupNone;
});

coded!(Means {
    Assistance => "assistance", LegalAidMeansAssistance;
    AtOrBelow => "below", LegalAidMeansBelow;
    Above => "above", LegalAidMeansAbove;
    Unsure => "unsure", LegalAidMeansUnsure;
});

impl Matter {
    /// One of the eight matters art. 31 names outright.
    #[must_use]
    pub fn listed(self) -> bool {
        !matches!(self, Self::OtherByLaw | Self::Criminal | Self::NotListed)
    }
}

impl Group {
    /// One of the four situations art. 32 names outright.
    #[must_use]
    pub fn exempt(self) -> bool {
        matches!(self, Self::HeroRelative | Self::Bravery | Self::Acquitted | Self::AbuseVictim)
    }
}

/// The questions, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Question {
    Matter,
    Group,
    Means,
}

impl Question {
    /// The query parameter carrying its answer.
    #[must_use]
    pub fn param(self) -> &'static str {
        match self {
            Self::Matter => "matter",
            Self::Group => "group",
            Self::Means => "means",
        }
    }
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Matter, Self::Group, Self::Means].into_iter().find(|q| q.param() == s)
    }
    #[must_use]
    pub fn title(self) -> Msg {
        match self {
            Self::Matter => Msg::LegalAidQMatter,
            Self::Group => Msg::LegalAidQGroup,
            Self::Means => Msg::LegalAidQMeans,
        }
    }
    #[must_use]
    pub fn hint(self) -> Msg {
        match self {
            Self::Matter => Msg::LegalAidQMatterHint,
            Self::Group => Msg::LegalAidQGroupHint,
            Self::Means => Msg::LegalAidQMeansHint,
        }
    }
}

/// What was answered so far (from the query string; unknown values count as unanswered).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub matter: Option<Matter>,
    pub group: Option<Group>,
    pub means: Option<Means>,
}

/// The likely result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    LikelyEligible,
    LikelyNot,
    Depends,
}

impl Outcome {
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::LikelyEligible => "likely",
            Self::LikelyNot => "unlikely",
            Self::Depends => "depends",
        }
    }
    #[must_use]
    pub fn title(self) -> Msg {
        match self {
            Self::LikelyEligible => Msg::LegalAidResultLikely,
            Self::LikelyNot => Msg::LegalAidResultUnlikely,
            Self::Depends => Msg::LegalAidResultDepends,
        }
    }
}

/// The result and why, in the order the reasons apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub outcome: Outcome,
    pub reasons: Vec<Msg>,
}

impl Answers {
    /// Reads the three query values.
    #[must_use]
    pub fn parse(matter: &str, group: &str, means: &str) -> Self {
        Self { matter: Matter::parse(matter), group: Group::parse(group), means: Means::parse(means) }
    }

    /// The next question to ask, or `None` when there is enough to answer. Questions whose
    /// answer cannot change the result are skipped: nothing after a criminal case, and no means
    /// question for an art. 32 situation or for a matter that is not covered at all.
    #[must_use]
    pub fn next_question(&self) -> Option<Question> {
        let Some(matter) = self.matter else { return Some(Question::Matter) };
        if matter == Matter::Criminal {
            return None;
        }
        let Some(group) = self.group else { return Some(Question::Group) };
        if group.exempt() || matter == Matter::NotListed {
            return None;
        }
        self.means.is_none().then_some(Question::Means)
    }

    /// The answers that matter for the result, as a query string (`matter=labour&group=none`),
    /// so forms can carry them and links can rebuild the page.
    #[must_use]
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(m) = self.matter {
            parts.push(format!("matter={}", m.code()));
        }
        if let Some(g) = self.group {
            parts.push(format!("group={}", g.code()));
        }
        if let Some(m) = self.means {
            parts.push(format!("means={}", m.code()));
        }
        parts.join("&")
    }

    /// The answers up to (not including) `q`: for "change this answer" links.
    #[must_use]
    pub fn before(&self, q: Question) -> Self {
        match q {
            Question::Matter => Self::default(),
            Question::Group => Self { matter: self.matter, ..Self::default() },
            Question::Means => Self { matter: self.matter, group: self.group, means: None },
        }
    }
}

/// The rule. `None` while a needed answer is missing (see [`Answers::next_question`]).
#[must_use]
pub fn assess(a: &Answers) -> Option<Assessment> {
    if a.next_question().is_some() {
        return None;
    }
    let matter = a.matter?;
    let done = |outcome, reasons: &[Msg]| Some(Assessment { outcome, reasons: reasons.to_vec() });
    if matter == Matter::Criminal {
        return done(Outcome::Depends, &[Msg::LegalAidWhyCriminal]);
    }
    let group = a.group?;
    if group.exempt() {
        return done(Outcome::LikelyEligible, &[Msg::LegalAidWhyExempt]);
    }
    let matter_reason = if matter.listed() {
        Msg::LegalAidWhyMatterListed
    } else if matter == Matter::OtherByLaw {
        Msg::LegalAidWhyMatterOther
    } else {
        Msg::LegalAidWhyMatterNotListed
    };
    let group_other = group == Group::OtherByLaw;
    if matter == Matter::NotListed {
        return if group_other {
            done(Outcome::Depends, &[matter_reason, Msg::LegalAidWhyGroupOther])
        } else {
            done(Outcome::LikelyNot, &[matter_reason])
        };
    }
    let means = a.means?;
    let means_reason = match means {
        Means::Assistance => Msg::LegalAidWhyMeansAssistance,
        Means::AtOrBelow => Msg::LegalAidWhyMeansBelow,
        Means::Above => Msg::LegalAidWhyMeansAbove,
        Means::Unsure => Msg::LegalAidWhyMeansUnsure,
    };
    let mut reasons = vec![matter_reason];
    if group_other {
        reasons.push(Msg::LegalAidWhyGroupOther);
    }
    reasons.push(means_reason);
    let meets = matches!(means, Means::Assistance | Means::AtOrBelow);
    let outcome = match (matter.listed(), means) {
        (true, _) if meets => Outcome::LikelyEligible,
        // Another law's matter, or another law's exemption, can still carry it: ask.
        (_, Means::Above) if group_other => Outcome::Depends,
        (_, Means::Above) => Outcome::LikelyNot,
        _ => Outcome::Depends,
    };
    Some(Assessment { outcome, reasons })
}

/// The text put into a legal-aid appeal started from the result: the answers in plain words,
/// in the reader's language, so the centre sees what the resident already said.
#[must_use]
pub fn appeal_description(a: &Answers, result: &Assessment, income_limit: u32, lang: Lang) -> String {
    let limit = income_limit.to_string();
    let mut lines = vec![Msg::LegalAidAppealIntro.text(lang).to_owned()];
    let line = |label: Msg, value: &str| format!("{}{}", label.text(lang), value);
    lines.push(line(Msg::LegalAidAppealResult, result.outcome.title().text(lang)));
    if let Some(m) = a.matter {
        lines.push(line(Msg::LegalAidAppealMatter, m.label().text(lang)));
    }
    if let Some(g) = a.group {
        lines.push(line(Msg::LegalAidAppealGroup, g.label().text(lang)));
    }
    if let Some(m) = a.means {
        lines.push(line(Msg::LegalAidAppealMeans, &m.label().text(lang).replace("{limit}", &limit)));
    }
    lines.push(Msg::LegalAidAppealAsk.text(lang).to_owned());
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Group as G;
    use Matter as M;
    use Means as N;
    use Outcome as O;

    fn answers(m: Option<M>, g: Option<G>, n: Option<N>) -> Answers {
        Answers { matter: m, group: g, means: n }
    }

    #[test]
    #[expect(clippy::type_complexity, reason = "a table of cases reads best inline")]
    fn the_next_question_follows_the_answers() {
        let cases: &[(Option<M>, Option<G>, Option<N>, Option<Question>)] = &[
            (None, None, None, Some(Question::Matter)),
            (None, Some(G::NoneOfThese), Some(N::Above), Some(Question::Matter)),
            (Some(M::Labour), None, None, Some(Question::Group)),
            (Some(M::Labour), Some(G::NoneOfThese), None, Some(Question::Means)),
            (Some(M::Labour), Some(G::OtherByLaw), None, Some(Question::Means)),
            (Some(M::Labour), Some(G::AbuseVictim), None, None),
            (Some(M::Labour), Some(G::NoneOfThese), Some(N::Unsure), None),
            (Some(M::Criminal), None, None, None),
            (Some(M::NotListed), None, None, Some(Question::Group)),
            (Some(M::NotListed), Some(G::NoneOfThese), None, None),
            (Some(M::NotListed), Some(G::OtherByLaw), None, None),
            (Some(M::OtherByLaw), Some(G::NoneOfThese), None, Some(Question::Means)),
        ];
        for (m, g, n, want) in cases {
            assert_eq!(answers(*m, *g, *n).next_question(), *want, "{m:?} {g:?} {n:?}");
        }
    }

    #[test]
    #[expect(clippy::type_complexity, reason = "a table of cases reads best inline")]
    fn the_rule_table() {
        use Msg::*;
        let cases: &[(M, Option<G>, Option<N>, O, &[Msg])] = &[
            // Art. 31 matters: the means decide.
            (
                M::Labour,
                Some(G::NoneOfThese),
                Some(N::AtOrBelow),
                O::LikelyEligible,
                &[LegalAidWhyMatterListed, LegalAidWhyMeansBelow],
            ),
            (
                M::Maintenance,
                Some(G::NoneOfThese),
                Some(N::Assistance),
                O::LikelyEligible,
                &[LegalAidWhyMatterListed, LegalAidWhyMeansAssistance],
            ),
            (
                M::Injury,
                Some(G::NoneOfThese),
                Some(N::Above),
                O::LikelyNot,
                &[LegalAidWhyMatterListed, LegalAidWhyMeansAbove],
            ),
            (
                M::StateCompensation,
                Some(G::NoneOfThese),
                Some(N::Unsure),
                O::Depends,
                &[LegalAidWhyMatterListed, LegalAidWhyMeansUnsure],
            ),
            (
                M::SocialInsurance,
                Some(G::NoneOfThese),
                Some(N::AtOrBelow),
                O::LikelyEligible,
                &[LegalAidWhyMatterListed, LegalAidWhyMeansBelow],
            ),
            (
                M::Pension,
                Some(G::NoneOfThese),
                Some(N::AtOrBelow),
                O::LikelyEligible,
                &[LegalAidWhyMatterListed, LegalAidWhyMeansBelow],
            ),
            (
                M::Capacity,
                Some(G::NoneOfThese),
                Some(N::Assistance),
                O::LikelyEligible,
                &[LegalAidWhyMatterListed, LegalAidWhyMeansAssistance],
            ),
            (
                M::Environment,
                Some(G::NoneOfThese),
                Some(N::Above),
                O::LikelyNot,
                &[LegalAidWhyMatterListed, LegalAidWhyMeansAbove],
            ),
            // Another law's exemption may still apply above the standard.
            (
                M::Labour,
                Some(G::OtherByLaw),
                Some(N::Above),
                O::Depends,
                &[LegalAidWhyMatterListed, LegalAidWhyGroupOther, LegalAidWhyMeansAbove],
            ),
            (
                M::Labour,
                Some(G::OtherByLaw),
                Some(N::AtOrBelow),
                O::LikelyEligible,
                &[LegalAidWhyMatterListed, LegalAidWhyGroupOther, LegalAidWhyMeansBelow],
            ),
            // Art. 32: no financial check, whatever the matter.
            (M::Labour, Some(G::AbuseVictim), None, O::LikelyEligible, &[LegalAidWhyExempt]),
            (M::NotListed, Some(G::HeroRelative), None, O::LikelyEligible, &[LegalAidWhyExempt]),
            (M::NotListed, Some(G::Bravery), None, O::LikelyEligible, &[LegalAidWhyExempt]),
            (M::StateCompensation, Some(G::Acquitted), None, O::LikelyEligible, &[LegalAidWhyExempt]),
            // "Other matters laid down by law": only the centre can say.
            (
                M::OtherByLaw,
                Some(G::NoneOfThese),
                Some(N::AtOrBelow),
                O::Depends,
                &[LegalAidWhyMatterOther, LegalAidWhyMeansBelow],
            ),
            (
                M::OtherByLaw,
                Some(G::NoneOfThese),
                Some(N::Above),
                O::LikelyNot,
                &[LegalAidWhyMatterOther, LegalAidWhyMeansAbove],
            ),
            // Not covered.
            (M::NotListed, Some(G::NoneOfThese), None, O::LikelyNot, &[LegalAidWhyMatterNotListed]),
            (M::NotListed, Some(G::OtherByLaw), None, O::Depends, &[LegalAidWhyMatterNotListed, LegalAidWhyGroupOther]),
            // Criminal cases have their own rules.
            (M::Criminal, None, None, O::Depends, &[LegalAidWhyCriminal]),
        ];
        for (m, g, n, outcome, reasons) in cases {
            let got = assess(&answers(Some(*m), *g, *n)).unwrap_or_else(|| panic!("no result for {m:?} {g:?} {n:?}"));
            assert_eq!(got.outcome, *outcome, "{m:?} {g:?} {n:?}");
            assert_eq!(got.reasons, reasons.to_vec(), "{m:?} {g:?} {n:?}");
        }
    }

    #[test]
    fn no_result_while_a_needed_answer_is_missing() {
        assert_eq!(assess(&Answers::default()), None);
        assert_eq!(assess(&answers(Some(M::Labour), Some(G::NoneOfThese), None)), None);
        assert_eq!(assess(&answers(Some(M::Labour), None, Some(N::AtOrBelow))), None);
    }

    #[test]
    fn answers_travel_in_the_query_string() {
        let a = Answers::parse("labour", "none", "below");
        assert_eq!(a, answers(Some(M::Labour), Some(G::NoneOfThese), Some(N::AtOrBelow)));
        assert_eq!(a.query(), "matter=labour&group=none&means=below");
        assert_eq!(a.before(Question::Means).query(), "matter=labour&group=none");
        assert_eq!(a.before(Question::Matter).query(), "");
        // Unknown values are unanswered, not errors.
        assert_eq!(Answers::parse("<script>", "", "x"), Answers::default());
        for m in Matter::ALL {
            assert_eq!(Matter::parse(m.code()), Some(*m));
        }
        for g in Group::ALL {
            assert_eq!(Group::parse(g.code()), Some(*g));
        }
        for n in Means::ALL {
            assert_eq!(Means::parse(n.code()), Some(*n));
        }
    }

    #[test]
    fn the_appeal_text_says_the_answers_in_plain_words() {
        let a = Answers::parse("labour", "none", "below");
        let r = assess(&a).unwrap();
        let zh = appeal_description(&a, &r, 1200, Lang::ZhCn);
        assert!(zh.contains(M::Labour.label().text(Lang::ZhCn)), "{zh}");
        assert!(zh.contains("1200"), "{zh}");
        assert!(zh.contains(O::LikelyEligible.title().text(Lang::ZhCn)), "{zh}");
        let en = appeal_description(&a, &r, 900, Lang::En);
        assert!(en.contains("900") && en.contains(M::Labour.label().text(Lang::En)), "{en}");
        // The appeal wizard needs 10 to 2000 characters.
        assert!(crate::fields::Description::parse(&zh).is_ok(), "{zh}");
    }
}
