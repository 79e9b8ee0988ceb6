//! `/staff/appeal/new` (issue 13): staff record an appeal brought by phone, at the counter, or
//! found on patrol. A plain form (works without JavaScript) posted to the server
//! (`server::staff::intake`); after it is recorded the same page shows the receipt once, to read
//! out or print.

use crate::components::{fill, lang, t, ErrorSummary, FieldMessage, PageTitle, TextArea};
use crate::islands::{LocateButton, LocateTexts};
use crate::pages::staff::{csrf_input, staff_bar, staff_page};
use crate::staff_api::{staff_intake_view, IntakeView};
use domain::region::localized;
use domain::staff::{Flash, StaffChannel, StaffHeader};
use domain::{FieldName, Msg};
use leptos::prelude::*;

#[component]
pub fn StaffIntake() -> impl IntoView {
    staff_page(staff_intake_view(), |header, flash, v| page(&header, &flash, v))
}

fn page(h: &StaffHeader, f: &Flash, v: IntakeView) -> impl IntoView {
    let errors = f.errors_for("intake");
    let title = if errors.is_empty() {
        format!("{} - {}", t(Msg::IntakeTitle), t(Msg::SiteName))
    } else {
        format!("{}: {} - {}", t(Msg::ErrorSummaryTitle), t(Msg::IntakeTitle), t(Msg::SiteName))
    };
    let receipt = f.receipt.clone();
    view! {
        <PageTitle text=title/>
        {staff_bar(h)}
        <h1>{t(Msg::IntakeTitle)}</h1>
        {receipt.map(|(ticket, key, sms)| receipt_view(&ticket, &key, sms))}
        {v.may_record.then(|| form(h, f, &v, errors))}
    }
}

/// The receipt's print button script (served by `server::staff::intake_print_script`).
pub const PRINT_SCRIPT: &str = "/intake-print.js";

/// The receipt of the appeal just recorded: shown this once, to read out, send or print. On
/// paper only the receipt is left (the print style sheet hides the staff bar and the form).
fn receipt_view(ticket: &str, key: &str, sms: bool) -> impl IntoView {
    let shown_ticket = domain::receipt::Ticket::parse(ticket).map_or_else(|_| ticket.to_owned(), |t| t.display());
    let shown_key = domain::receipt::AccessKey::parse(key).map_or_else(|_| key.to_owned(), |k| k.display());
    view! {
        <section id="receipt" class="receipt" aria-labelledby="receipt-title">
            <h2 id="receipt-title" role="status">{t(Msg::IntakeDone)}</h2>
            <dl class="summary">
                <div class="summary-row"><dt>{t(Msg::SearchTicket)}</dt><dd class="code" id="intake-ticket">{shown_ticket}</dd></div>
                <div class="summary-row"><dt>{t(Msg::KeyLabel)}</dt><dd class="code" id="intake-key">{shown_key}</dd></div>
            </dl>
            // The tracking page's full address on paper when the deployment names its own
            // (`PINGAN_PUBLIC_URL`), else its path.
            <p class="intake-how">{t(Msg::IntakePrintHowTo).replace("{url}", &crate::pages::legal::canonical("/track"))}</p>
            {sms.then(|| view! { <p class="intake-sms">{t(Msg::IntakeSmsQueued)}</p> })}
            // Shown by `/intake-print.js`; without JavaScript the browser's own print
            // command does the same (the print style sheet keeps only this receipt).
            <p><button type="button" class="button" id="intake-print" hidden>{t(Msg::IntakePrint)}</button></p>
            <noscript><p class="intake-print-hint">{t(Msg::IntakePrintHint)}</p></noscript>
            <p class="intake-another"><a href="/staff/appeal/new">{t(Msg::IntakeAnother)}</a></p>
            <script src=PRINT_SCRIPT defer></script>
        </section>
    }
}

fn form(h: &StaffHeader, f: &Flash, v: &IntakeView, errors: Vec<domain::FieldError>) -> impl IntoView {
    let lang = lang();
    let mine = f.form == "intake";
    let val = |k: &str| if mine { f.value(k) } else { String::new() };
    let err = |field: FieldName| errors.iter().find(|e| e.field == field).map(|e| e.msg);
    let channel = val("channel");
    let category = val("category");
    // A grid worker's own cell until something else is chosen.
    let cell = if mine { val("cell") } else { v.default_cell.clone().unwrap_or_default() };
    // A point refused (outside the grid, malformed) or dropped is not carried back: the next
    // post would be refused the same way.
    let (lat, lng) = if err(FieldName::Location).is_some() || val("drop_point") == "1" {
        (String::new(), String::new())
    } else {
        (val("lat"), val("lng"))
    };
    let kept_point = !lat.trim().is_empty() && !lng.trim().is_empty();
    let identity = if val("identity").is_empty() { "anonymous".to_owned() } else { val("identity") };
    let answer_errors = if mine { f.answer_errors.clone() } else { Vec::new() };
    let chosen_questions = v.questions.iter().find(|(c, _)| *c == category).map(|(_, qs)| qs.as_slice()).unwrap_or(&[]);
    let extra = crate::pages::appeal::answer_summary(
        chosen_questions,
        &domain::questions::intake_prefix(&category),
        &answer_errors,
    );
    // JavaScript off, the form cannot follow the category chosen: every category's questions are
    // on it, grouped under that category's name; only the chosen category's are read.
    let question_groups = v
        .questions
        .iter()
        .map(|(code, qs)| {
            let name = v
                .categories
                .iter()
                .find(|c| c.code == *code)
                .map_or_else(|| code.clone(), |c| localized(lang, &c.name, &c.name_en).to_owned());
            let prefix = domain::questions::intake_prefix(code);
            let errs = if *code == category { answer_errors.clone() } else { Vec::new() };
            let value = |q: &str| val(&format!("{prefix}{q}"));
            view! {
                <fieldset class="field questions" data-category=code.clone() id=(*code == category).then_some("questions")>
                    <legend class="label">{crate::components::fill(t(Msg::QuestionsIntakeFor), &[("category", name)])}</legend>
                    {crate::pages::appeal::question_fields(qs, &prefix, value, &errs)}
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <p class="tagline">{t(Msg::IntakeLead)}</p>
        <ErrorSummary errors=errors.clone() extra=extra/>
        <form method="post" action="/staff/appeal/new" class="step-form" id="intake">
            {csrf_input(&h.csrf)}
            <input type="hidden" name="token" value=v.token.clone()/>
            <fieldset class="field" aria-invalid=err(FieldName::Channel).is_some().to_string()>
                <legend class="label">{t(Msg::IntakeChannel)}</legend>
                <FieldMessage field=FieldName::Channel msg=err(FieldName::Channel)/>
                {StaffChannel::ALL.into_iter().map(|c| {
                    let id = format!("channel-{}", c.as_str());
                    view! {
                        <div class="choice">
                            <input type="radio" id=id.clone() name="channel" value=c.as_str() checked=channel == c.as_str()/>
                            <label for=id>{t(c.label())}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for="category" class="label">{t(Msg::LedgerCategory)}</label>
                <FieldMessage field=FieldName::Category msg=err(FieldName::Category)/>
                <select id="category" name="category" aria-invalid=err(FieldName::Category).is_some().to_string()>
                    <option value="">"—"</option>
                    {v.categories.iter().map(|c| view! {
                        <option value=c.code.clone() selected=c.code == category>{localized(lang, &c.name, &c.name_en).to_owned()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="description" class="label">{t(Msg::CheckDescription)}</label>
                <FieldMessage field=FieldName::Description msg=err(FieldName::Description)/>
                <TextArea value=val("description") {..} id="description" name="description" rows="5"
                    maxlength=domain::fields::TEXT_INPUT_MAXLENGTH aria-invalid=err(FieldName::Description).is_some().to_string()/>
            </div>
            {question_groups}
            <div class="field">
                <label for="cell" class="label">{t(Msg::IntakeCell)}</label>
                <p class="hint">{t(Msg::IntakeCellHint)}</p>
                <FieldMessage field=FieldName::Region msg=err(FieldName::Region)/>
                <select id="cell" name="cell" aria-invalid=err(FieldName::Region).is_some().to_string()>
                    <option value="">"—"</option>
                    {v.cells.iter().map(|(code, name, name_en, community, community_en)| {
                        // English names where the catalogue has them (the cell names of the
                        // demo city do), the Chinese ones otherwise.
                        let (name, community) = (localized(lang, name, name_en), localized(lang, community, community_en));
                        view! { <option value=code.clone() selected=*code == cell>{format!("{community} {name}")}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field" id="location" role="group" aria-labelledby="location-label" aria-describedby="location-hint">
                <p class="label" id="location-label">{t(Msg::IntakeLocation)}</p>
                <p class="hint" id="location-hint">{t(Msg::IntakeLocationHint)}</p>
                <FieldMessage field=FieldName::Location msg=err(FieldName::Location)/>
                // The resident wizard's island as it is: hidden inputs `lat`/`lng` and, once
                // hydrated, the button that fills them. JavaScript off: no button, the cell decides.
                <LocateButton lat=lat.clone() lng=lng.clone() texts=LocateTexts {
                    failed: Msg::IntakeLocateFailed.text(lang).to_owned(),
                    ..LocateTexts::new(lang)
                }/>
                {kept_point.then(|| view! {
                    <p class="notice" id="location-kept">{fill(t(Msg::IntakeLocationKept), &[("lat", lat.clone()), ("lng", lng.clone())])}</p>
                    <div class="choice">
                        <input type="checkbox" id="drop_point" name="drop_point" value="1"/>
                        <label for="drop_point">{t(Msg::IntakeDropPoint)}</label>
                    </div>
                })}
            </div>
            <div class="field">
                <label for="address_note" class="label">{t(Msg::AddressNoteLabel)}</label>
                <FieldMessage field=FieldName::AddressNote msg=err(FieldName::AddressNote)/>
                <input id="address_note" name="address_note" type="text" value=val("address_note") autocomplete="off"/>
            </div>
            <fieldset class="field">
                <legend class="label">{t(Msg::StepWhoTitle)}</legend>
                <FieldMessage field=FieldName::Identity msg=err(FieldName::Identity)/>
                <div class="choice">
                    <input type="radio" id="identity-anonymous" name="identity" value="anonymous" checked=identity == "anonymous"/>
                    <label for="identity-anonymous">{t(Msg::IdentityAnonymous)}</label>
                </div>
                <div class="choice">
                    <input type="radio" id="identity-named" name="identity" value="named" checked=identity == "named"/>
                    <label for="identity-named">{t(Msg::IdentityNamed)}</label>
                </div>
            </fieldset>
            <div class="field">
                <label for="name" class="label">{t(Msg::NameLabel)}</label>
                <FieldMessage field=FieldName::Name msg=err(FieldName::Name)/>
                <input id="name" name="name" type="text" value=val("name") autocomplete="off"/>
            </div>
            <div class="field">
                <label for="phone" class="label">{t(Msg::PhoneLabel)}</label>
                <FieldMessage field=FieldName::Phone msg=err(FieldName::Phone)/>
                <input id="phone" name="phone" type="tel" inputmode="tel" value=val("phone") autocomplete="off"/>
            </div>
            <div class="choice">
                <input type="checkbox" id="sms" name="sms" value="1" checked=val("sms") == "1"/>
                <label for="sms">{t(Msg::IntakeSms)}</label>
            </div>
            <button type="submit" class="button">{t(Msg::IntakeSubmit)}</button>
        </form>
    }
}
