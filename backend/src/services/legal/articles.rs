//! Articles: front matter and body of each Markdown file, every problem named.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) const KEYS: [&str; 8] =
    ["slug", "title", "topic", "summary", "legal_basis", "last_reviewed", "categories", "related"];

/// Keys an article may have (issue 14): colloquial search terms and an English title and
/// summary. Optional, so content written before them still imports.
pub(super) const OPTIONAL_KEYS: [&str; 3] = ["synonyms", "title_en", "summary_en"];

/// At most this many colloquial terms per article, each at most this many characters: they are
/// words a resident types, not text.
const MAX_SYNONYMS: usize = 40;
const MAX_SYNONYM_CHARS: usize = 20;

/// The colloquial terms of `synonyms:`, separated by commas (`,` `，`) or `、`, repeats dropped.
pub(super) fn synonym_list(v: &str) -> std::result::Result<Vec<String>, String> {
    let mut list: Vec<String> = Vec::new();
    for term in v.split([',', '，', '、']).map(str::trim).filter(|s| !s.is_empty()) {
        if term.chars().count() > MAX_SYNONYM_CHARS {
            return Err(format!("{term:?} is longer than {MAX_SYNONYM_CHARS} characters"));
        }
        if !list.iter().any(|x| x == term) {
            list.push(term.to_owned());
        }
    }
    if list.len() > MAX_SYNONYMS {
        return Err(format!("{} terms, at most {MAX_SYNONYMS}", list.len()));
    }
    Ok(list)
}

/// A code list (`a, b`): letters, digits, `_` and `-` only.
pub(super) fn code_list(v: &str) -> std::result::Result<Vec<String>, String> {
    let list: Vec<String> = v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
    match list.iter().find(|c| !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')) {
        Some(bad) => Err(format!("{bad:?} is not a code (letters, digits, _ and -)")),
        None => Ok(list),
    }
}

/// Parses one article file: front matter between `---` lines (every key required, none unknown
/// or repeated), then the Markdown body. Links and `related` are checked against the whole set
/// by [`parse_articles`].
///
/// # Errors
/// Every problem, as `articles/<file>: …`.
pub fn parse_article(file: &str, text: &str) -> std::result::Result<ArticleRow, Vec<String>> {
    let at = format!("articles/{file}");
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).replace("\r\n", "\n");
    let Some(rest) = text.strip_prefix("---\n") else {
        return Err(vec![format!("{at}: must start with front matter (a line \"---\")")]);
    };
    let Some(end) =
        rest.find("\n---\n").map(|i| (i, i + 5)).or_else(|| rest.strip_suffix("\n---").map(|r| (r.len(), rest.len())))
    else {
        return Err(vec![format!("{at}: front matter is not closed by a line \"---\"")]);
    };
    let (head, body) = (&rest[..end.0], &rest[end.1..]);
    let mut errs = Vec::new();
    let mut values: HashMap<&str, String> = HashMap::new();
    for (i, line) in head.lines().enumerate() {
        let line_no = i + 2;
        if line.trim().is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            errs.push(format!("{at}: line {line_no}: expected \"key: value\""));
            continue;
        };
        let k = k.trim();
        match KEYS.iter().chain(&OPTIONAL_KEYS).find(|key| **key == k) {
            None => errs.push(format!("{at}: line {line_no}: unknown key {k:?}")),
            Some(key) => {
                if values.insert(key, v.trim().to_owned()).is_some() {
                    errs.push(format!("{at}: line {line_no}: {k} appears twice"));
                }
            }
        }
    }
    for k in KEYS {
        if !values.contains_key(k) {
            errs.push(format!("{at}: missing {k}"));
        }
    }
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    for k in ["slug", "title", "topic", "summary", "legal_basis", "last_reviewed"] {
        if values.get(k).is_some_and(String::is_empty) {
            errs.push(format!("{at}: {k} is empty"));
        }
    }
    let slug = get("slug");
    let stem = file.strip_suffix(".md").unwrap_or(file);
    if !slug.is_empty() && slug != stem {
        errs.push(format!("{at}: slug {slug:?} must equal the file name {stem:?}"));
    }
    if !slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        errs.push(format!("{at}: slug {slug:?} may only have a-z, 0-9 and -"));
    }
    let topic = get("topic");
    if !topic.is_empty() && Topic::parse(&topic).is_none() {
        let list: Vec<&str> = Topic::ALL.iter().map(|t| t.code()).collect();
        errs.push(format!("{at}: unknown topic {topic:?} (one of {})", list.join(", ")));
    }
    let reviewed = get("last_reviewed");
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if !reviewed.is_empty() && time::Date::parse(&reviewed, date_format).is_err() {
        errs.push(format!("{at}: last_reviewed {reviewed:?} is not a date (YYYY-MM-DD)"));
    }
    let categories = code_list(&get("categories")).unwrap_or_else(|e| {
        errs.push(format!("{at}: categories: {e}"));
        Vec::new()
    });
    let related = code_list(&get("related")).unwrap_or_else(|e| {
        errs.push(format!("{at}: related: {e}"));
        Vec::new()
    });
    let synonyms = synonym_list(&get("synonyms")).unwrap_or_else(|e| {
        errs.push(format!("{at}: synonyms: {e}"));
        Vec::new()
    });
    for k in ["title_en", "summary_en"] {
        if get(k).chars().count() > 300 {
            errs.push(format!("{at}: {k} is longer than 300 characters"));
        }
    }
    if body.trim().is_empty() {
        errs.push(format!("{at}: the article has no text"));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let r = render_markdown(body);
    Ok(ArticleRow {
        slug,
        title: get("title"),
        topic,
        summary: get("summary"),
        legal_basis: get("legal_basis"),
        last_reviewed: reviewed,
        categories,
        related,
        body_md: body.trim().to_owned(),
        body_html: r.html,
        body_text: r.text,
        synonyms,
        title_en: get("title_en"),
        summary_en: get("summary_en"),
    })
}

/// Parses every article and checks the set: unique slugs, `related` and links naming articles
/// that exist.
///
/// # Errors
/// Every problem found.
pub fn parse_articles(files: &[(String, String)]) -> std::result::Result<Vec<ArticleRow>, Vec<String>> {
    let mut errs = Vec::new();
    let mut rows = Vec::new();
    if files.is_empty() {
        errs.push("articles: no articles (*.md) found".to_owned());
    }
    for (name, text) in files {
        match parse_article(name, text) {
            Ok(r) => rows.push(r),
            Err(e) => errs.extend(e),
        }
    }
    let slugs: HashSet<&str> = rows.iter().map(|r| r.slug.as_str()).collect();
    if slugs.len() != rows.len() {
        errs.push("articles: two files have the same slug".to_owned());
    }
    for r in &rows {
        for rel in &r.related {
            if rel == &r.slug {
                errs.push(format!("articles/{}.md: related names the article itself", r.slug));
            } else if !slugs.contains(rel.as_str()) {
                errs.push(format!("articles/{}.md: related names {rel:?}, which is not an article", r.slug));
            }
        }
        for link in render_markdown(&r.body_md).links {
            if let Some(problem) = broken_link(&link, &slugs, domain::Lang::En) {
                errs.push(format!("articles/{}.md: {problem}", r.slug));
            }
        }
    }
    if errs.is_empty() {
        Ok(rows)
    } else {
        Err(errs)
    }
}
