//! `/appeal/new` and `/appeal/:token/:step`: the appeal wizard, one question per page.
//!
//! Every step is a plain HTML form posted to `/form/appeal/<token>/<step>` (see the server's
//! `forms.rs`), which saves the draft and redirects: back here with the errors kept in the
//! draft, or on to the next step. The first step, `/appeal/new`, stores nothing: its form posts
//! to `/form/appeal/new`, which issues the token and the browser secret (cookie). A draft opens
//! only with both, so a token in a URL is not enough; at the end the token is also the
//! submission's idempotency key.

use crate::api::{blank_draft, get_draft, where_map};
use crate::components::{described_by, error_for, fill, lang, t, urlencode, ErrorSummary, FieldMessage, PageTitle};
use crate::islands::{
    AddressNoteField, ContactFields, ContactTexts, DescriptionField, DescriptionTexts, LocateButton, LocateTexts,
    MapPick,
};
use domain::draft::Step;
use domain::questions::{AnswerError, Question, QuestionKind};
use domain::region::localized;
use domain::views::{DraftView, MapShape, PointPlace, RegionView, WhereMap};
use domain::{FieldError, FieldName, Msg};
use futures::FutureExt;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Starts a new appeal: the first step, with nothing stored yet. `?category=` preselects a category;
/// `?description=` (the legal-aid self-check's answers) is carried with the first step's form and
/// fills "what happened" when that step is saved.
#[component]
pub fn NewAppeal() -> impl IntoView {
    let preset = use_query_map().read_untracked().get("category").unwrap_or_default();
    let carried: String = use_query_map()
        .read_untracked()
        .get("description")
        .unwrap_or_default()
        .trim()
        .chars()
        .take(domain::fields::DESCRIPTION_MAX)
        .collect();
    let data = blank_draft().shared();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (preset, carried, data) = (preset.clone(), carried.clone(), data.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(mut v) => {
                            v.draft.category = preset;
                            let carried = (!carried.is_empty()).then_some(carried);
                            step_view(v, Step::Category, false, carried, None).into_any()
                        }
                        Err(_) => view! { <p role="alert">{t(Msg::GenericError)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn StepPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let step = params.read_untracked().get("step").and_then(|s| Step::from_slug(&s));
    let query = use_query_map().read_untracked().clone();
    let from_check = query.get("from").as_deref() == Some("check");
    // The where-step map's level and a cell tapped on it (issue 14).
    let (map_at, tapped) = (query.get("map").unwrap_or_default(), query.get("cell").unwrap_or_default());
    let data = get_draft(token.clone()).shared();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (token, data, map_at, tapped) = (token.clone(), data.clone(), map_at.clone(), tapped.clone());
                Suspend::new(async move {
                    let Some(step) = step else { return crate::pages::not_found::NotFound().into_any() };
                    match data.await {
                        Ok(Some(v)) if v.submitted_ticket.is_some() => {
                            #[cfg(feature = "ssr")]
                            leptos_axum::redirect(&format!("/receipt/{token}"));
                            view! { <p><a href=format!("/receipt/{token}")>{t(Msg::AlreadySubmitted)}</a></p> }.into_any()
                        }
                        Ok(Some(v)) if step == Step::Where => {
                            // Without `?map=`, the map opens where the draft already is.
                            let d = &v.draft;
                            let at = [&map_at, &d.street, &d.district].into_iter().find(|c| !c.trim().is_empty()).cloned();
                            let map = where_map(at.unwrap_or_default()).await.ok();
                            let map = map.map(|m| MapState { map: m, tapped, from_check });
                            step_view(v, step, from_check, None, map).into_any()
                        }
                        Ok(Some(v)) => step_view(v, step, from_check, None, None).into_any(),
                        Ok(None) => expired().into_any(),
                        Err(_) => view! { <p role="alert">{t(Msg::GenericError)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// "This form has expired": the one answer to an unknown token, a draft of another browser,
/// or a receipt opened without the cookie of the browser that wrote it (HTTP 404).
pub(crate) fn expired() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle text=t(Msg::DraftExpired)/>
        <h1>{t(Msg::NewAppealTitle)}</h1>
        <p role="alert">{t(Msg::DraftExpired)}</p>
        <p><a class="button" href="/appeal/new">{t(Msg::StartAgain)}</a></p>
    }
}

fn step_view(
    v: DraftView,
    step: Step,
    from_check: bool,
    carried: Option<String>,
    map: Option<MapState>,
) -> impl IntoView {
    let errors: Vec<FieldError> = if v.draft.error_step == Some(step) { v.draft.errors.clone() } else { Vec::new() };
    let answer_errors: Vec<AnswerError> =
        if v.draft.error_step == Some(step) { v.draft.answer_errors.clone() } else { Vec::new() };
    let extra = answer_summary(&v.questions, "q_", &answer_errors);
    let title = t(step.title());
    let page_title = if errors.is_empty() && answer_errors.is_empty() {
        format!("{title} - {}", t(Msg::NewAppealTitle))
    } else {
        format!("{}: {title} - {}", t(Msg::ErrorSummaryTitle), t(Msg::NewAppealTitle))
    };
    let back = step.prev().map(|p| format!("/appeal/{}/{}", v.token, p.slug()));
    let step_of = fill(t(Msg::StepOf), &[("n", step.number().to_string()), ("total", Step::ALL.len().to_string())]);
    // A draft not yet started (`/appeal/new`) has no token: its first post creates it.
    let action = if v.token.is_empty() {
        "/form/appeal/new".to_owned()
    } else {
        format!("/form/appeal/{}/{}", v.token, step.slug())
    };
    let body = match step {
        Step::Category => category_step(&v, &errors).into_any(),
        Step::What => what_step(&v, &errors, &answer_errors).into_any(),
        Step::Where => where_step(&v, &errors, map).into_any(),
        Step::Photos => return photos_page(v, errors, page_title, step_of, back).into_any(),
        Step::Who => who_step(&v, &errors).into_any(),
        Step::Check => return check_page(v, errors, page_title, step_of).into_any(),
    };
    view! {
        <PageTitle text=page_title/>
        {back.map(|href| view! { <a class="back" href=href>{t(Msg::Back)}</a> })}
        <p class="step-of">{step_of}</p>
        <ErrorSummary errors=errors extra=extra/>
        <form method="post" action=action class="step-form" novalidate>
            <h1>{title}</h1>
            {body}
            {from_check.then(|| view! { <input type="hidden" name="action" value="check"/> })}
            {carried.map(|d| view! {
                <p class="notice" id="carried-description">{t(Msg::LegalAidPrefilled)}</p>
                <input type="hidden" name="description" value=d/>
            })}
            <button type="submit" class="button">{t(Msg::Continue)}</button>
        </form>
    }
    .into_any()
}

fn category_step(v: &DraftView, errors: &[FieldError]) -> impl IntoView {
    let err = error_for(errors, FieldName::Category);
    let current = v.draft.category.clone();
    let lang = lang();
    view! {
        <fieldset class="choices" aria-describedby=described_by(FieldName::Category, err.is_some())>
            <legend class="visually-hidden">{t(Msg::StepCategoryTitle)}</legend>
            <p class="hint" id="category-hint">{t(Msg::StepCategoryHint)}</p>
            <FieldMessage field=FieldName::Category msg=err/>
            {v.categories
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let id = if i == 0 { "category".to_owned() } else { format!("category-{}", c.code) };
                    let label = localized(lang, &c.name, &c.name_en).to_owned();
                    view! {
                        <div class="choice">
                            <input type="radio" name="category" id=id.clone() value=c.code.clone() checked=c.code == current/>
                            <label for=id>
                                {label}
                                {c.urgent.then(|| view! { " " <span class="badge">{t(Msg::UrgentBadge)}</span> })}
                            </label>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

fn what_step(v: &DraftView, errors: &[FieldError], answer_errors: &[AnswerError]) -> impl IntoView {
    let answers = &v.draft.answers;
    view! {
        <div class="field">
            <DescriptionField token=v.token.clone() value=v.draft.description.clone()
                error=error_for(errors, FieldName::Description).map(|m| t(m).to_owned()) texts=DescriptionTexts::new(lang())/>
        </div>
        // The chosen category's extra questions (issue 13); a category without any asks nothing.
        {(!v.questions.is_empty()).then(|| view! {
            <section class="questions" aria-labelledby="questions-title">
                <h2 id="questions-title">{t(Msg::QuestionsTitle)}</h2>
                {question_fields(&v.questions, "q_", |code| answers.get(code).cloned().unwrap_or_default(), answer_errors)}
            </section>
        })}
    }
}

/// The error summary's lines for answers: (field id, message with the question's label).
pub(crate) fn answer_summary(questions: &[Question], prefix: &str, errors: &[AnswerError]) -> Vec<(String, String)> {
    let lang = lang();
    errors.iter().map(|e| (format!("{prefix}{}", e.code), e.text(questions, lang))).collect()
}

/// One input per question, named and identified `<prefix><code>`, with its label (marked when
/// optional), help, unit and error; `value` gives what was typed. Plain form controls: they post
/// with JavaScript off, and numbers are text inputs so "3,000元" reaches the lenient parser.
pub(crate) fn question_fields(
    questions: &[Question],
    prefix: &str,
    value: impl Fn(&str) -> String,
    errors: &[AnswerError],
) -> AnyView {
    let lang = lang();
    questions
        .iter()
        .map(|q| {
            let id = format!("{prefix}{}", q.code);
            let err = errors.iter().find(|e| e.code == q.code).map(|e| e.text(questions, lang));
            let described = if err.is_some() { format!("{id}-hint {id}-error") } else { format!("{id}-hint") };
            let label = view! {
                {q.label_in(lang).to_owned()}
                {(!q.required).then(|| view! { <span class="muted">{t(Msg::QuestionOptional)}</span> })}
            };
            let message = err.map(|m| view! {
                <p class="field-error" id=format!("{id}-error")>
                    <span class="visually-hidden">{t(Msg::ErrorSummaryTitle)}": "</span>{m}
                </p>
            });
            let hint = view! { <p class="hint" id=format!("{id}-hint")>{q.help_in(lang).to_owned()}</p> };
            let current = value(&q.code);
            let invalid = message.is_some().to_string();
            match q.kind {
                QuestionKind::Choice => view! {
                    <fieldset class="field choices" aria-describedby=described aria-invalid=invalid>
                        <legend class="label">{label}</legend>
                        {hint}
                        {message}
                        {q.choices.iter().enumerate().map(|(i, c)| {
                            let cid = if i == 0 { id.clone() } else { format!("{id}-{}", c.code) };
                            view! {
                                <div class="choice">
                                    <input type="radio" name=id.clone() id=cid.clone() value=c.code.clone() checked=c.code == current.trim()/>
                                    <label for=cid>{localized(lang, &c.label, &c.label_en).to_owned()}</label>
                                </div>
                            }
                        }).collect_view()}
                    </fieldset>
                }
                .into_any(),
                kind => {
                    let (inputmode, maxlength) = match kind {
                        QuestionKind::Number if q.decimals == 0 => ("numeric", "20".to_owned()),
                        QuestionKind::Number => ("decimal", "24".to_owned()),
                        // Room beyond the limit, so a text a little too long gets a message.
                        _ => ("text", (q.max_len + 20).to_string()),
                    };
                    let unit = q.unit_in(lang).to_owned();
                    view! {
                        <div class="field">
                            <label for=id.clone() class="label">{label}</label>
                            {hint}
                            {message}
                            <input type="text" id=id.clone() name=id.clone() value=current inputmode=inputmode
                                maxlength=maxlength autocomplete="off" aria-describedby=described aria-invalid=invalid/>
                            {(!unit.is_empty()).then(|| view! { " "<span class="unit">{unit}</span> })}
                        </div>
                    }
                    .into_any()
                }
            }
        })
        .collect_view()
        .into_any()
}

fn options(list: &[RegionView], current: &str) -> impl IntoView {
    let lang = lang();
    let current = current.trim().to_owned();
    view! {
        <option value="">{t(Msg::ChooseOption)}</option>
        {list
            .iter()
            .map(|r| {
                view! { <option value=r.code.clone() selected=r.code == current>{localized(lang, &r.name, &r.name_en).to_owned()}</option> }
            })
            .collect_view()}
    }
}

/// Region names in the reader's language, from the larger to the smaller ("和平社区 · 第1网格").
fn joined_names(names: &[(String, String)]) -> String {
    let lang = lang();
    names.iter().map(|(zh, en)| localized(lang, zh, en)).collect::<Vec<_>>().join(" · ")
}

/// The where-step map as asked for in the URL: the level drawn, the cell tapped on it (JS off: a
/// tap is a link, then "use this cell" posts it), and whether the wizard came from the check page.
struct MapState {
    map: WhereMap,
    tapped: String,
    from_check: bool,
}

/// A map shape's name in the reader's language: a cell with its community ("和平社区第1网格").
fn shape_name(s: &MapShape) -> String {
    let lang = lang();
    let own = localized(lang, &s.name, &s.name_en).to_owned();
    match &s.community {
        Some((zh, en)) => {
            fill(t(Msg::StatsCellName), &[("community", localized(lang, zh, en).to_owned()), ("cell", own)])
        }
        None => own,
    }
}

/// "Or point on the map" (issue 14): a server-drawn SVG (`domain::cellmap`), zoomed by links from
/// the city to a street, where a tap on a cell shows "use this cell"; the same choices as a list
/// of buttons that post the step (so nothing typed is lost), and the `MapPick` island that turns
/// a tap into the exact point when JavaScript runs.
fn map_section(v: &DraftView, st: MapState) -> impl IntoView {
    use domain::cellmap::{self, MapCell, Pin, Projection};
    let MapState { map, tapped, from_check } = st;
    let lang = lang();
    let token = v.token.clone();
    let back = if from_check { "&from=check" } else { "" };
    // A tapped cell opens at its question ("use this cell"), a zoom at the map.
    let link = |code: &str, cell: Option<&str>| match cell {
        Some(c) => format!("/appeal/{token}/where?map={}&cell={}{back}#map-tapped", urlencode(code), urlencode(c)),
        None => format!("/appeal/{token}/where?map={}{back}#map", urlencode(code)),
    };
    let here = map.trail.last().cloned();
    let here_code = here.as_ref().map(|r| r.code.clone()).unwrap_or_default();
    let here_name = here.as_ref().map(|r| localized(lang, &r.name, &r.name_en).to_owned()).unwrap_or_default();
    let tapped = map.cells.then(|| map.shapes.iter().find(|s| s.code == tapped)).flatten();
    let cells: Vec<MapCell<'_>> = map
        .shapes
        .iter()
        .map(|s| {
            let name = shape_name(s);
            let own = localized(lang, &s.name, &s.name_en).to_owned();
            let text = match &s.community {
                Some((zh, en)) => vec![localized(lang, zh, en).to_owned(), own],
                None => vec![own],
            };
            MapCell {
                code: &s.code,
                polygons: &s.polygons,
                shade: 0,
                href: Some(if map.cells { link(&here_code, Some(&s.code)) } else { link(&s.code, None) }),
                label: fill(t(if map.cells { Msg::MapPickCell } else { Msg::MapZoomTo }), &[("name", name)]),
                marked: tapped.is_some_and(|c| c.code == s.code),
                text,
            }
        })
        .collect();
    let proj = Projection::fit(&cells, 600);
    let point = domain::fields::GeoPoint::parse(&v.draft.lat, &v.draft.lng).ok().flatten().map(|p| [p.lng, p.lat]);
    // On a street's map the pin is always drawn (hidden without a point) for the island to move.
    let pin = (map.cells || point.is_some()).then(|| Pin { at: point, label: t(Msg::MapPin).to_owned() });
    let svg = cellmap::render_with(&cells, &proj, &fill(t(Msg::MapAria), &[("name", here_name)]), pin.as_ref());
    let last = map.trail.len().saturating_sub(1);
    let trail = map
        .trail
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let name = localized(lang, &r.name, &r.name_en).to_owned();
            if i == last {
                view! { <li aria-current="page">{name}</li> }.into_any()
            } else {
                view! { <li><a href=link(&r.code, None)>{name}</a></li> }.into_any()
            }
        })
        .collect_view();
    let field = if map.cells { "pick" } else { "zoom" };
    let choices = map
        .shapes
        .iter()
        .map(|s| {
            view! { <li><button type="submit" name=field value=s.code.clone() class="link-button">{shape_name(s)}</button></li> }
        })
        .collect_view();
    let frame = view! { <div class="cellmap-frame" inner_html=svg></div> };
    view! {
        <section id="map" class="where-map" aria-labelledby="map-title">
            <h2 id="map-title" class="label">{t(Msg::MapTitle)}</h2>
            <nav aria-label=t(Msg::MapTrail)><ol class="map-trail">{trail}</ol></nav>
            <p class="hint">{t(if map.cells { Msg::MapHintCells } else { Msg::MapHintZoom })}</p>
            {if map.cells {
                view! { <MapPick proj=proj set=t(Msg::MapPointSet).to_owned()>{frame}</MapPick> }.into_any()
            } else {
                frame.into_any()
            }}
            {tapped.map(|c| view! {
                <p class="notice" id="map-tapped">{fill(t(Msg::MapTapped), &[("name", shape_name(c))])}" "
                    <button type="submit" name="pick" value=c.code.clone() class="button">{t(Msg::MapUseCell)}</button>
                </p>
            })}
            <p class="label" id="map-list">{t(Msg::MapList)}</p>
            <ul class="map-choices" aria-labelledby="map-list">{choices}</ul>
        </section>
    }
}

fn where_step(v: &DraftView, errors: &[FieldError], map: Option<MapState>) -> impl IntoView {
    let d = &v.draft;
    let has_point = !d.lat.trim().is_empty() && !d.lng.trim().is_empty();
    let outside = matches!(v.point_place, Some(PointPlace::OutsideGrid));
    let region_err = error_for(errors, FieldName::Region);
    // The location's own problems (not a valid point, outside the city) are told at the
    // location, where the error summary's `#location` link lands (focusable for that).
    let location_err = error_for(errors, FieldName::Location);
    // The point this page names back (issue 14), posted with the form: a point the page has not
    // named (a new fix, a tap on the map) brings the step back once with its place, before the
    // wizard moves on. Empty when the page names none.
    let shown = if v.point_place.is_some() { format!("{},{}", d.lat.trim(), d.lng.trim()) } else { String::new() };
    // With no error to announce first, the named place takes the focus: after "下一步" the
    // step opens again, and this is what changed.
    let focus_place = errors.is_empty();
    view! {
        <p class="hint" id="region-hint">{t(Msg::StepWhereHint)}</p>
        <div id="location" tabindex="-1">
            <FieldMessage field=FieldName::Location msg=location_err/>
            <LocateButton lat=d.lat.clone() lng=d.lng.clone() texts=LocateTexts::new(lang())/>
            <input type="hidden" name="point_shown" value=shown/>
        </div>
        {(has_point && !outside).then(|| view! {
            <p class="notice">{t(Msg::LocationSaved)}" "
                <button type="submit" name="action" value="clear_location" class="link-button">{t(Msg::ClearLocation)}</button>
            </p>
        })}
        {v.point_place.as_ref().map(|p| match p {
            PointPlace::InCell(names) => view! {
                <p class="notice" id="point-place" tabindex="-1" autofocus=focus_place>
                    {fill(t(Msg::PointInCell), &[("place", joined_names(names))])}" "
                    <span class="point-confirm">{t(Msg::PointConfirm)}</span>
                </p>
            }.into_any(),
            PointPlace::OutsideGrid => view! {
                <p class="notice notice-warning" id="point-place" role="note" tabindex="-1" autofocus=focus_place>
                    {t(Msg::PointOutsideCity)}" "
                    <button type="submit" name="action" value="clear_location" class="link-button">{t(Msg::ClearLocation)}</button>
                </p>
            }.into_any(),
        })}
        <fieldset class="cascade" aria-describedby=described_by(FieldName::Region, region_err.is_some())>
            <legend>{t(Msg::OrChooseRegion)}</legend>
            <FieldMessage field=FieldName::Region msg=region_err/>
            <div class="field">
                <label for="region" class="label">{t(Msg::DistrictLabel)}</label>
                <select id="region" name="district">{options(&v.districts, &d.district)}</select>
            </div>
            {(!v.streets.is_empty()).then(|| view! {
                <div class="field">
                    <label for="street" class="label">{t(Msg::StreetLabel)}</label>
                    <select id="street" name="street">{options(&v.streets, &d.street)}</select>
                </div>
            })}
            {(!v.communities.is_empty()).then(|| view! {
                <div class="field">
                    <label for="community" class="label">{t(Msg::CommunityLabel)}</label>
                    <select id="community" name="community">{options(&v.communities, &d.community)}</select>
                </div>
            })}
            <button type="submit" name="action" value="refine" class="button button-secondary">{t(Msg::UpdateChoices)}</button>
        </fieldset>
        {map.map(|m| map_section(v, m))}
        <div class="field">
            <AddressNoteField token=v.token.clone() value=d.address_note.clone()
                error=error_for(errors, FieldName::AddressNote).map(|m| t(m).to_owned())
                label=t(Msg::AddressNoteLabel).to_owned() hint=t(Msg::AddressNoteHint).to_owned()/>
        </div>
    }
}

fn who_step(v: &DraftView, errors: &[FieldError]) -> impl IntoView {
    let d = &v.draft;
    let err = error_for(errors, FieldName::Identity);
    let contact_errors: Vec<FieldError> =
        errors.iter().filter(|e| matches!(e.field, FieldName::Name | FieldName::Phone)).copied().collect();
    view! {
        <fieldset class="choices" aria-describedby=described_by(FieldName::Identity, err.is_some())>
            <legend class="visually-hidden">{t(Msg::StepWhoTitle)}</legend>
            <p class="hint" id="identity-hint">{t(Msg::StepWhoHint)}</p>
            <FieldMessage field=FieldName::Identity msg=err/>
            <div class="choice">
                <input type="radio" name="identity" id="identity" value="anonymous" checked=d.identity == "anonymous"/>
                <label for="identity">{t(Msg::IdentityAnonymous)}</label>
            </div>
            <div class="choice">
                <input type="radio" name="identity" id="identity-named" value="named" checked=d.identity == "named"/>
                <label for="identity-named">{t(Msg::IdentityNamed)}</label>
            </div>
        </fieldset>
        // Hidden by the style sheet while 匿名 is chosen (`:has`, JS on or off); where a browser
        // cannot hide them, the hint says they are not kept (issue 14).
        <div class="named-fields">
            <p class="hint" id="named-hint">{t(Msg::NamedFieldsHint)}</p>
            <ContactFields name=d.name.clone() phone=d.phone.clone()
                name_error=error_for(&contact_errors, FieldName::Name).map(|m| t(m).to_owned())
                phone_error=error_for(&contact_errors, FieldName::Phone).map(|m| t(m).to_owned())
                texts=ContactTexts::new(lang())/>
        </div>
        {publish_choice(d)}
    }
}

/// What becomes public and what never does, and the resident's choice to publish their
/// description (issue 9 §3). The box is unticked unless the resident ticked it; an unticked box
/// is not posted, which the server reads as "no".
fn publish_choice(d: &domain::draft::Draft) -> impl IntoView {
    let sensitive = domain::publication::is_sensitive(&d.category);
    view! {
        <section class="public-notice" aria-labelledby="public-title" id="publication">
            <h2 id="public-title">{t(Msg::PublicTitle)}</h2>
            <ul>
                <li id="public-what">{t(Msg::PublicWhat)}</li>
                <li id="public-never">{t(Msg::PublicNever)}</li>
            </ul>
            {if sensitive {
                view! { <p class="notice" id="publish-never">{t(Msg::PublishNeverSensitive)}</p> }.into_any()
            } else {
                view! {
                    <div class="choice">
                        <input type="checkbox" name="publish" id="publish" value="1" checked=d.publish aria-describedby="publish-hint"/>
                        <label for="publish">{t(Msg::PublishLabel)}</label>
                    </div>
                    <p class="hint" id="publish-hint">{t(Msg::PublishHint)}</p>
                }.into_any()
            }}
        </section>
    }
}

/// The photo step's upload script (served by the server's `uploads::page_script`).
pub const PHOTO_UPLOAD_SCRIPT: &str = "/photo-upload.js";

fn photos_page(
    v: DraftView,
    errors: Vec<FieldError>,
    page_title: String,
    step_of: String,
    back: Option<String>,
) -> impl IntoView {
    let token = v.token.clone();
    let full = v.photo_ids.len() >= 3;
    let err = error_for(&errors, FieldName::Photo);
    view! {
        <PageTitle text=page_title/>
        {back.map(|href| view! { <a class="back" href=href>{t(Msg::Back)}</a> })}
        <p class="step-of">{step_of}</p>
        <ErrorSummary errors=errors.clone()/>
        <h1>{t(Msg::StepPhotosTitle)}</h1>
        <p class="hint" id="photo-hint">{t(Msg::StepPhotosHint)}</p>
        {if v.photo_ids.is_empty() {
            view! { <p>{t(Msg::NoPhotos)}</p> }.into_any()
        } else {
            view! {
                <ul class="photos">
                    {v.photo_ids.iter().enumerate().map(|(i, id)| {
                        let alt = fill(t(Msg::PhotoAlt), &[("n", (i + 1).to_string())]);
                        // The thumbnail (issue 14), linked to the photo.
                        let photo = format!("/draft-photo/{token}/{id}");
                        view! {
                            <li>
                                <a href=photo.clone()><img src=format!("{photo}?size=thumb") alt=alt width="160" height="160"/></a>
                                <form method="post" action=format!("/form/appeal/{token}/photos/remove")>
                                    <input type="hidden" name="id" value=id.clone()/>
                                    <button type="submit" class="link-button">{t(Msg::RemovePhoto)}</button>
                                </form>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {if full {
            view! {
                <p>{t(Msg::PhotosFull)}</p>
                <p><a class="button" href=format!("/appeal/{token}/who")>{t(Msg::Continue)}</a></p>
            }.into_any()
        } else {
            // One form for both buttons (issue 14): "下一步" posts the chosen file too (to the
            // same upload route, told by `?next` to go on), so a photo picked but not uploaded
            // is stored with the same rules, or the step stays with the reason.
            //
            // With script, `/photo-upload.js` (plain JavaScript, this page only) sends a photo as
            // soon as it is chosen, scaled down on the device where the browser can, and shows
            // the progress below; its words come from here (`data-*`), its size limit too.
            let add = format!("/form/appeal/{token}/photos/add");
            view! {
                <form method="post" enctype="multipart/form-data" action=add.clone() class="upload" id="photo-upload"
                    data-max-side=domain::fields::PHOTO_MAX_SIDE.to_string()
                    data-preparing=t(Msg::UploadPreparing)
                    data-uploading=t(Msg::UploadingPercent)
                    data-failed=t(Msg::UploadFailed)>
                    <label for="photo" class="label">{t(Msg::PhotoLabel)}</label>
                    <FieldMessage field=FieldName::Photo msg=err/>
                    <input id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp"
                        aria-describedby=described_by(FieldName::Photo, err.is_some())/>
                    <div class="upload-progress" id="upload-progress" hidden>
                        <label for="upload-bar">{t(Msg::UploadProgressLabel)}</label>
                        <progress id="upload-bar" max="100"></progress>
                    </div>
                    <p class="hint" id="upload-status" role="status"></p>
                    <button type="submit" class="button button-secondary">{t(Msg::UploadPhoto)}</button>
                    <p><button type="submit" class="button" id="photos-continue" formaction=format!("{add}?next=1")>{t(Msg::Continue)}</button></p>
                </form>
                <script src=PHOTO_UPLOAD_SCRIPT defer></script>
            }.into_any()
        }}
    }
}

fn check_page(v: DraftView, errors: Vec<FieldError>, page_title: String, step_of: String) -> impl IntoView {
    let lang = lang();
    let d = &v.draft;
    let token = v.token.clone();
    let change = move |s: Step| format!("/appeal/{token}/{}?from=check", s.slug());
    let category = v.category_name.as_ref().map(|(zh, en)| localized(lang, zh, en).to_owned()).unwrap_or_default();
    let mut place: Vec<String> = Vec::new();
    match &v.point_place {
        Some(PointPlace::InCell(names)) => {
            place.push(fill(t(Msg::PlaceByLocationIn), &[("place", joined_names(names))]));
        }
        // Stopped at the "where" step since issue 14's walk; a draft saved before says so here.
        Some(PointPlace::OutsideGrid) => place.push(t(Msg::PlaceOutsideCity).to_owned()),
        None if !d.lat.trim().is_empty() => place.push(t(Msg::PlaceByLocation).to_owned()),
        None => {}
    }
    place.extend(v.place_names.iter().map(|(zh, en)| localized(lang, zh, en).to_owned()));
    if !d.address_note.trim().is_empty() {
        place.push(d.address_note.trim().to_owned());
    }
    let who = if d.identity == "named" {
        format!("{} · {}", d.name.trim(), domain::fields::mask_phone(d.phone.trim()))
    } else {
        t(Msg::IdentityAnonymous).to_owned()
    };
    let photos = fill(t(Msg::PhotoCount), &[("n", v.photo_ids.len().to_string())]);
    let publish = if d.publish && !domain::publication::is_sensitive(&d.category) {
        t(Msg::PublishYes)
    } else {
        t(Msg::PublishNo)
    };
    // The answers as they will be stored (numbers normalised, choices by their label); an answer
    // that does not pass shows as typed (submitting then returns to the step with its error).
    let answers: Vec<(String, String)> = v
        .questions
        .iter()
        .filter_map(|q| {
            let raw = d.answers.get(&q.code).map_or("", String::as_str);
            match domain::questions::check_one(q, raw) {
                Ok(Some(a)) => Some((a.label_in(lang).to_owned(), a.value_in(lang).to_owned())),
                Ok(None) => None,
                Err(_) => Some((q.label_in(lang).to_owned(), raw.trim().to_owned())),
            }
        })
        .collect();
    let rows = [
        (Msg::CheckCategory, category, Step::Category),
        (Msg::CheckDescription, d.description.trim().to_owned(), Step::What),
        (Msg::CheckPlace, place.join(" / "), Step::Where),
        (Msg::CheckPhotos, photos, Step::Photos),
        (Msg::CheckWho, who, Step::Who),
        (Msg::CheckPublish, publish.to_owned(), Step::Who),
    ];
    view! {
        <PageTitle text=page_title/>
        <a class="back" href=change(Step::Who)>{t(Msg::Back)}</a>
        <p class="step-of">{step_of}</p>
        <h1>{t(Msg::StepCheckTitle)}</h1>
        <p class="hint">{t(Msg::StepCheckHint)}</p>
        <dl class="summary">
            {rows.into_iter().map(|(label, value, step)| view! {
                <div class="summary-row">
                    <dt>{t(label)}</dt>
                    <dd class="pre">{value}</dd>
                    <dd><a href=change(step)>{t(Msg::Change)}<span class="visually-hidden">" "{t(label)}</span></a></dd>
                </div>
            }).collect_view()}
            {answers.into_iter().map(|(label, value)| view! {
                <div class="summary-row answer">
                    <dt>{label.clone()}</dt>
                    <dd class="pre">{value}</dd>
                    <dd><a href=change(Step::What)>{t(Msg::Change)}<span class="visually-hidden">" "{label}</span></a></dd>
                </div>
            }).collect_view()}
        </dl>
        <form method="post" action=format!("/form/appeal/{}/submit", v.token)>
            <ErrorSummary errors=errors.clone()/>
            {related_choice(&v.related, &errors)}
            <button type="submit" class="button button-submit">{t(Msg::Submit)}</button>
        </form>
    }
}

/// The offer of open appeals on the same matter (issue 13): radio buttons inside the submit
/// form, "send mine on its own" chosen unless the resident picks one, so it works without
/// JavaScript and one tap still submits as before. Only public details are shown.
fn related_choice(offers: &[domain::related::RelatedOffer], errors: &[FieldError]) -> Option<impl IntoView> {
    let lang = lang();
    let err = error_for(errors, FieldName::Ticket);
    (!offers.is_empty()).then(|| {
        view! {
            <section class="related" aria-labelledby="related-title">
                <h2 id="related-title">{t(Msg::RelatedTitle)}</h2>
                <p class="hint" id="related-hint">{t(Msg::RelatedHint)}</p>
                <fieldset id="ticket" aria-describedby="related-hint" aria-invalid=err.is_some().to_string()>
                    <legend>{t(Msg::RelatedLegend)}</legend>
                    <FieldMessage field=FieldName::Ticket msg=err/>
                    <div class="choice">
                        <input type="radio" name="join" id="join-none" value="" checked=true/>
                        <label for="join-none">{t(Msg::RelatedSeparate)}</label>
                    </div>
                    {offers.iter().enumerate().map(|(i, o)| {
                        let id = format!("join-{i}");
                        let place = o.place.iter().map(|(zh, en)| localized(lang, zh, en).to_owned()).collect::<Vec<_>>().join(" / ");
                        view! {
                            <div class="choice related-offer">
                                <input type="radio" name="join" id=id.clone() value=o.ticket.clone()/>
                                <label for=id>
                                    <strong>{t(Msg::RelatedJoin)}</strong>
                                    <span class="offer-facts">
                                        {localized(lang, &o.category_name.0, &o.category_name.1).to_owned()}
                                        " · "{place}
                                        " · "{fill(t(Msg::RelatedReceived), &[("date", o.received_on.clone())])}
                                        " · "{crate::components::status_text(o.status, lang)}
                                        {(o.joined > 0).then(|| format!(" · {}", fill(t(Msg::RelatedJoinedCount), &[("n", o.joined.to_string())])))}
                                    </span>
                                    {o.public_text.clone().map(|p| view! { <span class="offer-text pre">{p}</span> })}
                                </label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
            </section>
        }
    })
}
