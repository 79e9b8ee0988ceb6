//! Parse, don't validate: every value that comes from outside (a form, Open311, the CLI) becomes
//! one of these types through a single `parse` function, or a [`FieldError`] naming the field and
//! the message key to show next to it.

use crate::i18n::Msg;
use serde::{Deserialize, Serialize};

/// The form fields of an appeal, used to attach an error to the right input (`id` = `as_str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldName {
    Category,
    Description,
    Location,
    Region,
    AddressNote,
    Photo,
    Identity,
    Name,
    Phone,
    Ticket,
    Key,
    // Staff workspace
    Username,
    Password,
    Unit,
    Role,
    Body,
    Reason,
    Resolution,
    Units,
    Days,
    Rating,
    Day,
    DayKind,
    File,
    // Sign-in (issue 9 §4)
    Code,
    NewPassword,
    // Inbox search (issue 12)
    Words,
    From,
    To,
    // Staff intake (issue 13)
    Channel,
    Cell,
    // Notices by hand and the leader in charge (issue 13)
    NoticeKind,
    Due,
    Owner,
    Notice,
    // Follow-up calls and reply templates (issue 13)
    Outcome,
    Title,
    // Extra questions per category (issue 13): "see the questions' own messages"
    Answers,
    // The admins' questions editor (issue 13)
    QuestionKind,
    Label,
    LabelEn,
    Help,
    HelpEn,
    MaxLen,
    MaxValue,
    Decimals,
    UnitZh,
    UnitEn,
    Choices,
}

impl FieldName {
    /// The HTML `id`/`name` of the input, so an error summary can link to it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Description => "description",
            Self::Location => "location",
            Self::Region => "region",
            Self::AddressNote => "address_note",
            Self::Photo => "photo",
            Self::Identity => "identity",
            Self::Name => "name",
            Self::Phone => "phone",
            Self::Ticket => "ticket",
            Self::Key => "key",
            Self::Username => "username",
            Self::Password => "password",
            Self::Unit => "unit",
            Self::Role => "role",
            Self::Body => "body",
            Self::Reason => "reason",
            Self::Resolution => "resolution",
            Self::Units => "units",
            Self::Days => "days",
            Self::Rating => "rating",
            Self::Day => "day",
            Self::DayKind => "kind",
            Self::File => "file",
            Self::Code => "code",
            Self::NewPassword => "new_password",
            Self::Words => "q",
            Self::From => "from",
            Self::To => "to",
            Self::Channel => "channel",
            Self::Cell => "cell",
            Self::NoticeKind => "notice_kind",
            Self::Due => "due",
            Self::Owner => "owner",
            Self::Notice => "notice",
            Self::Outcome => "outcome",
            Self::Title => "title",
            Self::Answers => "questions",
            Self::QuestionKind => "qkind",
            Self::Label => "label",
            Self::LabelEn => "label_en",
            Self::Help => "help",
            Self::HelpEn => "help_en",
            Self::MaxLen => "max_len",
            Self::MaxValue => "max_value",
            Self::Decimals => "decimals",
            Self::UnitZh => "unit_zh",
            Self::UnitEn => "unit_en",
            Self::Choices => "choices",
        }
    }
}

/// A rejected input value: which field, and which message explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: FieldName,
    pub msg: Msg,
}

impl FieldError {
    #[must_use]
    pub const fn new(field: FieldName, msg: Msg) -> Self {
        Self { field, msg }
    }
}

/// Longest free text anyone writes, in characters (not bytes: Chinese text): a description, a
/// staff reply or note, a resident's answer, supplement or rating comment.
pub const TEXT_MAX: usize = 2000;
/// The `maxlength` of those text areas: [`TEXT_MAX`] plus slack, so that a text a little too
/// long reaches the server and gets a clear "too long" message instead of being cut silently.
pub const TEXT_INPUT_MAXLENGTH: &str = "2100";

/// Most photos one appeal holds: those sent with it and those the resident adds later from the
/// track page (issue 13) together.
pub const APPEAL_PHOTOS_MAX: usize = 6;

/// Longest side of a stored photo, in pixels: the server scales larger ones down, and the photo
/// step's script (issue 14) does the same on the device before sending, where it can.
pub const PHOTO_MAX_SIDE: u32 = 1600;

/// Side of a photo's square thumbnail, in pixels (issue 14): lists show it at half this size in
/// CSS pixels, so it stays sharp on a phone's screen.
pub const PHOTO_THUMB_SIDE: u32 = 320;

/// Longest reason a staff member gives (a transfer, an escalation, a reopening, an extension,
/// revealing contact details), and its text boxes' `maxlength`.
pub const REASON_MAX: usize = 500;
pub const REASON_INPUT_MAXLENGTH: &str = "500";

/// Shortest and longest description we accept.
pub const DESCRIPTION_MIN: usize = 10;
pub const DESCRIPTION_MAX: usize = TEXT_MAX;
pub const NAME_MAX: usize = 30;
pub const ADDRESS_NOTE_MAX: usize = 200;

/// Removes control characters (other than newlines and tabs) and trims.
fn clean(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .replace("\r\n", "\n")
        .trim()
        .to_owned()
}

/// What happened, in the resident's own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description(String);

impl Description {
    /// # Errors
    /// Empty, shorter than [`DESCRIPTION_MIN`] or longer than [`DESCRIPTION_MAX`] characters.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = clean(input);
        let n = text.chars().count();
        if n == 0 {
            Err(FieldError::new(FieldName::Description, Msg::ErrDescriptionEmpty))
        } else if n < DESCRIPTION_MIN {
            Err(FieldError::new(FieldName::Description, Msg::ErrDescriptionShort))
        } else if n > DESCRIPTION_MAX {
            Err(FieldError::new(FieldName::Description, Msg::ErrDescriptionLong))
        } else {
            Ok(Self(text))
        }
    }
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Optional free text that helps find the place ("behind building 3").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressNote(String);

impl AddressNote {
    /// Empty input is `Ok(None)`.
    ///
    /// # Errors
    /// Longer than [`ADDRESS_NOTE_MAX`] characters.
    pub fn parse(input: &str) -> Result<Option<Self>, FieldError> {
        let text = clean(input);
        if text.is_empty() {
            Ok(None)
        } else if text.chars().count() > ADDRESS_NOTE_MAX {
            Err(FieldError::new(FieldName::AddressNote, Msg::ErrAddressNoteLong))
        } else {
            Ok(Some(Self(text)))
        }
    }
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as they wish to be addressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    /// # Errors
    /// Empty or longer than [`NAME_MAX`] characters, or containing digits only.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = clean(input).replace('\n', " ");
        let n = text.chars().count();
        if n == 0 {
            Err(FieldError::new(FieldName::Name, Msg::ErrNameEmpty))
        } else if n > NAME_MAX {
            Err(FieldError::new(FieldName::Name, Msg::ErrNameLong))
        } else if text.chars().all(|c| c.is_ascii_digit() || c.is_whitespace()) {
            Err(FieldError::new(FieldName::Name, Msg::ErrNameInvalid))
        } else {
            Ok(Self(text))
        }
    }
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A mainland China phone number: an 11-digit mobile (1[3-9]…) or a landline with area code
/// (0 + 2–3 digits, then 7–8 digits). Stored digits-only, with a `-` after a landline area code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    /// Accepts spaces, dashes and a leading `+86`/`86`.
    ///
    /// # Errors
    /// Empty, or not a mobile or landline number of the formats above.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(FieldName::Phone, Msg::ErrPhoneEmpty));
        }
        let invalid = FieldError::new(FieldName::Phone, Msg::ErrPhoneInvalid);
        if !trimmed.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')')) {
            return Err(invalid);
        }
        let mut digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        // No mobile or landline starts with 8, so a leading 86 is always the country code (for a
        // 4-digit area code and an 8-digit number that makes 14 digits, not 13).
        if trimmed.starts_with('+') || digits.starts_with("86") {
            digits = digits.strip_prefix("86").ok_or(invalid)?.to_owned();
        }
        let b = digits.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Ok(Self(digits));
        }
        // Landline: area code 010/02x (3 digits) + 8 digits, or 0xxx (4 digits) + 7–8 digits.
        if b.first() == Some(&b'0') {
            let area_len = if b.get(1) == Some(&b'1') || b.get(1) == Some(&b'2') { 3 } else { 4 };
            let rest = b.len().saturating_sub(area_len);
            if b.len() > area_len && (7..=8).contains(&rest) {
                return Ok(Self(format!("{}-{}", &digits[..area_len], &digits[area_len..])));
            }
        }
        Err(invalid)
    }
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The number with its middle hidden, for anyone but the handling staff: `138****1234`.
    #[must_use]
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// Masks all but the first three and last four characters of a phone number.
#[must_use]
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// A WGS-84 point as sent by a phone's geolocation (longitude, latitude in degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lng: f64,
    pub lat: f64,
}

impl GeoPoint {
    /// Parses two form values. Both empty is `Ok(None)` (no point given).
    ///
    /// # Errors
    /// Only one given, not numbers, or outside the valid ranges.
    pub fn parse(lat: &str, lng: &str) -> Result<Option<Self>, FieldError> {
        let (lat, lng) = (lat.trim(), lng.trim());
        if lat.is_empty() && lng.is_empty() {
            return Ok(None);
        }
        let bad = FieldError::new(FieldName::Location, Msg::ErrLocationInvalid);
        let lat: f64 = lat.parse().map_err(|_| bad)?;
        let lng: f64 = lng.parse().map_err(|_| bad)?;
        Self::new(lat, lng).map(Some)
    }

    /// # Errors
    /// Not finite, latitude outside ±90 or longitude outside ±180.
    pub fn new(lat: f64, lng: f64) -> Result<Self, FieldError> {
        if lat.is_finite() && lng.is_finite() && lat.abs() <= 90.0 && lng.abs() <= 180.0 {
            Ok(Self { lng, lat })
        } else {
            Err(FieldError::new(FieldName::Location, Msg::ErrLocationInvalid))
        }
    }
}

/// A region or category code as imported (`HD0101`, `wage_arrears`): ASCII letters, digits,
/// `_`, `-`, `:`, 1–64 characters. Whether it exists is the service's question.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Code(String);

impl Code {
    /// # Errors
    /// Empty, too long, or containing other characters; reported on `field`.
    pub fn parse(input: &str, field: FieldName) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            let msg = match field {
                FieldName::Category => Msg::ErrCategoryMissing,
                FieldName::Region => Msg::ErrRegionMissing,
                _ => Msg::ErrRequired,
            };
            return Err(FieldError::new(field, msg));
        }
        if s.len() > 64 || !s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':')) {
            let msg = match field {
                FieldName::Category => Msg::ErrCategoryUnknown,
                FieldName::Region => Msg::ErrRegionUnknown,
                _ => Msg::ErrRequired,
            };
            return Err(FieldError::new(field, msg));
        }
        Ok(Self(s.to_owned()))
    }
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who the resident is, as they chose to tell us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Identity {
    Anonymous,
    Named { name: PersonName, phone: Phone },
}

impl Identity {
    /// `mode` is `anonymous` or `named`; name and phone are only read for `named`.
    ///
    /// # Errors
    /// All field errors at once, so the form can show every problem in one go.
    pub fn parse(mode: &str, name: &str, phone: &str) -> Result<Self, Vec<FieldError>> {
        match mode.trim() {
            "anonymous" => Ok(Self::Anonymous),
            "named" => {
                let name = PersonName::parse(name);
                let phone = Phone::parse(phone);
                match (name, phone) {
                    (Ok(name), Ok(phone)) => Ok(Self::Named { name, phone }),
                    (n, p) => Err([n.err(), p.err()].into_iter().flatten().collect()),
                }
            }
            _ => Err(vec![FieldError::new(FieldName::Identity, Msg::ErrIdentityMissing)]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_counts_characters_not_bytes() {
        // 10 Chinese characters are 30 bytes but exactly the minimum.
        assert!(Description::parse("楼道里堆满杂物很危险").is_ok());
        assert_eq!(Description::parse("楼道堆杂物").unwrap_err().msg, Msg::ErrDescriptionShort);
        assert_eq!(Description::parse("   ").unwrap_err().msg, Msg::ErrDescriptionEmpty);
        assert_eq!(TEXT_INPUT_MAXLENGTH.parse::<usize>().ok(), Some(TEXT_MAX + 100), "the slack of the text areas");
        assert_eq!(REASON_INPUT_MAXLENGTH.parse::<usize>().ok(), Some(REASON_MAX));
        let long = "字".repeat(DESCRIPTION_MAX + 1);
        assert_eq!(Description::parse(&long).unwrap_err().msg, Msg::ErrDescriptionLong);
        assert!(Description::parse(&"字".repeat(DESCRIPTION_MAX)).is_ok());
    }

    #[test]
    fn description_strips_control_characters_and_trims() {
        let d = Description::parse("  小区门口路灯坏了\u{0}已经一周了\r\n谢谢  ").unwrap();
        assert_eq!(d.as_str(), "小区门口路灯坏了已经一周了\n谢谢");
    }

    #[test]
    fn phone_accepts_mobile_and_landline_forms() {
        assert_eq!(Phone::parse("138 0013 8000").unwrap().as_str(), "13800138000");
        assert_eq!(Phone::parse("+86 138-0013-8000").unwrap().as_str(), "13800138000");
        assert_eq!(Phone::parse("8613800138000").unwrap().as_str(), "13800138000");
        assert_eq!(Phone::parse("0933-8000000").unwrap().as_str(), "0933-8000000");
        assert_eq!(Phone::parse("010 12345678").unwrap().as_str(), "010-12345678");
        // Found by tests/fuzz: 86 without a plus before a 4-digit area code and 8 digits.
        assert_eq!(Phone::parse("86 0755 12345678").unwrap().as_str(), "0755-12345678");
        assert_eq!(Phone::parse("86-010-12345678").unwrap().as_str(), "010-12345678");
    }

    #[test]
    fn phone_rejects_wrong_numbers_with_specific_messages() {
        assert_eq!(Phone::parse("").unwrap_err().msg, Msg::ErrPhoneEmpty);
        for bad in ["12800138000", "1380013800", "138001380001", "abc", "0933-12", "1380013800x"] {
            let e = Phone::parse(bad).unwrap_err();
            assert_eq!(e, FieldError::new(FieldName::Phone, Msg::ErrPhoneInvalid), "{bad}");
        }
    }

    #[test]
    fn phone_is_masked_for_display() {
        assert_eq!(Phone::parse("13800138000").unwrap().masked(), "138****8000");
        assert_eq!(mask_phone("0933-8000000"), "093*****0000");
        assert_eq!(mask_phone("12345"), "*****");
    }

    #[test]
    fn name_rules() {
        assert_eq!(PersonName::parse(" 王 阿姨 ").unwrap().as_str(), "王 阿姨");
        assert_eq!(PersonName::parse("").unwrap_err().msg, Msg::ErrNameEmpty);
        assert_eq!(PersonName::parse("123").unwrap_err().msg, Msg::ErrNameInvalid);
        assert_eq!(PersonName::parse(&"王".repeat(NAME_MAX + 1)).unwrap_err().msg, Msg::ErrNameLong);
    }

    #[test]
    fn identity_reports_every_named_field_error() {
        assert_eq!(Identity::parse("anonymous", "", "").unwrap(), Identity::Anonymous);
        let errs = Identity::parse("named", "", "123").unwrap_err();
        assert_eq!(
            errs,
            vec![
                FieldError::new(FieldName::Name, Msg::ErrNameEmpty),
                FieldError::new(FieldName::Phone, Msg::ErrPhoneInvalid)
            ]
        );
        assert_eq!(
            Identity::parse("", "", "").unwrap_err(),
            vec![FieldError::new(FieldName::Identity, Msg::ErrIdentityMissing)]
        );
    }

    #[test]
    fn geopoint_ranges() {
        assert_eq!(GeoPoint::parse("", "").unwrap(), None);
        let p = GeoPoint::parse("35.5", "106.7").unwrap().unwrap();
        assert!((p.lat - 35.5).abs() < 1e-12 && (p.lng - 106.7).abs() < 1e-12);
        for (lat, lng) in [("91", "0"), ("0", "181"), ("x", "1"), ("35", ""), ("NaN", "1"), ("inf", "1")] {
            assert_eq!(GeoPoint::parse(lat, lng).unwrap_err().msg, Msg::ErrLocationInvalid, "{lat},{lng}");
        }
    }

    #[test]
    fn codes_are_plain_ascii() {
        assert_eq!(Code::parse(" HD0101 ", FieldName::Region).unwrap().as_str(), "HD0101");
        assert_eq!(Code::parse("", FieldName::Category).unwrap_err().msg, Msg::ErrCategoryMissing);
        assert_eq!(Code::parse("drop table;", FieldName::Category).unwrap_err().msg, Msg::ErrCategoryUnknown);
        assert_eq!(Code::parse("区", FieldName::Region).unwrap_err().msg, Msg::ErrRegionUnknown);
    }

    #[test]
    fn address_note_optional_and_bounded() {
        assert_eq!(AddressNote::parse("  ").unwrap(), None);
        assert_eq!(AddressNote::parse("3号楼后面").unwrap().unwrap().as_str(), "3号楼后面");
        assert_eq!(AddressNote::parse(&"路".repeat(ADDRESS_NOTE_MAX + 1)).unwrap_err().msg, Msg::ErrAddressNoteLong);
    }
}
