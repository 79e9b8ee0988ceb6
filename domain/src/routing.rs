//! Routing (属地 + 属事): which unit gets an appeal, from where it happened and what it is about.
//!
//! The rule (docs/architecture.md):
//! - find the grid cell whose polygon holds the point (exact point-in-polygon on the closed
//!   polygon, holes excluded), after a bounding-box prefilter;
//! - a territorial category goes to the unit of the cell's ancestor at the category's level;
//!   a department category to the `department:<kind>` unit of the cell's district;
//! - a point in no cell goes to the city centre for manual dispatch;
//! - without a point, the same rule starts from the region chosen in the cascade; a region above
//!   the required level goes to that region's own unit, which dispatches it down.
//!
//! **Tie rule.** A point exactly on an edge or vertex shared by several cells lies in all of their
//! closed polygons; it goes to the one with the smallest cell code (byte order), every time.
//!
//! If the unit the rule names was never imported, the appeal goes to the nearest ancestor's
//! territorial unit and finally the city centre: an appeal is never left without a unit.

use crate::fields::GeoPoint;
use crate::region::{territorial_unit_kind, Category, Level, Region, RouteLevel, Unit};
use geo::{BoundingRect, Coord, Intersects, LineString, MultiPolygon, Point, Polygon, Rect};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One polygon as GeoJSON gives it: the exterior ring first, then holes; points are `[lng, lat]`.
pub type Rings = Vec<Vec<[f64; 2]>>;

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

struct Cell {
    code: String,
    shape: MultiPolygon<f64>,
    bbox: Rect<f64>,
}

/// Everything routing needs, built once from the imported data and shared read-only.
pub struct Router {
    regions: HashMap<String, Region>,
    /// (region code, unit kind) → unit code.
    units: HashMap<(String, String), String>,
    city_center: Option<String>,
    cells: Vec<Cell>,
}

fn to_polygon(rings: &Rings) -> Option<Polygon<f64>> {
    let mut it = rings.iter().map(|ring| {
        LineString::from(ring.iter().map(|p| Coord { x: p[0], y: p[1] }).collect::<Vec<_>>())
    });
    let exterior = it.next()?;
    if exterior.0.len() < 4 {
        return None;
    }
    Some(Polygon::new(exterior, it.collect()))
}

impl Router {
    /// `cells` are the grid cells' shapes (one or more polygons each). Cells with no usable
    /// polygon are skipped (the importer reports them).
    #[must_use]
    pub fn new(regions: Vec<Region>, units: &[Unit], cells: Vec<(String, Vec<Rings>)>) -> Self {
        let mut unit_map = HashMap::new();
        let mut city_center = None;
        for u in units {
            if u.kind == "city_center" && city_center.is_none() {
                city_center = Some(u.code.clone());
            }
            unit_map
                .entry((u.region.clone(), u.kind.clone()))
                .or_insert_with(|| u.code.clone());
        }
        let mut built: Vec<Cell> = cells
            .into_iter()
            .filter_map(|(code, polys)| {
                let shape = MultiPolygon(polys.iter().filter_map(to_polygon).collect());
                let bbox = shape.bounding_rect()?;
                Some(Cell { code, shape, bbox })
            })
            .collect();
        // Sorted by code so the first match is the tie-break winner.
        built.sort_by(|a, b| a.code.cmp(&b.code));
        Self {
            regions: regions.into_iter().map(|r| (r.code.clone(), r)).collect(),
            units: unit_map,
            city_center,
            cells: built,
        }
    }

    #[must_use]
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.get(code)
    }

    #[must_use]
    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// The grid cell whose closed polygon holds the point; ties go to the smallest code.
    #[must_use]
    pub fn cell_at(&self, p: GeoPoint) -> Option<&str> {
        let pt = Point::new(p.lng, p.lat);
        self.cells
            .iter()
            .filter(|c| c.bbox.intersects(&pt))
            .find(|c| c.shape.intersects(&pt))
            .map(|c| c.code.as_str())
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

    /// Routes one appeal.
    ///
    /// # Errors
    /// The chosen region is unknown, or (outside the grid) no city centre was imported.
    pub fn route(&self, category: &Category, place: &Place) -> Result<RouteOutcome, RouteError> {
        let (start, cell, reason) = match place {
            Place::Point(p) => match self.cell_at(*p) {
                Some(c) => (c.to_owned(), Some(c.to_owned()), RouteReason::GridCell),
                None => {
                    let unit = self.city_center.clone().ok_or(RouteError::NoCityCenter)?;
                    return Ok(RouteOutcome {
                        unit,
                        cell: None,
                        region: None,
                        reason: RouteReason::OutsideGrid,
                    });
                }
            },
            Place::Region(code) => {
                if !self.regions.contains_key(code) {
                    return Err(RouteError::UnknownRegion(code.clone()));
                }
                (code.clone(), None, RouteReason::ChosenRegion)
            }
        };
        let start_region = self
            .regions
            .get(&start)
            .ok_or_else(|| RouteError::UnknownRegion(start.clone()))?;

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
            RouteLevel::Department(dep) => {
                (self.ancestor_at(&start, Level::District), format!("department:{dep}"))
            }
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
        Region {
            code: code.into(),
            name: code.into(),
            name_en: String::new(),
            level,
            parent: parent.map(Into::into),
        }
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
    fn territorial_levels_follow_the_cell_ancestry() {
        let r = fixture();
        let cases = [
            (Level::Grid, "U-G1"),
            (Level::Community, "U-M"),
            (Level::Street, "U-S"),
            (Level::District, "U-D"),
        ];
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
        assert_eq!(
            r.route(&grid, &Place::Region("X".into())).unwrap_err(),
            RouteError::UnknownRegion("X".into())
        );
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
