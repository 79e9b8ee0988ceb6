//! Grid cells drawn as a server-rendered SVG map, shaded by a value: the public statistics page
//! and the staff map use it without JavaScript or a tile server.
//!
//! - [`render`] turns [`MapCell`]s (GeoJSON polygons in lon/lat degrees) into one `<svg>` string;
//!   [`render_with`] does the same in a given [`Projection`], with a [`Pin`] (the resident's map
//!   on the wizard's "where" step, issue 14).
//! - [`Projection`] is where lon/lat land in the drawing and back ([`Projection::unproject`]: a
//!   tap on the drawing as a point on the ground; the browser's map island uses it).
//! - [`shade_of`] picks a cell's shade class from its value and the largest value on the map.
//! - [`render_scaled`] draws the same with the caller's own five shade classes (a map shaded by
//!   something else than a count, e.g. the statistics page's satisfaction bands).
//! - [`inner_points`] finds points surely inside a cell (never in a hole, unlike a centroid of a
//!   concave cell): where its label goes, and where a cell picked on the map puts the appeal.
//!
//! The output carries no inline styles and no `<style>` element (the site's CSP forbids them);
//! the page's stylesheet colours it through these classes:
//!
//! - `cellmap` on the `<svg>`;
//! - `cell` on every cell's `<path>`, plus one of `s0` … `s4` (its shade; with
//!   [`render_scaled`], the class the caller gives for that shade instead);
//! - `marked` on the `<path>` of a cell drawn with a marker (for instance a thick outline);
//! - `label` on a cell's `<text>` (its visible name, one `<tspan>` per line, centred);
//! - `pin` on the `<circle id="map-pin">` of a [`Pin`].
//!
//! Projection: equirectangular, `x = lon · cos(mid_lat)`, `y = −lat` (so north is up and `y`
//! grows southward), where `mid_lat` is the middle of the latitudes drawn. The bounding box of
//! every drawn point is fitted to the requested width, less a margin of
//! [`MARGIN`] × width on each side; the height follows from the aspect ratio (at least 1, and at
//! most [`MAX_ASPECT`] × width, beyond which the drawing is scaled down and centred
//! horizontally). Coordinates are rounded to 0.1 user unit.
//!
//! The output depends only on the input (no hashing, no clock), so the same cells always give
//! the same string.

use std::fmt::Write as _;

/// Margin on each side, as a fraction of the width.
pub const MARGIN: f64 = 0.02;

/// The tallest map drawn, as a multiple of the width: a very tall (or degenerate, zero-width)
/// set of cells is scaled to this height instead of to the full width.
pub const MAX_ASPECT: f64 = 4.0;

/// The largest shade class; [`render`] draws larger values as this one.
pub const MAX_SHADE: u8 = 4;

/// The classes of shades `0..=4` on a count map ([`render`], [`render_with`]).
pub const COUNT_SHADES: [&str; 5] = ["s0", "s1", "s2", "s3", "s4"];

/// One grid cell to draw.
#[derive(Debug, Clone)]
pub struct MapCell<'a> {
    /// The cell's code (kept for the caller's bookkeeping; not rendered).
    pub code: &'a str,
    /// The cell's polygons, each as GeoJSON gives it: the exterior ring, then holes; points are
    /// `[lon, lat]` in degrees. The same shape as `geometry::Rings`, spelled out so that this
    /// module builds without the `routing` feature.
    pub polygons: &'a [Vec<Vec<[f64; 2]>>],
    /// Shade class `0..=4` (0 = none / lightest), usually from [`shade_of`]; larger values are
    /// drawn as 4.
    pub shade: u8,
    /// Where the cell links: a safe relative URL built by the caller (it is still escaped).
    /// `None` draws the cell without a link.
    pub href: Option<String>,
    /// Accessible name and tooltip, e.g. "第1网格: 12 件". It must say everything the shade and
    /// the marker show, since those are visual only.
    pub label: String,
    /// Drawn with a marker (class `marked`), e.g. "has overdue appeals".
    pub marked: bool,
    /// Visible text drawn on the cell, one entry per line (none: no text). Hidden from assistive
    /// technology: `label` already names the cell.
    pub text: Vec<String>,
}

/// The resident's point on the map: a circle `<circle id="map-pin" class="pin">`, named by
/// `label`. `at: None` draws it hidden (`visibility="hidden"`), for a script to place later.
#[derive(Debug, Clone)]
pub struct Pin {
    /// `[lon, lat]` in degrees.
    pub at: Option<[f64; 2]>,
    pub label: String,
}

/// The shade class of `value` on a map whose largest value is `max`.
///
/// - `0` when `value == 0`;
/// - otherwise `⌈4 · value / max⌉`, clamped to `1..=4`: that is `1` for `0 < value ≤ max/4`,
///   `2` up to `max/2`, `3` up to `3·max/4` and `4` above (each quarter includes its upper
///   edge). A `value` above `max` (including any `value > 0` with `max == 0`) is `4`.
#[must_use]
pub fn shade_of(value: u64, max: u64) -> u8 {
    if value == 0 {
        return 0;
    }
    if value >= max {
        return MAX_SHADE;
    }
    // value < max here, so max > 0; u128 keeps 4 · value from overflowing.
    let (v, m) = (u128::from(value), u128::from(max));
    let q = (4 * v).div_ceil(m);
    // 1 ≤ q ≤ 4 since 0 < value < max.
    u8::try_from(q).map_or(MAX_SHADE, |q| q.clamp(1, MAX_SHADE))
}

/// Draws `cells` as one `<svg>` element, `width` user units wide (a `width` of 0 is taken as 1);
/// `aria_label` names the whole map. The projection is [`Projection::fit`] of the cells.
///
/// The root is `<svg … viewBox="0 0 W H" width="100%" role="group" aria-label="…">`. Each cell
/// is one `<path class="cell sN [marked]" fill-rule="evenodd" d="M…Z M…Z">` (every ring of
/// every polygon, so holes show). A cell with an `href` is wrapped in `<a href="…">` whose first
/// child is `<title>label</title>` (the link's accessible name and tooltip); a cell without one
/// carries the `<title>` inside its `<path>`. A cell's `text` follows its path (inside the link)
/// as `<text class="label" aria-hidden="true">` at its [`label_point`].
///
/// Cells are drawn in input order, except that marked cells come after the unmarked ones (in
/// their own input order), so a neighbour never paints over a marker outline.
///
/// Points with a NaN or infinite coordinate are skipped; a ring left with fewer than 3 distinct
/// points (after rounding) is skipped, and so is a polygon whose exterior ring is; a cell with
/// nothing left to draw is left out. Empty input gives a valid `<svg>` with no paths.
#[must_use]
pub fn render(cells: &[MapCell<'_>], width: u32, aria_label: &str) -> String {
    render_with(cells, &Projection::fit(cells, width), aria_label, None)
}

/// [`render`] in the given projection (usually [`Projection::fit`] of `cells`, which the caller
/// also hands to the browser), with an optional [`Pin`] drawn last, above every cell.
#[must_use]
pub fn render_with(cells: &[MapCell<'_>], frame: &Projection, aria_label: &str, pin: Option<&Pin>) -> String {
    draw(cells, frame, aria_label, pin, &COUNT_SHADES)
}

/// [`render`] with other shade classes: a cell of shade `k` gets `cell classes[k]` (a shade
/// above [`MAX_SHADE`] the last) instead of `cell sk`, so that a map shaded by another scale has
/// its own colours (and a "no figure" class of its own) in the stylesheet. The classes are the
/// caller's constants; they are escaped all the same.
#[must_use]
pub fn render_scaled(cells: &[MapCell<'_>], width: u32, aria_label: &str, classes: &[&str; 5]) -> String {
    draw(cells, &Projection::fit(cells, width), aria_label, None, classes)
}

fn draw(cells: &[MapCell<'_>], frame: &Projection, aria_label: &str, pin: Option<&Pin>, classes: &[&str; 5]) -> String {
    let mut out = String::with_capacity(256 + cells.len() * 256);
    out.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" class="cellmap" viewBox="0 0 "#);
    // Writing to a String cannot fail.
    let _ = write!(out, "{} {}", frame.width, frame.height);
    out.push_str(r#"" width="100%" role="group" aria-label=""#);
    push_escaped(&mut out, aria_label);
    out.push_str("\">");

    let unmarked = cells.iter().filter(|c| !c.marked);
    let marked = cells.iter().filter(|c| c.marked);
    let mut d = String::new();
    for cell in unmarked.chain(marked) {
        d.clear();
        frame.path_data(cell.polygons, &mut d);
        if d.is_empty() {
            continue;
        }
        if let Some(href) = &cell.href {
            out.push_str("<a href=\"");
            push_escaped(&mut out, href);
            out.push_str("\"><title>");
            push_escaped(&mut out, &cell.label);
            out.push_str("</title>");
        }
        out.push_str("<path class=\"cell ");
        push_escaped(&mut out, classes[usize::from(cell.shade.min(MAX_SHADE))]);
        if cell.marked {
            out.push_str(" marked");
        }
        out.push_str("\" fill-rule=\"evenodd\" d=\"");
        out.push_str(&d);
        if cell.href.is_some() {
            out.push_str("\"/>");
        } else {
            out.push_str("\"><title>");
            push_escaped(&mut out, &cell.label);
            out.push_str("</title></path>");
        }
        frame.push_text(cell, &mut out);
        if cell.href.is_some() {
            out.push_str("</a>");
        }
    }
    if let Some(pin) = pin {
        let (x, y) = pin.at.map_or((0, 0), |p| frame.project(p));
        out.push_str(r#"<circle id="map-pin" class="pin" r="9" cx=""#);
        push_tenths(&mut out, x);
        out.push_str("\" cy=\"");
        push_tenths(&mut out, y);
        out.push('"');
        if pin.at.is_none() {
            out.push_str(r#" visibility="hidden""#);
        }
        out.push_str("><title>");
        push_escaped(&mut out, &pin.label);
        out.push_str("</title></circle>");
    }
    out.push_str("</svg>");
    out
}

/// Where a cell's label goes: the first of its [`inner_points`] (the middle of the widest
/// horizontal stretch inside it), `None` for a cell without area.
#[must_use]
pub fn label_point(polygons: &[Vec<Vec<[f64; 2]>>]) -> Option<[f64; 2]> {
    inner_points(polygons).into_iter().next()
}

/// The latitudes, as fractions of each polygon's height, of the lines [`inner_points`] tries:
/// the middle first, then further out.
const LINES: [f64; 7] = [0.5, 0.375, 0.625, 0.25, 0.75, 0.125, 0.875];

/// Points inside `polygons` (`[lon, lat]`), widest first: on each of a few horizontal lines
/// across each polygon ([`LINES`]), the middle of every stretch of the line that lies inside the
/// polygon and outside its holes (even-odd over all its rings, as the map fills them), ordered by
/// the stretch's length, longest first (ties in line order).
///
/// Unlike a centroid, each point lies strictly inside (the middle of an open stretch), whatever
/// the shape: concave, ring-shaped or in several parts. Rings may be closed or not; non-finite
/// points are skipped. Empty when nothing has area.
#[must_use]
pub fn inner_points(polygons: &[Vec<Vec<[f64; 2]>>]) -> Vec<[f64; 2]> {
    let finite = |ring: &Vec<[f64; 2]>| -> Vec<[f64; 2]> {
        ring.iter().copied().filter(|p| p[0].is_finite() && p[1].is_finite()).collect()
    };
    let mut found: Vec<(f64, [f64; 2])> = Vec::new();
    let mut xs: Vec<f64> = Vec::new();
    for rings in polygons {
        let rings: Vec<Vec<[f64; 2]>> = rings.iter().map(finite).collect();
        let Some(exterior) = rings.first() else { continue };
        let (lo, hi) =
            exterior.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p[1]), hi.max(p[1])));
        if lo >= hi {
            continue;
        }
        for f in LINES {
            let y = lo + (hi - lo) * f;
            xs.clear();
            for ring in &rings {
                for (i, a) in ring.iter().enumerate() {
                    let b = ring[(i + 1) % ring.len()];
                    // Half-open in latitude, so a vertex on the line counts once.
                    if (a[1] > y) != (b[1] > y) {
                        xs.push(a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]));
                    }
                }
            }
            xs.sort_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                let w = pair[1] - pair[0];
                if w > 0.0 {
                    found.push((w, [pair[0] / 2.0 + pair[1] / 2.0, y]));
                }
            }
        }
    }
    // Stable: equal lengths keep the line order (the middle line first).
    found.sort_by(|a, b| b.0.total_cmp(&a.0));
    found.into_iter().map(|(_, p)| p).collect()
}

/// Where lon/lat points land in the SVG: `x = left + (lon · k − min_x) · scale`,
/// `y = top + (−lat − min_y) · scale`, in a viewBox `width` × `height` user units.
///
/// Plain numbers, so the page can hand them to the browser's map island, which turns a tap back
/// into lon/lat with [`Projection::unproject`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Projection {
    /// `cos(mid_lat)`.
    pub k: f64,
    pub min_x: f64,
    pub min_y: f64,
    pub scale: f64,
    pub left: f64,
    pub top: f64,
    /// Width of the viewBox, at least 1.
    pub width: u32,
    /// Height of the viewBox, at least 1.
    pub height: u32,
}

impl Projection {
    /// Fits the bounding box of every finite point of `cells` into `width` user units (0 is
    /// taken as 1), as described in the module's documentation.
    #[must_use]
    pub fn fit(cells: &[MapCell<'_>], width: u32) -> Self {
        let width_units = width.max(1);
        let width = f64::from(width_units);
        let points = || {
            cells
                .iter()
                .flat_map(|c| c.polygons.iter())
                .flat_map(|rings| rings.iter())
                .flat_map(|ring| ring.iter().copied())
                .filter(|p| p[0].is_finite() && p[1].is_finite())
        };
        let (mut min_lat, mut max_lat) = (f64::INFINITY, f64::NEG_INFINITY);
        for [_, lat] in points() {
            min_lat = min_lat.min(lat);
            max_lat = max_lat.max(lat);
        }
        let margin = width * MARGIN;
        if min_lat > max_lat {
            // Nothing to draw.
            return Self {
                k: 1.0,
                min_x: 0.0,
                min_y: 0.0,
                scale: 1.0,
                left: margin,
                top: margin,
                width: width_units,
                height: 1,
            };
        }
        // Halves first, so that extreme (if invalid) latitudes cannot overflow.
        let mid_lat = min_lat / 2.0 + max_lat / 2.0;
        let k = mid_lat.to_radians().cos().abs();

        let (mut min_x, mut max_x) = (f64::INFINITY, f64::NEG_INFINITY);
        for [lon, _] in points() {
            min_x = min_x.min(lon * k);
            max_x = max_x.max(lon * k);
        }
        let (min_y, max_y) = (-max_lat, -min_lat);
        let (dx, dy) = (max_x - min_x, max_y - min_y);

        let inner = width - 2.0 * margin;
        // Full width, unless that would make the map taller than MAX_ASPECT × width. Division by
        // zero gives +inf, which `min` discards; if both spans are zero, any finite scale will do.
        let scale = (inner / dx).min(MAX_ASPECT * inner / dy);
        let scale = if scale.is_finite() { scale } else { 1.0 };
        let drawn_h = dy * scale;
        let height = (drawn_h + 2.0 * margin).ceil();
        // `as` saturates (and maps NaN to 0); `max(1)` keeps the viewBox non-empty.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let height = (height as u32).max(1);
        let left = margin + (inner - dx * scale) / 2.0;
        let top = margin;
        Self { k, min_x, min_y, scale, left, top, width: width_units, height }
    }

    /// Where `[lon, lat]` lands, in user units.
    #[must_use]
    pub fn to_xy(&self, [lon, lat]: [f64; 2]) -> [f64; 2] {
        [self.left + (lon * self.k - self.min_x) * self.scale, self.top + (-lat - self.min_y) * self.scale]
    }

    /// The `[lon, lat]` drawn at `(x, y)` user units: the inverse of [`Projection::to_xy`]
    /// (`None` for a degenerate projection, `k` or `scale` zero, which no drawn map has).
    #[must_use]
    pub fn unproject(&self, x: f64, y: f64) -> Option<[f64; 2]> {
        if self.k == 0.0 || self.scale == 0.0 {
            return None;
        }
        let lon = ((x - self.left) / self.scale + self.min_x) / self.k;
        let lat = -((y - self.top) / self.scale + self.min_y);
        (lon.is_finite() && lat.is_finite()).then_some([lon, lat])
    }

    /// The point in tenths of a user unit.
    fn project(&self, p: [f64; 2]) -> (i64, i64) {
        let [x, y] = self.to_xy(p);
        (tenths(x), tenths(y))
    }

    /// Appends `cell`'s text, one `<tspan>` per line centred on its label point.
    fn push_text(&self, cell: &MapCell<'_>, out: &mut String) {
        if cell.text.is_empty() {
            return;
        }
        let Some(at) = label_point(cell.polygons) else { return };
        let (x, y) = self.project(at);
        out.push_str(r#"<text class="label" aria-hidden="true" x=""#);
        push_tenths(out, x);
        out.push_str("\" y=\"");
        push_tenths(out, y);
        out.push_str("\">");
        // Lines 1.2em apart, the block centred vertically on the point (0.35em: half a glyph).
        let more = i64::try_from(cell.text.len() - 1).unwrap_or(0);
        for (i, line) in cell.text.iter().enumerate() {
            out.push_str("<tspan x=\"");
            push_tenths(out, x);
            if i == 0 {
                // In hundredths of an em.
                let h = 35 - 60 * more;
                let sign = if h < 0 { "-" } else { "" };
                let _ = write!(out, "\" dy=\"{sign}{}.{:02}em\">", h.abs() / 100, h.abs() % 100);
            } else {
                out.push_str("\" dy=\"1.2em\">");
            }
            push_escaped(out, line);
            out.push_str("</tspan>");
        }
        out.push_str("</text>");
    }

    /// Appends the path data of `polygons` to `d`: one `M…Z` subpath per drawable ring,
    /// separated by spaces.
    fn path_data(&self, polygons: &[Vec<Vec<[f64; 2]>>], d: &mut String) {
        let mut pts: Vec<(i64, i64)> = Vec::new();
        for rings in polygons {
            for (i, ring) in rings.iter().enumerate() {
                pts.clear();
                for &p in ring {
                    if !(p[0].is_finite() && p[1].is_finite()) {
                        continue;
                    }
                    let q = self.project(p);
                    if pts.last() != Some(&q) {
                        pts.push(q);
                    }
                }
                // GeoJSON rings repeat their first point at the end; `Z` closes the ring.
                while pts.len() > 1 && pts.last() == pts.first() {
                    pts.pop();
                }
                if pts.len() < 3 {
                    if i == 0 {
                        // Without its exterior, a polygon's holes would be drawn as solid.
                        break;
                    }
                    continue;
                }
                if !d.is_empty() {
                    d.push(' ');
                }
                for (j, &(x, y)) in pts.iter().enumerate() {
                    d.push(if j == 0 { 'M' } else { 'L' });
                    push_tenths(d, x);
                    d.push(' ');
                    push_tenths(d, y);
                }
                d.push('Z');
            }
        }
    }
}

/// `v` rounded to the nearest tenth, in tenths (saturating; NaN gives 0).
#[allow(clippy::cast_possible_truncation)]
fn tenths(v: f64) -> i64 {
    (v * 10.0).round() as i64
}

/// Appends a number given in tenths: `123` → `12.3`, `120` → `12`, `-5` → `-0.5`.
fn push_tenths(out: &mut String, t: i64) {
    if t < 0 {
        out.push('-');
    }
    let a = t.unsigned_abs();
    let _ = write!(out, "{}", a / 10);
    if !a.is_multiple_of(10) {
        let _ = write!(out, ".{}", a % 10);
    }
}

/// Appends `s` escaped for XML text and attribute values (`&`, `<`, `>`, `"`, `'`), dropping
/// the characters XML 1.0 does not allow at all (controls other than tab, LF and CR; U+FFFE;
/// U+FFFF).
fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => {}
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Rings = Vec<Vec<[f64; 2]>>;

    /// A closed square ring with its south-west corner at (lon, lat).
    fn square(lon: f64, lat: f64, side: f64) -> Vec<[f64; 2]> {
        vec![[lon, lat], [lon + side, lat], [lon + side, lat + side], [lon, lat + side], [lon, lat]]
    }

    fn cell<'a>(code: &'a str, polygons: &'a [Rings], shade: u8) -> MapCell<'a> {
        MapCell { code, polygons, shade, href: None, label: code.to_owned(), marked: false, text: Vec::new() }
    }

    /// A U open to the north: its centroid lies in the notch, outside it.
    fn u_shape() -> Rings {
        vec![vec![
            [0.0, 0.0],
            [3.0, 0.0],
            [3.0, 3.0],
            [2.0, 3.0],
            [2.0, 0.5],
            [1.0, 0.5],
            [1.0, 3.0],
            [0.0, 3.0],
            [0.0, 0.0],
        ]]
    }

    /// Even-odd point in polygon, for checking `inner_points` independently of it.
    fn inside(polys: &[Rings], [x, y]: [f64; 2]) -> bool {
        polys.iter().any(|rings| {
            let mut crossings = 0;
            for ring in rings {
                for w in ring.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    if (a[1] > y) != (b[1] > y) && x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]) {
                        crossings += 1;
                    }
                }
            }
            crossings % 2 == 1
        })
    }

    #[test]
    fn unproject_inverts_the_projection() {
        let a = [vec![square(106.60, 35.48, 0.013)]];
        let b = [vec![square(106.70, 35.55, 0.02)]];
        let cells = [cell("A", &a, 0), cell("B", &b, 0)];
        let p = Projection::fit(&cells, 600);
        assert_eq!(p.width, 600);
        for q in [[106.60, 35.48], [106.72, 35.57], [106.65, 35.5123], [106.0, 36.0]] {
            let [x, y] = p.to_xy(q);
            let back = p.unproject(x, y).unwrap();
            assert!((back[0] - q[0]).abs() < 1e-9 && (back[1] - q[1]).abs() < 1e-9, "{q:?} → {back:?}");
        }
        // The corners of the drawing: north-west at the margin, south-east inside the viewBox.
        let [x, y] = p.to_xy([106.60, 35.57]);
        assert!((x - 600.0 * MARGIN).abs() < 1e-6 && (y - 600.0 * MARGIN).abs() < 1e-6, "{x} {y}");
        let [x, y] = p.to_xy([106.72, 35.48]);
        assert!((x - 600.0 * (1.0 - MARGIN)).abs() < 1e-6, "{x}");
        assert!(y > 0.0 && y <= f64::from(p.height), "{y} in {}", p.height);
        // North is up: a point further north has a smaller y.
        assert!(p.to_xy([106.65, 35.50])[1] > p.to_xy([106.65, 35.51])[1]);
        let flat = Projection { k: 0.0, ..p };
        assert_eq!(flat.unproject(1.0, 1.0), None);
    }

    #[test]
    fn inner_points_avoid_notches_and_holes() {
        let u = [u_shape()];
        // The centroid of the U's area is in the notch (x = 1.5, y ≈ 1.3): outside.
        assert!(!inside(&u, [1.5, 1.3]));
        let pts = inner_points(&u);
        assert!(!pts.is_empty());
        for p in &pts {
            assert!(inside(&u, *p), "{p:?}");
        }
        // Low in the U the whole width is inside, and that is the widest stretch.
        let first = label_point(&u).unwrap();
        assert!(first[1] < 0.5 && (first[0] - 1.5).abs() < 1e-12, "{first:?}");

        // A square with a square hole in the middle: no point in the hole.
        let ring = [vec![square(0.0, 0.0, 4.0), square(1.0, 1.0, 2.0)]];
        let pts = inner_points(&ring);
        assert!(!pts.is_empty());
        for p in &pts {
            assert!(inside(&ring, *p), "{p:?}");
            assert!(!(p[0] > 1.0 && p[0] < 3.0 && p[1] > 1.0 && p[1] < 3.0), "{p:?} in the hole");
        }

        // Unclosed rings, a non-finite point and a degenerate polygon are all handled.
        let open = [vec![vec![[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [f64::NAN, 1.0], [0.0, 2.0]]]];
        assert!(inside(&[square_rings(0.0, 0.0, 2.0)], label_point(&open).unwrap()));
        let line = [vec![vec![[0.0, 1.0], [5.0, 1.0], [0.0, 1.0]]]];
        assert!(inner_points(&line).is_empty());
        assert!(inner_points(&[]).is_empty());
    }

    fn square_rings(lon: f64, lat: f64, side: f64) -> Rings {
        vec![square(lon, lat, side)]
    }

    #[test]
    fn labels_and_the_pin() {
        let a = [vec![square(0.0, 0.0, 1.0)]];
        let b = [vec![square(1.0, 0.0, 1.0)]];
        let cells = [
            MapCell {
                text: vec!["和平社区".into(), "第1网格 <&>".into()],
                href: Some("/x".into()),
                ..cell("A", &a, 0)
            },
            MapCell { text: vec!["B".into()], ..cell("B", &b, 0) },
        ];
        let p = Projection::fit(&cells, 200);
        let pin = Pin { at: Some([0.5, 0.5]), label: "here".into() };
        let svg = render_with(&cells, &p, "map", Some(&pin));
        // Two lines centred on the middle of A, inside its link; one line on B.
        let [x, y] = p.to_xy([0.5, 0.5]);
        let (x, y) = (tenths(x), tenths(y));
        let mut xs = String::new();
        push_tenths(&mut xs, x);
        let mut ys = String::new();
        push_tenths(&mut ys, y);
        let two = format!(
            "<text class=\"label\" aria-hidden=\"true\" x=\"{xs}\" y=\"{ys}\"><tspan x=\"{xs}\" dy=\"-0.25em\">和平社区</tspan><tspan x=\"{xs}\" dy=\"1.2em\">第1网格 &lt;&amp;&gt;</tspan></text></a>"
        );
        assert!(svg.contains(&two), "{svg}");
        assert!(svg.contains("dy=\"0.35em\">B</tspan></text>"), "{svg}");
        // The pin is drawn last, where the point is.
        assert!(svg.ends_with(&format!("<circle id=\"map-pin\" class=\"pin\" r=\"9\" cx=\"{xs}\" cy=\"{ys}\"><title>here</title></circle></svg>")), "{svg}");
        // A pin without a point is there, hidden, for the script to place.
        let hidden = render_with(&cells, &p, "map", Some(&Pin { at: None, label: "here".into() }));
        assert!(hidden.contains("visibility=\"hidden\""));
        // `render` draws no pin and the same cells.
        let plain = render(&cells, 200, "map");
        assert!(!plain.contains("<circle"));
        assert_eq!(plain, svg[..svg.find("<circle").unwrap()].to_owned() + "</svg>");
    }

    /// The contents of every `d="…"` attribute.
    fn paths(svg: &str) -> Vec<&str> {
        svg.split(" d=\"").skip(1).map(|rest| &rest[..rest.find('"').unwrap()]).collect()
    }

    /// The `viewBox` numbers.
    fn view_box(svg: &str) -> Vec<f64> {
        let start = svg.find("viewBox=\"").unwrap() + "viewBox=\"".len();
        let end = start + svg[start..].find('"').unwrap();
        svg[start..end].split(' ').map(|n| n.parse().unwrap()).collect()
    }

    /// All (x, y) pairs of one path's data.
    fn coords(d: &str) -> Vec<(f64, f64)> {
        let nums: Vec<f64> =
            d.split(['M', 'L', 'Z', ' ']).filter(|s| !s.is_empty()).map(|n| n.parse().unwrap()).collect();
        nums.chunks(2).map(|p| (p[0], p[1])).collect()
    }

    #[test]
    fn two_adjacent_squares_give_two_linked_paths() {
        let a = vec![vec![square(120.0, 30.0, 0.01)]];
        let b = vec![vec![square(120.01, 30.0, 0.01)]];
        let mut ca = cell("G1", &a, 1);
        ca.href = Some("/stats/cell/G1".to_owned());
        let mut cb = cell("G2", &b, 3);
        cb.href = Some("/stats/cell/G2".to_owned());
        cb.marked = true;
        let svg = render(&[ca, cb], 600, "网格地图");

        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"group\" aria-label=\"网格地图\""));
        assert_eq!(svg.matches("<path ").count(), 2);
        assert!(
            svg.contains("<a href=\"/stats/cell/G1\"><title>G1</title><path class=\"cell s1\" fill-rule=\"evenodd\"")
        );
        assert!(svg.contains(
            "<a href=\"/stats/cell/G2\"><title>G2</title><path class=\"cell s3 marked\" fill-rule=\"evenodd\""
        ));
        assert!(!svg.contains("style"));

        // The squares share their edge, and together they span the width less the margins.
        let ds = paths(&svg);
        let xa: Vec<f64> = coords(ds[0]).iter().map(|p| p.0).collect();
        let xb: Vec<f64> = coords(ds[1]).iter().map(|p| p.0).collect();
        let max_a = xa.iter().copied().fold(f64::MIN, f64::max);
        let min_b = xb.iter().copied().fold(f64::MAX, f64::min);
        assert!((max_a - min_b).abs() < 1e-9, "{max_a} vs {min_b}");
        assert_eq!(xa.iter().copied().fold(f64::MAX, f64::min), 12.0);
        assert_eq!(xb.iter().copied().fold(f64::MIN, f64::max), 588.0);
        // Two squares side by side: about twice as wide as tall (cos 30° narrows them).
        let h = view_box(&svg)[3];
        let expected = 576.0 / (2.0 * 30.005_f64.to_radians().cos()) + 24.0;
        assert!((h - expected.ceil()).abs() < 1e-9, "{h} vs {expected}");

        // Same input, same output.
        let again = render(
            &[
                MapCell { href: Some("/stats/cell/G1".to_owned()), ..cell("G1", &a, 1) },
                MapCell { href: Some("/stats/cell/G2".to_owned()), marked: true, ..cell("G2", &b, 3) },
            ],
            600,
            "网格地图",
        );
        assert_eq!(svg, again);
    }

    #[test]
    fn a_hole_is_a_second_subpath_filled_evenodd() {
        let p = vec![vec![square(120.0, 30.0, 0.03), square(120.01, 30.01, 0.01)]];
        let svg = render(&[cell("G1", &p, 2)], 300, "map");
        let ds = paths(&svg);
        assert_eq!(ds.len(), 1);
        let d = ds[0];
        assert!(svg.contains("fill-rule=\"evenodd\""));
        assert!(d.starts_with('M') && d.ends_with('Z'));
        assert_eq!(d.matches('M').count(), 2);
        assert_eq!(d.matches("Z M").count(), 1);
        // The closing point is left to `Z`: 4 corners a ring.
        assert_eq!(coords(d).len(), 8);
        assert!(svg.contains("<title>G1</title></path>"));
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        let p = vec![vec![square(120.0, 30.0, 0.01)]];
        let c = MapCell {
            href: Some("/a?x=\"><script>&'".to_owned()),
            label: "<script>alert(\"x\")</script> & 'q'".to_owned(),
            ..cell("G1", &p, 0)
        };
        let svg = render(&[c], 100, "a \"map\" <b>\u{0}");
        assert!(!svg.contains("<script"));
        assert!(svg.contains("aria-label=\"a &quot;map&quot; &lt;b&gt;\""));
        assert!(svg.contains("<a href=\"/a?x=&quot;&gt;&lt;script&gt;&amp;&#39;\">"));
        assert!(svg.contains("<title>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</title>"));
    }

    #[test]
    fn empty_input_gives_an_svg_without_paths() {
        let want = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cellmap\" \
                    viewBox=\"0 0 400 1\" width=\"100%\" role=\"group\" aria-label=\"map\"></svg>";
        assert_eq!(render(&[], 400, "map"), want);

        // Cells with no points, only bad points, or a degenerate ring draw nothing.
        let none: Vec<Rings> = vec![];
        let empty_rings: Vec<Rings> = vec![vec![]];
        let bad = vec![vec![vec![[f64::NAN, 30.0], [120.0, f64::INFINITY], [f64::NEG_INFINITY, 1.0]]]];
        let line = vec![vec![vec![[120.0, 30.0], [120.1, 30.0], [120.0, 30.0]]]];
        let cells = [cell("a", &none, 1), cell("b", &empty_rings, 1), cell("c", &bad, 1), cell("d", &line, 1)];
        let svg = render(&cells, 400, "map");
        assert!(!svg.contains("<path"));
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert_eq!(view_box(&svg)[2], 400.0);
        assert!(view_box(&svg)[3] >= 1.0);

        // Width 0 is drawn as width 1.
        assert!(render(&[], 0, "map").contains("viewBox=\"0 0 1 1\""));
    }

    #[test]
    fn non_finite_points_are_skipped() {
        let mut ring = square(120.0, 30.0, 0.01);
        ring.insert(2, [f64::NAN, f64::NAN]);
        ring.insert(3, [f64::INFINITY, 30.0]);
        let p = vec![vec![ring]];
        let svg = render(&[cell("G1", &p, 1)], 200, "map");
        let ds = paths(&svg);
        assert_eq!(ds.len(), 1);
        assert_eq!(coords(ds[0]).len(), 4);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn shade_of_boundaries() {
        assert_eq!(shade_of(0, 0), 0);
        assert_eq!(shade_of(0, 100), 0);
        assert_eq!(shade_of(1, 100), 1);
        assert_eq!(shade_of(25, 100), 1);
        assert_eq!(shade_of(26, 100), 2);
        assert_eq!(shade_of(50, 100), 2);
        assert_eq!(shade_of(51, 100), 3);
        assert_eq!(shade_of(75, 100), 3);
        assert_eq!(shade_of(76, 100), 4);
        assert_eq!(shade_of(100, 100), 4);
        assert_eq!(shade_of(1, 1), 4);
        assert_eq!(shade_of(1, 3), 2); // 1/3 > 1/4
        assert_eq!(shade_of(1, 4), 1);
        assert_eq!(shade_of(101, 100), 4);
        assert_eq!(shade_of(5, 0), 4);
        assert_eq!(shade_of(u64::MAX - 1, u64::MAX), 4);
        assert_eq!(shade_of(u64::MAX / 4, u64::MAX), 1);
        // Class numbers above 4 are drawn as 4.
        let p = vec![vec![square(120.0, 30.0, 0.01)]];
        assert!(render(&[cell("G1", &p, 9)], 100, "m").contains("class=\"cell s4\""));
    }

    #[test]
    fn view_box_has_the_width_and_y_grows_southward() {
        let south = vec![vec![square(120.0, 30.0, 0.01)]];
        let north = vec![vec![square(120.0, 30.02, 0.01)]];
        let svg = render(&[cell("S", &south, 1), cell("N", &north, 1)], 500, "map");
        let vb = view_box(&svg);
        assert_eq!(vb[..3], [0.0, 0.0, 500.0]);

        let ds = paths(&svg);
        let max_y = |d: &str| coords(d).iter().map(|p| p.1).fold(f64::MIN, f64::max);
        let min_y = |d: &str| coords(d).iter().map(|p| p.1).fold(f64::MAX, f64::min);
        // The northern cell lies wholly above the southern one.
        assert!(max_y(ds[1]) < min_y(ds[0]), "{svg}");
        // Everything is inside the viewBox.
        assert!(min_y(ds[1]) >= 0.0 && max_y(ds[0]) <= vb[3]);
        // A 0.01° × 0.03° column is tall but within MAX_ASPECT: full width is used.
        let xs: Vec<f64> = coords(ds[0]).iter().map(|p| p.0).collect();
        assert_eq!(xs.iter().copied().fold(f64::MAX, f64::min), 10.0);
        assert_eq!(xs.iter().copied().fold(f64::MIN, f64::max), 490.0);
    }

    #[test]
    fn very_tall_maps_are_capped_and_centred() {
        // A 0.001° wide, 1° tall sliver would be ~1000 × the width tall.
        let p = vec![vec![vec![[120.0, 30.0], [120.001, 30.0], [120.001, 31.0], [120.0, 31.0]]]];
        let svg = render(&[cell("G1", &p, 1)], 100, "map");
        let h = view_box(&svg)[3];
        assert!(h <= 4.0 * 100.0 + 4.0 + 1.0, "{h}");
        let xs: Vec<f64> = coords(paths(&svg)[0]).iter().map(|p| p.0).collect();
        let (lo, hi) = (xs.iter().copied().fold(f64::MAX, f64::min), xs.iter().copied().fold(f64::MIN, f64::max));
        assert!((lo + hi - 100.0).abs() <= 0.2, "centred: {lo} {hi}");
    }

    #[test]
    fn marked_cells_are_drawn_last() {
        let a = vec![vec![square(120.0, 30.0, 0.01)]];
        let b = vec![vec![square(120.01, 30.0, 0.01)]];
        let c = vec![vec![square(120.02, 30.0, 0.01)]];
        let cells = [MapCell { marked: true, ..cell("A", &a, 1) }, cell("B", &b, 1), cell("C", &c, 1)];
        let svg = render(&cells, 300, "map");
        let pos = |t: &str| svg.find(&format!("<title>{t}</title>")).unwrap();
        assert!(pos("B") < pos("C") && pos("C") < pos("A"));
    }

    #[test]
    fn a_scaled_map_uses_the_callers_classes() {
        let a = vec![vec![square(120.0, 30.0, 0.01)]];
        let b = vec![vec![square(120.01, 30.0, 0.01)]];
        let c = vec![vec![square(120.02, 30.0, 0.01)]];
        let classes = ["none", "low", "mid", "good", "top"];
        let cells = [cell("A", &a, 0), cell("B", &b, 2), cell("C", &c, 9)];
        let svg = render_scaled(&cells, 300, "map", &classes);
        assert!(svg.contains("<path class=\"cell none\""), "{svg}");
        assert!(svg.contains("<path class=\"cell mid\""), "{svg}");
        assert!(svg.contains("<path class=\"cell top\""), "above the last shade: the last class; {svg}");
        assert!(!svg.contains("class=\"cell s"), "{svg}");
        // The count map is the same drawing with `s0` … `s4`.
        let count = render(&cells, 300, "map");
        assert_eq!(
            count.replace("cell s0", "cell none").replace("cell s2", "cell mid").replace("cell s4", "cell top"),
            svg
        );
    }

    #[test]
    fn numbers_are_written_in_tenths() {
        let mut s = String::new();
        for t in [0, 5, 10, 123, -5, -120] {
            push_tenths(&mut s, t);
            s.push(',');
        }
        assert_eq!(s, "0,0.5,1,12.3,-0.5,-12,");
    }
}
