//! Page frame and shared pieces: header with the language switch, the emergency line, the error
//! summary (a list at the top linking to each field) and per-field messages.

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
    view! {
        <a class="skip" href="#main">{t(Msg::SkipToContent)}</a>
        <header class="site-header">
            <a class="brand" href="/">{t(Msg::SiteName)}</a>
            <a class="lang" href=here hreflang=lang.other().tag() lang=lang.other().tag()
                aria-label=t(Msg::SwitchLanguageLabel)>{t(Msg::SwitchLanguage)}</a>
        </header>
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <p class="emergency" role="note"><strong>{t(Msg::Emergency)}</strong></p>
            <p>{t(Msg::FooterNote)}</p>
        </footer>
    }
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
pub fn ErrorSummary(errors: Vec<FieldError>) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
                <h2 id="error-summary-title">{t(Msg::ErrorSummaryTitle)}</h2>
                <ul>
                    {errors
                        .into_iter()
                        .map(|e| view! { <li><a href=format!("#{}", e.field.as_str())>{t(e.msg)}</a></li> })
                        .collect_view()}
                </ul>
            </div>
        }
    })
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
    if has_error { format!("{f}-hint {f}-error") } else { format!("{f}-hint") }
}
