//! The map on the appeal wizard's "where" step (issue 14): what it shows at each level, and what
//! picking a grid cell on it puts into the draft.
//!
//! The map zooms by links, so it works with JavaScript off: the city shows its districts, a
//! district its streets, a street its grid cells. Regions above the cell are drawn as the union
//! of their cells, because every import has the cells' polygons and only those. A cell picked
//! without JavaScript becomes a point that routing places in exactly that cell
//! ([`domain::routing::Router::point_in`]), so the appeal goes through the same validation and
//! routing as a phone's location.

use crate::catalog::Catalog;
use crate::state::AppState;
use domain::fields::GeoPoint;
use domain::region::{Level, Region};
use domain::views::{MapShape, RegionView, WhereMap};

/// The map of `code`: a district shows its streets; a street its grid cells (a community or a
/// cell shows its street); anything else (the city, an unknown or empty code) the districts.
#[must_use]
pub fn where_map(state: &AppState, code: &str) -> WhereMap {
    map_of(&state.catalog.get(), code)
}

/// The district or street whose map shows `code`, if any.
fn shown<'c>(cat: &'c Catalog, code: &str) -> Option<&'c Region> {
    let mut cur = cat.region(code.trim());
    for _ in 0..16 {
        let r = cur?;
        if matches!(r.level, Level::District | Level::Street) {
            return Some(r);
        }
        if r.level < Level::District {
            return None;
        }
        cur = r.parent.as_deref().and_then(|p| cat.region(p));
    }
    None
}

fn view(r: &Region) -> RegionView {
    RegionView { code: r.code.clone(), name: r.name.clone(), name_en: r.name_en.clone() }
}

/// `region` as one shape: its cells' polygons together.
fn union_of(cat: &Catalog, region: &Region) -> MapShape {
    let polygons =
        cat.cells_under(&region.code).iter().filter_map(|c| cat.cell_shapes(&c.code)).flatten().cloned().collect();
    MapShape {
        code: region.code.clone(),
        name: region.name.clone(),
        name_en: region.name_en.clone(),
        community: None,
        polygons,
    }
}

fn map_of(cat: &Catalog, code: &str) -> WhereMap {
    let shown = shown(cat, code);
    // From the shown region up to the city, then turned round.
    let mut trail = Vec::new();
    let mut cur = shown.or_else(|| cat.children(None, Level::City).into_iter().next());
    while let Some(r) = cur {
        if trail.len() > 16 {
            break;
        }
        trail.push(view(r));
        cur = r.parent.as_deref().and_then(|p| cat.region(p));
    }
    trail.reverse();
    let (cells, shapes): (bool, Vec<MapShape>) = match shown {
        Some(street) if street.level == Level::Street => {
            let shapes = cat
                .cells_under(&street.code)
                .into_iter()
                .filter_map(|c| {
                    let polygons = cat.cell_shapes(&c.code)?.to_vec();
                    let community =
                        c.parent.as_deref().and_then(|p| cat.region(p)).map(|m| (m.name.clone(), m.name_en.clone()));
                    Some(MapShape {
                        code: c.code.clone(),
                        name: c.name.clone(),
                        name_en: c.name_en.clone(),
                        community,
                        polygons,
                    })
                })
                .collect();
            (true, shapes)
        }
        Some(district) => (
            false,
            cat.children(Some(district.code.as_str()), Level::Street).into_iter().map(|s| union_of(cat, s)).collect(),
        ),
        None => (false, cat.children(None, Level::District).into_iter().map(|d| union_of(cat, d)).collect()),
    };
    let shapes = shapes.into_iter().filter(|s| !s.polygons.is_empty()).collect();
    WhereMap { trail, cells, shapes }
}

/// A grid cell picked on the map, as the draft keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    /// Inside the cell, placed there by routing (never its centroid, which a concave cell may
    /// not contain).
    pub point: GeoPoint,
    /// The cell's district, street and community codes (the cascade shows the same place).
    pub district: String,
    pub street: String,
    pub community: String,
}

/// What picking cell `code` sets; `None` for a code that is no grid cell with a shape.
#[must_use]
pub fn pick(cat: &Catalog, code: &str) -> Option<Picked> {
    let code = code.trim();
    let cell = cat.region(code).filter(|r| r.level == Level::Grid)?;
    let point = cat.router.point_in(&cell.code, cat.cell_shapes(&cell.code)?)?;
    let mut picked = Picked { point, district: String::new(), street: String::new(), community: String::new() };
    for r in cat.district_to_community(code) {
        let slot = match r.level {
            Level::District => &mut picked.district,
            Level::Street => &mut picked.street,
            _ => &mut picked.community,
        };
        slot.clone_from(&r.code);
    }
    Some(picked)
}

/// The map to show after a where-step post (`?map=` of the redirect): the region the resident
/// zoomed to (`zoom`), or the cell they picked (`pick`, shown on its street's map); only codes
/// of imported regions, so the redirect carries nothing else.
#[must_use]
pub fn map_after(state: &AppState, zoom: Option<&str>, pick: Option<&str>) -> Option<String> {
    let cat = state.catalog.get();
    [zoom, pick]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|c| !c.is_empty())
        .and_then(|c| cat.region(c))
        .map(|r| r.code.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::region::Unit;
    use domain::routing::Rings;

    fn region(code: &str, level: Level, parent: Option<&str>) -> Region {
        Region {
            code: code.into(),
            name: format!("{code}名"),
            name_en: code.into(),
            level,
            parent: parent.map(Into::into),
        }
    }

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Rings {
        vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]
    }

    /// City C; districts D1 (streets S1, S2) and D2 (street S3); S1 has community M1 with cells
    /// G1 (a U round G2's notch) and G2 (the notch); S2 and S3 one cell each.
    fn catalog() -> Catalog {
        let regions = vec![
            region("C", Level::City, None),
            region("D1", Level::District, Some("C")),
            region("D2", Level::District, Some("C")),
            region("S1", Level::Street, Some("D1")),
            region("S2", Level::Street, Some("D1")),
            region("S3", Level::Street, Some("D2")),
            region("M1", Level::Community, Some("S1")),
            region("M2", Level::Community, Some("S2")),
            region("M3", Level::Community, Some("S3")),
            region("G1", Level::Grid, Some("M1")),
            region("G2", Level::Grid, Some("M1")),
            region("G3", Level::Grid, Some("M2")),
            region("G4", Level::Grid, Some("M3")),
        ];
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
        let cells = vec![
            // G1 is the U; G2 (a smaller code would win ties, so give the notch the larger one)
            ("G1".to_owned(), vec![u]),
            ("G2".to_owned(), vec![square(1.0, 0.5, 2.0, 3.0)]),
            ("G3".to_owned(), vec![square(0.0, 3.0, 3.0, 4.0)]),
            ("G4".to_owned(), vec![square(3.0, 0.0, 4.0, 4.0)]),
        ];
        let units: Vec<Unit> = Vec::new();
        Catalog::new(regions, units, Vec::new(), cells)
    }

    fn codes(m: &WhereMap) -> Vec<&str> {
        m.shapes.iter().map(|s| s.code.as_str()).collect()
    }

    fn trail(m: &WhereMap) -> Vec<&str> {
        m.trail.iter().map(|r| r.code.as_str()).collect()
    }

    #[test]
    fn the_map_zooms_from_the_city_to_a_street() {
        let cat = catalog();
        for code in ["", "C", "nonsense"] {
            let m = map_of(&cat, code);
            assert!(!m.cells);
            assert_eq!(codes(&m), ["D1", "D2"], "{code:?}");
            assert_eq!(trail(&m), ["C"]);
        }
        // A district is drawn as all its cells.
        let city = map_of(&cat, "C");
        assert_eq!(city.shapes[0].polygons.len(), 3);
        let d1 = map_of(&cat, "D1");
        assert!(!d1.cells);
        assert_eq!(codes(&d1), ["S1", "S2"]);
        assert_eq!(trail(&d1), ["C", "D1"]);
        // A street shows its cells, named with their community; so do its community and cells.
        for code in ["S1", "M1", "G2"] {
            let s1 = map_of(&cat, code);
            assert!(s1.cells);
            assert_eq!(codes(&s1), ["G1", "G2"], "{code}");
            assert_eq!(trail(&s1), ["C", "D1", "S1"]);
            assert_eq!(s1.shapes[0].community, Some(("M1名".to_owned(), "M1".to_owned())));
        }
    }

    #[test]
    fn a_picked_cell_routes_to_that_cell_even_when_concave() {
        let cat = catalog();
        // G1's centroid lies in G2's notch.
        let centroid = cat.cell_center("G1").unwrap();
        assert_eq!(cat.router.cell_at(centroid), Some("G2"));
        let p = pick(&cat, " G1 ").unwrap();
        assert_eq!(cat.router.cell_at(p.point), Some("G1"));
        assert_eq!((p.district.as_str(), p.street.as_str(), p.community.as_str()), ("D1", "S1", "M1"));
        let p = pick(&cat, "G4").unwrap();
        assert_eq!(cat.router.cell_at(p.point), Some("G4"));
        assert_eq!((p.district.as_str(), p.street.as_str(), p.community.as_str()), ("D2", "S3", "M3"));
        // Only grid cells can be picked.
        for code in ["S1", "M1", "", "G9"] {
            assert_eq!(pick(&cat, code), None, "{code}");
        }
    }
}
