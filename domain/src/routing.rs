//! Routing (属地 + 属事): which unit gets an appeal, from where it happened and what it is about.
//!
//! The rule (docs/architecture.md):
//! - find the grid cell whose polygon holds the point (exact point-in-polygon on the closed
//!   polygon, holes excluded; see "The cell index" below);
//! - a territorial category goes to the unit of the cell's ancestor at the category's level;
//!   a department category to the `department:<kind>` unit of the cell's district;
//! - a point in no cell goes to the city centre for manual dispatch;
//! - without a point, the same rule starts from the region chosen in the cascade; a region above
//!   the required level goes to that region's own unit, which dispatches it down.
//!
//! **Tie rule.** A point exactly on an edge or vertex shared by several cells lies in all of their
//! closed polygons; it goes to the one with the smallest cell code (byte order), every time,
//! whatever order the cells were given in.
//!
//! If the unit the rule names was never imported, the appeal goes to the nearest ancestor's
//! territorial unit and finally the city centre: an appeal is never left without a unit.
//!
//! # The cell index
//!
//! [`Router::new`] sorts the cells by code (merging entries that repeat a code) and puts every
//! polygon of every cell into an [`rstar::RTree`] under the bounding box of its exterior ring.
//! A lookup asks the tree for the polygons whose box holds the point, then tests each exactly:
//!
//! - The test is geo's closed point-in-polygon (the winding rule of
//!   `geo::coordinate_position`, with geo's robust orientation predicate), replayed edge by edge
//!   over positions stored back to back in one array, so it allocates nothing and answers
//!   exactly what `geo::Intersects` answers: the exterior ring and every hole's ring are
//!   boundary and count as inside; strictly inside a hole is outside.
//! - Rings of 32 edges or more carry a small index of horizontal bands, each listing the edges
//!   whose latitude range reaches into it; only edges whose latitude range contains the point's
//!   can change the winding number, so the test reads one band instead of the whole ring.
//! - Candidates are visited in tree order; the index of the best (smallest-code) match so far is
//!   kept, and a candidate of a cell that sorts after it is not tested at all. The answer is the
//!   smallest code among the cells that hold the point, which is the tie rule, independent of
//!   insertion order.
//!
//! On a synthetic province of about 110,000 cells (`cargo bench -p pingan-domain --bench
//! routing`) a lookup takes about 1 µs, against about 250 µs for the former scan of every cell.
//! The checks the importer runs on the same polygons are in [`crate::geometry`].

use crate::fields::GeoPoint;
use crate::geometry::{self, Pos};
use crate::region::{territorial_unit_kind, Category, Level, Region, RouteLevel, Unit};
use geo::Coord;
use rstar::{RTree, RTreeObject, AABB};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::{ControlFlow, Range};

pub use crate::geometry::Rings;

/// Where the resident said the matter is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Place {
    Point(GeoPoint),
    Region(String),
}

/// Why the unit was chosen; shown to staff and kept in the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RouteReason {
    /// By the rule, from the cell that holds the point.
    GridCell,
    /// By the rule, from the region chosen in the cascade.
    ChosenRegion,
    /// The point is in no grid cell: the city centre dispatches by hand.
    OutsideGrid,
    /// The unit the rule names does not exist; the nearest unit above took it.
    MissingUnitFallback,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteOutcome {
    pub unit: String,
    /// The grid cell holding the point, if any.
    pub cell: Option<String>,
    /// The region routing started from (the cell, or the chosen region); `None` outside the grid.
    pub region: Option<String>,
    pub reason: RouteReason,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// The chosen region is not part of the imported hierarchy.
    UnknownRegion(String),
    /// Not even a city centre exists: the data was not imported.
    NoCityCenter,
}

impl std::error::Error for RouteError {}

impl std::fmt::Display for RouteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownRegion(c) => write!(f, "unknown region {c}"),
            Self::NoCityCenter => f.write_str("no city_center unit imported"),
        }
    }
}

/// One ring of an indexed polygon: a range of `Router::coords`, closed (last = first).
struct Ring {
    coords: Range<usize>,
    /// Lowest and highest latitude of the ring: outside them no edge can count.
    y_range: [f64; 2],
    /// Boxed: most rings are short and have none, and `Ring` stays small and cache-friendly.
    bands: Option<Box<Bands>>,
}

/// The edges of a long ring bucketed by horizontal band, so a lookup tests only the edges whose
/// latitude range can contain the point (all others contribute nothing to the winding number).
///
/// `band(y)` is monotone in `y`, so an edge stored in `band(y_min)..=band(y_max)` is found from
/// any point whose latitude lies within the edge's, rounding included.
struct Bands {
    y0: f64,
    scale: f64,
    last: usize,
    /// Band `k`'s edges are `edges[starts[k]..starts[k + 1]]`; an edge `i` runs from position
    /// `i` to `i + 1` of the ring.
    starts: Vec<usize>,
    edges: Vec<usize>,
}

/// Rings with at least this many edges get bands; shorter ones are scanned whole, which is
/// faster than the extra indirection.
const BAND_MIN_EDGES: usize = 32;
/// About this many edges per band, before counting edges that span several bands.
const EDGES_PER_BAND: usize = 4;
const MAX_BANDS: usize = 4096;

impl Bands {
    #[inline]
    fn band(&self, y: f64) -> usize {
        let b = ((y - self.y0) * self.scale).floor();
        // `as` saturates, and NaN (never passed in) would go to band 0.
        if b > 0.0 {
            (b as usize).min(self.last)
        } else {
            0
        }
    }

    fn build(ring: &[Coord<f64>], y_range: [f64; 2]) -> Option<Self> {
        let edges = ring.len().checked_sub(1)?;
        let height = y_range[1] - y_range[0];
        if edges < BAND_MIN_EDGES || height <= 0.0 {
            return None;
        }
        let n = (edges / EDGES_PER_BAND).clamp(1, MAX_BANDS);
        #[allow(clippy::cast_precision_loss)] // n ≤ MAX_BANDS
        let scale = n as f64 / height;
        if !scale.is_finite() {
            return None;
        }
        let mut bands = Self { y0: y_range[0], scale, last: n - 1, starts: vec![0; n + 1], edges: Vec::new() };
        let span = |b: &Self, i: usize| {
            let (y1, y2) = (ring[i].y, ring[i + 1].y);
            b.band(y1.min(y2))..=b.band(y1.max(y2))
        };
        for i in 0..edges {
            for k in span(&bands, i) {
                bands.starts[k + 1] += 1;
            }
        }
        for k in 0..n {
            bands.starts[k + 1] += bands.starts[k];
        }
        let mut fill = bands.starts.clone();
        bands.edges = vec![0; bands.starts[n]];
        for i in 0..edges {
            for k in span(&bands, i) {
                bands.edges[fill[k]] = i;
                fill[k] += 1;
            }
        }
        Some(bands)
    }
}

/// One polygon of one cell: its rings (exterior first) in `Router::rings`.
struct Shape {
    /// Index into `Router::cells`, which is sorted by code: a smaller index is a smaller code.
    cell: usize,
    rings: Range<usize>,
}

/// An R-tree entry: a polygon's envelope (of its exterior ring) and which polygon it is.
struct Entry {
    env: AABB<[f64; 2]>,
    shape: usize,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

/// Everything routing needs, built once from the imported data and shared read-only.
pub struct Router {
    regions: HashMap<String, Region>,
    /// (region code, unit kind) → unit code.
    units: HashMap<(String, String), String>,
    city_center: Option<String>,
    /// Codes of the cells that have at least one usable polygon, sorted, without duplicates.
    cells: Vec<String>,
    shapes: Vec<Shape>,
    rings: Vec<Ring>,
    /// Every ring's positions, back to back, so a lookup touches a few cache lines and
    /// allocates nothing.
    coords: Vec<Coord<f64>>,
    tree: RTree<Entry>,
}

impl Router {
    /// `cells` are the grid cells' shapes (one or more polygons each). Polygons routing cannot
    /// use (an exterior ring with fewer than 4 positions, or a non-finite coordinate) are
    /// skipped, and so are cells left with none; the importer reports them. Entries with the same
    /// code are one cell with all their polygons. The order of `cells` does not matter.
    #[must_use]
    pub fn new(regions: Vec<Region>, units: &[Unit], mut cells: Vec<(String, Vec<Rings>)>) -> Self {
        let mut unit_map = HashMap::new();
        let mut city_center = None;
        for u in units {
            if u.kind == "city_center" && city_center.is_none() {
                city_center = Some(u.code.clone());
            }
            unit_map.entry((u.region.clone(), u.kind.clone())).or_insert_with(|| u.code.clone());
        }

        // Sorted by code, so that "smallest cell index" is "smallest code" (the tie rule).
        cells.sort_by(|a, b| a.0.cmp(&b.0));
        let mut codes: Vec<String> = Vec::new();
        let mut shapes = Vec::new();
        let mut rings = Vec::new();
        let mut coords = Vec::new();
        let mut entries = Vec::new();
        for (code, polys) in cells {
            for poly in polys.iter().filter(|p| geometry::usable(p)) {
                let first_ring = rings.len();
                let mut env = None;
                for ring in poly {
                    let closed = geometry::closed_ring(ring);
                    let start = coords.len();
                    let y_range =
                        closed.iter().fold([f64::INFINITY, f64::NEG_INFINITY], |r, c| [r[0].min(c.y), r[1].max(c.y)]);
                    let bands = Bands::build(&closed, y_range).map(Box::new);
                    if env.is_none() {
                        env = geometry::envelope(&closed);
                    }
                    coords.extend(closed);
                    rings.push(Ring { coords: start..coords.len(), y_range, bands });
                }
                let Some(env) = env else { continue };
                if codes.last() != Some(&code) {
                    codes.push(code.clone());
                }
                entries.push(Entry { env, shape: shapes.len() });
                shapes.push(Shape { cell: codes.len() - 1, rings: first_ring..rings.len() });
            }
        }
        Self {
            regions: regions.into_iter().map(|r| (r.code.clone(), r)).collect(),
            units: unit_map,
            city_center,
            cells: codes,
            shapes,
            rings,
            coords,
            tree: RTree::bulk_load(entries),
        }
    }

    #[must_use]
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.get(code)
    }

    /// How many cells have a usable polygon.
    #[must_use]
    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// The grid cell whose closed polygon holds the point; ties go to the smallest code.
    ///
    /// Candidates come from the R-tree (polygons whose envelope holds the point), then each gets
    /// an exact test; a candidate whose cell sorts after the best match so far is not tested.
    #[must_use]
    pub fn cell_at(&self, p: GeoPoint) -> Option<&str> {
        if !(p.lng.is_finite() && p.lat.is_finite()) {
            return None;
        }
        let c = Coord { x: p.lng, y: p.lat };
        let mut best: Option<usize> = None;
        let _ = self.tree.locate_in_envelope_intersecting_int(&AABB::from_point([c.x, c.y]), |e| {
            let shape = &self.shapes[e.shape];
            if best.is_none_or(|b| shape.cell < b) && self.shape_holds(shape, c) {
                best = Some(shape.cell);
            }
            ControlFlow::<()>::Continue(())
        });
        best.map(|i| self.cells[i].as_str())
    }

    /// A point that this index places in exactly the cell `code`, for a cell picked on the map
    /// (issue 14): the first of [`crate::cellmap::inner_points`] of `polygons` (the cell's own
    /// shapes) for which [`Router::cell_at`] answers `code`, each tried rounded to six decimals
    /// first (about 0.1 m; the draft keeps points as text, and a rounded one reads back the
    /// same), then exact. Not the centroid: that may lie outside a concave cell, in a neighbour.
    ///
    /// `None` when no candidate routes there: a code the index does not hold, or a cell covered
    /// by a cell with a smaller code (the importer refuses overlapping cells).
    #[must_use]
    pub fn point_in(&self, code: &str, polygons: &[Rings]) -> Option<GeoPoint> {
        let round = |v: f64| (v * 1e6).round() / 1e6;
        crate::cellmap::inner_points(polygons)
            .into_iter()
            .flat_map(|[lng, lat]| [[round(lng), round(lat)], [lng, lat]])
            .filter_map(|[lng, lat]| GeoPoint::new(lat, lng).ok())
            .find(|p| self.cell_at(*p) == Some(code))
    }

    /// Exact closed point-in-polygon, with geo's semantics: on the exterior or a hole's ring is
    /// inside, strictly inside a hole is outside.
    fn shape_holds(&self, shape: &Shape, c: Coord<f64>) -> bool {
        let Some((exterior, holes)) = self.rings[shape.rings.clone()].split_first() else {
            return false;
        };
        match self.ring_pos(exterior, c) {
            Pos::Outside => false,
            Pos::Boundary => true,
            Pos::Inside => {
                for hole in holes {
                    match self.ring_pos(hole, c) {
                        Pos::Outside => {}
                        Pos::Boundary => return true,
                        Pos::Inside => return false,
                    }
                }
                true
            }
        }
    }

    fn ring_pos(&self, ring: &Ring, c: Coord<f64>) -> Pos {
        let pts = &self.coords[ring.coords.clone()];
        let Some(bands) = &ring.bands else { return geometry::ring_pos(pts, c) };
        if c.y < ring.y_range[0] || c.y > ring.y_range[1] {
            return Pos::Outside;
        }
        let k = bands.band(c.y);
        let mut winding = 0;
        for &i in &bands.edges[bands.starts[k]..bands.starts[k + 1]] {
            match geometry::edge_winding(pts[i], pts[i + 1], c) {
                None => return Pos::Boundary,
                Some(d) => winding += d,
            }
        }
        if winding == 0 {
            Pos::Outside
        } else {
            Pos::Inside
        }
    }

    /// The region itself or its ancestor at `level`, if the chain reaches it.
    fn ancestor_at(&self, code: &str, level: Level) -> Option<&Region> {
        let mut cur = self.regions.get(code)?;
        for _ in 0..16 {
            if cur.level == level {
                return Some(cur);
            }
            if cur.level < level {
                return None;
            }
            cur = self.regions.get(cur.parent.as_deref()?)?;
        }
        None
    }

    fn unit(&self, region: &str, kind: &str) -> Option<&String> {
        self.units.get(&(region.to_owned(), kind.to_owned()))
    }

    /// Walks up from `code`, returning the first region's own territorial unit.
    fn nearest_unit_up(&self, code: &str) -> Option<String> {
        let mut cur = self.regions.get(code);
        for _ in 0..16 {
            let r = cur?;
            if let Some(u) = self.unit(&r.code, territorial_unit_kind(r.level)) {
                return Some(u.clone());
            }
            cur = r.parent.as_deref().and_then(|p| self.regions.get(p));
        }
        None
    }

    /// Where an appeal goes when the grid cannot place it (a point in no cell, or an address
    /// that is text only): the city centre, which dispatches by hand.
    ///
    /// # Errors
    /// No city centre was imported.
    pub fn outside_grid(&self) -> Result<RouteOutcome, RouteError> {
        let unit = self.city_center.clone().ok_or(RouteError::NoCityCenter)?;
        Ok(RouteOutcome { unit, cell: None, region: None, reason: RouteReason::OutsideGrid })
    }

    /// Routes one appeal.
    ///
    /// # Errors
    /// The chosen region is unknown, or (outside the grid) no city centre was imported.
    pub fn route(&self, category: &Category, place: &Place) -> Result<RouteOutcome, RouteError> {
        let (start, cell, reason) = match place {
            Place::Point(p) => match self.cell_at(*p) {
                Some(c) => (c.to_owned(), Some(c.to_owned()), RouteReason::GridCell),
                None => return self.outside_grid(),
            },
            Place::Region(code) => {
                if !self.regions.contains_key(code) {
                    return Err(RouteError::UnknownRegion(code.clone()));
                }
                (code.clone(), None, RouteReason::ChosenRegion)
            }
        };
        let start_region = self.regions.get(&start).ok_or_else(|| RouteError::UnknownRegion(start.clone()))?;

        // `anchor` is the region whose unit should take the appeal; `kind` that unit's kind.
        let (anchor, kind): (Option<&Region>, String) = match &category.route {
            RouteLevel::Territorial(level) if start_region.level < *level => {
                // Chosen region is above the required level: its own unit dispatches down.
                (Some(start_region), territorial_unit_kind(start_region.level).to_owned())
            }
            RouteLevel::Territorial(level) => {
                (self.ancestor_at(&start, *level), territorial_unit_kind(*level).to_owned())
            }
            RouteLevel::Department(_) if start_region.level < Level::District => {
                (Some(start_region), territorial_unit_kind(start_region.level).to_owned())
            }
            RouteLevel::Department(dep) => (self.ancestor_at(&start, Level::District), format!("department:{dep}")),
        };
        let anchor_code = anchor.map_or(start.as_str(), |r| r.code.as_str());
        let (unit, reason) = match self.unit(anchor_code, &kind) {
            Some(u) => (u.clone(), reason),
            None => (
                self.nearest_unit_up(anchor_code)
                    .or_else(|| self.city_center.clone())
                    .ok_or(RouteError::NoCityCenter)?,
                RouteReason::MissingUnitFallback,
            ),
        };
        Ok(RouteOutcome { unit, cell, region: Some(start), reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str, level: Level, parent: Option<&str>) -> Region {
        Region { code: code.into(), name: code.into(), name_en: String::new(), level, parent: parent.map(Into::into) }
    }
    fn unit(code: &str, kind: &str, region: &str) -> Unit {
        Unit { code: code.into(), name: code.into(), kind: kind.into(), region: region.into(), phone: String::new() }
    }
    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Rings {
        vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]
    }
    fn cat(route: RouteLevel) -> Category {
        Category { code: "c".into(), name: "c".into(), name_en: String::new(), route, deadline_days: 5, urgent: false }
    }

    /// City C → district D → street S → community M → cells G1 [0,1]², G2 [1,2]×[0,1];
    /// G2 has a hole [1.4,1.6]².
    fn fixture() -> Router {
        let regions = vec![
            region("C", Level::City, None),
            region("D", Level::District, Some("C")),
            region("S", Level::Street, Some("D")),
            region("M", Level::Community, Some("S")),
            region("G1", Level::Grid, Some("M")),
            region("G2", Level::Grid, Some("M")),
        ];
        let units = vec![
            unit("U-C", "city_center", "C"),
            unit("U-D", "district_center", "D"),
            unit("D-D-hrss", "department:hrss", "D"),
            unit("U-S", "street_center", "S"),
            unit("U-M", "community_committee", "M"),
            unit("U-G1", "grid_station", "G1"),
            unit("U-G2", "grid_station", "G2"),
        ];
        let mut g2 = square(1.0, 0.0, 2.0, 1.0);
        g2.push(vec![[1.4, 0.4], [1.6, 0.4], [1.6, 0.6], [1.4, 0.6], [1.4, 0.4]]);
        Router::new(regions, &units, vec![("G2".into(), vec![g2]), ("G1".into(), vec![square(0.0, 0.0, 1.0, 1.0)])])
    }
    fn pt(lng: f64, lat: f64) -> Place {
        Place::Point(GeoPoint { lng, lat })
    }

    #[test]
    fn a_picked_cell_gets_a_point_that_routes_to_it() {
        // B is a U open to the north whose notch is filled by A (a smaller code): B's centroid
        // lies in A, so it would route there; the picked point must not.
        let u = vec![vec![
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 3.0],
            [2.0, 3.0],
            [2.0, 0.5],
            [1.0, 0.5],
            [1.0, 3.0],
            [0.0, 3.0],
            [0.0, 0.0],
        ]];
        let notch = square(1.0, 0.5, 2.0, 3.0);
        // H has a hole filled by I: H's point must not be in the hole.
        let mut h = square(10.0, 0.0, 14.0, 4.0);
        h.push(vec![[11.0, 1.0], [13.0, 1.0], [13.0, 3.0], [11.0, 3.0], [11.0, 1.0]]);
        let i = square(11.0, 1.0, 13.0, 3.0);
        let regions = ["A", "B", "H", "I"].map(|c| region(c, Level::Grid, None)).to_vec();
        let cells: Vec<(String, Vec<Rings>)> = vec![
            ("B".into(), vec![u.clone()]),
            ("A".into(), vec![notch.clone()]),
            ("H".into(), vec![h.clone()]),
            ("I".into(), vec![i.clone()]),
        ];
        let r = Router::new(regions, &[], cells);
        assert_eq!(r.cell_at(GeoPoint { lng: 1.5, lat: 1.3 }), Some("A"), "the U's centroid is in A");
        for (code, polys) in [("B", vec![u]), ("A", vec![notch]), ("H", vec![h]), ("I", vec![i])] {
            let p = r.point_in(code, &polys).unwrap_or_else(|| panic!("{code}: no point"));
            assert_eq!(r.cell_at(p), Some(code), "{code}: {p:?}");
            // Six decimals at most: it survives the draft's text form unchanged.
            let back = GeoPoint::parse(&p.lat.to_string(), &p.lng.to_string()).unwrap().unwrap();
            assert_eq!(r.cell_at(back), Some(code));
            assert!((p.lat * 1e6 - (p.lat * 1e6).round()).abs() < 1e-6, "{p:?}");
        }
        // A code the index does not hold, or shapes that are not that cell's: no point.
        assert_eq!(r.point_in("Z", &[square(0.0, 0.0, 1.0, 1.0)]), None);
        assert_eq!(r.point_in("B", &[square(11.2, 1.2, 12.8, 2.8)]), None);
    }

    #[test]
    fn territorial_levels_follow_the_cell_ancestry() {
        let r = fixture();
        let cases =
            [(Level::Grid, "U-G1"), (Level::Community, "U-M"), (Level::Street, "U-S"), (Level::District, "U-D")];
        for (level, want) in cases {
            let out = r.route(&cat(RouteLevel::Territorial(level)), &pt(0.5, 0.5)).unwrap();
            assert_eq!(out.unit, want);
            assert_eq!(out.cell.as_deref(), Some("G1"));
            assert_eq!(out.reason, RouteReason::GridCell);
        }
    }

    #[test]
    fn department_goes_to_the_cells_district() {
        let out = fixture().route(&cat(RouteLevel::Department("hrss".into())), &pt(1.2, 0.5)).unwrap();
        assert_eq!(out.unit, "D-D-hrss");
        assert_eq!(out.cell.as_deref(), Some("G2"));
    }

    #[test]
    fn shared_edge_and_vertex_go_to_the_smallest_code_every_time() {
        let r = fixture();
        for _ in 0..3 {
            assert_eq!(r.cell_at(GeoPoint { lng: 1.0, lat: 0.5 }), Some("G1"));
            assert_eq!(r.cell_at(GeoPoint { lng: 1.0, lat: 1.0 }), Some("G1"));
        }
        // Just right of the edge is G2's interior.
        assert_eq!(r.cell_at(GeoPoint { lng: 1.000_000_1, lat: 0.5 }), Some("G2"));
        // Outer boundary still belongs to the cell (closed polygon).
        assert_eq!(r.cell_at(GeoPoint { lng: 2.0, lat: 0.5 }), Some("G2"));
    }

    #[test]
    fn holes_and_outside_points_go_to_the_city_centre() {
        let r = fixture();
        let c = cat(RouteLevel::Territorial(Level::Grid));
        for p in [pt(1.5, 0.5), pt(3.0, 3.0), pt(-0.000_001, 0.5)] {
            let out = r.route(&c, &p).unwrap();
            assert_eq!(out.unit, "U-C");
            assert_eq!(out.reason, RouteReason::OutsideGrid);
            assert_eq!(out.cell, None);
        }
        // The hole's boundary is part of the polygon's boundary.
        assert_eq!(r.cell_at(GeoPoint { lng: 1.4, lat: 0.5 }), Some("G2"));
    }

    #[test]
    fn chosen_region_above_the_level_stays_with_that_regions_unit() {
        let r = fixture();
        let grid = cat(RouteLevel::Territorial(Level::Grid));
        let out = r.route(&grid, &Place::Region("S".into())).unwrap();
        assert_eq!((out.unit.as_str(), out.reason), ("U-S", RouteReason::ChosenRegion));
        let street = cat(RouteLevel::Territorial(Level::Street));
        assert_eq!(r.route(&street, &Place::Region("M".into())).unwrap().unit, "U-S");
        let dep = cat(RouteLevel::Department("hrss".into()));
        assert_eq!(r.route(&dep, &Place::Region("M".into())).unwrap().unit, "D-D-hrss");
        assert_eq!(r.route(&dep, &Place::Region("C".into())).unwrap().unit, "U-C");
        assert_eq!(r.route(&grid, &Place::Region("X".into())).unwrap_err(), RouteError::UnknownRegion("X".into()));
    }

    #[test]
    fn a_missing_unit_falls_back_upwards() {
        let r = fixture();
        let out = r.route(&cat(RouteLevel::Department("ecology".into())), &pt(0.5, 0.5)).unwrap();
        // No ecology department in D: the district centre takes it, not the grid.
        assert_eq!(out.unit, "U-D");
        assert_eq!(out.reason, RouteReason::MissingUnitFallback);
    }
}

/// The index against a brute-force scan with geo's own `Intersects`, on random tilings.
#[cfg(test)]
mod index_tests {
    use super::*;
    use crate::geometry::tiling::{jittered, Rng};
    use geo::{Intersects, LineString, MultiPolygon, Point, Polygon};
    use proptest::prelude::*;

    fn router(cells: Vec<(String, Vec<Rings>)>) -> Router {
        Router::new(Vec::new(), &[], cells)
    }

    /// What routing did before the index: every cell, geo's closed point-in-polygon, smallest
    /// code wins.
    fn brute(cells: &[(String, Vec<Rings>)], p: [f64; 2]) -> Option<String> {
        let pt = Point::new(p[0], p[1]);
        cells
            .iter()
            .filter(|(_, polys)| {
                let polygons = polys.iter().filter(|r| r.first().is_some_and(|e| e.len() >= 4)).map(|rings| {
                    let mut it = rings
                        .iter()
                        .map(|r| LineString::from(r.iter().map(|p| Coord { x: p[0], y: p[1] }).collect::<Vec<_>>()));
                    let exterior = it.next().unwrap_or_else(|| LineString::new(vec![]));
                    Polygon::new(exterior, it.collect())
                });
                MultiPolygon(polygons.collect()).intersects(&pt)
            })
            .map(|(c, _)| c.clone())
            .min()
    }

    fn at(r: &Router, p: [f64; 2]) -> Option<String> {
        r.cell_at(GeoPoint { lng: p[0], lat: p[1] }).map(str::to_owned)
    }

    /// Every ring position and every edge midpoint of the tiling (all exact in binary).
    fn special_points(cells: &[(String, Vec<Rings>)]) -> Vec<[f64; 2]> {
        let mut v = Vec::new();
        for ring in cells.iter().flat_map(|c| c.1.iter()).flatten() {
            for w in ring.windows(2) {
                v.push(w[0]);
                v.push([(w[0][0] + w[1][0]) / 2.0, (w[0][1] + w[1][1]) / 2.0]);
            }
        }
        v
    }

    /// The cells that have `p` as a ring position or as the midpoint of one of their edges.
    fn cells_touching(cells: &[(String, Vec<Rings>)], p: [f64; 2]) -> Vec<&str> {
        cells
            .iter()
            .filter(|(_, polys)| {
                polys.iter().flatten().any(|ring| {
                    ring.windows(2).any(|w| w[0] == p || [(w[0][0] + w[1][0]) / 2.0, (w[0][1] + w[1][1]) / 2.0] == p)
                })
            })
            .map(|(c, _)| c.as_str())
            .collect()
    }

    fn point_in(nx: usize, ny: usize) -> impl Strategy<Value = [f64; 2]> {
        let (w, h) = (nx as f64 + 1.0, ny as f64 + 1.0);
        prop_oneof![
            (-0.5..w, -0.5..h).prop_map(|(x, y)| [x, y]),
            // On the 1/256 lattice the vertices live on, so some land on edges and vertices.
            (-128i32..(256 * (nx as i32 + 1)), -128i32..(256 * (ny as i32 + 1)))
                .prop_map(|(x, y)| [f64::from(x) / 256.0, f64::from(y) / 256.0]),
        ]
    }

    fn tiling_and_points() -> impl Strategy<Value = (usize, usize, u64, Vec<[f64; 2]>)> {
        (1usize..7, 1usize..7, any::<u64>()).prop_flat_map(|(nx, ny, seed)| {
            (Just(nx), Just(ny), Just(seed), prop::collection::vec(point_in(nx, ny), 1..64))
        })
    }

    proptest! {
        #[test]
        fn random_points_match_brute_force((nx, ny, seed, points) in tiling_and_points()) {
            let cells = jittered(nx, ny, seed);
            let r = router(cells.clone());
            for p in points {
                prop_assert_eq!(at(&r, p), brute(&cells, p), "point {:?}", p);
            }
        }

        #[test]
        fn shared_vertices_and_edges_go_to_the_smallest_code(nx in 1usize..6, ny in 1usize..6, seed: u64) {
            let cells = jittered(nx, ny, seed);
            let r = router(cells.clone());
            for p in special_points(&cells) {
                let want = cells_touching(&cells, p).into_iter().min().map(str::to_owned);
                prop_assert!(want.is_some());
                prop_assert_eq!(at(&r, p), want.clone(), "point {:?}", p);
                prop_assert_eq!(brute(&cells, p), want, "geo disagrees at {:?}", p);
            }
        }

        #[test]
        fn insertion_order_does_not_matter((nx, ny, seed, points) in tiling_and_points(), shuffle: u64) {
            let cells = jittered(nx, ny, seed);
            let mut shuffled = cells.clone();
            let mut rng = Rng::new(shuffle);
            rng.shuffle(&mut shuffled);
            for c in &mut shuffled {
                c.1.reverse();
            }
            let (a, b) = (router(cells.clone()), router(shuffled));
            prop_assert_eq!(a.cell_count(), b.cell_count());
            for p in points.into_iter().chain(special_points(&cells)) {
                prop_assert_eq!(at(&a, p), at(&b, p), "point {:?}", p);
            }
        }

        /// Rings long enough to be banded: a star with many spikes and a many-sided hole.
        #[test]
        fn long_rings_match_brute_force(
            spikes in 8usize..300,
            seed: u64,
            points in prop::collection::vec((-1.2f64..1.2, -1.2f64..1.2), 1..64),
        ) {
            let mut rng = Rng::new(seed);
            let ring = |n: usize, r0: f64, r1: f64, rng: &mut Rng| {
                let mut v: Vec<[f64; 2]> = (0..n)
                    .map(|k| {
                        let a = std::f64::consts::TAU * k as f64 / n as f64;
                        let r = r0 + (r1 - r0) * rng.below(65) as f64 / 64.0;
                        // Rounded to 1/64: some edges come out horizontal or share a latitude.
                        [(r * a.cos() * 64.0).round() / 64.0, (r * a.sin() * 64.0).round() / 64.0]
                    })
                    .collect();
                v.dedup();
                v.push(v[0]);
                v
            };
            let exterior = ring(2 * spikes, 0.6, 1.0, &mut rng);
            let mut hole = ring(spikes, 0.2, 0.45, &mut rng);
            hole.reverse();
            let cells = vec![
                ("A".to_owned(), vec![vec![exterior.clone(), hole.clone()]]),
                ("B".to_owned(), vec![vec![hole.clone()]]),
            ];
            let r = router(cells.clone());
            let extra = exterior.iter().chain(&hole).copied();
            for p in points.into_iter().map(|(x, y)| [x, y]).chain(extra).chain(special_points(&cells)) {
                prop_assert_eq!(at(&r, p), brute(&cells, p), "point {:?}", p);
            }
        }
    }

    #[test]
    fn multipolygon_cells_and_duplicate_codes() {
        let sq = |x0: f64, y0: f64, x1: f64, y1: f64| vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]];
        let cells = vec![
            ("B".to_owned(), vec![sq(0.0, 0.0, 1.0, 1.0), sq(5.0, 5.0, 6.0, 6.0)]),
            ("A".to_owned(), vec![sq(1.0, 0.0, 2.0, 1.0)]),
            // The same code again adds a polygon to the same cell.
            ("A".to_owned(), vec![sq(3.0, 0.0, 4.0, 1.0)]),
            // Nothing usable: skipped.
            ("C".to_owned(), vec![vec![vec![[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]]]),
        ];
        let r = router(cells);
        assert_eq!(r.cell_count(), 2);
        assert_eq!(at(&r, [5.5, 5.5]).as_deref(), Some("B"));
        assert_eq!(at(&r, [0.5, 0.5]).as_deref(), Some("B"));
        assert_eq!(at(&r, [3.5, 0.5]).as_deref(), Some("A"));
        assert_eq!(at(&r, [1.0, 0.5]).as_deref(), Some("A"));
        assert_eq!(at(&r, [2.5, 0.5]), None);
        assert_eq!(at(&r, [f64::NAN, 0.5]), None);
    }

    #[test]
    fn a_hole_filled_by_another_cell() {
        let outer = vec![[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]];
        let hole = vec![[1.0, 1.0], [1.0, 3.0], [3.0, 3.0], [3.0, 1.0], [1.0, 1.0]];
        let r = router(vec![("M".to_owned(), vec![vec![outer, hole.clone()]]), ("N".to_owned(), vec![vec![hole]])]);
        assert_eq!(at(&r, [2.0, 2.0]).as_deref(), Some("N"));
        assert_eq!(at(&r, [0.5, 2.0]).as_deref(), Some("M"));
        // The hole's ring is the boundary of both: the smaller code takes it.
        assert_eq!(at(&r, [1.0, 2.0]).as_deref(), Some("M"));
        assert_eq!(at(&r, [3.0, 3.0]).as_deref(), Some("M"));
    }
}
