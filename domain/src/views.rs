//! What pages show, as plain data: built on the server, rendered by the UI, serialisable so the
//! same types cross the server-function boundary.

use crate::draft::Draft;
use crate::events::EventKind;
use crate::workflow::Status;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryView {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub urgent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionView {
    pub code: String,
    pub name: String,
    pub name_en: String,
}

/// A draft and what its pages need around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftView {
    pub token: String,
    pub draft: Draft,
    pub categories: Vec<CategoryView>,
    pub districts: Vec<RegionView>,
    /// Streets of the chosen district, communities of the chosen street.
    pub streets: Vec<RegionView>,
    pub communities: Vec<RegionView>,
    pub photo_ids: Vec<String>,
    /// Set once submitted: the receipt's ticket (the page then redirects to the receipt).
    pub submitted_ticket: Option<String>,
    /// Human names for the check page.
    pub category_name: Option<(String, String)>,
    pub place_names: Vec<(String, String)>,
    /// Where the draft's point falls, resolved on the server against the routing index; `None`
    /// without a (well-formed) point.
    pub point_place: Option<PointPlace>,
    /// The chosen category's extra questions (issue 13), in order; empty when it asks nothing.
    #[serde(default)]
    pub questions: Vec<crate::questions::Question>,
    /// Open appeals of the draft's category in the draft point's grid cell, which the check step
    /// offers to join (issue 13); empty until both are known.
    #[serde(default)]
    pub related: Vec<crate::related::RelatedOffer>,
}

/// The map on the wizard's "where" step (issue 14), one level at a time: the city's districts,
/// a district's streets, or a street's grid cells. Higher levels are drawn as the union of their
/// cells (every import has the cells' polygons; the others are optional), so the map needs
/// nothing but the grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhereMap {
    /// From the city down to the region shown (the city alone on the first map): the links back
    /// up. The last one is the region shown.
    pub trail: Vec<RegionView>,
    /// Whether the shapes are grid cells (a tap picks one) or regions (a tap zooms in).
    pub cells: bool,
    pub shapes: Vec<MapShape>,
}

/// One shape on the where-map: a district, a street or a grid cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapShape {
    pub code: String,
    pub name: String,
    pub name_en: String,
    /// A grid cell's community (zh, en): cells are numbered within their community.
    pub community: Option<(String, String)>,
    /// Each polygon as GeoJSON gives it: the exterior ring, then holes; points `[lng, lat]`.
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}

/// The grid cell a resident's point falls in, said in words (issue 14): a point outside every
/// cell goes to the city centre for manual dispatch, and the resident is told so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PointPlace {
    /// In a cell: the names (zh, en) from the community down to the cell.
    InCell(Vec<(String, String)>),
    /// In no cell of the city's grid.
    OutsideGrid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitView {
    pub code: String,
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceiptView {
    /// Display form `PA-XXXX-XXXX`.
    pub ticket: String,
    /// Display form, grouped by four.
    pub key: String,
    pub unit: UnitView,
    /// RFC 3339 in the city's local time.
    pub deadline: String,
    pub category_name: (String, String),
    /// For the legal pointers of dispute categories (`LegalTriage`).
    #[serde(default)]
    pub category_code: String,
    /// The region routing started from (the grid cell or the chosen region), if any.
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub at: String,
    pub kind: EventKind,
    pub unit_name: Option<String>,
    pub body: Option<String>,
    /// Public detail rendered on the server (summoned units' names, a new deadline, a rating).
    pub extra: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackView {
    pub ticket: String,
    pub status: Status,
    pub category_code: String,
    pub category_name: (String, String),
    pub unit: UnitView,
    pub submitted_at: String,
    pub deadline: String,
    pub overdue: bool,
    /// Marked for supervision (督办) after a missed deadline.
    pub supervised: bool,
    /// Closed, not rated in this cycle, and still within the rating window.
    pub can_rate: bool,
    pub events: Vec<EventView>,
    /// The region routing started from (the grid cell or the chosen region), if any.
    #[serde(default)]
    pub region: Option<String>,
    /// The appeal's photo ids in order (sent with it and added later), shown to the resident
    /// through their track session only.
    #[serde(default)]
    pub photos: Vec<String>,
    /// The main appeal this one follows (merged or joined, issue 13): its status and answers.
    #[serde(default)]
    pub followed: Option<crate::related::FollowedView>,
}

/// One of a number's named appeals, as the receipt recovery page lists it (issue 14): what the
/// resident needs to recognise it, never the key (only its digest is stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveredAppeal {
    /// The ticket as shown (`PA-XXXX-XXXX`).
    pub ticket: String,
    /// The category's name (zh, en).
    pub category_name: (String, String),
    pub status: Status,
    /// RFC 3339, China time.
    pub submitted_at: String,
    /// The handling unit's name.
    pub unit_name: String,
}
