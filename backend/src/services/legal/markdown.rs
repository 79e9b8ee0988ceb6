//! Article Markdown rendered once, at import or edit, and sanitised there (see the parent
//! module): raw HTML as text, images dropped, only our own links, headings shifted.

#[allow(clippy::wildcard_imports)]
use super::*;

/// An article body rendered for the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Safe HTML: escaped text, our own links, no images, headings from `h2` down.
    pub html: String,
    /// Plain text, for search and snippets.
    pub text: String,
    /// The links kept, as written (checked against the content set by the importer).
    pub links: Vec<String>,
}

/// Only our own pages may be linked: the legal centre and the appeal wizard. Anything with a
/// scheme (`javascript:`, `https:`, `mailto:`), a protocol-relative `//host`, or a path that
/// climbs (`..`) or hides characters is dropped.
#[must_use]
pub fn allowed_link(dest: &str) -> bool {
    let own =
        dest == "/legal" || dest.starts_with("/legal/") || dest == "/appeal/new" || dest.starts_with("/appeal/new?");
    own && !dest.contains("//")
        && !dest.contains("..")
        && !dest.contains('\\')
        && dest.chars().all(|c| !c.is_control() && !c.is_whitespace() && c != '"' && c != '\'' && c != '<' && c != '>')
}

pub(super) fn shifted(level: HeadingLevel, offset: i32) -> HeadingLevel {
    let n = (level as i32 + offset).clamp(2, 6);
    match n {
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Renders Markdown to safe HTML (see the module doc) and plain text.
#[must_use]
pub fn render_markdown(md: &str) -> Rendered {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let min_level = Parser::new_ext(md, opts)
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(level as i32),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let offset = 2 - min_level;
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut text = String::new();
    let mut links = Vec::new();
    // For each open link: whether it was kept (so its end is kept or dropped alike).
    let mut open_links: Vec<bool> = Vec::new();
    let mut in_code = false;
    for e in Parser::new_ext(md, opts) {
        match e {
            Event::Start(Tag::Heading { level, .. }) => {
                events.push(Event::Start(Tag::Heading {
                    level: shifted(level, offset),
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                events.push(Event::End(TagEnd::Heading(shifted(level, offset))));
                text.push('\n');
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let keep = allowed_link(&dest_url);
                open_links.push(keep);
                if keep {
                    links.push(dest_url.to_string());
                    events.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
            }
            Event::End(TagEnd::Link) => {
                if open_links.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            // No images: their description stays, as text.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            // Raw HTML is shown as the text it is, never interpreted.
            Event::Start(Tag::HtmlBlock) => events.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::Paragraph)),
            Event::Html(raw) | Event::InlineHtml(raw) => {
                text.push_str(&raw);
                events.push(Event::Text(raw));
            }
            Event::Text(t) => {
                text.push_str(&t);
                if open_links.iter().any(|kept| *kept) || in_code {
                    events.push(Event::Text(t));
                } else {
                    push_with_phone_links(&mut events, &t);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code = true;
                events.push(Event::Start(Tag::CodeBlock(kind)));
            }
            Event::Code(t) => {
                text.push_str(&t);
                events.push(Event::Code(t));
            }
            Event::SoftBreak | Event::HardBreak => {
                text.push(' ');
                events.push(e);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock) => {
                in_code &= !matches!(e, Event::End(TagEnd::CodeBlock));
                text.push('\n');
                events.push(e);
            }
            // Footnotes, math and metadata are not enabled; anything else passes as pulldown
            // renders it (it escapes all text and attributes).
            Event::InlineMath(t) | Event::DisplayMath(t) => events.push(Event::Text(t)),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
            other => events.push(other),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    Rendered { html, text, links }
}

/// Text with each phone number in it (`domain::tel`: 12348, 12333, landlines…) as a `tel:` link
/// (issue 14), so a resident reading an article on a phone can tap to call. The number is
/// escaped like any text; the link is ours, not the author's, so `allowed_link` does not apply.
fn push_with_phone_links<'a>(events: &mut Vec<Event<'a>>, t: &str) {
    for span in domain::tel::spans(t) {
        match span {
            domain::tel::Span::Text(plain) => events.push(Event::Text(plain.to_owned().into())),
            domain::tel::Span::Phone { shown, dial } => {
                // `shown` is digits, spaces and hyphens only (`tel::spans`): nothing to escape.
                let link = format!("<a href=\"tel:{dial}\" class=\"tel nowrap\">{shown}</a>");
                events.push(Event::InlineHtml(link.into()));
            }
        }
    }
}

/// Why a kept link points nowhere, if it does (`/legal/articles/<slug>` of a missing article, an
/// unknown topic or page), in `lang`: the editor's admin reads it in the page's language, the
/// importer's command line in English.
pub(super) fn broken_link(dest: &str, slugs: &HashSet<&str>, lang: Lang) -> Option<String> {
    let path = dest.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    let say = |msg: Msg, name: &str| Some(msg.text(lang).replace("{name}", name).replace("{link}", dest));
    if let Some(slug) = path.strip_prefix("/legal/articles/") {
        return if slugs.contains(slug) { None } else { say(Msg::LegalLinkNoArticle, slug) };
    }
    if let Some(topic) = path.strip_prefix("/legal/topic/") {
        return if Topic::parse(topic).is_some() { None } else { say(Msg::LegalLinkNoTopic, topic) };
    }
    match path {
        "/legal" | "/legal/eligibility" | "/legal/services" | "/legal/search" | "/appeal/new" => None,
        _ => say(Msg::LegalLinkNoPage, ""),
    }
}
