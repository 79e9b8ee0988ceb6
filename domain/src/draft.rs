//! An appeal being written, one step per page. The draft keeps what the resident typed, even
//! when it is not valid yet, so nothing is lost when a step is sent back with errors.

use crate::fields::{AddressNote, Code, Description, FieldError, FieldName, GeoPoint, Identity};
use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

/// The wizard's pages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Step {
    Category,
    What,
    Where,
    Photos,
    Who,
    Check,
}

impl Step {
    pub const ALL: [Step; 6] = [Step::Category, Step::What, Step::Where, Step::Photos, Step::Who, Step::Check];

    #[must_use]
    pub fn slug(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::What => "what",
            Self::Where => "where",
            Self::Photos => "photos",
            Self::Who => "who",
            Self::Check => "check",
        }
    }
    #[must_use]
    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.slug() == s)
    }
    /// 1-based position for "step n of 6".
    #[must_use]
    pub fn number(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).map_or(1, |i| i + 1)
    }
    #[must_use]
    pub fn next(self) -> Self {
        Self::ALL.get(self.number()).copied().unwrap_or(Self::Check)
    }
    #[must_use]
    pub fn prev(self) -> Option<Self> {
        self.number().checked_sub(2).and_then(|i| Self::ALL.get(i).copied())
    }
    #[must_use]
    pub fn title(self) -> Msg {
        match self {
            Self::Category => Msg::StepCategoryTitle,
            Self::What => Msg::StepWhatTitle,
            Self::Where => Msg::StepWhereTitle,
            Self::Photos => Msg::StepPhotosTitle,
            Self::Who => Msg::StepWhoTitle,
            Self::Check => Msg::StepCheckTitle,
        }
    }
}

/// Raw values as typed; see [`Draft::validate`] for what makes them acceptable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub category: String,
    pub description: String,
    pub lat: String,
    pub lng: String,
    pub district: String,
    pub street: String,
    pub community: String,
    pub address_note: String,
    /// `anonymous` or `named`.
    pub identity: String,
    pub name: String,
    pub phone: String,
    /// "Publish my description" (issue 9 §3): off unless the resident ticks the box. A checkbox
    /// left unticked is not posted at all, so absent means off.
    #[serde(default)]
    pub publish: bool,
    /// Errors of the step last sent, shown when that step's page is shown again.
    pub errors: Vec<FieldError>,
    pub error_step: Option<Step>,
    /// Answers to the category's extra questions (issue 13), as typed, by question code; asked
    /// on the "what happened" step and checked by the service, which knows the questions.
    #[serde(default)]
    pub answers: crate::questions::RawAnswers,
    /// The answers' errors, shown with `errors` on the step in `error_step`.
    #[serde(default)]
    pub answer_errors: Vec<crate::questions::AnswerError>,
}

/// A draft whose every field passed its parser (existence of codes is checked by the service).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDraft {
    pub category: Code,
    pub description: Description,
    pub point: Option<GeoPoint>,
    /// The most precise region chosen in the cascade.
    pub region: Option<Code>,
    pub address_note: Option<AddressNote>,
    pub identity: Identity,
    /// The resident asked to publish the description (still subject to moderation).
    pub publish: bool,
}

impl Draft {
    /// The most precise region chosen in the cascade, if any.
    #[must_use]
    pub fn chosen_region(&self) -> Option<&str> {
        [&self.community, &self.street, &self.district].into_iter().map(|s| s.trim()).find(|s| !s.is_empty())
    }

    /// Field errors of one step (photos are checked when uploaded).
    #[must_use]
    pub fn step_errors(&self, step: Step) -> Vec<FieldError> {
        match step {
            Step::Category => Code::parse(&self.category, FieldName::Category).err().into_iter().collect(),
            Step::What => Description::parse(&self.description).err().into_iter().collect(),
            Step::Where => {
                let mut errs = Vec::new();
                match GeoPoint::parse(&self.lat, &self.lng) {
                    Err(e) => errs.push(e),
                    Ok(None) if self.chosen_region().is_none() => {
                        errs.push(FieldError::new(FieldName::Region, Msg::ErrRegionMissing));
                    }
                    Ok(_) => {}
                }
                for code in [&self.district, &self.street, &self.community] {
                    if !code.trim().is_empty() {
                        if let Err(e) = Code::parse(code, FieldName::Region) {
                            errs.push(e);
                            break;
                        }
                    }
                }
                if let Err(e) = AddressNote::parse(&self.address_note) {
                    errs.push(e);
                }
                errs
            }
            Step::Photos | Step::Check => Vec::new(),
            Step::Who => Identity::parse(&self.identity, &self.name, &self.phone).err().unwrap_or_default(),
        }
    }

    /// The first step with an error, and all of that step's errors.
    ///
    /// # Errors
    /// Some step is not valid yet.
    pub fn validate(&self) -> Result<ValidDraft, (Step, Vec<FieldError>)> {
        for step in Step::ALL {
            let errs = self.step_errors(step);
            if !errs.is_empty() {
                return Err((step, errs));
            }
        }
        let fail = |step: Step| (step, self.step_errors(step));
        Ok(ValidDraft {
            category: Code::parse(&self.category, FieldName::Category).map_err(|_| fail(Step::Category))?,
            description: Description::parse(&self.description).map_err(|_| fail(Step::What))?,
            point: GeoPoint::parse(&self.lat, &self.lng).map_err(|_| fail(Step::Where))?,
            region: self
                .chosen_region()
                .map(|r| Code::parse(r, FieldName::Region))
                .transpose()
                .map_err(|_| fail(Step::Where))?,
            address_note: AddressNote::parse(&self.address_note).map_err(|_| fail(Step::Where))?,
            identity: Identity::parse(&self.identity, &self.name, &self.phone).map_err(|_| fail(Step::Who))?,
            publish: self.publish,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete() -> Draft {
        Draft {
            category: "sanitation".into(),
            description: "楼下垃圾三天没有清运了，气味很大".into(),
            district: "HD".into(),
            street: "HD01".into(),
            identity: "anonymous".into(),
            ..Draft::default()
        }
    }

    #[test]
    fn steps_are_ordered() {
        assert_eq!(Step::Category.next(), Step::What);
        assert_eq!(Step::Who.next(), Step::Check);
        assert_eq!(Step::Check.next(), Step::Check);
        assert_eq!(Step::What.prev(), Some(Step::Category));
        assert_eq!(Step::Category.prev(), None);
        assert_eq!(Step::from_slug("where"), Some(Step::Where));
        assert_eq!(Step::Check.number(), 6);
    }

    #[test]
    fn a_complete_draft_validates_with_the_most_precise_region() {
        let v = complete().validate().unwrap();
        assert_eq!(v.region.unwrap().as_str(), "HD01");
        assert_eq!(v.point, None);
        assert_eq!(v.identity, Identity::Anonymous);
        assert!(!v.publish, "publishing is off unless asked for");
    }

    #[test]
    fn the_first_incomplete_step_is_reported() {
        let mut d = complete();
        d.description = "太短".into();
        d.identity = String::new();
        let (step, errs) = d.validate().unwrap_err();
        assert_eq!(step, Step::What);
        assert_eq!(errs[0].msg, Msg::ErrDescriptionShort);
    }

    #[test]
    fn where_needs_a_point_or_a_region() {
        let mut d = complete();
        d.district.clear();
        d.street.clear();
        assert_eq!(d.step_errors(Step::Where)[0].msg, Msg::ErrRegionMissing);
        d.lat = "35.5".into();
        d.lng = "106.61".into();
        assert!(d.step_errors(Step::Where).is_empty());
        d.lat = "abc".into();
        assert_eq!(d.step_errors(Step::Where)[0].msg, Msg::ErrLocationInvalid);
    }
}
