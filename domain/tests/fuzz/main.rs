//! Property-based fuzzing (proptest) of everything in `domain` that reads outside input: the form
//! fields (`fields`), the receipt codes (`receipt`), the stored codes of the small enums
//! (`codes`) and the importer's polygon checks (`geometry`). Inputs are arbitrary and hostile
//! strings (every Unicode scalar value, control characters, markup, text around each length limit
//! and very long text) and structurally generated valid values; each property states what the
//! parser promises, not only that it does not panic.
//!
//! Number of cases per property: `PINGAN_FUZZ_CASES`, default 256 so that the ordinary test run
//! stays short (about a second for all of them, debug build, 2 cores). The long run:
//!
//! ```text
//! PINGAN_FUZZ_CASES=100000 cargo test -p pingan-domain --test fuzz
//! ```
//!
//! (20,000 cases take about 80 s in a debug build on 2 cores, time growing linearly with the
//! cases; `--release` makes it several times faster.) A failure prints the shrunk, minimal input.
//! Failures are not persisted (`failure_persistence: None`): proptest would otherwise write
//! `proptest-regressions/*.txt` seed files into the source tree on every failing run, and a seed
//! file is neither readable nor reviewable. A failing input found here becomes a named example
//! test next to the parser it breaks, which is how this code base keeps its regressions.

mod codes;
mod fields;
#[cfg(feature = "routing")]
mod geometry;
mod receipt;

use proptest::prelude::*;

/// Cases per property when `PINGAN_FUZZ_CASES` is not set.
const DEFAULT_CASES: u32 = 256;

/// The number of cases per property: `PINGAN_FUZZ_CASES`, or [`DEFAULT_CASES`]. A value that is
/// not a positive number stops the run rather than silently running the short default.
fn cases() -> u32 {
    match std::env::var("PINGAN_FUZZ_CASES") {
        Err(_) => DEFAULT_CASES,
        Ok(v) => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or_else(|| panic!("PINGAN_FUZZ_CASES must be a positive whole number, not {v:?}")),
    }
}

/// The configuration of every property here.
fn config() -> ProptestConfig {
    ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() }
}

/// Strategies for hostile text, shared by the modules.
mod text {
    use pingan_domain::fields::{ADDRESS_NOTE_MAX, DESCRIPTION_MAX, DESCRIPTION_MIN, NAME_MAX, REASON_MAX};
    use proptest::collection::vec;
    use proptest::prelude::*;
    use proptest::sample::select;

    /// Markup, injection attempts, invisible and direction-changing characters, combining
    /// sequences, surrogate-pair emoji, escapes and text in the portal's own script.
    pub const FRAGMENTS: &[&str] = &[
        "</textarea><script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\"'><!--",
        "&amp;&lt;&#0;",
        "'; DROP TABLE appeals; --",
        "${jndi:ldap://x/a}",
        "%00%3Cscript%3E",
        "\r\n",
        "\u{feff}",
        "\u{202e}",
        "\u{200b}",
        "\u{3000}",
        "\u{85}",
        "\u{2028}",
        "\u{1b}[31m",
        "\0",
        "\u{7f}",
        "\u{9b}",
        "e\u{301}",
        "😀",
        "👨\u{200d}👩\u{200d}👧",
        "楼道里堆满杂物很危险",
        "王阿姨",
        "PA-7K3M-9Q2D",
        "13800138000",
    ];

    /// Whitespace and control characters as they pad copied text.
    pub const PADDING: &[&str] = &[" ", "\t", "\n", "\r\n", "\u{3000}", "\u{a0}", "\0", "\u{1f}", "\u{85}"];

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => any::<char>().prop_map(String::from),
            2 => select(FRAGMENTS).prop_map(str::to_owned),
            2 => "[a-zA-Z0-9 ]{1,8}",
            1 => select(PADDING).prop_map(str::to_owned),
            1 => select(&['字', '楼', '王', '号', '１', '－'][..]).prop_map(String::from),
        ]
    }

    /// Short hostile text: a few dozen pieces.
    pub fn short() -> impl Strategy<Value = String> {
        vec(piece(), 0..24).prop_map(|v| v.concat())
    }

    fn padding() -> impl Strategy<Value = String> {
        vec(select(PADDING), 0..3).prop_map(|v| v.concat())
    }

    /// Text whose length is near one of the limits (both sides, by a few characters), or
    /// anything up to a few thousand characters, or rarely very long: one unit repeated (a 1-,
    /// 2-, 3- or 4-byte character, or one with a control character that cleaning drops), with
    /// padding around it. Tells characters from bytes at every boundary.
    pub fn long() -> impl Strategy<Value = String> {
        let limits = vec![DESCRIPTION_MIN, NAME_MAX, 64, ADDRESS_NOTE_MAX, REASON_MAX, DESCRIPTION_MAX];
        let count = prop_oneof![
            6 => (select(limits), -2i64..=2).prop_map(|(l, d)| (l as i64 + d).max(0) as usize),
            3 => 0usize..5000,
            1 => 20_000usize..120_000,
        ];
        let unit = select(&["a", "é", "字", "😀", "字\0", "a\u{200b}"][..]);
        (padding(), unit, count, padding()).prop_map(|(a, u, n, b)| format!("{a}{}{b}", u.repeat(n)))
    }

    /// Any of the above.
    pub fn hostile() -> impl Strategy<Value = String> {
        prop_oneof![3 => short(), 1 => long()]
    }
}
