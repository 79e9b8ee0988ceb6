//! What the legal pages read: topics, an article, the directory and the nearest point, the
//! eligibility check's data, and the legal pointers shown with a dispute appeal.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn summary(a: &ArticleRow) -> ArticleSummary {
    ArticleSummary {
        slug: a.slug.clone(),
        title: a.title.clone(),
        summary: a.summary.clone(),
        topic: a.topic.clone(),
        title_en: a.title_en.clone(),
        summary_en: a.summary_en.clone(),
    }
}

/// Every topic with its articles (by title), in the fixed topic order.
///
/// # Errors
/// Database errors.
pub async fn home(state: &AppState) -> Result<LegalHomeView> {
    let mut all = store::all_articles(&state.db.pool).await?;
    all.sort_by(|a, b| a.title.cmp(&b.title));
    let topics = Topic::ALL
        .into_iter()
        .map(|t| (t, all.iter().filter(|a| a.topic == t.code()).map(summary).collect()))
        .collect();
    Ok(LegalHomeView { topics })
}

/// The articles of one topic.
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown topic; database errors.
pub async fn topic(state: &AppState, code: &str) -> Result<(Topic, Vec<ArticleSummary>)> {
    let t = Topic::parse(code).ok_or(BackendError::NotFound)?;
    let home = home(state).await?;
    let list = home.topics.into_iter().find(|(x, _)| *x == t).map(|(_, l)| l).unwrap_or_default();
    Ok((t, list))
}

/// One article with its related articles.
///
/// # Errors
/// [`BackendError::NotFound`] for an unknown slug; database errors.
pub async fn article(state: &AppState, slug: &str) -> Result<ArticleView> {
    let a = store::article_by_slug(&state.db.pool, slug.trim()).await?.ok_or(BackendError::NotFound)?;
    let mut related = Vec::new();
    for r in &a.related {
        if let Some(row) = store::article_by_slug(&state.db.pool, r).await? {
            related.push(summary(&row));
        }
    }
    Ok(ArticleView {
        slug: a.slug,
        title: a.title,
        topic: a.topic,
        summary: a.summary,
        legal_basis: a.legal_basis,
        last_reviewed: a.last_reviewed,
        body_html: a.body_html,
        related,
        title_en: a.title_en,
        summary_en: a.summary_en,
    })
}

/// The region's names from the district down: (`河东区 / 东关街道`, `Hedong / Dongguan`).
pub(super) fn place_names(cat: &Catalog, code: &str) -> (String, String) {
    let mut chain = Vec::new();
    let mut cur = cat.region(code);
    while let Some(r) = cur {
        if r.level == Level::City || chain.len() > 8 {
            break;
        }
        chain.push(r);
        cur = r.parent.as_deref().and_then(|p| cat.region(p));
    }
    chain.reverse();
    let zh: Vec<&str> = chain.iter().map(|r| r.name.as_str()).collect();
    let en: Vec<&str> =
        chain.iter().map(|r| if r.name_en.is_empty() { r.name.as_str() } else { r.name_en.as_str() }).collect();
    (zh.join(" / "), en.join(" / "))
}

pub(super) fn point_view(cat: &Catalog, s: &ServiceRow, from: Option<GeoPoint>) -> ServicePointView {
    ServicePointView {
        code: s.code.clone(),
        name: s.name.clone(),
        kind: s.kind.clone(),
        region: s.region.clone(),
        place: place_names(cat, &s.region),
        address: s.address.clone(),
        phone: s.phone.clone(),
        hours: s.hours.clone(),
        lat: s.lat,
        lng: s.lng,
        distance_m: from.map(|p| haversine_m(p.lat, p.lng, s.lat, s.lng)),
    }
}

pub(super) fn kind_order(kind: &str) -> usize {
    ServiceKind::ALL.iter().position(|k| k.code() == kind).unwrap_or(usize::MAX)
}

pub(super) fn option(r: &domain::region::Region) -> PlaceOption {
    PlaceOption { code: r.code.clone(), name: r.name.clone(), name_en: r.name_en.clone() }
}

/// The directory: filtered by kind and by the district → street cascade (a chosen region shows
/// its own places, those below it, and the district's, which serve it too); ordered by distance
/// when a point is given, else district, street, community in turn.
///
/// # Errors
/// Database errors.
pub async fn directory(
    state: &AppState,
    kind: &str,
    district: &str,
    street: &str,
    lat: &str,
    lng: &str,
) -> Result<DirectoryView> {
    let cat = state.catalog.get();
    let kind = ServiceKind::parse(kind).map(|k| k.code().to_owned()).unwrap_or_default();
    let district =
        cat.region(district.trim()).filter(|r| r.level == Level::District).map(|r| r.code.clone()).unwrap_or_default();
    let street = cat
        .region(street.trim())
        .filter(|r| r.level == Level::Street && !district.is_empty() && r.parent.as_deref() == Some(district.as_str()))
        .map(|r| r.code.clone())
        .unwrap_or_default();
    let from = GeoPoint::parse(lat, lng).ok().flatten();
    let chosen = if street.is_empty() { district.clone() } else { street.clone() };
    let mut points: Vec<ServicePointView> = store::all_services(&state.db.pool)
        .await?
        .iter()
        .filter(|s| kind.is_empty() || s.kind == kind)
        .filter(|s| {
            chosen.is_empty() || region_contains(&cat, &chosen, &s.region) || region_contains(&cat, &s.region, &chosen)
        })
        .map(|s| point_view(&cat, s, from))
        .collect();
    if from.is_some() {
        points.sort_by(|a, b| {
            a.distance_m
                .unwrap_or(f64::MAX)
                .total_cmp(&b.distance_m.unwrap_or(f64::MAX))
                .then_with(|| a.code.cmp(&b.code))
        });
    } else {
        points.sort_by(|a, b| {
            a.region
                .cmp(&b.region)
                .then_with(|| kind_order(&a.kind).cmp(&kind_order(&b.kind)))
                .then_with(|| a.code.cmp(&b.code))
        });
    }
    Ok(DirectoryView {
        districts: cat.children(None, Level::District).into_iter().map(option).collect(),
        streets: if district.is_empty() {
            Vec::new()
        } else {
            cat.children(Some(&district), Level::Street).into_iter().map(option).collect()
        },
        kind,
        district,
        street,
        by_distance: from.is_some(),
        points,
    })
}

/// The service point of `kind` nearest to a point (haversine).
///
/// # Errors
/// Database errors.
pub async fn nearest(state: &AppState, at: GeoPoint, kind: ServiceKind) -> Result<Option<ServicePointView>> {
    let cat = state.catalog.get();
    Ok(store::all_services(&state.db.pool)
        .await?
        .iter()
        .filter(|s| s.kind == kind.code())
        .map(|s| point_view(&cat, s, Some(at)))
        .min_by(|a, b| a.distance_m.unwrap_or(f64::MAX).total_cmp(&b.distance_m.unwrap_or(f64::MAX))))
}

/// What the eligibility check shows: the income standard and the legal aid centres.
///
/// # Errors
/// Database errors.
pub async fn eligibility_info(state: &AppState) -> Result<EligibilityInfo> {
    let cat = state.catalog.get();
    let centres = store::all_services(&state.db.pool)
        .await?
        .iter()
        .filter(|s| s.kind == ServiceKind::LegalAidCenter.code())
        .map(|s| point_view(&cat, s, None))
        .collect();
    Ok(EligibilityInfo { income_limit: state.legal.income_limit, centres })
}

/// The region's ancestors from itself up to its district (most precise first).
pub(super) fn chain_to_district(cat: &Catalog, code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = cat.region(code);
    while let Some(r) = cur {
        if r.level == Level::City || out.len() > 8 {
            break;
        }
        out.push(r.code.clone());
        if r.level == Level::District {
            break;
        }
        cur = r.parent.as_deref().and_then(|p| cat.region(p));
    }
    out
}

/// Legal pointers for a dispute appeal: the articles written for its category, the mediation
/// committee nearest to its region (the community's, else the street's; with only a district
/// known, the district's committees), and the district for the directory link. `None` for a
/// category that is not a dispute.
///
/// # Errors
/// Database errors.
pub async fn triage(state: &AppState, category: &str, region: &str) -> Result<Option<TriageView>> {
    if !is_dispute(category) {
        return Ok(None);
    }
    let cat = state.catalog.get();
    let articles = store::articles_for_category(&state.db.pool, category.trim()).await?.iter().map(summary).collect();
    let chain = chain_to_district(&cat, region.trim());
    let committees: Vec<ServiceRow> = store::all_services(&state.db.pool)
        .await?
        .into_iter()
        .filter(|s| s.kind == ServiceKind::MediationCommittee.code())
        .collect();
    let district = chain.last().filter(|c| cat.region(c).is_some_and(|r| r.level == Level::District)).cloned();
    let below_district = chain.iter().take(chain.len().saturating_sub(1));
    let mut mediation: Vec<ServicePointView> = below_district
        .map(|code| {
            committees.iter().filter(|s| &s.region == code).map(|s| point_view(&cat, s, None)).collect::<Vec<_>>()
        })
        .find(|found| !found.is_empty())
        .unwrap_or_default();
    if mediation.is_empty() {
        if let Some(d) = &district {
            // The district's general committees (its streets') before its specialised ones.
            let mut list: Vec<&ServiceRow> =
                committees.iter().filter(|s| region_contains(&cat, d, &s.region)).collect();
            let depth = |s: &ServiceRow| match cat.region(&s.region).map(|r| r.level) {
                Some(Level::Street) => 0,
                Some(Level::District) => 1,
                _ => 2,
            };
            list.sort_by(|a, b| depth(a).cmp(&depth(b)).then_with(|| a.code.cmp(&b.code)));
            mediation = list.into_iter().take(4).map(|s| point_view(&cat, s, None)).collect();
        }
    }
    Ok(Some(TriageView { category: category.trim().to_owned(), articles, mediation, district }))
}
