//! The legal-aid information centre's words and shapes: the fixed list of topics a resident
//! recognises, the kinds of service points, distances on the earth (haversine), which appeal
//! categories are disputes worth a legal pointer, and the plain data its pages render.

use crate::i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};

/// Topics, in the order the centre's front page lists them. Articles name one in their front
/// matter (`topic:`); anything else is refused at import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Topic {
    Labour,
    Family,
    Neighbours,
    Property,
    Traffic,
    Consumer,
    Land,
    Mediation,
    LegalAid,
}

impl Topic {
    pub const ALL: [Topic; 9] = [
        Topic::Labour,
        Topic::Family,
        Topic::Neighbours,
        Topic::Property,
        Topic::Traffic,
        Topic::Consumer,
        Topic::Land,
        Topic::Mediation,
        Topic::LegalAid,
    ];

    /// The code used in front matter and URLs (`/legal/topic/<code>`).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Labour => "labour",
            Self::Family => "family",
            Self::Neighbours => "neighbours",
            Self::Property => "property",
            Self::Traffic => "traffic",
            Self::Consumer => "consumer",
            Self::Land => "land",
            Self::Mediation => "mediation",
            Self::LegalAid => "legal_aid",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == s.trim())
    }

    #[must_use]
    pub fn name(self) -> Msg {
        match self {
            Self::Labour => Msg::LegalTopicLabour,
            Self::Family => Msg::LegalTopicFamily,
            Self::Neighbours => Msg::LegalTopicNeighbours,
            Self::Property => Msg::LegalTopicProperty,
            Self::Traffic => Msg::LegalTopicTraffic,
            Self::Consumer => Msg::LegalTopicConsumer,
            Self::Land => Msg::LegalTopicLand,
            Self::Mediation => Msg::LegalTopicMediation,
            Self::LegalAid => Msg::LegalTopicLegalAid,
        }
    }

    /// One line under the topic's name, in the resident's words.
    #[must_use]
    pub fn hint(self) -> Msg {
        match self {
            Self::Labour => Msg::LegalTopicLabourHint,
            Self::Family => Msg::LegalTopicFamilyHint,
            Self::Neighbours => Msg::LegalTopicNeighboursHint,
            Self::Property => Msg::LegalTopicPropertyHint,
            Self::Traffic => Msg::LegalTopicTrafficHint,
            Self::Consumer => Msg::LegalTopicConsumerHint,
            Self::Land => Msg::LegalTopicLandHint,
            Self::Mediation => Msg::LegalTopicMediationHint,
            Self::LegalAid => Msg::LegalTopicLegalAidHint,
        }
    }
}

/// Kinds of places in the legal services directory (`services.csv`, column `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ServiceKind {
    LegalAidCenter,
    LegalServiceCenter,
    LegalServiceStation,
    JudicialOffice,
    MediationCommittee,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 5] = [
        ServiceKind::LegalAidCenter,
        ServiceKind::MediationCommittee,
        ServiceKind::LegalServiceCenter,
        ServiceKind::LegalServiceStation,
        ServiceKind::JudicialOffice,
    ];

    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::LegalAidCenter => "legal_aid_center",
            Self::LegalServiceCenter => "legal_service_center",
            Self::LegalServiceStation => "legal_service_station",
            Self::JudicialOffice => "judicial_office",
            Self::MediationCommittee => "mediation_committee",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    #[must_use]
    pub fn name(self) -> Msg {
        match self {
            Self::LegalAidCenter => Msg::LegalKindAidCenter,
            Self::LegalServiceCenter => Msg::LegalKindServiceCenter,
            Self::LegalServiceStation => Msg::LegalKindServiceStation,
            Self::JudicialOffice => Msg::LegalKindJudicialOffice,
            Self::MediationCommittee => Msg::LegalKindMediation,
        }
    }
}

/// Appeal categories that are disputes: their receipt and track pages point to the law, to a
/// mediation committee and to the legal-aid check.
pub const DISPUTE_CATEGORIES: [&str; 5] =
    ["neighbor_dispute", "family_dispute", "property_mgmt", "wage_arrears", "land_demolition"];

#[must_use]
pub fn is_dispute(category: &str) -> bool {
    DISPUTE_CATEGORIES.contains(&category.trim())
}

/// Mean earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two WGS-84 points (haversine). Good to a few metres
/// at city scale, which is all a "how far is it" needs.
#[must_use]
pub fn haversine_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// A distance as people say it: "850 米" below one kilometre (rounded to 10 m), "1.2 公里"
/// above (one decimal below 10 km, whole kilometres beyond).
#[must_use]
pub fn format_distance(metres: f64, lang: Lang) -> String {
    if !metres.is_finite() || metres < 0.0 {
        return String::new();
    }
    if metres < 995.0 {
        let m = ((metres / 10.0).round() * 10.0).max(10.0);
        Msg::LegalDistanceM.text(lang).replace("{n}", &format!("{m:.0}"))
    } else if metres < 9_950.0 {
        Msg::LegalDistanceKm.text(lang).replace("{n}", &format!("{:.1}", metres / 1000.0))
    } else {
        Msg::LegalDistanceKm.text(lang).replace("{n}", &format!("{:.0}", metres / 1000.0))
    }
}

/// Decimals of a device position kept in the service directory's address: 0.001° is about
/// 110 m north–south (90 m east–west at 35° N), near enough to order the service points and say
/// how far they are (distances are shown to 10 m), too coarse to point at a door. The "use my
/// location" island fills in six decimals; the directory's form is posted, and
/// [`directory_url`] rounds them before they reach an address bar, a history or a proxy's log.
pub const DIRECTORY_DECIMALS: usize = 3;

/// Longest value of a directory filter kept in its address; longer ones are dropped (no code or
/// coordinate is near it).
const DIRECTORY_VALUE_MAX: usize = 64;

/// A coordinate rounded to [`DIRECTORY_DECIMALS`], when `v` is a number within `±limit`.
fn coarse_coordinate(v: &str, limit: f64) -> Option<String> {
    let x: f64 = v.trim().parse().ok()?;
    if !x.is_finite() || x.abs() > limit {
        return None;
    }
    let r = format!("{x:.DIRECTORY_DECIMALS$}");
    // "-0.000" says nothing "0.000" does not.
    Some(if r.trim_start_matches(['-', '0', '.']).is_empty() { r.trim_start_matches('-').to_owned() } else { r })
}

/// The service directory's address (`/legal/services?…`) for its posted filter form: the
/// filters as given (empty or over-long ones left out), the position rounded to
/// [`DIRECTORY_DECIMALS`] and kept only when both coordinates are numbers in range. `enc`
/// percent-encodes a query value.
#[must_use]
pub fn directory_url(
    kind: &str,
    district: &str,
    street: &str,
    lat: &str,
    lng: &str,
    enc: impl Fn(&str) -> String,
) -> String {
    let mut pairs: Vec<(&str, String)> = [("kind", kind), ("district", district), ("street", street)]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty() && v.len() <= DIRECTORY_VALUE_MAX)
        .map(|(k, v)| (k, v.trim().to_owned()))
        .collect();
    if let (Some(lat), Some(lng)) = (coarse_coordinate(lat, 90.0), coarse_coordinate(lng, 180.0)) {
        pairs.extend([("lat", lat), ("lng", lng)]);
    }
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
    if query.is_empty() {
        "/legal/services".to_owned()
    } else {
        format!("/legal/services?{}", query.join("&"))
    }
}

/// An article in a list (topic page, related articles, triage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub topic: String,
    /// English title and summary, empty when the content has none (then pages show the Chinese,
    /// marked `lang="zh-CN"`).
    pub title_en: String,
    pub summary_en: String,
}

/// One article's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleView {
    pub slug: String,
    pub title: String,
    pub topic: String,
    pub summary: String,
    pub legal_basis: String,
    /// `YYYY-MM-DD`.
    pub last_reviewed: String,
    /// Sanitised at import (only our own links, no raw HTML, no images).
    pub body_html: String,
    pub related: Vec<ArticleSummary>,
    /// English title and summary, empty when the content has none; the body is Chinese only.
    pub title_en: String,
    pub summary_en: String,
}

/// A place in the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicePointView {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub region: String,
    /// The region's names from the district down (`河东区 / 东关街道`), zh and en.
    pub place: (String, String),
    pub address: String,
    pub phone: String,
    pub hours: String,
    pub lat: f64,
    pub lng: f64,
    /// From the reader's point, when one was given.
    pub distance_m: Option<f64>,
}

/// The front page: every topic with its articles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalHomeView {
    pub topics: Vec<(Topic, Vec<ArticleSummary>)>,
}

/// A region in a cascade select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceOption {
    pub code: String,
    pub name: String,
    pub name_en: String,
}

/// The directory page: filters as understood, the choices of the cascade, and the places.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectoryView {
    pub kind: String,
    pub district: String,
    pub street: String,
    pub districts: Vec<PlaceOption>,
    pub streets: Vec<PlaceOption>,
    /// A usable point was given: the list is ordered by distance from it.
    pub by_distance: bool,
    pub points: Vec<ServicePointView>,
}

/// One search result: highlighted pieces are safe HTML (escaped text with `<mark>` around the
/// matches) built by the server, never raw stored text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    /// `article` or `service`.
    pub kind: String,
    /// Where the result leads.
    pub href: String,
    pub title_html: String,
    pub snippet_html: String,
    /// The article's English title and summary, escaped and marked like the others; empty when
    /// there is none (always for service points).
    pub title_en_html: String,
    pub summary_en_html: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SearchView {
    pub query: String,
    pub articles: Vec<SearchHit>,
    pub services: Vec<SearchHit>,
}

/// What the eligibility check needs from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EligibilityInfo {
    /// The city's income standard, yuan per person per month.
    pub income_limit: u32,
    /// Where to apply: the legal aid centres.
    pub centres: Vec<ServicePointView>,
}

/// The admin's article editor: every article, and the chosen one's Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminLegalView {
    pub articles: Vec<ArticleSummary>,
    /// (slug, title, Markdown body) of the article being edited.
    pub selected: Option<(String, String, String)>,
}

/// Legal pointers for a dispute appeal (receipt and track pages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriageView {
    pub category: String,
    pub articles: Vec<ArticleSummary>,
    /// The nearest mediation committees: the one of the appeal's community or street, else the
    /// district's.
    pub mediation: Vec<ServicePointView>,
    /// The district the appeal lies in (for the directory link), if known.
    pub district: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.code()), Some(t));
        }
        for k in ServiceKind::ALL {
            assert_eq!(ServiceKind::parse(k.code()), Some(k));
        }
        assert_eq!(Topic::parse("tax"), None);
        assert_eq!(ServiceKind::parse("court"), None);
    }

    #[test]
    fn the_directory_address_carries_a_rounded_position_only() {
        let enc = |v: &str| v.replace('&', "%26").replace(' ', "%20");
        assert_eq!(directory_url("", "", "", "", "", enc), "/legal/services");
        assert_eq!(
            directory_url("legal_aid_center", "HD", "HD01", "35.485123", "106.604987", enc),
            "/legal/services?kind=legal_aid_center&district=HD&street=HD01&lat=35.485&lng=106.605"
        );
        // Both or neither; not numbers, out of range or not finite: dropped.
        assert_eq!(directory_url("", "", "", "35.4851", "", enc), "/legal/services");
        for (lat, lng) in [("x", "106.6"), ("91", "106.6"), ("35.4", "-180.5"), ("NaN", "1"), ("inf", "1")] {
            assert_eq!(directory_url("", "HD", "", lat, lng, enc), "/legal/services?district=HD", "{lat} {lng}");
        }
        assert_eq!(directory_url("", "", "", "-0.0001", "0.0002", enc), "/legal/services?lat=0.000&lng=0.000");
        assert_eq!(directory_url("", "", "", " -35.48549 ", "-106.6", enc), "/legal/services?lat=-35.485&lng=-106.600");
        // Values are encoded; over-long ones are dropped.
        assert_eq!(directory_url("a&b", "H D", "", "", "", enc), "/legal/services?kind=a%26b&district=H%20D");
        assert_eq!(directory_url(&"k".repeat(65), "", "", "", "", enc), "/legal/services");
        // Never more than the kept decimals, whatever came in.
        let url = directory_url("", "", "", "35.123456789", "106.987654321", enc);
        assert!(url.ends_with("lat=35.123&lng=106.988"), "{url}");
    }

    #[test]
    fn haversine_matches_known_distances() {
        // One degree of latitude is about 111.2 km anywhere.
        let d = haversine_m(35.0, 106.6, 36.0, 106.6);
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
        // One degree of longitude at 35.5° N is cos(35.5°) of that.
        let d = haversine_m(35.5, 106.0, 35.5, 107.0);
        assert!((d - 111_195.0 * 35.5_f64.to_radians().cos()).abs() < 100.0, "{d}");
        assert!(haversine_m(35.5, 106.6, 35.5, 106.6).abs() < 1e-9);
        // Symmetric.
        let (a, b) = (haversine_m(35.48, 106.60, 35.55, 106.73), haversine_m(35.55, 106.73, 35.48, 106.60));
        assert!((a - b).abs() < 1e-6);
    }

    #[test]
    fn distances_read_naturally() {
        assert_eq!(format_distance(848.0, Lang::ZhCn), "850 米");
        assert_eq!(format_distance(3.0, Lang::ZhCn), "10 米");
        assert_eq!(format_distance(1_234.0, Lang::ZhCn), "1.2 公里");
        assert_eq!(format_distance(12_600.0, Lang::En), "13 km");
        assert_eq!(format_distance(999.0, Lang::En), "1.0 km");
        assert_eq!(format_distance(f64::NAN, Lang::En), "");
    }

    #[test]
    fn disputes() {
        assert!(is_dispute("wage_arrears"));
        assert!(!is_dispute("sanitation"));
    }
}
