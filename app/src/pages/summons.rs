//! `/staff/summons`: the summonses (吹哨报到, issue 13) the member may see — made by a unit of
//! their scope, or addressed to their own department — newest first, 50 a page: the appeal (a
//! link to its staff page), category, department, when it was called in, the report-back
//! deadline, the report (or "waiting" / "late") and the summoning unit's rating. A GET form
//! filters by state (waiting, late, reported, all) and by the day it was called in, so it all
//! works with JavaScript off and every view has an address.

use crate::components::{fill, lang, rating_text, t, urlencode, when, ErrorSummary, PageTitle};
use crate::pages::staff::{staff_bar, staff_page};
use crate::staff_api::StaffData;
use domain::region::localized;
use domain::staff::StaffHeader;
use domain::summons::{History, HistoryFilter, HistoryItem, Show};
use domain::{FieldName, Msg};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server]
pub async fn staff_summons(filter: HistoryFilter) -> Result<StaffData<History>, ServerFnError> {
    crate::staff_api::ctx::with_staff(|state, staff| async move {
        backend::services::summons::history(&state, &staff, &filter).await
    })
    .await
}

#[component]
pub fn StaffSummons() -> impl IntoView {
    let q = use_query_map().read_untracked().clone();
    let filter = HistoryFilter::from_query(|k| q.get(k));
    staff_page(staff_summons(filter), |header, _flash, data| history_view(&header, data))
}

fn show_text(s: Show) -> &'static str {
    t(match s {
        Show::Waiting => Msg::SummonsWaiting,
        Show::Late => Msg::SummonsLate,
        Show::Reported => Msg::SummonsReported,
        Show::All => Msg::FilterAll,
    })
}

fn history_view(h: &StaffHeader, v: History) -> impl IntoView {
    let History { filter, items, total, page, pages, problems } = v;
    let page_of = fill(t(Msg::PageOf), &[("n", page.to_string()), ("total", pages.to_string())]);
    let page_url = |n: i64| format!("/staff/summons?{}", filter.query_string(n, urlencode));
    let err = |f: FieldName| problems.iter().find(|e| e.field == f).map(|e| e.msg);
    let date_field = |field: FieldName, label: Msg, value: String| {
        let id = field.as_str();
        view! {
            <div class="field">
                <label for=id class="label">{t(label)}</label>
                {err(field).map(|m| view! { <p class="field-error" id=format!("{id}-error")>{t(m)}</p> })}
                <input id=id name=id type="date" value=value aria-invalid=err(field).is_some().to_string()/>
            </div>
        }
    };
    let title = if problems.is_empty() {
        format!("{} - {}", t(Msg::SummonsTitle), t(Msg::StaffTitle))
    } else {
        format!("{}: {} - {}", t(Msg::ErrorSummaryTitle), t(Msg::SummonsTitle), t(Msg::StaffTitle))
    };
    view! {
        <PageTitle text=title/>
        {staff_bar(h)}
        <h1>{t(Msg::SummonsTitle)}</h1>
        <p class="hint">{t(Msg::SummonsHint)}</p>
        <ErrorSummary errors=problems.clone()/>
        <form method="get" action="/staff/summons" class="filters" id="summons-filter">
            <fieldset class="choices">
                <legend>{t(Msg::SummonsShow)}</legend>
                {Show::ALL.into_iter().map(|s| {
                    let id = format!("show-{}", s.as_str());
                    view! {
                        <div class="choice">
                            <input type="radio" id=id.clone() name="show" value=s.as_str() checked=filter.show == s/>
                            <label for=id>{show_text(s)}</label>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            {date_field(FieldName::From, Msg::SummonsPeriodFrom, filter.from.clone())}
            {date_field(FieldName::To, Msg::SummonsPeriodTo, filter.to.clone())}
            <button type="submit" class="button">{t(Msg::FilterApply)}</button>
        </form>
        <p id="summons-total">{fill(t(Msg::SummonsTotal), &[("n", total.to_string())])}</p>
        {if items.is_empty() {
            view! { <p class="empty" id="summons-empty">{t(Msg::SummonsEmpty)}</p> }.into_any()
        } else {
            view! { <ul class="inbox" id="summons">{items.into_iter().map(item_view).collect_view()}</ul> }.into_any()
        }}
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label=page_of.clone()>
                <p>{page_of.clone()}</p>
                {(page > 1).then(|| view! { <a href=page_url(page - 1) rel="prev">{t(Msg::PagePrev)}</a> })}
                " "
                {(page < pages).then(|| view! { <a href=page_url(page + 1) rel="next">{t(Msg::PageNext)}</a> })}
            </nav>
        })}
    }
}

fn item_view(i: HistoryItem) -> impl IntoView {
    let lang = lang();
    let display = domain::receipt::Ticket::parse(&i.ticket).map(|t| t.display()).unwrap_or(i.ticket.clone());
    let state = if i.reported_at.is_some() {
        "reported"
    } else if i.late {
        "late"
    } else {
        "waiting"
    };
    let report = match i.reported_at {
        Some(at) => view! {
            <time>{when(at)}</time>
            {i.late.then(|| view! { " "<span class="badge badge-overdue">{t(Msg::SummonsReportedLate)}</span> })}
        }
        .into_any(),
        None if i.late => view! { <span class="badge badge-overdue">{t(Msg::SummonsLate)}</span> }.into_any(),
        None => view! { <span class="badge badge-soon">{t(Msg::SummonsWaiting)}</span> }.into_any(),
    };
    let rating = i.reported_at.map(|_| match i.rating.as_deref() {
        Some(r) => rating_text(r, lang).to_owned(),
        None => t(Msg::SummonsNotRated).to_owned(),
    });
    view! {
        <li class="inbox-item summons-item" data-ticket=i.ticket.clone() data-unit=i.unit.clone() data-state=state>
            <p class="line1">
                <a class="code" href=format!("/staff/appeal/{}", i.ticket)>{display}</a>
                " "{localized(lang, &i.category_name, &i.category_name_en).to_owned()}
            </p>
            <p class="line2">{t(Msg::SummonsColDepartment)}": "{i.unit_name}</p>
            <p class="line3">
                {t(Msg::SummonsColSummoned)}": "<time>{when(i.summoned_at)}</time>
                " · "{t(Msg::SummonsColDue)}": "<time>{when(i.due_at)}</time>
            </p>
            <p class="line3">{t(Msg::SummonsColReported)}": "{report}</p>
            {rating.map(|r| view! { <p class="line3">{t(Msg::SummonsColRating)}": "{r}</p> })}
        </li>
    }
}
