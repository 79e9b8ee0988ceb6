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
    /// The period's parameters do not make a period (400).
    BadPeriod,
    /// No such region, or one the public may not open (404).
    NoRegion,
    /// Too many new periods are being read at once: try again shortly (503).
    Busy,
}

/// The figures of `region` ("" = the city) for the period in the query (`period`, `year`,
/// `month`, `quarter`, `from`, `to`; no `period` = the current month).
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
    let p = Period::from_form(&period, get, st.clock.now());
    let Some(p) = p else { return Ok(StatsAnswer::BadPeriod) };
    let region = region.trim();
    match backend::services::stats::public(&st, (!region.is_empty()).then_some(region), p).await {
        Ok(v) => Ok(StatsAnswer::Figures(Box::new(v))),
        Err(backend::BackendError::NotFound) => Ok(StatsAnswer::NoRegion),
        Err(backend::BackendError::RateLimited) => Ok(StatsAnswer::Busy),
        Err(e) => Err(internal(&e)),
    }
}
