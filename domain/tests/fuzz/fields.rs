//! The form fields (`pingan_domain::fields`): every parser is total (no panic on any string),
//! accepts exactly what its documentation describes, and returns the value in the documented
//! clean form or the field's own error.

use crate::config;
use crate::text::{hostile, short, FRAGMENTS, PADDING};
use pingan_domain::fields::{
    mask_phone, AddressNote, Code, Description, GeoPoint, Identity, PersonName, Phone, ADDRESS_NOTE_MAX,
    DESCRIPTION_MAX, DESCRIPTION_MIN, NAME_MAX, TEXT_MAX,
};
use pingan_domain::{FieldError, FieldName, Msg};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// The documented cleaning ("removes control characters (other than newlines and tabs) and
/// trims"), written from the documentation rather than copied from the code.
fn documented_clean(input: &str) -> String {
    let kept: String = input.chars().filter(|c| !c.is_control() || matches!(c, '\n' | '\t')).collect();
    kept.trim().to_owned()
}

/// What every accepted free text looks like, whatever the input: trimmed, and no control
/// characters other than newline and tab (so no `\r`, NUL or escape sequences reach storage).
fn assert_clean_text(s: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(s, s.trim(), "not trimmed");
    prop_assert!(!s.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "control character in {:?}", s);
    Ok(())
}

fn err(field: FieldName, msg: Msg) -> FieldError {
    FieldError::new(field, msg)
}

/// A stored phone number: a mobile `1[3-9]` + 9 digits, or a landline `0` + area code (3 digits
/// in all for 010 and 02x, else 4) + `-` + 7 or 8 digits.
fn is_stored_phone(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |x: &[u8]| !x.is_empty() && x.iter().all(u8::is_ascii_digit);
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && digits(b) {
        return true;
    }
    let Some((area, number)) = s.split_once('-') else { return false };
    let area_len = if matches!(area.as_bytes().get(1), Some(b'1' | b'2')) { 3 } else { 4 };
    area.starts_with('0')
        && area.len() == area_len
        && digits(area.as_bytes())
        && (7..=8).contains(&number.len())
        && digits(number.as_bytes())
}

fn ascii_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Separators a person puts between digits: mostly none, sometimes a space or a dash.
fn separated(digits: String) -> impl Strategy<Value = String> {
    let n = digits.len();
    vec(select(&["", "", "", " ", "-", "  "][..]), n).prop_map(move |seps| {
        digits
            .chars()
            .zip(seps)
            .map(|(d, s)| format!("{s}{d}"))
            .collect::<String>()
            .trim_start_matches([' ', '-'])
            .to_owned()
    })
}

/// The documented country prefixes ("a leading `+86`/`86`"), written in the usual ways.
fn country_prefix() -> impl Strategy<Value = &'static str> {
    select(&["", "", "+86", "+86 ", "+86-", "+ 86 ", "86", "86 ", "86-"][..])
}

/// A mobile number as a person might type it, and its stored form.
fn typed_mobile() -> impl Strategy<Value = (String, String)> {
    "1[3-9][0-9]{9}".prop_flat_map(|m| {
        (country_prefix(), separated(m.clone()), select(PADDING_SPACES), select(PADDING_SPACES))
            .prop_map(move |(p, typed, a, b)| (format!("{a}{p}{typed}{b}"), m.clone()))
    })
}

/// Leading and trailing whitespace (trimmed by the phone parser; controls are not).
const PADDING_SPACES: &[&str] = &["", " ", "\t", "\u{3000}", " \n"];

/// A landline as a person might type it (area code alone, with a dash or in parentheses), and
/// its stored form. 3-digit area codes (010, 02x) have 8-digit numbers, 4-digit ones 7 or 8.
fn typed_landline() -> impl Strategy<Value = (String, String)> {
    let short_area = ("010|02[0-9]", "[2-9][0-9]{7}");
    let long_area = ("0[3-9][0-9]{2}", "[2-9][0-9]{6,7}");
    prop_oneof![short_area, long_area].prop_flat_map(|(area, number)| {
        let stored = format!("{area}-{number}");
        (
            country_prefix(),
            separated(area.clone()),
            select(&["", " ", "-", " - ", "()"][..]),
            separated(number),
            select(PADDING_SPACES),
        )
            .prop_map(move |(p, a, sep, n, pad)| {
                let typed = if sep == "()" { format!("{p}({a}){n}") } else { format!("{p}{a}{sep}{n}") };
                (format!("{pad}{typed}{pad}"), stored.clone())
            })
    })
}

/// Strings over the characters a phone parser cares about, plus a few it must refuse: near
/// misses of every shape.
fn phone_ish() -> impl Strategy<Value = String> {
    let c = select(&['0', '1', '2', '3', '8', '6', '9', '5', ' ', '-', '+', '(', ')', 'x', '１', '\u{3000}', '\0'][..]);
    prop_oneof![vec(c, 0..24).prop_map(|v| v.into_iter().collect()), typed_mobile().prop_map(|t| t.0), short()]
}

/// Name-like text: mostly short, some near [`NAME_MAX`], some digits only.
fn name_ish() -> impl Strategy<Value = String> {
    prop_oneof![short(), "[0-9 ]{0,12}", "[\\p{Han} ]{0,40}", hostile()]
}

/// A number as text: Rust's own formatting of any float, decimal and exponent forms, the special
/// names `f64::from_str` knows, and junk; with whitespace around.
fn number_ish() -> impl Strategy<Value = String> {
    let body = prop_oneof![
        any::<f64>().prop_map(|v| v.to_string()),
        (-200.0f64..200.0).prop_map(|v| v.to_string()),
        "[-+]?[0-9]{0,4}(\\.[0-9]{0,9})?([eE][-+]?[0-9]{1,3})?",
        select(&["NaN", "inf", "-inf", "infinity", "1e309", "-0", "0x10", "1_0", "١٢", "9０", "90.", ".5", "1,5"][..])
            .prop_map(str::to_owned),
        short(),
    ];
    (select(PADDING_SPACES), body, select(PADDING_SPACES)).prop_map(|(a, b, c)| format!("{a}{b}{c}"))
}

/// Codes as imported: the allowed alphabet at and around the 64-character limit, with
/// surrounding whitespace, and hostile text.
fn code_ish() -> impl Strategy<Value = String> {
    prop_oneof![
        ("[ \t]{0,2}", "[A-Za-z0-9_:-]{1,66}", "[ \t\n]{0,2}").prop_map(|(a, b, c)| format!("{a}{b}{c}")),
        "[A-Za-z0-9_:. /;'\"-]{0,10}",
        hostile(),
    ]
}

fn any_field() -> impl Strategy<Value = FieldName> {
    select(&[FieldName::Category, FieldName::Region, FieldName::Unit, FieldName::Code, FieldName::Ticket][..])
}

proptest! {
    #![proptest_config(config())]

    /// The description is the cleaned text when its length in characters is within
    /// [`DESCRIPTION_MIN`]..=[`DESCRIPTION_MAX`], and otherwise the matching error.
    #[test]
    fn description_is_the_cleaned_text_within_its_limits(input in hostile()) {
        let text = documented_clean(&input);
        let n = text.chars().count();
        let expected = if n == 0 {
            Err(err(FieldName::Description, Msg::ErrDescriptionEmpty))
        } else if n < DESCRIPTION_MIN {
            Err(err(FieldName::Description, Msg::ErrDescriptionShort))
        } else if n > DESCRIPTION_MAX {
            Err(err(FieldName::Description, Msg::ErrDescriptionLong))
        } else {
            Ok(text)
        };
        let got = Description::parse(&input);
        if let Ok(d) = &got {
            assert_clean_text(d.as_str())?;
            let n = d.as_str().chars().count();
            prop_assert!((DESCRIPTION_MIN..=TEXT_MAX).contains(&n), "{} characters", n);
            // Parsing is idempotent: the stored text reads back as itself.
            prop_assert_eq!(Description::parse(d.as_str()), Ok(d.clone()));
        }
        prop_assert_eq!(got.map(|d| d.as_str().to_owned()), expected);
    }

    /// Markup is not the parser's business: it is kept verbatim (not stripped, not escaped) and
    /// left to the view, which escapes everything it renders.
    #[test]
    fn markup_is_kept_verbatim(
        before in "[\\p{Han}a-z ]{0,20}",
        markup in select(FRAGMENTS),
        after in "[\\p{Han}a-z ]{10,20}",
    ) {
        let input = format!("{before}{markup}{after}");
        let cleaned = documented_clean(&input);
        if let Ok(d) = Description::parse(&input) {
            prop_assert_eq!(d.as_str(), cleaned.as_str());
            if !markup.chars().any(char::is_control) {
                prop_assert!(d.as_str().contains(markup.trim()), "{:?} lost {:?}", d.as_str(), markup);
            }
        }
    }

    /// Empty after cleaning is no note; otherwise the cleaned text, at most
    /// [`ADDRESS_NOTE_MAX`] characters.
    #[test]
    fn address_note_is_optional_cleaned_and_bounded(input in hostile()) {
        let text = documented_clean(&input);
        let expected = if text.is_empty() {
            Ok(None)
        } else if text.chars().count() > ADDRESS_NOTE_MAX {
            Err(err(FieldName::AddressNote, Msg::ErrAddressNoteLong))
        } else {
            Ok(Some(text))
        };
        let got = AddressNote::parse(&input);
        if let Ok(Some(note)) = &got {
            assert_clean_text(note.as_str())?;
            prop_assert_eq!(AddressNote::parse(note.as_str()), Ok(Some(note.clone())));
        }
        prop_assert_eq!(got.map(|o| o.map(|n| n.as_str().to_owned())), expected);
    }

    /// A name is the cleaned text on one line, 1..=[`NAME_MAX`] characters, not digits only.
    #[test]
    fn person_name_is_one_clean_line(input in name_ish()) {
        let text = documented_clean(&input).replace('\n', " ");
        let n = text.chars().count();
        let expected = if n == 0 {
            Err(err(FieldName::Name, Msg::ErrNameEmpty))
        } else if n > NAME_MAX {
            Err(err(FieldName::Name, Msg::ErrNameLong))
        } else if text.chars().all(|c| c.is_ascii_digit() || c.is_whitespace()) {
            Err(err(FieldName::Name, Msg::ErrNameInvalid))
        } else {
            Ok(text)
        };
        let got = PersonName::parse(&input);
        if let Ok(name) = &got {
            assert_clean_text(name.as_str())?;
            prop_assert!(!name.as_str().contains('\n'));
            prop_assert_eq!(PersonName::parse(name.as_str()), Ok(name.clone()));
        }
        prop_assert_eq!(got.map(|n| n.as_str().to_owned()), expected);
    }

    /// Every mobile number, typed with spaces, dashes and a leading `+86`/`86`, is accepted and
    /// stored as its 11 digits.
    #[test]
    fn typed_mobile_numbers_are_accepted((typed, stored) in typed_mobile()) {
        let p = Phone::parse(&typed);
        prop_assert_eq!(p.as_ref().map(Phone::as_str), Ok(stored.as_str()), "typed {:?}", typed);
    }

    /// Every landline with its area code, typed with spaces, dashes, parentheses and a leading
    /// `+86`/`86`, is accepted and stored as `area-number`.
    #[test]
    fn typed_landlines_are_accepted((typed, stored) in typed_landline()) {
        let p = Phone::parse(&typed);
        prop_assert_eq!(p.as_ref().map(Phone::as_str), Ok(stored.as_str()), "typed {:?}", typed);
    }

    /// On any input: an accepted number is in a stored format, reads back as itself, keeps the
    /// typed digits (less a country code), and was typed with digits, spaces, dashes, `+` and
    /// parentheses only; a rejected one is "empty" exactly when there was nothing but whitespace.
    #[test]
    fn phone_is_canonical_or_the_phone_error(input in phone_ish()) {
        match Phone::parse(&input) {
            Ok(p) => {
                let s = p.as_str();
                prop_assert!(is_stored_phone(s), "stored as {:?}", s);
                prop_assert_eq!(Phone::parse(s), Ok(p.clone()));
                let (typed, kept) = (ascii_digits(&input), ascii_digits(s));
                prop_assert!(typed == kept || typed == format!("86{kept}"), "{:?} became {:?}", input, s);
                prop_assert!(input.trim().chars().all(|c| c.is_ascii_digit() || " -+()".contains(c)));
                let masked = p.masked();
                prop_assert_eq!(masked.len(), s.len());
                prop_assert_eq!(&masked[..3], &s[..3]);
                prop_assert_eq!(&masked[s.len() - 4..], &s[s.len() - 4..]);
                prop_assert!(masked[3..s.len() - 4].chars().all(|c| c == '*'));
            }
            Err(e) => {
                let msg = if input.trim().is_empty() { Msg::ErrPhoneEmpty } else { Msg::ErrPhoneInvalid };
                prop_assert_eq!(e, err(FieldName::Phone, msg));
            }
        }
    }

    /// Masking keeps the length in characters and shows at most the first 3 and last 4, on any
    /// text (stored numbers of older imports may be anything).
    #[test]
    fn mask_phone_hides_the_middle_of_anything(input in hostile()) {
        let chars: Vec<char> = input.chars().collect();
        let masked: Vec<char> = mask_phone(&input).chars().collect();
        prop_assert_eq!(masked.len(), chars.len());
        if chars.len() <= 7 {
            prop_assert!(masked.iter().all(|c| *c == '*'));
        } else {
            let n = chars.len();
            prop_assert_eq!(&masked[..3], &chars[..3]);
            prop_assert_eq!(&masked[n - 4..], &chars[n - 4..]);
            prop_assert!(masked[3..n - 4].iter().all(|c| *c == '*'));
        }
    }

    /// `anonymous` ignores name and phone; `named` is exactly the name and phone parsers, with
    /// every error of both at once (name first); anything else is the identity error.
    #[test]
    fn identity_is_its_parts(
        mode in prop_oneof![
            select(&["anonymous", " named\t", "named", "Named", ""][..]).prop_map(str::to_owned),
            short(),
        ],
        name in name_ish(),
        phone in phone_ish(),
    ) {
        let got = Identity::parse(&mode, &name, &phone);
        let expected = match mode.trim() {
            "anonymous" => Ok(Identity::Anonymous),
            "named" => match (PersonName::parse(&name), Phone::parse(&phone)) {
                (Ok(name), Ok(phone)) => Ok(Identity::Named { name, phone }),
                (n, p) => Err(n.err().into_iter().chain(p.err()).collect::<Vec<_>>()),
            },
            _ => Err(vec![err(FieldName::Identity, Msg::ErrIdentityMissing)]),
        };
        if let Err(errors) = &got {
            prop_assert!(!errors.is_empty());
        }
        prop_assert_eq!(got, expected);
    }

    /// Any point in range, written as Rust writes floats (shortest round-trip form, or with an
    /// exponent) and padded with whitespace, reads back bit for bit.
    #[test]
    fn geopoint_round_trips_exactly(
        lat in prop_oneof![-90.0f64..=90.0, select(&[90.0, -90.0, 0.0, -0.0, 1e-300, 5e-324][..])],
        lng in prop_oneof![-180.0f64..=180.0, select(&[180.0, -180.0, 0.0, -0.0, f64::MIN_POSITIVE][..])],
        exponent in any::<bool>(),
        pad in select(PADDING_SPACES),
    ) {
        let show = |v: f64| if exponent { format!("{pad}{v:e}{pad}") } else { format!("{pad}{v}{pad}") };
        let p = GeoPoint::parse(&show(lat), &show(lng));
        prop_assert_eq!(p, Ok(Some(GeoPoint { lng, lat })));
        let p = p.ok().flatten().unwrap_or(GeoPoint { lng: f64::NAN, lat: f64::NAN });
        prop_assert_eq!((p.lat.to_bits(), p.lng.to_bits()), (lat.to_bits(), lng.to_bits()));
    }

    /// A finite number just outside the ranges, and every non-finite one, is refused.
    #[test]
    fn geopoint_refuses_out_of_range(lat in any::<f64>(), lng in any::<f64>()) {
        let inside = lat.is_finite() && lng.is_finite() && lat.abs() <= 90.0 && lng.abs() <= 180.0;
        let got = GeoPoint::parse(&lat.to_string(), &lng.to_string());
        if inside {
            prop_assert_eq!(got, Ok(Some(GeoPoint { lng, lat })));
        } else {
            prop_assert_eq!(got, Err(err(FieldName::Location, Msg::ErrLocationInvalid)));
        }
    }

    /// On any pair of strings: both blank is no point; otherwise a point exactly when both are
    /// numbers (as `f64::from_str` reads them, after trimming) in range, else the location error.
    #[test]
    fn geopoint_is_two_numbers_in_range_or_the_location_error(lat in number_ish(), lng in number_ish()) {
        let got = GeoPoint::parse(&lat, &lng);
        let expected = if lat.trim().is_empty() && lng.trim().is_empty() {
            Ok(None)
        } else {
            match (lat.trim().parse::<f64>(), lng.trim().parse::<f64>()) {
                (Ok(a), Ok(o)) if a.is_finite() && o.is_finite() && a.abs() <= 90.0 && o.abs() <= 180.0 => {
                    Ok(Some(GeoPoint { lng: o, lat: a }))
                }
                _ => Err(err(FieldName::Location, Msg::ErrLocationInvalid)),
            }
        };
        prop_assert_eq!(got, expected);
    }

    /// A code is its trimmed text when that is 1–64 ASCII letters, digits, `_`, `-` or `:`;
    /// otherwise "missing" (blank) or "unknown", in the words of the field it was read for.
    #[test]
    fn code_is_the_trimmed_plain_ascii_or_the_fields_error(input in code_ish(), field in any_field()) {
        let s = input.trim();
        let plain = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':');
        let expected = if s.is_empty() {
            Err(err(field, match field {
                FieldName::Category => Msg::ErrCategoryMissing,
                FieldName::Region => Msg::ErrRegionMissing,
                _ => Msg::ErrRequired,
            }))
        } else if s.len() <= 64 && s.bytes().all(plain) {
            Ok(s.to_owned())
        } else {
            Err(err(field, match field {
                FieldName::Category => Msg::ErrCategoryUnknown,
                FieldName::Region => Msg::ErrRegionUnknown,
                _ => Msg::ErrRequired,
            }))
        };
        let got = Code::parse(&input, field);
        if let Ok(c) = &got {
            prop_assert_eq!(Code::parse(c.as_str(), field), Ok(c.clone()));
        }
        prop_assert_eq!(got.map(|c| c.as_str().to_owned()), expected);
    }

    /// Padding of any kind around a valid value changes nothing it should not: whitespace is
    /// trimmed by every parser, control characters are dropped from free text.
    #[test]
    fn padding_does_not_change_valid_values(
        a in vec(select(PADDING), 0..4),
        b in vec(select(PADDING), 0..4),
        description in "[\\p{Han}a-z0-9，。 ]{10,60}",
    ) {
        let (a, b) = (a.concat(), b.concat());
        let plain = Description::parse(&description).map(|d| d.as_str().to_owned());
        let padded = Description::parse(&format!("{a}{description}{b}")).map(|d| d.as_str().to_owned());
        prop_assert_eq!(padded, plain);
    }
}
