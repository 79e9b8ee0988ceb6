//! Geometry of grid cells: the exact predicates routing relies on, and the checks the region
//! importer runs on cell polygons before it accepts them.
//!
//! Every predicate here uses geo's robust (adaptive-precision) orientation test, so "on an edge"
//! means exactly on the edge, never "within some epsilon": routing and validation agree with
//! each other and with geo's own `Intersects`, to the last bit.
//!
//! - [`polygon_problems`] lists what is wrong with one polygon (too few positions, unclosed
//!   ring, bad coordinates, no area, rings crossing themselves or each other, holes outside the
//!   exterior or overlapping each other), each with a plain-English [`std::fmt::Display`] that
//!   says what and where.
//! - [`overlapping_cells`] finds pairs of cells whose interiors overlap (a tiling's cells may
//!   share edges and vertices, never area), using an R-tree of polygon envelopes for candidate
//!   pairs and an exact test on each candidate.

use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::kernels::RobustKernel;
use geo::{Area, BooleanOps, Coord, Kernel, LineString, Orientation, Polygon, Relate};
use rstar::{RTree, RTreeObject, AABB};
use std::collections::BTreeMap;
use std::fmt;

/// One polygon as GeoJSON gives it: the exterior ring first, then holes; points are `[lng, lat]`.
///
/// Rings are numbered in that order in [`GeometryProblem`]: ring 0 is the exterior, ring 1 the
/// first hole, and so on.
pub type Rings = Vec<Vec<[f64; 2]>>;

#[inline]
pub(crate) fn coord(p: [f64; 2]) -> Coord<f64> {
    Coord { x: p[0], y: p[1] }
}

/// Exact orientation of `r` relative to the directed line `p → q`.
#[inline]
pub(crate) fn orient(p: Coord<f64>, q: Coord<f64>, r: Coord<f64>) -> Orientation {
    <RobustKernel as Kernel<f64>>::orient2d(p, q, r)
}

/// Where a position lies relative to a closed ring or polygon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pos {
    Outside,
    Boundary,
    Inside,
}

#[inline]
fn between(v: f64, a: f64, b: f64) -> bool {
    if a < b {
        a <= v && v <= b
    } else {
        b <= v && v <= a
    }
}

/// One edge's contribution to the winding number of `c` around a ring, or `None` when `c` lies
/// on the edge.
///
/// This is geo's rule (`coordinate_position::coord_pos_relative_to_ring`) edge by edge, so a ring
/// test built from it gives exactly geo's answer: an upward edge includes its start and excludes
/// its end, a downward edge the reverse, horizontal edges only count as boundary, and the
/// crossing must be strictly right of `c`. Only edges whose y-range contains `c.y` can return
/// anything but `Some(0)`, which is what lets routing skip all other edges.
#[inline]
pub(crate) fn edge_winding(s: Coord<f64>, e: Coord<f64>, c: Coord<f64>) -> Option<i32> {
    if s.y <= c.y {
        if e.y >= c.y {
            let o = orient(s, e, c);
            if o == Orientation::CounterClockwise && e.y != c.y {
                return Some(1);
            }
            if o == Orientation::Collinear && between(c.x, s.x, e.x) {
                return None;
            }
        }
    } else if e.y <= c.y {
        let o = orient(s, e, c);
        if o == Orientation::Clockwise {
            return Some(-1);
        }
        if o == Orientation::Collinear && between(c.x, s.x, e.x) {
            return None;
        }
    }
    Some(0)
}

/// Position of `c` relative to a closed ring (last position equal to the first).
pub(crate) fn ring_pos(ring: &[Coord<f64>], c: Coord<f64>) -> Pos {
    match ring {
        [] => Pos::Outside,
        [only] => {
            if *only == c {
                Pos::Boundary
            } else {
                Pos::Outside
            }
        }
        _ => {
            let mut winding = 0;
            for w in ring.windows(2) {
                match edge_winding(w[0], w[1], c) {
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
    }
}

/// Closes a ring the way geo does (`LineString::close`): appends the first position when the
/// last differs.
pub(crate) fn closed_ring(ring: &[[f64; 2]]) -> Vec<Coord<f64>> {
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(ring.len() + 1);
    out.extend(ring.iter().map(|p| coord(*p)));
    if let (Some(first), Some(last)) = (out.first().copied(), out.last().copied()) {
        if first != last {
            out.push(first);
        }
    }
    out
}

/// Whether routing and the overlap check can use a polygon at all: an exterior ring with at
/// least 4 positions and only finite coordinates (a NaN would poison the R-tree envelopes).
pub(crate) fn usable(rings: &Rings) -> bool {
    rings.first().is_some_and(|ext| ext.len() >= 4)
        && rings.iter().flatten().all(|p| p[0].is_finite() && p[1].is_finite())
}

/// Bounding box of a ring's positions, `None` for an empty ring.
pub(crate) fn envelope(ring: &[Coord<f64>]) -> Option<AABB<[f64; 2]>> {
    let first = ring.first()?;
    let (mut lo, mut hi) = ([first.x, first.y], [first.x, first.y]);
    for c in ring {
        lo = [lo[0].min(c.x), lo[1].min(c.y)];
        hi = [hi[0].max(c.x), hi[1].max(c.y)];
    }
    Some(AABB::from_corners(lo, hi))
}

/// How two pieces of boundary meet, in a [`GeometryProblem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contact {
    /// Two edges cross at a point inside both.
    Crosses,
    /// Two edges meet at a point without crossing (for one ring: the ring passes through the
    /// same point twice).
    Touches,
    /// Two edges run along each other for some length (for one ring: a spike that doubles back).
    Overlaps,
}

/// One thing wrong with a polygon's rings (see [`polygon_problems`]). Ring 0 is the exterior,
/// ring 1 the first hole, and so on; positions are counted from 0 within their ring.
#[derive(Debug, Clone, PartialEq)]
pub enum GeometryProblem {
    /// The polygon has no rings at all.
    NoRings,
    /// A ring has fewer than 4 positions (a triangle plus the repeated first position is the
    /// least a closed ring can be).
    TooFewPositions { ring: usize, count: usize },
    /// A ring's last position is not its first.
    NotClosed { ring: usize, first: [f64; 2], last: [f64; 2] },
    /// A coordinate is NaN or infinite (first one per ring).
    NonFiniteCoordinate { ring: usize, index: usize },
    /// A position outside longitude −180…180 or latitude −90…90 (first one per ring), usually a
    /// projected file or swapped axes.
    CoordinateOutOfRange { ring: usize, index: usize, position: [f64; 2] },
    /// All the ring's positions lie on one line, so it encloses no area.
    ZeroArea { ring: usize },
    /// Two edges of one ring cross, touch or double back (the most serious contact per ring).
    SelfIntersection { ring: usize, contact: Contact, near: [f64; 2] },
    /// Two rings of the polygon cross or run along each other (touching at a point is allowed).
    RingsCross { ring: usize, other: usize, contact: Contact, near: [f64; 2] },
    /// A hole is not inside the exterior ring.
    HoleOutside { ring: usize, near: [f64; 2] },
    /// Two holes share area (one inside the other, or overlapping).
    HolesOverlap { ring: usize, other: usize, near: [f64; 2] },
}

/// `(106.61, 35.48)`: at most 6 decimals (about 0.1 m), trailing zeros dropped.
struct At([f64; 2]);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn num(v: f64) -> String {
            if !v.is_finite() {
                return v.to_string();
            }
            let s = format!("{v:.6}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".to_owned()
            } else {
                s.to_owned()
            }
        }
        write!(f, "({}, {})", num(self.0[0]), num(self.0[1]))
    }
}

impl fmt::Display for GeometryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::NoRings => f.write_str("the polygon has no rings"),
            Self::TooFewPositions { ring, count } => {
                write!(f, "ring {ring} has {count} positions; a closed ring needs at least 4")
            }
            Self::NotClosed { ring, first, last } => {
                write!(f, "ring {ring} is not closed: it starts at {} but ends at {}", At(first), At(last))
            }
            Self::NonFiniteCoordinate { ring, index } => {
                write!(f, "ring {ring}, position {index}: a coordinate is not a finite number")
            }
            Self::CoordinateOutOfRange { ring, index, position } => write!(
                f,
                "ring {ring}, position {index}: {} is outside longitude -180..180 / latitude -90..90",
                At(position)
            ),
            Self::ZeroArea { ring } => {
                write!(f, "ring {ring} encloses no area (all its positions lie on one line)")
            }
            Self::SelfIntersection { ring, contact, near } => {
                let what = match contact {
                    Contact::Crosses => "crosses itself",
                    Contact::Touches => "touches itself",
                    Contact::Overlaps => "doubles back along itself",
                };
                write!(f, "ring {ring} {what} near {}", At(near))
            }
            Self::RingsCross { ring, other, contact, near } => {
                let what = match contact {
                    Contact::Crosses => "cross",
                    Contact::Touches => "touch",
                    Contact::Overlaps => "run along each other",
                };
                write!(f, "rings {ring} and {other} {what} near {}", At(near))
            }
            Self::HoleOutside { ring, near } => {
                write!(f, "hole ring {ring} is not inside the exterior ring (near {})", At(near))
            }
            Self::HolesOverlap { ring, other, near } => {
                write!(f, "hole rings {ring} and {other} overlap near {}", At(near))
            }
        }
    }
}

/// How two segments meet, exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Meet {
    Apart,
    Cross(Coord<f64>),
    Touch(Coord<f64>),
    Overlap(Coord<f64>),
}

fn lex_lt(a: Coord<f64>, b: Coord<f64>) -> bool {
    a.x < b.x || (a.x == b.x && a.y < b.y)
}

fn in_box(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> bool {
    between(p.x, a.x, b.x) && between(p.y, a.y, b.y)
}

/// Exact classification of how segments `a1a2` and `b1b2` (each of non-zero length) meet.
fn meet(a1: Coord<f64>, a2: Coord<f64>, b1: Coord<f64>, b2: Coord<f64>) -> Meet {
    use Orientation::Collinear;
    let o1 = orient(a1, a2, b1);
    let o2 = orient(a1, a2, b2);
    if o1 == o2 && o1 != Collinear {
        return Meet::Apart;
    }
    let o3 = orient(b1, b2, a1);
    let o4 = orient(b1, b2, a2);
    if o3 == o4 && o3 != Collinear {
        return Meet::Apart;
    }
    if o1 == Collinear && o2 == Collinear {
        // On one line, the lexicographic order of positions is their order along the line.
        let (amin, amax) = if lex_lt(a2, a1) { (a2, a1) } else { (a1, a2) };
        let (bmin, bmax) = if lex_lt(b2, b1) { (b2, b1) } else { (b1, b2) };
        let lo = if lex_lt(amin, bmin) { bmin } else { amin };
        let hi = if lex_lt(amax, bmax) { amax } else { bmax };
        return if lex_lt(hi, lo) {
            Meet::Apart
        } else if lo == hi {
            Meet::Touch(lo)
        } else {
            Meet::Overlap(lo)
        };
    }
    if o1 != Collinear && o2 != Collinear && o3 != Collinear && o4 != Collinear {
        // Signs differ on both sides: a proper crossing. The point is only for the message.
        let d = a2 - a1;
        let e = b2 - b1;
        let t = ((b1.x - a1.x) * e.y - (b1.y - a1.y) * e.x) / (d.x * e.y - d.y * e.x);
        return Meet::Cross(a1 + d * t);
    }
    // Otherwise they can only meet at an endpoint of one lying on the other.
    if o1 == Collinear && in_box(b1, a1, a2) {
        Meet::Touch(b1)
    } else if o2 == Collinear && in_box(b2, a1, a2) {
        Meet::Touch(b2)
    } else if o3 == Collinear && in_box(a1, b1, b2) {
        Meet::Touch(a1)
    } else if o4 == Collinear && in_box(a2, b1, b2) {
        Meet::Touch(a2)
    } else {
        Meet::Apart
    }
}

fn to_pair(c: Coord<f64>) -> [f64; 2] {
    [c.x, c.y]
}

/// Everything wrong with one polygon, in ring order; an empty list means the importer can use it.
///
/// Checks, per ring: at least 4 positions, closed, finite coordinates within longitude ±180 and
/// latitude ±90, some area. Then, over the rings that passed those (an unclosed ring is checked
/// as if closed): no ring crosses, touches or doubles back on itself; no two rings cross or run
/// along each other (touching at a single point is allowed, as in OGC simple features); every
/// hole lies inside the exterior ring; no two holes share area.
///
/// Crossings are found with a sweep over edges sorted by x, with exact predicates, so a ring of
/// n edges costs about n log n when its edges are short compared to its width. At most one
/// crossing (the most serious) is reported per ring and per pair of rings, and one bad coordinate
/// per ring.
#[must_use]
pub fn polygon_problems(rings: &Rings) -> Vec<GeometryProblem> {
    use GeometryProblem as P;
    let mut out = Vec::new();
    if rings.is_empty() {
        out.push(P::NoRings);
        return out;
    }
    // Rings fit for the crossing checks: closed, without repeated consecutive positions.
    let mut clean: Vec<Option<Vec<Coord<f64>>>> = Vec::with_capacity(rings.len());
    for (ri, ring) in rings.iter().enumerate() {
        let mut fit = true;
        if ring.len() < 4 {
            out.push(P::TooFewPositions { ring: ri, count: ring.len() });
            fit = false;
        }
        if let (Some(first), Some(last)) = (ring.first(), ring.last()) {
            if first != last && ring.len() >= 2 {
                out.push(P::NotClosed { ring: ri, first: *first, last: *last });
            }
        }
        if let Some(index) = ring.iter().position(|p| !(p[0].is_finite() && p[1].is_finite())) {
            out.push(P::NonFiniteCoordinate { ring: ri, index });
            fit = false;
        } else if let Some(index) =
            ring.iter().position(|p| !(-180.0..=180.0).contains(&p[0]) || !(-90.0..=90.0).contains(&p[1]))
        {
            out.push(P::CoordinateOutOfRange { ring: ri, index, position: ring[index] });
            // Like a non-finite one: a value such as 1e308 overflows the crossing points and
            // geo's `relate` (found by tests/fuzz; a debug assertion fails inside geo).
            fit = false;
        }
        if !fit {
            clean.push(None);
            continue;
        }
        let mut pts = closed_ring(ring);
        pts.dedup();
        if all_on_one_line(&pts) {
            out.push(P::ZeroArea { ring: ri });
            clean.push(None);
            continue;
        }
        clean.push(Some(pts));
    }

    let (self_hits, pair_hits) = crossings(&clean);
    for (ring, hit) in self_hits.iter().enumerate() {
        if let Some((contact, near)) = *hit {
            out.push(P::SelfIntersection { ring, contact, near: to_pair(near) });
        }
    }
    for (&(ring, other), hit) in &pair_hits {
        if let Some((contact, near)) = *hit {
            out.push(P::RingsCross { ring, other, contact, near: to_pair(near) });
        }
    }

    // Containment only means something for rings that are simple and do not cross: a hole that
    // crosses the exterior has already been reported.
    let sound = |i: usize| -> Option<&[Coord<f64>]> {
        let involved = self_hits[i].is_some() || pair_hits.keys().any(|&(a, b)| a == i || b == i);
        if involved {
            None
        } else {
            clean[i].as_deref()
        }
    };
    let Some(exterior) = sound(0) else { return out };
    let ring_polygon = |r: &[Coord<f64>]| Polygon::new(LineString::from(r.to_vec()), vec![]);
    let ext_poly = ring_polygon(exterior);
    let holes: Vec<_> = (1..rings.len()).filter_map(|i| sound(i).map(|r| (i, r, ring_polygon(r)))).collect();
    for (i, hole, poly) in &holes {
        // Topological containment (DE-9IM): touching the exterior at points is fine.
        if !ext_poly.relate(poly).is_contains() {
            let near = hole
                .iter()
                .find(|c| ring_pos(exterior, **c) == Pos::Outside)
                .or(hole.first())
                .map_or([0.0, 0.0], |c| to_pair(*c));
            out.push(P::HoleOutside { ring: *i, near });
        }
    }
    for (k, (i, hole_i, poly_i)) in holes.iter().enumerate() {
        for (j, hole_j, poly_j) in &holes[k + 1..] {
            if poly_i.relate(poly_j).get(CoordPos::Inside, CoordPos::Inside) == Dimensions::TwoDimensional {
                let near = hole_j
                    .iter()
                    .find(|c| ring_pos(hole_i, **c) == Pos::Inside)
                    .or_else(|| hole_i.iter().find(|c| ring_pos(hole_j, **c) == Pos::Inside))
                    .or(hole_j.first())
                    .map_or([0.0, 0.0], |c| to_pair(*c));
                out.push(P::HolesOverlap { ring: *i, other: *j, near });
            }
        }
    }
    out
}

fn all_on_one_line(pts: &[Coord<f64>]) -> bool {
    let Some(&a) = pts.first() else { return true };
    let Some(&b) = pts.iter().find(|p| **p != a) else {
        return true;
    };
    pts.iter().all(|p| orient(a, b, *p) == Orientation::Collinear)
}

struct Seg {
    ring: usize,
    edge: usize,
    a: Coord<f64>,
    b: Coord<f64>,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

type SelfHits = Vec<Option<(Contact, Coord<f64>)>>;
type PairHits = BTreeMap<(usize, usize), Option<(Contact, Coord<f64>)>>;

/// Keeps the most serious contact seen (a crossing, then a shared stretch, then a touch), and
/// the first one found among equals, so one ring gets one clear message.
fn keep_worst(slot: &mut Option<(Contact, Coord<f64>)>, hit: (Contact, Coord<f64>)) {
    let rank = |c: Contact| match c {
        Contact::Crosses => 2,
        Contact::Overlaps => 1,
        Contact::Touches => 0,
    };
    if slot.is_none_or(|(c, _)| rank(hit.0) > rank(c)) {
        *slot = Some(hit);
    }
}

/// The worst self-contact per ring and crossing per pair of rings, by a sweep along x: edges
/// sorted by their left end, each compared only with the edges that start before it ends.
fn crossings(rings: &[Option<Vec<Coord<f64>>>]) -> (SelfHits, PairHits) {
    let mut self_hits: SelfHits = vec![None; rings.len()];
    let mut pair_hits = PairHits::new();
    let mut edges_in_ring = vec![0usize; rings.len()];
    let mut segs = Vec::new();
    for (ring, pts) in rings.iter().enumerate() {
        let Some(pts) = pts else { continue };
        edges_in_ring[ring] = pts.len().saturating_sub(1);
        for (edge, w) in pts.windows(2).enumerate() {
            let (a, b) = (w[0], w[1]);
            segs.push(Seg { ring, edge, a, b, x0: a.x.min(b.x), x1: a.x.max(b.x), y0: a.y.min(b.y), y1: a.y.max(b.y) });
        }
    }
    segs.sort_by(|s, t| s.x0.total_cmp(&t.x0).then(s.ring.cmp(&t.ring)).then(s.edge.cmp(&t.edge)));
    for (i, s) in segs.iter().enumerate() {
        for t in segs[i + 1..].iter().take_while(|t| t.x0 <= s.x1) {
            if t.y0 > s.y1 || t.y1 < s.y0 {
                continue;
            }
            let hit = match meet(s.a, s.b, t.a, t.b) {
                Meet::Apart => continue,
                Meet::Touch(p) => (Contact::Touches, p),
                Meet::Cross(p) => (Contact::Crosses, p),
                Meet::Overlap(p) => (Contact::Overlaps, p),
            };
            if s.ring == t.ring {
                let n = edges_in_ring[s.ring];
                let (lo, hi) = (s.edge.min(t.edge), s.edge.max(t.edge));
                let adjacent = hi == lo + 1 || (lo == 0 && hi + 1 == n);
                // Consecutive edges always share their common vertex.
                if !(adjacent && hit.0 == Contact::Touches) {
                    keep_worst(&mut self_hits[s.ring], hit);
                }
            } else if hit.0 != Contact::Touches {
                // Rings may touch at a point (OGC), not cross or share a stretch of boundary.
                keep_worst(pair_hits.entry((s.ring.min(t.ring), s.ring.max(t.ring))).or_default(), hit);
            }
        }
    }
    (self_hits, pair_hits)
}

/// One polygon of one cell in the overlap check's R-tree.
struct Piece {
    env: AABB<[f64; 2]>,
    cell: usize,
    poly: usize,
}

impl RTreeObject for Piece {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.env
    }
}

/// Above this many exterior positions in a pair, the separating-line shortcut (quadratic in the
/// pair's size) is skipped in favour of the exact overlay.
const SEPARATOR_MAX_POSITIONS: usize = 64;

/// Whether the line of some exterior edge of `a` or `b` has all of one polygon on one closed
/// side and all of the other on the other. Then their interiors cannot meet (each polygon lies in
/// the convex hull of its exterior). Exact; for two convex polygons whose interiors are disjoint
/// such a line always exists (separating axis theorem), which is the common case of neighbours
/// in a tiling, so the costly overlay runs only for the rest.
fn separated(a: &[Coord<f64>], b: &[Coord<f64>]) -> bool {
    fn side_of_all(p: Coord<f64>, q: Coord<f64>, pts: &[Coord<f64>]) -> Option<Orientation> {
        let mut side = Orientation::Collinear;
        for r in pts {
            match orient(p, q, *r) {
                Orientation::Collinear => {}
                o if side == Orientation::Collinear => side = o,
                o if o != side => return None,
                _ => {}
            }
        }
        Some(side)
    }
    for (own, other) in [(a, b), (b, a)] {
        for w in own.windows(2) {
            if w[0] == w[1] {
                continue;
            }
            let Some(own_side) = side_of_all(w[0], w[1], own) else {
                continue;
            };
            let Some(other_side) = side_of_all(w[0], w[1], other) else {
                continue;
            };
            if own_side == Orientation::Collinear || other_side != own_side {
                return true;
            }
        }
    }
    false
}

/// Pairs of distinct cells whose interiors overlap, each pair once with the smaller code first,
/// sorted. Sharing an edge or a vertex is not an overlap.
///
/// `tolerance` is relative: two polygons overlap when the area they share exceeds `tolerance`
/// times the smaller one's area. Use something like `1e-9`, to ignore slivers that are only
/// rounding (the overlay snaps coordinates to an integer grid); `0.0` reports any shared area.
///
/// Candidate pairs come from an R-tree of polygon envelopes; each candidate is first tried with
/// an exact separating-line test (enough for convex neighbours), and only if that fails is the
/// shared area computed with geo's boolean intersection. Polygons that routing would skip (an
/// exterior with fewer than 4 positions, or a non-finite coordinate) are skipped here too; the
/// polygons are assumed to pass [`polygon_problems`]. Entries with the same code count as one
/// cell.
#[must_use]
pub fn overlapping_cells(cells: &[(String, Vec<Rings>)], tolerance: f64) -> Vec<(String, String)> {
    struct Prepared<'a> {
        cell: usize,
        rings: &'a Rings,
        exterior: Vec<Coord<f64>>,
        /// Built on first use: most polygons never need the overlay.
        polygon: Option<(Polygon<f64>, f64)>,
    }
    let mut pieces = Vec::new();
    let mut prepared: Vec<Prepared<'_>> = Vec::new();
    for (cell, (_, polys)) in cells.iter().enumerate() {
        for rings in polys.iter().filter(|r| usable(r)) {
            let Some(exterior) = rings.first().map(|r| closed_ring(r)) else {
                continue;
            };
            let Some(env) = envelope(&exterior) else {
                continue;
            };
            pieces.push(Piece { env, cell, poly: prepared.len() });
            prepared.push(Prepared { cell, rings, exterior, polygon: None });
        }
    }
    let tree = RTree::bulk_load(pieces);

    let mut candidates: Vec<(usize, usize)> = Vec::new();
    for p in &tree {
        let _ = tree.locate_in_envelope_intersecting_int(&p.env, |q| {
            if q.poly > p.poly && cells[q.cell].0 != cells[p.cell].0 {
                let (lo, hi) = (p.env.lower(), p.env.upper());
                let (qlo, qhi) = (q.env.lower(), q.env.upper());
                // Envelopes that only share a line cannot hold shared area.
                let w = hi[0].min(qhi[0]) - lo[0].max(qlo[0]);
                let h = hi[1].min(qhi[1]) - lo[1].max(qlo[1]);
                if w > 0.0 && h > 0.0 {
                    candidates.push((p.poly, q.poly));
                }
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
    }

    let mut found: Vec<(String, String)> = Vec::new();
    for (i, j) in candidates {
        let (a, b) = (&prepared[i], &prepared[j]);
        if a.exterior.len() + b.exterior.len() <= SEPARATOR_MAX_POSITIONS && separated(&a.exterior, &b.exterior) {
            continue;
        }
        for k in [i, j] {
            if prepared[k].polygon.is_none() {
                let poly = to_geo_polygon(prepared[k].rings);
                let area = poly.unsigned_area();
                prepared[k].polygon = Some((poly, area));
            }
        }
        let (Some((pa, area_a)), Some((pb, area_b))) = (&prepared[i].polygon, &prepared[j].polygon) else {
            continue;
        };
        let shared = pa.intersection(pb).unsigned_area();
        if shared > 0.0 && shared > tolerance * area_a.min(*area_b) {
            let (x, y) = (&cells[prepared[i].cell].0, &cells[prepared[j].cell].0);
            found.push(if x < y { (x.clone(), y.clone()) } else { (y.clone(), x.clone()) });
        }
    }
    found.sort();
    found.dedup();
    found
}

fn to_geo_polygon(rings: &Rings) -> Polygon<f64> {
    let mut it = rings.iter().map(|r| LineString::from(r.iter().map(|p| coord(*p)).collect::<Vec<_>>()));
    let exterior = it.next().unwrap_or_else(|| LineString::new(vec![]));
    Polygon::new(exterior, it.collect())
}

/// Random tilings for the tests here and in `routing`.
#[cfg(test)]
pub(crate) mod tiling {
    use super::Rings;

    /// xorshift64*: enough randomness for test data, and no `rand` in the domain crate.
    pub(crate) struct Rng(pub(crate) u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Self {
            Self(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
        }
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        pub(crate) fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
            for i in (1..v.len()).rev() {
                v.swap(i, self.below(i + 1));
            }
        }
    }

    /// A tiling of about `[0, nx] × [0, ny]` by jittered quadrilaterals whose vertices are
    /// multiples of 1/256 (so every edge midpoint is exactly on its edge). About one cell in six
    /// has a square hole filled by an island cell of its own; about one in six is split along
    /// a diagonal, its second triangle handed to a random cell (which becomes a MultiPolygon).
    /// Codes are a random permutation, so the smallest code is anywhere.
    pub(crate) fn jittered(nx: usize, ny: usize, seed: u64) -> Vec<(String, Vec<Rings>)> {
        let mut rng = Rng::new(seed);
        let mut vertex = vec![vec![[0.0; 2]; ny + 1]; nx + 1];
        for (i, col) in vertex.iter_mut().enumerate() {
            for (j, v) in col.iter_mut().enumerate() {
                let dx = rng.below(97) as f64 - 48.0;
                let dy = rng.below(97) as f64 - 48.0;
                *v = [i as f64 + dx / 256.0, j as f64 + dy / 256.0];
            }
        }
        let n = nx * ny;
        let mut perm: Vec<usize> = (0..2 * n).collect();
        rng.shuffle(&mut perm);
        let code = |k: usize| format!("G{:04}", perm[k]);
        let mut cells: Vec<(String, Vec<Rings>)> = Vec::new();
        let mut at = vec![0; n];
        let mut handed: Vec<(usize, Rings)> = Vec::new();
        for i in 0..nx {
            for j in 0..ny {
                let k = i * ny + j;
                let (a, b, c, d) = (vertex[i][j], vertex[i + 1][j], vertex[i + 1][j + 1], vertex[i][j + 1]);
                at[k] = cells.len();
                match rng.below(6) {
                    0 => {
                        let m = [(a[0] + b[0] + c[0] + d[0]) / 4.0, (a[1] + b[1] + c[1] + d[1]) / 4.0];
                        let h = 1.0 / 16.0;
                        let (p, q, r, s) =
                            ([m[0] - h, m[1] - h], [m[0] + h, m[1] - h], [m[0] + h, m[1] + h], [m[0] - h, m[1] + h]);
                        cells.push((code(k), vec![vec![vec![a, b, c, d, a], vec![p, s, r, q, p]]]));
                        cells.push((code(n + k), vec![vec![vec![p, q, r, s, p]]]));
                    }
                    1 => {
                        cells.push((code(k), vec![vec![vec![a, b, c, a]]]));
                        handed.push((rng.below(n), vec![vec![a, c, d, a]]));
                    }
                    _ => cells.push((code(k), vec![vec![vec![a, b, c, d, a]]])),
                }
            }
        }
        for (k, rings) in handed {
            cells[at[k]].1.push(rings);
        }
        cells
    }
}

#[cfg(test)]
mod tests {
    use super::tiling::{jittered, Rng};
    use super::*;
    use proptest::prelude::*;
    use GeometryProblem as P;

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    }
    fn only(rings: Rings) -> GeometryProblem {
        let mut problems = polygon_problems(&rings);
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems.remove(0)
    }

    #[test]
    fn valid_polygons_have_no_problems() {
        assert_eq!(polygon_problems(&vec![square(106.0, 35.0, 106.1, 35.1)]), vec![]);
        // A hole may touch the exterior at a point, and another hole at a point.
        let rings = vec![
            square(0.0, 0.0, 4.0, 4.0),
            vec![[0.0, 2.0], [1.0, 1.0], [2.0, 2.0], [1.0, 3.0], [0.0, 2.0]],
            vec![[2.0, 2.0], [3.0, 1.0], [3.5, 2.0], [3.0, 3.0], [2.0, 2.0]],
        ];
        assert_eq!(polygon_problems(&rings), vec![]);
        // Repeated consecutive positions are harmless.
        let rings = vec![vec![[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]];
        assert_eq!(polygon_problems(&rings), vec![]);
    }

    #[test]
    fn too_few_positions_unclosed_and_empty() {
        assert_eq!(polygon_problems(&vec![]), vec![P::NoRings]);
        let p = only(vec![vec![[0.0, 0.0], [1.0, 0.0], [0.0, 0.0]]]);
        assert_eq!(p, P::TooFewPositions { ring: 0, count: 3 });
        assert_eq!(p.to_string(), "ring 0 has 3 positions; a closed ring needs at least 4");
        let p = only(vec![vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]]);
        assert_eq!(p, P::NotClosed { ring: 0, first: [0.0, 0.0], last: [0.0, 1.0] });
        assert_eq!(p.to_string(), "ring 0 is not closed: it starts at (0, 0) but ends at (0, 1)");
    }

    #[test]
    fn bad_coordinates() {
        let mut ring = square(0.0, 0.0, 1.0, 1.0);
        ring[2] = [f64::NAN, 1.0];
        let p = only(vec![ring]);
        assert_eq!(p, P::NonFiniteCoordinate { ring: 0, index: 2 });
        assert_eq!(p.to_string(), "ring 0, position 2: a coordinate is not a finite number");
        // Swapped axes: latitude 106 is impossible.
        let ring = vec![[35.0, 106.0], [35.1, 106.0], [35.1, 106.1], [35.0, 106.0]];
        let p = only(vec![ring]);
        assert_eq!(p, P::CoordinateOutOfRange { ring: 0, index: 0, position: [35.0, 106.0] });
        assert_eq!(p.to_string(), "ring 0, position 0: (35, 106) is outside longitude -180..180 / latitude -90..90");
        // Found by tests/fuzz: a huge coordinate in a hole used to reach geo's `relate`, where a
        // debug assertion failed. A ring out of range is not checked for crossings.
        let rings = vec![
            vec![[45.61981254268811, 3.0], [180.0, 0.0], [-1.0, -1.0], [45.61981254268811, 3.0]],
            vec![[0.0, 0.0], [-1e308, 61.265517744183306], [0.0, 1.0], [0.0, 5e-324]],
        ];
        assert_eq!(
            polygon_problems(&rings),
            vec![
                P::NotClosed { ring: 1, first: [0.0, 0.0], last: [0.0, 5e-324] },
                P::CoordinateOutOfRange { ring: 1, index: 1, position: [-1e308, 61.265517744183306] },
            ]
        );
    }

    #[test]
    fn zero_area() {
        let p = only(vec![vec![[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.0, 0.0]]]);
        assert_eq!(p, P::ZeroArea { ring: 0 });
        assert_eq!(p.to_string(), "ring 0 encloses no area (all its positions lie on one line)");
    }

    #[test]
    fn self_intersections() {
        // A bow tie crosses itself in the middle.
        let p = only(vec![vec![[106.6, 35.46], [106.62, 35.5], [106.62, 35.46], [106.6, 35.5], [106.6, 35.46]]]);
        assert!(matches!(p, P::SelfIntersection { ring: 0, contact: Contact::Crosses, .. }), "{p:?}");
        assert_eq!(p.to_string(), "ring 0 crosses itself near (106.61, 35.48)");
        // A ring through the same point twice (two triangles joined at a vertex).
        let p = only(vec![vec![[0.0, 0.0], [2.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.0, 2.0], [1.0, 1.0], [0.0, 0.0]]]);
        assert_eq!(p, P::SelfIntersection { ring: 0, contact: Contact::Touches, near: [1.0, 1.0] });
        assert_eq!(p.to_string(), "ring 0 touches itself near (1, 1)");
        // A spike out and back along the same line.
        let p = only(vec![vec![
            [0.0, 0.0],
            [4.0, 0.0],
            [4.0, 4.0],
            [2.0, 4.0],
            [2.0, 6.0],
            [2.0, 4.0],
            [0.0, 4.0],
            [0.0, 0.0],
        ]]);
        assert!(matches!(p, P::SelfIntersection { ring: 0, contact: Contact::Overlaps, .. }), "{p:?}");
        assert_eq!(p.to_string(), "ring 0 doubles back along itself near (2, 4)");
        // In a hole, numbered as a hole.
        let p =
            only(vec![square(0.0, 0.0, 10.0, 10.0), vec![[1.0, 1.0], [3.0, 3.0], [3.0, 1.0], [1.0, 3.0], [1.0, 1.0]]]);
        assert_eq!(p.to_string(), "ring 1 crosses itself near (2, 2)");
    }

    #[test]
    fn rings_crossing_each_other() {
        let p = only(vec![square(0.0, 0.0, 4.0, 4.0), square(3.0, 1.0, 5.0, 2.0)]);
        assert!(matches!(p, P::RingsCross { ring: 0, other: 1, contact: Contact::Crosses, .. }), "{p:?}");
        assert_eq!(p.to_string(), "rings 0 and 1 cross near (4, 1)");
        // A hole sharing part of an edge with the exterior.
        let p =
            only(vec![square(0.0, 0.0, 4.0, 4.0), vec![[0.0, 1.0], [1.0, 1.0], [1.0, 2.0], [0.0, 2.0], [0.0, 1.0]]]);
        assert!(matches!(p, P::RingsCross { ring: 0, other: 1, contact: Contact::Overlaps, .. }), "{p:?}");
        assert_eq!(p.to_string(), "rings 0 and 1 run along each other near (0, 1)");
        let p = only(vec![square(0.0, 0.0, 9.0, 9.0), square(1.0, 1.0, 3.0, 3.0), square(2.0, 2.0, 4.0, 4.0)]);
        assert!(matches!(p, P::RingsCross { ring: 1, other: 2, contact: Contact::Crosses, .. }), "{p:?}");
    }

    #[test]
    fn holes_outside_or_inside_each_other() {
        let p = only(vec![square(0.0, 0.0, 4.0, 4.0), square(5.0, 5.0, 6.0, 6.0)]);
        assert_eq!(p, P::HoleOutside { ring: 1, near: [5.0, 5.0] });
        assert_eq!(p.to_string(), "hole ring 1 is not inside the exterior ring (near (5, 5))");
        // Touching the exterior at a corner and lying outside it.
        let p = only(vec![square(0.0, 0.0, 4.0, 4.0), square(4.0, 4.0, 5.0, 5.0)]);
        assert_eq!(p, P::HoleOutside { ring: 1, near: [5.0, 4.0] });
        // A hole that holds the exterior is not inside it either.
        let p = only(vec![square(1.0, 1.0, 2.0, 2.0), square(0.0, 0.0, 3.0, 3.0)]);
        assert!(matches!(p, P::HoleOutside { ring: 1, .. }), "{p:?}");
        // Nested holes.
        let p = only(vec![square(0.0, 0.0, 10.0, 10.0), square(1.0, 1.0, 9.0, 9.0), square(2.0, 2.0, 8.0, 8.0)]);
        assert_eq!(p, P::HolesOverlap { ring: 1, other: 2, near: [2.0, 2.0] });
        assert_eq!(p.to_string(), "hole rings 1 and 2 overlap near (2, 2)");
        // A diamond inside a square, touching its edges only at its own corners: no vertex of
        // either is strictly inside the other, yet they share area.
        let diamond = vec![[2.0, 1.0], [3.0, 2.0], [2.0, 3.0], [1.0, 2.0], [2.0, 1.0]];
        let p = only(vec![square(0.0, 0.0, 10.0, 10.0), square(1.0, 1.0, 3.0, 3.0), diamond]);
        assert!(matches!(p, P::HolesOverlap { ring: 1, other: 2, .. }), "{p:?}");
    }

    #[test]
    fn several_problems_are_all_listed() {
        let rings = vec![vec![[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]], vec![[200.0, 0.0], [0.5, 0.5]]];
        let problems = polygon_problems(&rings);
        assert_eq!(
            problems,
            vec![
                P::NotClosed { ring: 0, first: [0.0, 0.0], last: [0.0, 1.0] },
                P::TooFewPositions { ring: 1, count: 2 },
                P::NotClosed { ring: 1, first: [200.0, 0.0], last: [0.5, 0.5] },
                P::CoordinateOutOfRange { ring: 1, index: 0, position: [200.0, 0.0] },
                P::SelfIntersection { ring: 0, contact: Contact::Crosses, near: [0.5, 0.5] },
            ]
        );
    }

    fn cell(code: &str, polys: Vec<Rings>) -> (String, Vec<Rings>) {
        (code.to_owned(), polys)
    }

    #[test]
    fn overlaps_are_found_and_shared_boundaries_are_not() {
        let cells = vec![
            cell("C", vec![vec![square(0.0, 0.0, 1.0, 1.0)]]),
            // Shares C's right edge, and only part of it.
            cell("D", vec![vec![square(1.0, 0.5, 2.0, 1.5)]]),
            // Shares only a corner with C.
            cell("E", vec![vec![square(-1.0, -1.0, 0.0, 0.0)]]),
            // Overlaps D.
            cell("B", vec![vec![square(1.5, 1.0, 2.5, 2.0)]]),
            // Inside C, as a second polygon of A.
            cell("A", vec![vec![square(10.0, 10.0, 11.0, 11.0)], vec![square(0.25, 0.25, 0.5, 0.5)]]),
            // C again under another code.
            cell("F", vec![vec![square(0.0, 0.0, 1.0, 1.0)]]),
            // The same code twice is one cell, not an overlap.
            cell("E", vec![vec![square(-1.0, -1.0, 0.0, 0.0)]]),
        ];
        let pairs: Vec<(String, String)> = vec![("A", "C"), ("A", "F"), ("B", "D"), ("C", "F")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect();
        assert_eq!(overlapping_cells(&cells, 1e-9), pairs);
    }

    #[test]
    fn a_hole_filled_by_another_cell_is_not_an_overlap_but_a_bigger_island_is() {
        let outer = square(0.0, 0.0, 4.0, 4.0);
        let hole = vec![[1.0, 1.0], [1.0, 3.0], [3.0, 3.0], [3.0, 1.0], [1.0, 1.0]];
        let cells = vec![cell("M", vec![vec![outer.clone(), hole.clone()]]), cell("N", vec![vec![hole]])];
        assert_eq!(overlapping_cells(&cells, 0.0), vec![]);
        let cells = vec![
            cell("M", vec![vec![outer, square(1.0, 1.0, 3.0, 3.0)]]),
            cell("N", vec![vec![square(1.0, 1.0, 3.0, 3.5)]]),
        ];
        assert_eq!(overlapping_cells(&cells, 1e-9), vec![("M".to_owned(), "N".to_owned())]);
    }

    #[test]
    fn tolerance_is_relative_to_the_smaller_polygon() {
        // The two squares share a 0.001-wide strip: 0.1 % of either.
        let cells = vec![
            cell("A", vec![vec![square(0.0, 0.0, 1.0, 1.0)]]),
            cell("B", vec![vec![square(0.999, 0.0, 2.0, 1.0)]]),
        ];
        assert_eq!(overlapping_cells(&cells, 1e-4).len(), 1);
        assert_eq!(overlapping_cells(&cells, 1e-2).len(), 0);
    }

    /// Every pair, no index, no shortcut.
    fn brute_overlaps(cells: &[(String, Vec<Rings>)], tolerance: f64) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (i, (a, pa)) in cells.iter().enumerate() {
            for (b, pb) in &cells[i + 1..] {
                let hit = pa.iter().any(|x| {
                    pb.iter().any(|y| {
                        let (x, y) = (to_geo_polygon(x), to_geo_polygon(y));
                        let shared = x.intersection(&y).unsigned_area();
                        shared > 0.0 && shared > tolerance * x.unsigned_area().min(y.unsigned_area())
                    })
                });
                if hit && a != b {
                    out.push(if a < b { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) });
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn jittered_tilings_are_valid_and_do_not_overlap(nx in 1usize..8, ny in 1usize..8, seed: u64) {
            let cells = jittered(nx, ny, seed);
            for (code, polys) in &cells {
                for rings in polys {
                    prop_assert_eq!(polygon_problems(rings), vec![], "{}", code);
                }
            }
            prop_assert_eq!(overlapping_cells(&cells, 1e-9), vec![]);
        }

        #[test]
        fn overlaps_match_brute_force(nx in 1usize..5, ny in 1usize..5, seed: u64, extra in 1usize..4) {
            let mut cells = jittered(nx, ny, seed);
            // Drop a few random squares on the tiling, some on lattice lines.
            let mut rng = Rng::new(seed.rotate_left(17));
            for k in 0..extra {
                let x = rng.below(8 * nx) as f64 / 8.0;
                let y = rng.below(8 * ny) as f64 / 8.0;
                let s = (1 + rng.below(12)) as f64 / 8.0;
                cells.push((format!("X{k}"), vec![vec![square(x, y, x + s, y + s)]]));
            }
            prop_assert_eq!(overlapping_cells(&cells, 1e-9), brute_overlaps(&cells, 1e-9));
        }
    }
}
