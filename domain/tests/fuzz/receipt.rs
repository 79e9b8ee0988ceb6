//! The receipt codes (`pingan_domain::receipt`): a ticket or key made from random bytes is
//! exactly those bits in Crockford base 32, reads back from its display form and from sloppy
//! copies of it, and any string parses exactly when its documented normalisation is a code.

use crate::config;
use crate::text::hostile;
use pingan_domain::receipt::{AccessKey, Ticket, KEY_CHARS, TICKET_CHARS};
use pingan_domain::{FieldError, FieldName, Msg};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

/// Crockford's alphabet as documented: digits and letters without I, L, O and U.
const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The documented normalisation: "uppercase, drops spaces and dashes, maps look-alikes
/// (I/L → 1, O → 0)".
fn documented_normalise(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect()
}

fn in_alphabet(s: &str) -> bool {
    s.chars().all(|c| ALPHABET.contains(c))
}

/// The bits a code stands for, 5 per character, most significant first.
fn bits_of_code(code: &str) -> Vec<bool> {
    code.chars()
        .flat_map(|c| {
            let v = ALPHABET.find(c).unwrap_or_else(|| panic!("{c:?} is not in the alphabet"));
            (0..5).rev().map(move |i| (v >> i) & 1 == 1)
        })
        .collect()
}

fn bits_of_bytes(bytes: &[u8]) -> Vec<bool> {
    bytes.iter().flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1 == 1)).collect()
}

/// Random bytes for a ticket; one case in four forces the body to begin with the letters of the
/// prefix (`PA…`, the one shape where prefix and body can be confused), and the extremes.
fn ticket_bytes() -> impl Strategy<Value = [u8; 5]> {
    // P is 22 and A is 10 in the alphabet: the first 10 bits 10110 01010.
    let pa = any::<[u8; 5]>().prop_map(|mut b| {
        b[0] = 0b1011_0010;
        b[1] = (b[1] & 0b0011_1111) | 0b1000_0000;
        b
    });
    prop_oneof![6 => any::<[u8; 5]>(), 2 => pa, 1 => Just([0; 5]), 1 => Just([0xff; 5])]
}

/// A code copied by hand: any letter in either case, look-alikes for 0 and 1, and spaces, tabs,
/// newlines, ideographic spaces and dashes anywhere.
fn sloppy(code: String) -> impl Strategy<Value = String> {
    let n = code.chars().count();
    (vec(any::<u8>(), n), vec(select(&["", "", "", " ", "-", "\t", "\n", "\u{3000}", " - "][..]), n + 1)).prop_map(
        move |(how, seps)| {
            let mut out = String::new();
            for ((c, h), sep) in code.chars().zip(how).zip(&seps) {
                out.push_str(sep);
                let c = match (c, h % 4) {
                    ('1', 1) => 'I',
                    ('1', 2) => 'l',
                    ('1', 3) => 'L',
                    ('0', 1) => 'O',
                    ('0', 2) => 'o',
                    (c, 1 | 3) => c.to_ascii_lowercase(),
                    (c, _) => c,
                };
                out.push(c);
            }
            out.push_str(seps[n]);
            out
        },
    )
}

/// A ticket and a sloppy copy of one of its written forms (display, stored, body alone).
fn ticket_and_copy() -> impl Strategy<Value = (Ticket, String)> {
    (ticket_bytes(), 0usize..3).prop_flat_map(|(bytes, form)| {
        let t = Ticket::from_random(&bytes);
        let written = match form {
            0 => t.display(),
            1 => t.as_str().to_owned(),
            _ => t.as_str()[2..].to_owned(),
        };
        sloppy(written).prop_map(move |copy| (t.clone(), copy))
    })
}

/// Strings near the codes' shapes: the alphabet with look-alikes, separators and a few strays.
fn code_ish() -> impl Strategy<Value = String> {
    let c = select(
        &['P', 'A', 'p', 'a', '0', '1', 'I', 'l', 'O', 'o', 'U', 'Z', '7', 'k', '-', ' ', '\t', '字', 'İ', 'ß'][..],
    );
    prop_oneof![
        vec(c, 0..32).prop_map(|v| v.into_iter().collect()),
        "(PA)?-?[0-9A-Za-z]{4}-?[0-9A-Za-z]{3,5}",
        "[0-9A-Za-z -]{20,34}",
        hostile(),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// A ticket is `PA` and the 40 random bits, 5 per character, in order.
    #[test]
    fn ticket_is_the_bit_stream(bytes in ticket_bytes()) {
        let t = Ticket::from_random(&bytes);
        let s = t.as_str();
        prop_assert_eq!(s.len(), 2 + TICKET_CHARS);
        prop_assert!(s.starts_with("PA") && in_alphabet(&s[2..]), "{}", s);
        prop_assert_eq!(bits_of_code(&s[2..]), bits_of_bytes(&bytes));
    }

    /// A ticket reads back from its display form, its stored form and its body alone.
    #[test]
    fn ticket_round_trips(bytes in ticket_bytes()) {
        let t = Ticket::from_random(&bytes);
        let display = t.display();
        prop_assert_eq!(display.len(), 2 + TICKET_CHARS + 2);
        prop_assert_eq!(display.replace('-', ""), t.as_str());
        prop_assert_eq!(Ticket::parse(&display), Ok(t.clone()), "display {}", display);
        prop_assert_eq!(Ticket::parse(t.as_str()), Ok(t.clone()), "stored {}", t.as_str());
        prop_assert_eq!(Ticket::parse(&t.as_str()[2..]), Ok(t.clone()), "body alone {}", &t.as_str()[2..]);
    }

    /// Case, spaces, dashes and look-alikes in a copied ticket do not matter.
    #[test]
    fn ticket_forgives_sloppy_copies((t, copy) in ticket_and_copy()) {
        prop_assert_eq!(Ticket::parse(&copy), Ok(t), "copy {:?}", copy);
    }

    /// Any string is a ticket exactly when its normalisation is `PA` and 8 characters of the
    /// alphabet, or those 8 alone; "empty" exactly when nothing is left after normalising.
    #[test]
    fn ticket_parse_is_the_documented_normalisation(input in code_ish()) {
        let n = documented_normalise(&input);
        let body = if n.len() == 2 + TICKET_CHARS && n.starts_with("PA") { &n[2..] } else { n.as_str() };
        let expected = if n.is_empty() {
            Err(FieldError::new(FieldName::Ticket, Msg::ErrTicketEmpty))
        } else if body.len() == TICKET_CHARS && in_alphabet(body) {
            Ok(format!("PA{body}"))
        } else {
            Err(FieldError::new(FieldName::Ticket, Msg::ErrTicketFormat))
        };
        let got = Ticket::parse(&input);
        if let Ok(t) = &got {
            prop_assert_eq!(Ticket::parse(&t.display()), Ok(t.clone()));
        }
        prop_assert_eq!(got.map(|t| t.as_str().to_owned()), expected, "normalised {:?}", n);
    }

    /// A key is the first 130 of its 136 random bits, 5 per character; the last 6 do not count.
    #[test]
    fn key_is_the_bit_stream(bytes in any::<[u8; 17]>(), noise in 0u8..64) {
        let k = AccessKey::from_random(&bytes);
        prop_assert_eq!(k.as_str().len(), KEY_CHARS);
        prop_assert!(in_alphabet(k.as_str()));
        prop_assert_eq!(bits_of_code(k.as_str()), bits_of_bytes(&bytes)[..KEY_CHARS * 5].to_vec());
        let mut other = bytes;
        other[16] = (other[16] & 0b1100_0000) | noise;
        prop_assert_eq!(AccessKey::from_random(&other), k);
    }

    /// A key reads back from its display form (groups of four), its stored form and sloppy
    /// copies, and its `Debug` never shows it.
    #[test]
    fn key_round_trips((bytes, copy_seed) in (any::<[u8; 17]>(), any::<u64>())) {
        let k = AccessKey::from_random(&bytes);
        let display = k.display();
        prop_assert!(display.split('-').all(|g| (1..=4).contains(&g.len())), "{}", display);
        prop_assert_eq!(display.replace('-', ""), k.as_str());
        prop_assert_eq!(AccessKey::parse(&display), Ok(k.clone()));
        prop_assert_eq!(AccessKey::parse(&display.to_lowercase()), Ok(k.clone()));
        // A cheap sloppy copy: ones and zeros as their look-alikes, chosen by the seed.
        let copy: String = k
            .as_str()
            .chars()
            .enumerate()
            .map(|(i, c)| match (c, (copy_seed >> (i % 64)) & 1) {
                ('1', 1) => 'l',
                ('0', 1) => 'o',
                (c, _) => c,
            })
            .collect();
        prop_assert_eq!(AccessKey::parse(&copy), Ok(k.clone()));
        let debug = format!("{k:?}");
        prop_assert!(!debug.contains(k.as_str()), "{}", debug);
    }

    /// Any string is a key exactly when its normalisation is 26 characters of the alphabet.
    #[test]
    fn key_parse_is_the_documented_normalisation(input in code_ish()) {
        let n = documented_normalise(&input);
        let expected = if n.is_empty() {
            Err(FieldError::new(FieldName::Key, Msg::ErrKeyEmpty))
        } else if n.len() == KEY_CHARS && in_alphabet(&n) {
            Ok(n.clone())
        } else {
            Err(FieldError::new(FieldName::Key, Msg::ErrKeyFormat))
        };
        let got = AccessKey::parse(&input);
        if let Ok(k) = &got {
            prop_assert_eq!(AccessKey::parse(&k.display()), Ok(k.clone()));
        }
        prop_assert_eq!(got.map(|k| k.as_str().to_owned()), expected, "normalised {:?}", n);
    }
}
