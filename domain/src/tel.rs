//! Phone numbers inside running text, found so pages can make each one a `tel:` link (issue 14):
//! on a phone a tap should dial 110 or 12348, not ask the resident to copy digits.
//!
//! Deliberately narrow, because a false positive turns an amount or a date into a dial link:
//! the national service numbers by name, mobile numbers (11 digits, `1[3-9]…`), landlines with
//! their area code (`0…`, 10–12 digits) and `400`/`800` numbers (10 digits). Digits, `-` and
//! spaces between digit groups are one number; a run touching a letter, digit or `.` is not.

/// National service numbers dialled as they are.
pub const HOTLINES: [&str; 8] = ["110", "119", "120", "122", "12315", "12333", "12345", "12348"];

/// A piece of running text: as it was, or a phone number with what to dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span<'a> {
    Text(&'a str),
    /// `shown` exactly as written; `dial` its digits only (the `tel:` URI's number).
    Phone {
        shown: &'a str,
        dial: String,
    },
}

/// Whether these digits (separators removed) are a number worth dialling.
#[must_use]
pub fn is_phone(digits: &str) -> bool {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let b = digits.as_bytes();
    HOTLINES.contains(&digits)
        || (b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]))
        || ((10..=12).contains(&b.len()) && b[0] == b'0' && b[1] != b'0')
        || (b.len() == 10 && (digits.starts_with("400") || digits.starts_with("800")))
}

/// `text` cut into plain pieces and phone numbers, in order; joining the pieces gives `text` back.
#[must_use]
pub fn spans(text: &str) -> Vec<Span<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        let starts_run = bytes[i].is_ascii_digit() && (i == 0 || !glued(bytes[i - 1]));
        if !starts_run {
            i += 1;
            continue;
        }
        // The run: digits, and single `-` or ` ` between digits.
        let mut end = i;
        let mut j = i;
        while j < bytes.len() {
            if bytes[j].is_ascii_digit() {
                j += 1;
                end = j;
            } else if matches!(bytes[j], b'-' | b' ') && bytes.get(j + 1).is_some_and(u8::is_ascii_digit) {
                j += 1;
            } else {
                break;
            }
        }
        let shown = &text[i..end];
        let dial: String = shown.chars().filter(char::is_ascii_digit).collect();
        let free_after = bytes.get(end).is_none_or(|&b| !glued(b));
        if free_after && is_phone(&dial) {
            if plain_from < i {
                out.push(Span::Text(&text[plain_from..i]));
            }
            out.push(Span::Phone { shown, dial });
            plain_from = end;
        }
        i = end.max(i + 1);
    }
    if plain_from < text.len() {
        out.push(Span::Text(&text[plain_from..]));
    }
    out
}

/// A character that makes a digit run part of a longer token (`A110`, `1.10`, `110x`).
fn glued(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'/' || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(text: &str) -> Vec<(String, String)> {
        spans(text)
            .into_iter()
            .filter_map(|s| match s {
                Span::Phone { shown, dial } => Some((shown.to_owned(), dial)),
                Span::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn the_emergency_line_has_three_numbers_and_round_trips() {
        let zh = "紧急情况请直接拨打 110（报警）、119（火警）、120（急救）。";
        let dials: Vec<String> = phones(zh).into_iter().map(|(_, d)| d).collect();
        assert_eq!(dials, ["110", "119", "120"]);
        let back: String = spans(zh)
            .into_iter()
            .map(|s| match s {
                Span::Text(t) | Span::Phone { shown: t, .. } => t.to_owned(),
            })
            .collect();
        assert_eq!(back, zh);
        let en = "In an emergency call 110 (police), 119 (fire) or 120 (ambulance) directly.";
        assert_eq!(phones(en).len(), 3);
    }

    #[test]
    fn landlines_mobiles_and_hotlines_with_separators() {
        assert_eq!(phones("电话 0933-8000000。"), [("0933-8000000".to_owned(), "09338000000".to_owned())]);
        assert_eq!(phones("打 138 0013 8000 找我"), [("138 0013 8000".to_owned(), "13800138000".to_owned())]);
        assert_eq!(phones("拨打12348咨询"), [("12348".to_owned(), "12348".to_owned())]);
        assert_eq!(phones("400-800-1234"), [("400-800-1234".to_owned(), "4008001234".to_owned())]);
    }

    #[test]
    fn amounts_dates_counts_and_codes_are_not_numbers() {
        for text in [
            "至少 10 个字",
            "2000 字",
            "2024-01-01",
            "欠薪 1000000 元",
            "1.10 版",
            "A110 号楼",
            "110x",
            "编号 PA-1100-1190",
            "12349",
            "0000000000",
            "11位：12345678901",
        ] {
            assert!(phones(text).is_empty(), "{text}: {:?}", phones(text));
        }
    }
}
