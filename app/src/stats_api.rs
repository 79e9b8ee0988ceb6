//! The public statistics page's server function: the period from the query string, the figures
//! from `backend::services::stats`.

use domain::stats::StatsView;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::api::{internal, state};

/// What `/stats` shows: the figures, or why there are none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StatsAnswer {
    Figures(Box<StatsView>),
    /// The period's parameters do not make a public period (400).
    BadPeriod,
    /// A custom range: staff see those on their dashboard, the public does not (400).
    CustomStaffOnly,
    /// The period asked for has not ended yet (the public sees ended periods only): the figures
    /// of the last period of the same kind that has, with a notice saying so.
    Earlier(Box<StatsView>),
    /// No such region, or one the public may not open (404).
    NoRegion,
    /// Too many new periods are being read at once: try again shortly (503).
    Busy,
    /// This client asked for too many periods nobody else had asked for lately (429).
    TooManyPeriods,
}

/// The figures of `region` ("" = the city) for the period in the query (`period`, `year`,
/// `month`, `quarter`; no `period` = the last month over).
#[server]
pub async fn public_stats(
    region: String,
    period: String,
    year: String,
    month: String,
    quarter: String,
    from: String,
    to: String,
) -> Result<StatsAnswer, ServerFnError> {
    use domain::stats::Period;
    let st = state()?;
    let get = |k: &str| {
        Some(match k {
            "year" => year.clone(),
            "month" => month.clone(),
            "quarter" => quarter.clone(),
            "from" => from.clone(),
            "to" => to.clone(),
            _ => return None,
        })
    };
    // The public sees calendar months, quarters and years that have ended (`Period::public_at`);
    // with no period asked for, the last month over.
    let now = st.clock.now();
    let [last_month, last_quarter, last_year] = Period::last_over(now);
    // A custom range (an old bookmark, a hand-made link): said so, whatever its dates.
    if period.trim() == "custom" {
        return Ok(StatsAnswer::CustomStaffOnly);
    }
    let p = if period.trim().is_empty() { Some(last_month) } else { Period::parse(&period, get) };
    let Some(p) = p else { return Ok(StatsAnswer::BadPeriod) };
    // A period not over yet (the form's year is this year's, say): the last one of its kind that is.
    let (p, earlier) = match p.public_at(now) {
        Ok(p) => (p, false),
        Err(domain::stats::NotPublic::Custom) => return Ok(StatsAnswer::CustomStaffOnly),
        Err(domain::stats::NotPublic::NotOver) => match p {
            Period::Quarter { .. } => (last_quarter, true),
            Period::Year { .. } => (last_year, true),
            Period::Month { .. } | Period::Custom { .. } => (last_month, true),
        },
    };
    let region = region.trim();
    // The client as the server's middleware named it (the rate-limit key of every form).
    let client = use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<backend::state::ClientIp>().map(|c| c.0.clone()))
        .unwrap_or_else(|| "unknown".to_owned());
    match backend::services::stats::public_as(&st, &client, (!region.is_empty()).then_some(region), p).await {
        Ok(v) if earlier => Ok(StatsAnswer::Earlier(Box::new(v))),
        Ok(v) => Ok(StatsAnswer::Figures(Box::new(v))),
        Err(backend::BackendError::NotFound) => Ok(StatsAnswer::NoRegion),
        Err(backend::BackendError::RateLimited) => Ok(StatsAnswer::TooManyPeriods),
        Err(backend::BackendError::Conflict(domain::Msg::StatsBadPeriod)) => Ok(StatsAnswer::BadPeriod),
        Err(backend::BackendError::Conflict(_)) => Ok(StatsAnswer::Busy),
        Err(e) => Err(internal(&e)),
    }
}
