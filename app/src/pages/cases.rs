//! "My cases" (`/staff/cases`, issue 13): the appeals the signed-in member is leader in charge
//! of (领导包案). Server-rendered only; each line opens the appeal's page, where the leader
//! reads the notices and signs the close.

use crate::components::when;
use crate::components::{lang, status_text, t, PageTitle};
use crate::pages::staff::{staff_bar, staff_page};
use crate::staff_api::staff_cases;
use domain::staff::{InboxItem, StaffHeader};
use domain::Msg;
use leptos::prelude::*;

#[component]
pub fn StaffCases() -> impl IntoView {
    staff_page(staff_cases(), |header, _flash, items| cases_view(&header, items))
}

fn cases_view(h: &StaffHeader, items: Vec<InboxItem>) -> impl IntoView {
    let lang = lang();
    view! {
        <PageTitle text=format!("{} - {}", t(Msg::CasesTitle), t(Msg::SiteName))/>
        {staff_bar(h)}
        <h1>{t(Msg::CasesTitle)}</h1>
        {if items.is_empty() {
            view! { <p class="empty">{t(Msg::CasesEmpty)}</p> }.into_any()
        } else {
            view! {
                <ul class="inbox" id="cases">
                    {items.into_iter().map(|i| view! {
                        <li class="inbox-item" data-ticket=i.ticket.clone()>
                            <p class="line1">
                                <a class="code" href=format!("/staff/appeal/{}", i.ticket)>{domain::receipt::Ticket::parse(&i.ticket).map(|t| t.display()).unwrap_or(i.ticket.clone())}</a>
                                " "<span class="status">{status_text(i.status, lang)}</span>
                                {i.noticed.then(|| view! { " "<span class="badge badge-soon">{t(Msg::BadgeNotice)}</span> })}
                                {i.supervised.then(|| view! { " "<span class="badge badge-overdue">{t(Msg::BadgeSupervised)}</span> })}
                            </p>
                            <p class="line2">{i.unit_name}</p>
                            <p class="line3">{t(Msg::ColDue)}": "<time>{when(i.due_at)}</time></p>
                            <p class="summary-text">{i.summary}</p>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
