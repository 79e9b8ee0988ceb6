//! Page frame and shared pieces: header with the language switch, the emergency line, the error
//! summary (a list at the top linking to each field) and per-field messages.

use domain::events::EventKind;
use domain::{FieldError, FieldName, Lang, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The reader's language, provided by the shell.
#[must_use]
pub fn lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Words for a key in the reader's language.
#[must_use]
pub fn t(msg: Msg) -> &'static str {
    msg.text(lang())
}

/// Fills `{name}` placeholders.
#[must_use]
pub fn fill(template: &str, args: &[(&str, String)]) -> String {
    args.iter().fold(template.to_owned(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let lang = lang();
    let loc = use_location();
    let here = move || {
        let path = loc.pathname.get_untracked();
        let search = loc.search.get_untracked();
        let back = if search.is_empty() { path } else { format!("{path}?{search}") };
        format!("/lang/{}?back={}", lang.other().tag(), urlencode(&back))
    };
    let elder = use_context::<crate::Elder>().unwrap_or_default().0;
    let elder_href = move || {
        let path = loc.pathname.get_untracked();
        let search = loc.search.get_untracked();
        let back = if search.is_empty() { path } else { format!("{path}?{search}") };
        format!("/elder/{}?back={}", if elder { "off" } else { "on" }, urlencode(&back))
    };
    view! {
        <a class="skip" href="#main">{t(Msg::SkipToContent)}</a>
        <header class="site-header">
            <a class="brand" href="/">{t(Msg::SiteName)}</a>
            <span class="header-tools">
                <a class="elder-switch" href=elder_href>{t(if elder { Msg::ElderOff } else { Msg::ElderOn })}</a>
                <a class="lang" href=here hreflang=lang.other().tag() lang=lang.other().tag()
                    aria-label=t(Msg::SwitchLanguageLabel)>{t(Msg::SwitchLanguage)}</a>
            </span>
        </header>
        {elder.then(|| view! {
            <crate::islands::ReadAloud read=t(Msg::ReadAloud).to_owned() stop=t(Msg::ReadAloudStop).to_owned()
                lang=lang.tag().to_owned()/>
        })}
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <p class="emergency" role="note"><strong>{phone_links(t(Msg::Emergency))}</strong></p>
            <p>{t(Msg::FooterNote)}</p>
        </footer>
    }
}

/// Running text with every phone number in it a `tel:` link (issue 14; which numbers:
/// `domain::tel`). The link's text is the number as written, so it reads as before.
pub fn phone_links(text: &str) -> impl IntoView {
    domain::tel::spans(text)
        .into_iter()
        .map(|s| match s {
            domain::tel::Span::Text(t) => t.to_owned().into_any(),
            domain::tel::Span::Phone { shown, dial } => {
                view! { <a class="tel nowrap" href=format!("tel:{dial}")>{shown.to_owned()}</a> }.into_any()
            }
        })
        .collect_view()
}

/// A ticket or key in its hyphen groups, each kept whole on one line (issue 14): at large text
/// sizes the code wraps after a hyphen, never inside a group. `<wbr>` is needed because a line
/// may not break between a hyphen and a digit otherwise (UAX #14). The text is the code itself.
pub fn code_groups(code: &str) -> impl IntoView {
    let parts: Vec<&str> = code.split('-').collect();
    let last = parts.len().saturating_sub(1);
    parts
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            if i == last {
                view! { <span class="nowrap">{g.to_owned()}</span> }.into_any()
            } else {
                view! { <span class="nowrap">{format!("{g}-")}</span><wbr/> }.into_any()
            }
        })
        .collect_view()
}

/// Percent-encodes a query value (enough for paths and our own query strings).
#[must_use]
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The list of problems at the top of a form, each linking to its field.
#[component]
pub fn ErrorSummary(
    errors: Vec<FieldError>,
    /// More problems as (field id, message): the answers to a category's questions (issue 13),
    /// whose fields and messages are data, not [`FieldName`]s and [`Msg`]s.
    #[prop(optional)]
    extra: Vec<(String, String)>,
) -> impl IntoView {
    (!errors.is_empty() || !extra.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
                <h2 id="error-summary-title">{t(Msg::ErrorSummaryTitle)}</h2>
                <ul>
                    {errors
                        .into_iter()
                        .map(|e| view! { <li><a href=format!("#{}", e.field.as_str())>{t(e.msg)}</a></li> })
                        .collect_view()}
                    {extra.into_iter().map(|(id, text)| view! { <li><a href=format!("#{id}")>{text}</a></li> }).collect_view()}
                </ul>
            </div>
        }
    })
}

/// Escapes text for the contents of an element whose children the renderer writes unescaped
/// (`<textarea>` and `<title>`: Leptos writes them raw, so `</textarea><script>` typed by a
/// resident would close the element and run). `&` and `<` are enough inside such elements; `>`
/// is escaped too so the output is also safe as ordinary element text.
#[must_use]
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The HTML inside `<textarea>…</textarea>` for `value`: escaped, and led by a newline, because
/// the HTML parser drops one newline right after the start tag (a value that starts with a blank
/// line would lose it otherwise).
#[must_use]
pub fn textarea_html(value: &str) -> String {
    format!("\n{}", escape_text(value))
}

/// The only way this app renders a `<textarea>`: its text is always escaped (see
/// [`escape_text`]). Every other attribute is given by the caller after `{..}`:
/// `<TextArea value=v.clone() {..} id="body" name="body" rows="5"/>`; events and `prop:value`
/// too. (Write the value as a call or a literal: `value=v {..}` would parse as a struct literal.)
#[component]
pub fn TextArea(#[prop(into)] value: String) -> impl IntoView {
    view! { <textarea inner_html=textarea_html(&value)></textarea> }
}

/// The document title, escaped (leptos_meta writes `<title>` text raw, and titles can hold text
/// that staff or residents typed, such as an article title).
#[component]
pub fn PageTitle(#[prop(into)] text: String) -> impl IntoView {
    view! { <leptos_meta::Title text=escape_text(&text)/> }
}

/// The first error on `field`, if any.
#[must_use]
pub fn error_for(errors: &[FieldError], field: FieldName) -> Option<Msg> {
    errors.iter().find(|e| e.field == field).map(|e| e.msg)
}

/// The message shown at a field (its id is `<field>-error`, for `aria-describedby`).
#[component]
pub fn FieldMessage(field: FieldName, msg: Option<Msg>) -> impl IntoView {
    msg.map(|m| {
        view! {
            <p class="field-error" id=format!("{}-error", field.as_str())>
                <span class="visually-hidden">{t(Msg::ErrorSummaryTitle)}": "</span>{t(m)}
            </p>
        }
    })
}

/// `aria-describedby` value for a field: its hint and, when present, its error.
#[must_use]
pub fn described_by(field: FieldName, has_error: bool) -> String {
    let f = field.as_str();
    if has_error {
        format!("{f}-hint {f}-error")
    } else {
        format!("{f}-hint")
    }
}

/// One timeline line for an event kind, in the reader's language (track page and staff page).
#[must_use]
pub fn event_line(kind: EventKind, unit: Option<&str>, extra: Option<&str>, lang: Lang) -> String {
    let unit = unit.unwrap_or_default().to_owned();
    let extra = extra.unwrap_or_default().to_owned();
    let with_unit = |m: Msg| fill(m.text(lang), &[("unit", unit.clone())]);
    let plain = |m: Msg| m.text(lang).to_owned();
    match kind {
        EventKind::Submitted => plain(Msg::EventSubmitted),
        EventKind::Routed => with_unit(Msg::EventRouted),
        EventKind::RoutedOutside => with_unit(Msg::EventRoutedOutside),
        EventKind::Signed => with_unit(Msg::EventSigned),
        EventKind::Reply => plain(Msg::EventReply),
        EventKind::Note => plain(Msg::EventNote),
        EventKind::InfoRequested => plain(Msg::EventInfoRequested),
        EventKind::Transferred => with_unit(Msg::EventTransferred),
        EventKind::Escalated => with_unit(Msg::EventEscalated),
        EventKind::Summoned => fill(Msg::EventSummoned.text(lang), &[("units", extra)]),
        EventKind::ReportedBack => with_unit(Msg::EventReportedBack),
        EventKind::Closed => plain(Msg::EventClosed),
        EventKind::Reopened => plain(Msg::EventReopened),
        EventKind::ResidentAnswer => plain(Msg::EventResidentAnswer),
        EventKind::Supplement => plain(Msg::EventSupplement),
        EventKind::Warning => plain(Msg::EventWarning),
        EventKind::Supervised => plain(Msg::EventSupervised),
        EventKind::AutoEscalated => with_unit(Msg::EventAutoEscalated),
        EventKind::ExtensionRequested => plain(Msg::EventExtensionRequested),
        EventKind::ExtensionApproved => fill(
            Msg::EventExtensionApproved.text(lang),
            &[("date", extra.get(..16).unwrap_or(&extra).replace('T', " "))],
        ),
        EventKind::ExtensionRefused => plain(Msg::EventExtensionRefused),
        EventKind::Rated => fill(Msg::EventRated.text(lang), &[("rating", rating_text(&extra, lang).to_owned())]),
        EventKind::ReopenedUnsatisfied => with_unit(Msg::EventReopenedUnsatisfied),
        // `extra` is the satisfaction told on the call; none when the resident was not reached,
        // `unreachable` on the last failed call (the appeal left the queue).
        EventKind::Callback if extra.is_empty() => plain(Msg::EventCallbackNotReached),
        EventKind::Callback if extra == "unreachable" => plain(Msg::EventCallbackUnreachable),
        EventKind::Callback => {
            fill(Msg::EventCallbackReached.text(lang), &[("rating", rating_text(&extra, lang).to_owned())])
        }
        EventKind::NoticeIssued => {
            // `extra` is the notice's kind code; its name in the reader's language.
            let notice =
                domain::notices::NoticeKind::parse(&extra).map_or(extra.clone(), |k| k.label().text(lang).to_owned());
            fill(Msg::EventNoticeIssued.text(lang), &[("unit", unit.clone()), ("notice", notice)])
        }
        EventKind::NoticeAnswered => with_unit(Msg::EventNoticeAnswered),
        EventKind::OwnerNamed => plain(Msg::EventOwnerNamed),
        EventKind::OwnerRemoved => plain(Msg::EventOwnerRemoved),
        EventKind::SummonsOverdue => fill(Msg::EventSummonsOverdue.text(lang), &[("units", extra)]),
        EventKind::SummonsDueSet => fill(Msg::EventSummonsDueSet.text(lang), &[("units", extra)]),
        EventKind::ReportRated => fill(Msg::EventReportRated.text(lang), &[("units", extra)]),
        EventKind::PhotoAdded => plain(Msg::EventPhotoAdded),
        EventKind::Merged => plain(Msg::EventMerged),
        EventKind::Joined => plain(Msg::EventJoined),
        // The other appeal's ticket: only on the staff timeline (these are never public).
        EventKind::MergedIn => fill(Msg::EventMergedIn.text(lang), &[("other", extra)]),
        EventKind::Linked => fill(Msg::EventLinked.text(lang), &[("other", extra)]),
        EventKind::Unmerged => plain(Msg::EventUnmerged),
        EventKind::ClosedWithMain => plain(Msg::EventClosedWithMain),
    }
}

/// The words for a rating code.
#[must_use]
pub fn rating_text(code: &str, lang: Lang) -> &'static str {
    match code {
        "satisfied" => Msg::RatingSatisfied.text(lang),
        "basically" => Msg::RatingBasically.text(lang),
        _ => Msg::RatingUnsatisfied.text(lang),
    }
}

/// The words for a status.
#[must_use]
pub fn status_text(s: domain::workflow::Status, lang: Lang) -> &'static str {
    use domain::workflow::Status;
    match s {
        Status::Closed => Msg::StatusClosed.text(lang),
        Status::InProgress => Msg::StatusInProgress.text(lang),
        Status::AwaitingInfo => Msg::StatusAwaitingInfo.text(lang),
        Status::Assigned => Msg::StatusAssigned.text(lang),
    }
}

/// A problem or notice box at the top of a form (not tied to one field).
#[component]
pub fn Notice(msg: Option<Msg>, #[prop(optional)] problem: bool) -> impl IntoView {
    msg.map(|m| {
        if problem {
            view! { <div class="error-summary" role="alert" tabindex="-1"><p>{t(m)}</p></div> }.into_any()
        } else {
            view! { <p class="notice" role="status">{t(m)}</p> }.into_any()
        }
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    const ATTACK: &str = "</textarea><script>window.pwned=1</script><!-- x";

    #[test]
    fn a_textarea_keeps_its_text_inert_and_whole() {
        let html = view! { <TextArea value=ATTACK.to_owned() {..} id="d" name="d" rows="3"/> }.to_html();
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;/textarea&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;&lt;!-- x</textarea>"),
            "{html}"
        );
        assert!(html.contains("id=\"d\"") && html.contains("name=\"d\"") && html.contains("rows=\"3\""), "{html}");
        // The parser drops one newline after <textarea>: a value that starts with one keeps it.
        assert_eq!(textarea_html("\nzweite"), "\n\nzweite");
        assert_eq!(escape_text("a & b < c > d"), "a &amp; b &lt; c &gt; d");
    }
}

/// A stored time (Unix seconds) as the reader's language writes it, in China time.
#[must_use]
pub fn when(ts: i64) -> String {
    domain::when::when_text(ts, lang())
}

/// An RFC 3339 time from a resident view (already China time) as the reader's language writes it.
#[must_use]
pub fn when_rfc3339(s: &str) -> String {
    domain::when::rfc3339_text(s, lang())
}
