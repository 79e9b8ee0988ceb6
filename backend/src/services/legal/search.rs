//! Search: the resident's words, trigram candidates from the store, highlighted snippets.

#[allow(clippy::wildcard_imports)]
use super::*;

/// At most this many characters of a query are used.
pub(super) const MAX_QUERY_CHARS: usize = 40;

/// The resident's words: trimmed, control characters removed, split at spaces, at most five.
#[must_use]
pub fn query_terms(q: &str) -> Vec<String> {
    let clean: String = q.chars().filter(|c| !c.is_control()).take(MAX_QUERY_CHARS).collect();
    let mut terms: Vec<String> = Vec::new();
    for t in clean.split_whitespace() {
        if !terms.iter().any(|x| x == t) {
            terms.push(t.to_owned());
        }
    }
    terms.truncate(5);
    terms
}

/// A word with Latin letters is an English (or pinyin) word: it is matched whole, never cut into
/// pieces, because three letters of it match unrelated words ("scr" of "scrapes").
pub(super) fn is_latin(term: &str) -> bool {
    term.chars().any(|c| c.is_ascii_alphabetic())
}

/// Whether a query that found nothing is worth a second try with [`trigrams`]: it has a Chinese
/// phrase longer than three characters.
pub(super) fn has_long_phrase(terms: &[String]) -> bool {
    terms.iter().any(|t| !is_latin(t) && t.chars().count() > 3)
}

/// The fallback pieces of a phrase that is not found whole: its overlapping three-character
/// pieces (what the trigram indexes hold), at most twelve; Latin words stay whole.
pub(super) fn trigrams(terms: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in terms {
        let chars: Vec<char> = t.chars().collect();
        if chars.len() <= 3 || is_latin(t) {
            if !out.contains(t) {
                out.push(t.clone());
            }
            continue;
        }
        for w in chars.windows(3) {
            let s: String = w.iter().collect();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out.truncate(12);
    out
}

pub(super) fn escape_html(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

pub(super) fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Which characters of `chars` belong to an occurrence of a piece (case-insensitively).
pub(super) fn match_mask(chars: &[char], pieces: &[String]) -> Vec<bool> {
    let folded: Vec<char> = chars.iter().copied().map(fold).collect();
    let mut mask = vec![false; chars.len()];
    for p in pieces {
        let p: Vec<char> = p.chars().map(fold).collect();
        if p.is_empty() || p.len() > folded.len() {
            continue;
        }
        for i in 0..=folded.len() - p.len() {
            if folded[i..i + p.len()] == p[..] {
                mask[i..i + p.len()].iter_mut().for_each(|m| *m = true);
            }
        }
    }
    mask
}

/// Escaped text with `<mark>` around the occurrences of the pieces: safe to insert as HTML.
#[must_use]
pub fn highlight(text: &str, pieces: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    highlight_chars(&chars, &match_mask(&chars, pieces))
}

pub(super) fn highlight_chars(chars: &[char], mask: &[bool]) -> String {
    let mut out = String::new();
    let mut open = false;
    for (c, m) in chars.iter().zip(mask) {
        if *m && !open {
            out.push_str("<mark>");
            open = true;
        } else if !*m && open {
            out.push_str("</mark>");
            open = false;
        }
        escape_html(&c.to_string(), &mut out);
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// A short passage around the first match in the first text that has one (or the start of the
/// first text), highlighted and escaped.
#[must_use]
pub fn snippet(texts: &[&str], pieces: &[String]) -> String {
    const BEFORE: usize = 20;
    const WIDTH: usize = 80;
    let candidates: Vec<Vec<char>> =
        texts.iter().map(|t| t.split_whitespace().collect::<Vec<_>>().join(" ").chars().collect()).collect();
    let found = candidates.iter().find_map(|chars| {
        let mask = match_mask(chars, pieces);
        mask.iter().position(|m| *m).map(|i| (chars, mask, i))
    });
    let (chars, mask, first) = match found {
        Some(f) => f,
        None => match candidates.iter().find(|c| !c.is_empty()) {
            Some(c) => (c, vec![false; c.len()], 0),
            None => return String::new(),
        },
    };
    let start = first.saturating_sub(BEFORE);
    let end = (start + WIDTH).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&highlight_chars(&chars[start..end], &mask[start..end]));
    if end < chars.len() {
        out.push('…');
    }
    out
}

pub(super) fn hit(row: &SearchRow, pieces: &[String]) -> SearchHit {
    let article = row.kind == "a";
    SearchHit {
        kind: if article { "article" } else { "service" }.to_owned(),
        href: if article { format!("/legal/articles/{}", row.key) } else { format!("/legal/services#svc-{}", row.key) },
        title_html: highlight(&row.title, pieces),
        snippet_html: if article {
            snippet(&[&row.summary, &row.body], pieces)
        } else {
            snippet(&[&row.body, &row.summary], pieces)
        },
        title_en_html: highlight(&row.title_en, pieces),
        summary_en_html: highlight(&row.summary_en, pieces),
    }
}

/// Searches articles and service points. The words are matched as typed (all of them); if that
/// finds nothing and a Chinese word is longer than three characters, its three-character pieces
/// are matched instead, best covered first. Results are ranked by each engine (see the store).
///
/// # Errors
/// Database errors.
pub async fn search(state: &AppState, q: &str) -> Result<SearchView> {
    let terms = query_terms(q);
    let query = terms.join(" ");
    if terms.is_empty() {
        return Ok(SearchView { query, ..SearchView::default() });
    }
    let mut m = Match::All(terms.clone());
    let mut rows = store::search(&state.db, &m, 60).await?;
    if rows.is_empty() && has_long_phrase(&terms) {
        m = Match::Any(trigrams(&terms));
        rows = store::search(&state.db, &m, 60).await?;
    }
    let pieces = m.pieces();
    let articles = rows.iter().filter(|r| r.kind == "a").take(20).map(|r| hit(r, pieces)).collect();
    let services = rows.iter().filter(|r| r.kind == "s").take(20).map(|r| hit(r, pieces)).collect();
    Ok(SearchView { query, articles, services })
}
