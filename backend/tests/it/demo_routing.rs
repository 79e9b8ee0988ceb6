//! Routing on the real demo city: interior points, points on shared edges and vertices (the
//! tie rule), the city's outer boundary, and points outside the city.

use backend::catalog::Catalog;
use backend::services::import::{catalog_from_files, demo_files};
use domain::fields::GeoPoint;
use domain::routing::{Place, RouteReason};

fn demo() -> Catalog {
    catalog_from_files(&demo_files()).unwrap()
}

fn at(lng: f64, lat: f64) -> GeoPoint {
    GeoPoint { lng, lat }
}

fn route(c: &Catalog, category: &str, place: Place) -> (String, RouteReason) {
    let out = c.router.route(c.category(category).unwrap(), &place).unwrap();
    (out.unit, out.reason)
}

#[test]
fn every_grid_cell_is_indexed() {
    assert_eq!(demo().router.cell_count(), 108);
}

#[test]
fn interior_points_and_categories() {
    let c = demo();
    let p = Place::Point(at(106.605, 35.485));
    assert_eq!(c.router.cell_at(at(106.605, 35.485)), Some("HD010101"));
    assert_eq!(route(&c, "neighbor_dispute", p.clone()).0, "U-HD010101");
    assert_eq!(route(&c, "sanitation", p.clone()).0, "U-HD0101");
    assert_eq!(route(&c, "suggestion", p.clone()).0, "U-HD01");
    assert_eq!(route(&c, "land_demolition", p.clone()).0, "U-HD");
    assert_eq!(route(&c, "wage_arrears", p.clone()).0, "D-HD-hrss");
    assert_eq!(route(&c, "legal_aid", p).0, "D-HD-justice");
}

#[test]
fn shared_vertices_follow_the_tie_rule() {
    let c = demo();
    // Vertices shared by HD010101 and HD010102.
    for v in [at(106.612_432, 35.482_843), at(106.609_738, 35.48), at(106.613_112, 35.486_699)] {
        assert_eq!(c.router.cell_at(v), Some("HD010101"), "{v:?}");
    }
    // The city's own outer edge still belongs to the cell along it.
    assert_eq!(c.router.cell_at(at(106.6, 35.485)), Some("HD010101"));
}

#[test]
fn either_side_of_a_shared_edge() {
    let c = demo();
    // Midpoint of the edge (106.609738, 35.48)–(106.612432, 35.482843) between HD010101 (west)
    // and HD010102 (east), nudged a micro-degree (≈ 10 cm) each way along its normal.
    let (mx, my) = ((106.609_738 + 106.612_432) / 2.0, (35.48 + 35.482_843) / 2.0);
    let (nx, ny) = (0.002_843_f64, -0.002_694_f64);
    let len = nx.hypot(ny);
    let eps = 1e-6;
    assert_eq!(c.router.cell_at(at(mx + eps * nx / len, my + eps * ny / len)), Some("HD010102"));
    assert_eq!(c.router.cell_at(at(mx - eps * nx / len, my - eps * ny / len)), Some("HD010101"));
}

#[test]
fn outside_the_city_goes_to_the_city_centre() {
    let c = demo();
    for p in [at(106.0, 34.0), at(106.599_999, 35.485), at(0.0, 0.0), at(-179.9, 89.9)] {
        assert_eq!(c.router.cell_at(p), None, "{p:?}");
        assert_eq!(route(&c, "wage_arrears", Place::Point(p)), ("U-SF".to_owned(), RouteReason::OutsideGrid));
    }
}

#[test]
fn region_cascade_without_a_point() {
    let c = demo();
    let r = |code: &str| Place::Region(code.to_owned());
    assert_eq!(route(&c, "neighbor_dispute", r("HD0101")), ("U-HD0101".to_owned(), RouteReason::ChosenRegion));
    assert_eq!(route(&c, "neighbor_dispute", r("HD")).0, "U-HD");
    assert_eq!(route(&c, "suggestion", r("HX0203")).0, "U-HX02");
    assert_eq!(route(&c, "food_drug", r("GX02")).0, "D-GX-market");
    assert_eq!(route(&c, "food_drug", r("SF")).0, "U-SF");
}
