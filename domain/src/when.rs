//! Dates, times and counts as each language writes them.
//!
//! Stored times are Unix seconds (or RFC 3339 text already in China time); the city reads them
//! in China time. zh-CN writes `2026年11月24日 16:05`, English `24 Nov 2026, 16:05`; counts are
//! grouped by thousands (`12,345`) in both, as both languages' conventions do.

use crate::i18n::Lang;
use crate::sla::CHINA;
use time::OffsetDateTime;

const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn month_en(month: u8) -> &'static str {
    MONTHS_EN.get(usize::from(month.saturating_sub(1))).copied().unwrap_or("")
}

/// A calendar date in the reader's language: `2026年11月24日` / `24 Nov 2026`.
#[must_use]
pub fn date_text(year: i32, month: u8, day: u8, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{year}年{month}月{day}日"),
        Lang::En => format!("{day} {} {year}", month_en(month)),
    }
}

/// A month in the reader's language: `2026年11月` / `Nov 2026`.
#[must_use]
pub fn month_text(year: i32, month: u8, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{year}年{month}月"),
        Lang::En => format!("{} {year}", month_en(month)),
    }
}

fn date_time(year: i32, month: u8, day: u8, hour: u8, minute: u8, lang: Lang) -> String {
    match lang {
        Lang::ZhCn => format!("{} {hour:02}:{minute:02}", date_text(year, month, day, lang)),
        Lang::En => format!("{}, {hour:02}:{minute:02}", date_text(year, month, day, lang)),
    }
}

/// A stored time (Unix seconds) in China time, in the reader's language.
#[must_use]
pub fn when_text(ts: i64, lang: Lang) -> String {
    let Ok(t) = OffsetDateTime::from_unix_timestamp(ts) else { return String::new() };
    let t = t.to_offset(CHINA);
    date_time(t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), lang)
}

/// An RFC 3339 time already in China time (as the resident views carry it), in the reader's
/// language; text that is not such a time is shown as it came.
#[must_use]
pub fn rfc3339_text(s: &str, lang: Lang) -> String {
    let part = |from: usize, to: usize| s.get(from..to).and_then(|p| p.parse::<u32>().ok());
    let shape_ok = s.get(4..5) == Some("-") && s.get(7..8) == Some("-") && s.get(13..14) == Some(":");
    match (shape_ok, part(0, 4), part(5, 7), part(8, 10), part(11, 13), part(14, 16)) {
        (true, Some(y), Some(mo @ 1..=12), Some(d @ 1..=31), Some(h @ 0..=23), Some(mi @ 0..=59)) => {
            // The ranges above make every narrowing exact.
            let (y, mo, d, h, mi) = (y as i32, mo as u8, d as u8, h as u8, mi as u8);
            date_time(y, mo, d, h, mi, lang)
        }
        _ => s.to_owned(),
    }
}

/// An ISO date (`2026-11-24`) in the reader's language; anything else as it came.
#[must_use]
pub fn iso_date_text(s: &str, lang: Lang) -> String {
    let part = |from: usize, to: usize| s.get(from..to).and_then(|p| p.parse::<u32>().ok());
    match (s.len() == 10 && s.get(4..5) == Some("-") && s.get(7..8) == Some("-"), part(0, 4), part(5, 7), part(8, 10)) {
        (true, Some(y), Some(mo @ 1..=12), Some(d @ 1..=31)) => date_text(y as i32, mo as u8, d as u8, lang),
        _ => s.to_owned(),
    }
}

/// A count grouped by thousands: `1234567` → `1,234,567`.
#[must_use]
pub fn count_text(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_china_time_in_each_language() {
        let ts = datetime!(2026-11-24 08:05 UTC).unix_timestamp();
        assert_eq!(when_text(ts, Lang::ZhCn), "2026年11月24日 16:05");
        assert_eq!(when_text(ts, Lang::En), "24 Nov 2026, 16:05");
        // Past midnight in China, still the day before in UTC.
        let late = datetime!(2026-12-31 16:30 UTC).unix_timestamp();
        assert_eq!(when_text(late, Lang::ZhCn), "2027年1月1日 00:30");
        assert_eq!(when_text(late, Lang::En), "1 Jan 2027, 00:30");
    }

    #[test]
    fn rfc3339_and_iso_dates_and_what_is_not_one() {
        assert_eq!(rfc3339_text("2026-11-24T16:05:00+08:00", Lang::ZhCn), "2026年11月24日 16:05");
        assert_eq!(rfc3339_text("2026-02-03T09:07:00+08:00", Lang::En), "3 Feb 2026, 09:07");
        assert_eq!(rfc3339_text("soon", Lang::En), "soon");
        assert_eq!(rfc3339_text("2026-13-24T16:05", Lang::En), "2026-13-24T16:05");
        assert_eq!(iso_date_text("2026-01-01", Lang::ZhCn), "2026年1月1日");
        assert_eq!(iso_date_text("2026-03-31", Lang::En), "31 Mar 2026");
        assert_eq!(iso_date_text("2026-3-31", Lang::En), "2026-3-31");
        assert_eq!(month_text(2026, 5, Lang::ZhCn), "2026年5月");
        assert_eq!(month_text(2026, 5, Lang::En), "May 2026");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        assert_eq!(count_text(0), "0");
        assert_eq!(count_text(999), "999");
        assert_eq!(count_text(1000), "1,000");
        assert_eq!(count_text(1_234_567), "1,234,567");
        assert_eq!(count_text(u64::MAX), "18,446,744,073,709,551,615");
    }
}
