//! The importer's polygon checks (`pingan_domain::geometry`), which every `regions.geojson`
//! polygon goes through once the backend has read its `[lng, lat]` arrays. On any rings (NaN,
//! infinities, huge values, rings of any length, open or closed) the problems found are the
//! documented ones, about rings and positions that exist. Valid polygons (random star-shaped
//! exteriors with random holes, either orientation, any starting position, any size from a metre
//! to hundreds of kilometres) have no problems; breaking one in a known way gives exactly that
//! problem; the verdict does not depend on orientation, starting position, hole order or
//! translation; and tilings made from valid polygons do not overlap.

use crate::config;
use pingan_domain::geometry::{overlapping_cells, polygon_problems, GeometryProblem as P};
use pingan_domain::routing::Rings;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use std::f64::consts::TAU;

/// Coordinates that provoke every path: small integers and quarters (so positions coincide and
/// edges are collinear exactly, as in hand-made files), anything in range, and the extremes.
fn coordinate() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => (-3i32..=3).prop_map(f64::from),
        2 => (-12i32..=12).prop_map(|v| f64::from(v) / 4.0),
        2 => -180.0f64..=180.0,
        1 => select(&[
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            -1e308,
            1e300,
            5e-324,
            -0.0,
            180.0,
            -90.0,
            180.00000000000003,
            90.00000000000001,
        ][..]),
    ]
}

/// A ring of 0–10 positions, closed (last = first) three times in four.
fn any_ring() -> impl Strategy<Value = Vec<[f64; 2]>> {
    (vec(prop::array::uniform2(coordinate()), 0..10), 0u8..4).prop_map(|(mut ring, open)| {
        if let (Some(&first), true) = (ring.first(), open != 0) {
            ring.push(first);
        }
        ring
    })
}

fn any_rings() -> impl Strategy<Value = Rings> {
    vec(any_ring(), 0..4)
}

/// Closed rings of small integers: every coincidence and collinearity is exact, and so is any
/// translation by whole degrees.
fn integer_rings() -> impl Strategy<Value = Rings> {
    let ring = vec(prop::array::uniform2((-3i32..=3).prop_map(f64::from)), 3..9).prop_map(|mut r| {
        r.push(r[0]);
        r
    });
    vec(ring, 1..4)
}

fn finite(p: [f64; 2]) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

fn in_range(p: [f64; 2]) -> bool {
    (-180.0..=180.0).contains(&p[0]) && (-90.0..=90.0).contains(&p[1])
}

/// The rings a problem is about.
fn rings_of(p: &P) -> Vec<usize> {
    match *p {
        P::NoRings => vec![],
        P::TooFewPositions { ring, .. }
        | P::NotClosed { ring, .. }
        | P::NonFiniteCoordinate { ring, .. }
        | P::CoordinateOutOfRange { ring, .. }
        | P::ZeroArea { ring }
        | P::SelfIntersection { ring, .. }
        | P::HoleOutside { ring, .. } => vec![ring],
        P::RingsCross { ring, other, .. } | P::HolesOverlap { ring, other, .. } => vec![ring, other],
    }
}

/// What a problem says, without coordinates (which move under the transformations) and with
/// rings renumbered by `map`.
fn signature(problems: &[P], map: impl Fn(usize) -> usize) -> Vec<String> {
    let mut out: Vec<String> = problems
        .iter()
        .map(|p| match *p {
            P::NoRings => "no rings".to_owned(),
            P::TooFewPositions { ring, count } => format!("too few {} {count}", map(ring)),
            P::NotClosed { ring, .. } => format!("not closed {}", map(ring)),
            // Positions are renumbered by rotation; translation keeps these rings in range.
            P::NonFiniteCoordinate { ring, .. } | P::CoordinateOutOfRange { ring, .. } => {
                format!("coordinate {}", map(ring))
            }
            P::ZeroArea { ring } => format!("zero area {}", map(ring)),
            P::SelfIntersection { ring, contact, .. } => format!("self {} {contact:?}", map(ring)),
            P::RingsCross { ring, other, contact, .. } => {
                let (a, b) = (map(ring).min(map(other)), map(ring).max(map(other)));
                format!("cross {a} {b} {contact:?}")
            }
            P::HoleOutside { ring, .. } => format!("outside {}", map(ring)),
            P::HolesOverlap { ring, other, .. } => {
                let (a, b) = (map(ring).min(map(other)), map(ring).max(map(other)));
                format!("holes overlap {a} {b}")
            }
        })
        .collect();
    out.sort();
    out
}

/// A closed ring rotated to start at position `k` (of the positions before the closing one).
fn rotated(ring: &[[f64; 2]], k: usize) -> Vec<[f64; 2]> {
    let open = &ring[..ring.len() - 1];
    let k = k % open.len();
    let mut out: Vec<[f64; 2]> = open[k..].iter().chain(&open[..k]).copied().collect();
    out.push(out[0]);
    out
}

/// A star-shaped ring around `center`: `n` ≥ 6 positions at increasing angles (every gap under
/// a half turn) and radii between half and all of `scale`, closed, in either orientation and
/// from any start. Also returns a radius within which the disc around `center` is inside it.
fn star(center: [f64; 2], scale: f64) -> impl Strategy<Value = (Vec<[f64; 2]>, f64)> {
    (6usize..24).prop_flat_map(move |n| {
        (vec(1.0f64..2.0, n), vec(0.5f64..=1.0, n), 0.0..TAU, any::<bool>(), 0..n).prop_map(
            move |(weights, radii, phase, reverse, start)| {
                let total: f64 = weights.iter().sum();
                let mut angle = phase;
                let mut ring = Vec::with_capacity(n + 1);
                for (w, r) in weights.iter().zip(&radii) {
                    ring.push([center[0] + scale * r * angle.cos(), center[1] + scale * r * angle.sin()]);
                    angle += w / total * TAU;
                }
                let max_gap = weights.iter().fold(0.0f64, |m, w| m.max(w / total * TAU));
                let min_radius = radii.iter().fold(f64::INFINITY, |m, r| m.min(*r)) * scale;
                if reverse {
                    ring.reverse();
                }
                ring.rotate_left(start);
                ring.push(ring[0]);
                // The edge between two positions at least `min_radius` out and at most `max_gap`
                // apart passes at least `min_radius · cos(max_gap / 2)` from the centre.
                (ring, min_radius * (max_gap / 2.0).cos())
            },
        )
    })
}

/// A valid polygon: a star-shaped exterior of any size from about a metre (1e-5°) to 4°,
/// anywhere on the map, with `holes` star-shaped holes strictly inside it and apart from each
/// other.
fn valid_polygon(holes: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Rings> {
    let center = (-175.0f64..175.0, -85.0f64..85.0);
    let scale = (-5.0f64..0.6).prop_map(|e| 10f64.powf(e));
    (center, scale, holes, 0.0..TAU).prop_flat_map(|((x, y), scale, holes, turn)| {
        star([x, y], scale).prop_flat_map(move |(exterior, inner)| {
            // Holes on a circle of radius inner/2, 120° apart, each at most 0.3·inner across:
            // they stay within 0.8·inner of the centre and 0.27·inner from each other.
            let hole_scale = 0.3 * inner;
            let holes: Vec<_> = (0..holes)
                .map(|k| {
                    let a = turn + k as f64 * TAU / 3.0;
                    star([x + inner / 2.0 * a.cos(), y + inner / 2.0 * a.sin()], hole_scale).prop_map(|(r, _)| r)
                })
                .collect();
            let exterior = exterior.clone();
            holes.prop_map(move |holes| {
                let mut rings = vec![exterior.clone()];
                rings.extend(holes);
                rings
            })
        })
    })
}

/// The triangles from the centre of a star-shaped ring to each of its edges: a tiling of it.
fn fan(ring: &[[f64; 2]], center: [f64; 2]) -> Vec<(String, Vec<Rings>)> {
    ring.windows(2)
        .enumerate()
        .map(|(i, w)| (format!("W{i:02}"), vec![vec![vec![center, w[0], w[1], center]]]))
        .collect()
}

/// The mean of the exterior's positions: within the polygon's size of the centre it was built
/// around, enough to tell which way is away from the edge of the map.
fn center_of(rings: &Rings) -> [f64; 2] {
    let ext = &rings[0];
    let n = (ext.len() - 1) as f64;
    let s = ext[..ext.len() - 1].iter().fold([0.0, 0.0], |s, p| [s[0] + p[0], s[1] + p[1]]);
    [s[0] / n, s[1] / n]
}

/// A star ring and its centre, for tilings.
fn star_and_center() -> impl Strategy<Value = (Vec<[f64; 2]>, [f64; 2])> {
    let center = (-175.0f64..175.0, -85.0f64..85.0);
    let scale = (-5.0f64..0.6).prop_map(|e| 10f64.powf(e));
    (center, scale).prop_flat_map(|((x, y), scale)| star([x, y], scale).prop_map(move |(r, _)| (r, [x, y])))
}

proptest! {
    #![proptest_config(config())]

    /// On any rings, the problems are the documented ones, each about rings and positions that
    /// exist: "no rings" alone for none; per ring, too few positions exactly below 4, "not
    /// closed" exactly when the last position differs from the first, the first non-finite
    /// coordinate or else the first out of range; crossings, containment and area only for rings
    /// with 4 or more finite positions; at most one crossing per ring and per pair of rings;
    /// and every problem has a message.
    #[test]
    fn problems_are_the_documented_ones(rings in any_rings()) {
        let problems = polygon_problems(&rings);
        if rings.is_empty() {
            prop_assert!(matches!(problems.as_slice(), [P::NoRings]), "{:?}", problems);
            return Ok(());
        }
        for p in &problems {
            prop_assert!(!p.to_string().is_empty());
            for r in rings_of(p) {
                prop_assert!(r < rings.len(), "{:?} names a ring that does not exist", p);
            }
            match *p {
                P::NoRings => prop_assert!(false, "no rings, but there are {}", rings.len()),
                P::RingsCross { ring, other, .. } => prop_assert!(ring < other, "{:?}", p),
                P::HolesOverlap { ring, other, .. } => prop_assert!(0 < ring && ring < other, "{:?}", p),
                P::HoleOutside { ring, .. } => prop_assert!(ring > 0, "{:?}", p),
                _ => {}
            }
        }
        for (r, ring) in rings.iter().enumerate() {
            let about = |f: fn(&P) -> bool| problems.iter().filter(|p| rings_of(p).contains(&r) && f(p)).count();
            let too_few = about(|p| matches!(p, P::TooFewPositions { .. }));
            prop_assert_eq!(too_few, usize::from(ring.len() < 4), "ring {} too few", r);
            if ring.len() < 4 {
                prop_assert!(problems.contains(&P::TooFewPositions { ring: r, count: ring.len() }), "{:?}", problems);
            }
            let open = ring.len() >= 2 && ring.first() != ring.last();
            prop_assert_eq!(about(|p| matches!(p, P::NotClosed { .. })), usize::from(open), "ring {} closed?", r);
            let non_finite = ring.iter().position(|p| !finite(*p));
            let out_of_range = ring.iter().position(|p| !in_range(*p));
            let coordinate: Vec<P> = problems
                .iter()
                .filter(|p| {
                    matches!(p, P::NonFiniteCoordinate { ring, .. } | P::CoordinateOutOfRange { ring, .. } if *ring == r)
                })
                .cloned()
                .collect();
            match (non_finite, out_of_range) {
                (Some(index), _) => prop_assert_eq!(coordinate, vec![P::NonFiniteCoordinate { ring: r, index }]),
                (None, Some(index)) => prop_assert_eq!(
                    coordinate,
                    vec![P::CoordinateOutOfRange { ring: r, index, position: ring[index] }]
                ),
                (None, None) => prop_assert!(coordinate.is_empty(), "{:?}", coordinate),
            }
            // "Then, over the rings that passed those": 4 positions or more, all finite and in
            // range (closed or not).
            let usable = ring.len() >= 4 && out_of_range.is_none();
            let shape = about(|p| matches!(
                p,
                P::ZeroArea { .. } | P::SelfIntersection { .. } | P::RingsCross { .. }
                    | P::HoleOutside { .. } | P::HolesOverlap { .. }
            ));
            if !usable {
                prop_assert_eq!(shape, 0, "ring {} cannot be checked for shape: {:?}", r, problems);
            }
            prop_assert!(about(|p| matches!(p, P::SelfIntersection { .. })) <= 1, "{:?}", problems);
            prop_assert!(about(|p| matches!(p, P::ZeroArea { .. })) <= 1, "{:?}", problems);
        }
        for a in 0..rings.len() {
            for b in a + 1..rings.len() {
                let crossings = problems
                    .iter()
                    .filter(|p| matches!(p, P::RingsCross { ring, other, .. } if (*ring, *other) == (a, b)))
                    .count();
                prop_assert!(crossings <= 1, "rings {} and {} cross {} times", a, b, crossings);
            }
        }
    }

    /// Whether and how a polygon is wrong does not depend on the orientation of its rings, the
    /// position each closed ring starts at, the order of its holes, or where it lies.
    #[test]
    fn problems_do_not_depend_on_orientation_start_order_or_place(
        rings in integer_rings(),
        starts in vec(any::<usize>(), 4),
        hole_order in any::<u64>(),
        dx in -170i32..=170,
        dy in -80i32..=80,
    ) {
        let original = signature(&polygon_problems(&rings), |r| r);

        let reversed: Rings = rings.iter().map(|r| r.iter().rev().copied().collect()).collect();
        prop_assert_eq!(signature(&polygon_problems(&reversed), |r| r), original.clone(), "reversed {:?}", reversed);

        let turned: Rings = rings.iter().zip(&starts).map(|(r, k)| rotated(r, *k)).collect();
        prop_assert_eq!(signature(&polygon_problems(&turned), |r| r), original.clone(), "rotated {:?}", turned);

        let (dx, dy) = (f64::from(dx), f64::from(dy));
        let moved: Rings = rings.iter().map(|r| r.iter().map(|p| [p[0] + dx, p[1] + dy]).collect()).collect();
        prop_assert_eq!(signature(&polygon_problems(&moved), |r| r), original.clone(), "moved {:?}", moved);

        // Holes in another order: new position i holds old hole order[i].
        let mut order: Vec<usize> = (1..rings.len()).collect();
        let len = order.len();
        for i in (1..len).rev() {
            order.swap(i, (hole_order >> (i * 4)) as usize % (i + 1));
        }
        let mut shuffled = vec![rings[0].clone()];
        shuffled.extend(order.iter().map(|&i| rings[i].clone()));
        let old = |new: usize| if new == 0 { 0 } else { order[new - 1] };
        prop_assert_eq!(signature(&polygon_problems(&shuffled), old), original, "holes reordered {:?}", shuffled);
    }

    /// Valid polygons of every size and place have no problems.
    #[test]
    fn valid_polygons_have_no_problems(rings in valid_polygon(0..=3)) {
        prop_assert_eq!(polygon_problems(&rings), vec![], "{:?}", rings);
    }

    /// Breaking a valid polygon in one known way gives exactly that problem.
    #[test]
    fn one_break_gives_its_problem(
        rings in valid_polygon(0..=3),
        which in any::<usize>(),
        at in any::<usize>(),
        how in 0u8..5,
    ) {
        let r = which % rings.len();
        let n = rings[r].len();
        let i = 1 + at % (n - 2); // a position other than the first and the closing one
        let mut broken = rings.clone();
        let problems = match how {
            0 => {
                let closing = broken[r].pop().unwrap_or_default();
                let (first, last) = (broken[r][0], broken[r][n - 2]);
                prop_assert_eq!(closing, first);
                let problems = polygon_problems(&broken);
                prop_assert_eq!(problems.clone(), vec![P::NotClosed { ring: r, first, last }]);
                problems
            }
            1 => {
                broken[r][i][at % 2] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY][at % 3];
                let problems = polygon_problems(&broken);
                prop_assert_eq!(problems.clone(), vec![P::NonFiniteCoordinate { ring: r, index: i }]);
                problems
            }
            2 => {
                broken[r][i][1] += if broken[r][i][1] > 0.0 { 100.0 } else { -100.0 };
                let problems = polygon_problems(&broken);
                let position = broken[r][i];
                prop_assert_eq!(problems.clone(), vec![P::CoordinateOutOfRange { ring: r, index: i, position }]);
                problems
            }
            3 => {
                broken[r].truncate(3);
                let problems = polygon_problems(&broken);
                prop_assert!(problems.contains(&P::TooFewPositions { ring: r, count: 3 }), "{:?}", problems);
                problems
            }
            _ => {
                // A hole moved well outside the exterior (which lies within 4° of its centre).
                if rings.len() == 1 {
                    return Ok(());
                }
                let h = 1 + which % (rings.len() - 1);
                let c = center_of(&rings);
                let shift = if c[0] > 0.0 { -10.0 } else { 10.0 };
                for p in &mut broken[h] {
                    p[0] += shift;
                }
                let problems = polygon_problems(&broken);
                prop_assert!(
                    matches!(problems.as_slice(), [P::HoleOutside { ring, .. }] if *ring == h),
                    "{:?}", problems
                );
                problems
            }
        };
        prop_assert!(!problems.is_empty());
    }

    /// The fan of triangles of a star-shaped ring tiles it: they share edges only, so no two
    /// overlap; a copy of one of them under another code overlaps exactly that one.
    #[test]
    fn a_fan_tiles_without_overlap((ring, center) in star_and_center(), copy in any::<usize>()) {
        let mut cells = fan(&ring, center);
        for (code, polys) in &cells {
            prop_assert_eq!(polygon_problems(&polys[0]), vec![], "{}", code);
        }
        prop_assert_eq!(overlapping_cells(&cells, 1e-9), vec![]);
        let k = copy % cells.len();
        let twin = cells[k].1.clone();
        cells.push(("Z".to_owned(), twin));
        prop_assert_eq!(overlapping_cells(&cells, 1e-9), vec![(cells[k].0.clone(), "Z".to_owned())]);
    }

    /// An island cell that fills a hole exactly does not overlap the cell with the hole; the
    /// same exterior without its holes overlaps both.
    #[test]
    fn an_island_in_a_hole_is_not_an_overlap(rings in valid_polygon(1..=3)) {
        let island = vec![rings[1].clone()];
        let cells = vec![("M".to_owned(), vec![rings.clone()]), ("N".to_owned(), vec![island.clone()])];
        prop_assert_eq!(overlapping_cells(&cells, 1e-9), vec![]);
        let mut cells = cells;
        cells.push(("O".to_owned(), vec![vec![rings[0].clone()]]));
        let pairs = vec![("M".to_owned(), "O".to_owned()), ("N".to_owned(), "O".to_owned())];
        prop_assert_eq!(overlapping_cells(&cells, 1e-9), pairs);
    }
}
