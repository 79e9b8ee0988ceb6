//! Routing on a synthetic province of about 100,000 grid cells.
//!
//! `cargo bench -p pingan-domain --bench routing` (release). Prints the index build time, the
//! lookup rate for 1,000,000 random points, an exactness check against a brute-force scan with
//! geo's `Intersects`, and the time of the importer's geometry checks on all cells.
//!
//! The province is a 316 × 317 lattice of jittered vertices over lng 104..108, lat 33.5..37.5,
//! so cells are irregular quadrilaterals sharing their edges exactly. One cell in eight has an
//! irregular 40-sided hole filled by an island cell of its own (long rings: the banded path);
//! one in eight is split along a diagonal and hands its second triangle to its left neighbour,
//! which becomes a MultiPolygon. Cells are grouped 5 × 5 into communities, 2 × 2 communities
//! into streets, 4 × 4 streets into districts, and those into one city, each with its unit.

use geo::{Coord, Intersects, LineString, MultiPolygon, Point, Polygon};
use pingan_domain::fields::GeoPoint;
use pingan_domain::geometry::{overlapping_cells, polygon_problems};
use pingan_domain::region::{Category, Level, Region, RouteLevel, Unit};
use pingan_domain::routing::{Place, Rings, Router};
use std::hint::black_box;
use std::time::Instant;

const NX: usize = 316;
const NY: usize = 317;
const LNG: [f64; 2] = [104.0, 108.0];
const LAT: [f64; 2] = [33.5, 37.5];

/// xorshift64*: deterministic, and no `rand` dependency for a benchmark.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Province {
    cells: Vec<(String, Vec<Rings>)>,
    regions: Vec<Region>,
    units: Vec<Unit>,
    islands: usize,
    multipolygons: usize,
    lattice_vertices: Vec<[f64; 2]>,
}

fn region(code: String, level: Level, parent: Option<String>) -> Region {
    Region { name: code.clone(), code, name_en: String::new(), level, parent }
}

fn unit(code: String, kind: &str, region: &str) -> Unit {
    Unit { name: code.clone(), code, kind: kind.to_owned(), region: region.to_owned(), phone: String::new() }
}

fn province(seed: u64) -> Province {
    let mut rng = Rng(seed);
    let (dx, dy) = ((LNG[1] - LNG[0]) / NX as f64, (LAT[1] - LAT[0]) / NY as f64);
    // Each vertex moves by up to a quarter of a cell, so every quad stays simple and holds the
    // middle half of its lattice square.
    let mut vertex = vec![vec![[0.0; 2]; NY + 1]; NX + 1];
    for (i, col) in vertex.iter_mut().enumerate() {
        for (j, v) in col.iter_mut().enumerate() {
            let jx = if i == 0 || i == NX { 0.0 } else { (rng.unit() - 0.5) * 0.5 };
            let jy = if j == 0 || j == NY { 0.0 } else { (rng.unit() - 0.5) * 0.5 };
            *v = [LNG[0] + (i as f64 + jx) * dx, LAT[0] + (j as f64 + jy) * dy];
        }
    }
    // Codes in random order, so the tie rule's "smallest code" is anywhere.
    let n = NX * NY;
    let mut ids: Vec<usize> = (0..2 * n).collect();
    for i in (1..ids.len()).rev() {
        ids.swap(i, rng.below(i + 1));
    }
    let community = |i: usize, j: usize| format!("M{:02}{:02}", i / 5, j / 5);
    let street = |i: usize, j: usize| format!("S{:02}{:02}", i / 10, j / 10);
    let district = |i: usize, j: usize| format!("D{}{}", i / 40, j / 40);

    let mut regions = vec![region("C".into(), Level::City, None)];
    let mut units = vec![unit("U-C".into(), "city_center", "C")];
    let mut seen = std::collections::HashSet::new();
    let mut cells: Vec<(String, Vec<Rings>)> = Vec::with_capacity(n + n / 8);
    let mut at = vec![0usize; n];
    let mut handed: Vec<(usize, Rings)> = Vec::new();
    let (mut islands, mut multipolygons) = (0, 0);
    for i in 0..NX {
        for j in 0..NY {
            let (d, s, m) = (district(i, j), street(i, j), community(i, j));
            if seen.insert(d.clone()) {
                regions.push(region(d.clone(), Level::District, Some("C".into())));
                units.push(unit(format!("U-{d}"), "district_center", &d));
                units.push(unit(format!("U-{d}-hrss"), "department:hrss", &d));
            }
            if seen.insert(s.clone()) {
                regions.push(region(s.clone(), Level::Street, Some(d.clone())));
                units.push(unit(format!("U-{s}"), "street_center", &s));
            }
            if seen.insert(m.clone()) {
                regions.push(region(m.clone(), Level::Community, Some(s.clone())));
                units.push(unit(format!("U-{m}"), "community_committee", &m));
            }
            let k = i * NY + j;
            let mut add_cell = |code: String, polys: Vec<Rings>, cells: &mut Vec<(String, Vec<Rings>)>| {
                regions.push(region(code.clone(), Level::Grid, Some(m.clone())));
                units.push(unit(format!("U-{code}"), "grid_station", &code));
                cells.push((code, polys));
            };
            let (a, b, c, e) = (vertex[i][j], vertex[i + 1][j], vertex[i + 1][j + 1], vertex[i][j + 1]);
            at[k] = cells.len();
            match rng.below(8) {
                0 => {
                    // An irregular 40-gon around the lattice square's centre, at most 0.2 cells
                    // out: inside the quad whatever the jitter.
                    let centre = [LNG[0] + (i as f64 + 0.5) * dx, LAT[0] + (j as f64 + 0.5) * dy];
                    let mut island: Vec<[f64; 2]> = (0..40)
                        .map(|t| {
                            let ang = std::f64::consts::TAU * t as f64 / 40.0;
                            let r = 0.1 + 0.1 * rng.unit();
                            [centre[0] + r * dx * ang.cos(), centre[1] + r * dy * ang.sin()]
                        })
                        .collect();
                    island.push(island[0]);
                    let mut hole = island.clone();
                    hole.reverse();
                    add_cell(format!("G{:06}", ids[k]), vec![vec![vec![a, b, c, e, a], hole]], &mut cells);
                    add_cell(format!("G{:06}", ids[n + k]), vec![vec![island]], &mut cells);
                    islands += 1;
                }
                1 if i > 0 => {
                    add_cell(format!("G{:06}", ids[k]), vec![vec![vec![a, b, c, a]]], &mut cells);
                    handed.push((k - NY, vec![vec![a, c, e, a]]));
                }
                _ => add_cell(format!("G{:06}", ids[k]), vec![vec![vec![a, b, c, e, a]]], &mut cells),
            }
        }
    }
    for (k, rings) in handed {
        if cells[at[k]].1.len() == 1 {
            multipolygons += 1;
        }
        cells[at[k]].1.push(rings);
    }
    let lattice_vertices = vertex.into_iter().flatten().collect();
    Province { cells, regions, units, islands, multipolygons, lattice_vertices }
}

/// The old router: every cell sorted by code, bbox prefilter, geo's closed point-in-polygon.
struct Brute {
    cells: Vec<(String, MultiPolygon<f64>, [f64; 4])>,
}

impl Brute {
    fn new(cells: &[(String, Vec<Rings>)]) -> Self {
        let mut v: Vec<(String, MultiPolygon<f64>, [f64; 4])> = cells
            .iter()
            .map(|(code, polys)| {
                let polygons: Vec<Polygon<f64>> = polys
                    .iter()
                    .map(|rings| {
                        let mut it = rings.iter().map(|r| {
                            LineString::from(r.iter().map(|p| Coord { x: p[0], y: p[1] }).collect::<Vec<_>>())
                        });
                        let exterior = it.next().unwrap_or_else(|| LineString::new(vec![]));
                        Polygon::new(exterior, it.collect())
                    })
                    .collect();
                let mut bb = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
                for p in polys.iter().flat_map(|r| r.first()).flatten() {
                    bb = [bb[0].min(p[0]), bb[1].min(p[1]), bb[2].max(p[0]), bb[3].max(p[1])];
                }
                (code.clone(), MultiPolygon(polygons), bb)
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        Self { cells: v }
    }

    fn cell_at(&self, p: [f64; 2]) -> Option<&str> {
        let pt = Point::new(p[0], p[1]);
        self.cells
            .iter()
            .filter(|(_, _, b)| b[0] <= p[0] && p[0] <= b[2] && b[1] <= p[1] && p[1] <= b[3])
            .find(|(_, mp, _)| mp.intersects(&pt))
            .map(|(c, _, _)| c.as_str())
    }
}

fn random_point(rng: &mut Rng) -> [f64; 2] {
    // 2 % beyond the province on each side, so some points fall outside the grid.
    let (w, h) = (LNG[1] - LNG[0], LAT[1] - LAT[0]);
    [LNG[0] - 0.02 * w + 1.04 * w * rng.unit(), LAT[0] - 0.02 * h + 1.04 * h * rng.unit()]
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let t = Instant::now();
    let p = province(0x5EED_1234_ABCD_0001);
    let polygons: usize = p.cells.iter().map(|c| c.1.len()).sum();
    let positions: usize = p.cells.iter().flat_map(|c| c.1.iter()).flatten().map(Vec::len).sum();
    let count = |l: Level| p.regions.iter().filter(|r| r.level == l).count();
    println!(
        "province: {} cells ({} lattice cells, {} islands in holes, {} MultiPolygons), {} polygons, {} positions",
        p.cells.len(),
        NX * NY,
        p.islands,
        p.multipolygons,
        polygons,
        positions
    );
    println!(
        "hierarchy: 1 city, {} districts, {} streets, {} communities, {} cells; {} units (generated in {:.0} ms)",
        count(Level::District),
        count(Level::Street),
        count(Level::Community),
        count(Level::Grid),
        p.units.len(),
        ms(t)
    );

    let t = Instant::now();
    let problems: usize = p.cells.iter().flat_map(|c| c.1.iter()).map(|r| polygon_problems(r).len()).sum();
    println!("polygon_problems: {polygons} polygons in {:.0} ms, {problems} problems", ms(t));

    let t = Instant::now();
    let overlaps = overlapping_cells(&p.cells, 1e-9);
    println!("overlapping_cells: {} cells in {:.0} ms, {} overlapping pairs", p.cells.len(), ms(t), overlaps.len());
    for (a, b) in overlaps.iter().take(5) {
        println!("  overlap: {a} / {b}");
    }

    let brute = Brute::new(&p.cells);
    let (regions, cells) = (p.regions.clone(), p.cells.clone());
    let t = Instant::now();
    let router = Router::new(regions, &p.units, cells);
    println!("index build: {:.0} ms ({} cells indexed)", ms(t), router.cell_count());

    let mut rng = Rng(0xC0FF_EE00_0000_0042);
    let points: Vec<GeoPoint> = (0..1_000_000)
        .map(|_| {
            let q = random_point(&mut rng);
            GeoPoint { lng: q[0], lat: q[1] }
        })
        .collect();
    let t = Instant::now();
    let mut inside = 0usize;
    for q in &points {
        if black_box(router.cell_at(black_box(*q))).is_some() {
            inside += 1;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "lookups: {} random points in {:.0} ms: {:.0} lookups/s, {:.2} µs per lookup ({} inside the grid)",
        points.len(),
        secs * 1e3,
        points.len() as f64 / secs,
        secs * 1e6 / points.len() as f64,
        inside
    );

    let category = Category {
        code: "c".into(),
        name: "c".into(),
        name_en: String::new(),
        route: RouteLevel::Territorial(Level::Community),
        deadline_days: 5,
        urgent: false,
    };
    let t = Instant::now();
    let routed =
        points[..100_000].iter().filter(|q| black_box(router.route(&category, &Place::Point(**q))).is_ok()).count();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "route (community level): {routed} appeals in {:.0} ms, {:.2} µs per appeal",
        secs * 1e3,
        secs * 1e6 / 1e5
    );

    let mut rng = Rng(0xBEEF_0000_0000_0007);
    let t = Instant::now();
    let exact = (0..10_000)
        .filter(|_| {
            let q = random_point(&mut rng);
            router.cell_at(GeoPoint { lng: q[0], lat: q[1] }) == brute.cell_at(q)
        })
        .count();
    println!("exact: {exact}/10000 (brute force took {:.0} µs per point)", ms(t) * 1e3 / 1e4);

    // Shared vertices are where the tie rule decides: every one is on 1 to 4 cells.
    let step = p.lattice_vertices.len() / 10_000;
    let on_vertices: Vec<[f64; 2]> = p.lattice_vertices.iter().step_by(step.max(1)).copied().collect();
    let exact =
        on_vertices.iter().filter(|q| router.cell_at(GeoPoint { lng: q[0], lat: q[1] }) == brute.cell_at(**q)).count();
    println!("exact on shared vertices: {exact}/{}", on_vertices.len());
}
