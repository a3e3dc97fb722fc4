//! Statement numbers placed on the opinion map so that no two overlap
//! (issue 16): statements that voters see alike sit on top of one another,
//! and their numbers used to print over each other.
//!
//! [`place`] is pure and deterministic: each label, in the order given,
//! takes the first free spot on rings of growing radius around its marker
//! (right of it first, as before), inside the view box and clear of every
//! label placed before it and of every obstacle (the diamonds themselves,
//! the groups' letters). A label with no free spot within [`REACH`] is left
//! out; its diamond keeps its tooltip and the key lists every statement.

/// An axis-aligned box in SVG units: left, top, width, height.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Rect {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
}

impl Rect {
    /// The box of width `w` and height `h` around the centre `(cx, cy)`.
    pub fn around(cx: i64, cy: i64, w: i64, h: i64) -> Rect {
        Rect {
            x: cx - w / 2,
            y: cy - h / 2,
            w,
            h,
        }
    }

    /// They share some area (touching edges do not count).
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// Wholly inside the square view box `0..=size`.
    pub fn inside(&self, size: i64) -> bool {
        self.x >= 0 && self.y >= 0 && self.x + self.w <= size && self.y + self.h <= size
    }

    /// Distance from `(px, py)` to the nearest point of the box, and that point.
    pub fn nearest(&self, px: i64, py: i64) -> (f64, (i64, i64)) {
        let nx = px.clamp(self.x, self.x + self.w);
        let ny = py.clamp(self.y, self.y + self.h);
        let d = (((nx - px).pow(2) + (ny - py).pow(2)) as f64).sqrt();
        (d, (nx, ny))
    }
}

/// A statement number's box for `text`: about 6.5 units a character of the
/// map's 10-unit bold digits, and 12 high.
pub(super) fn label_size(text: &str) -> (i64, i64) {
    let chars = text.chars().count() as i64;
    ((chars * 13 + 1) / 2 + 2, 12)
}

/// How far from its marker a label may go.
pub(super) const REACH: i64 = 120;
/// The gap between a marker's centre and its label's near edge, as before.
const GAP: i64 = 9;

/// Label boxes for markers at `anchors` with label sizes `sizes`, in order;
/// `None` for a label with no free spot within [`REACH`].
pub(super) fn place(
    anchors: &[(i64, i64)],
    sizes: &[(i64, i64)],
    obstacles: &[Rect],
    size: i64,
) -> Vec<Option<Rect>> {
    let directions = directions();
    let mut taken = Grid::new(size);
    for o in obstacles {
        taken.add(*o);
    }
    anchors
        .iter()
        .zip(sizes)
        .map(|(&(ax, ay), &(w, h))| {
            let spot =
                candidates(&directions, ax, ay, w, h).find(|r| r.inside(size) && !taken.hits(r));
            if let Some(r) = spot {
                taken.add(r);
            }
            spot
        })
        .collect()
}

/// The rings' radii and, on each, the directions to try, nearest first:
/// the label's near edge is `r` away in one of many directions (more on
/// wider rings), starting to the right of the marker and alternating
/// around. The same for every label, so computed once per map.
fn directions() -> Vec<(i64, f64, f64)> {
    let mut out = Vec::new();
    for r in (0..).map(|ring| GAP + 4 * ring).take_while(|r| *r <= REACH) {
        // Directions about 5 units apart along the ring, at least 8.
        let n = ((2.0 * std::f64::consts::PI * r as f64 / 5.0).ceil() as usize).max(8);
        for k in 0..n {
            // 0, +1, -1, +2, -2, …: alternate around the ring from the right.
            let step = k.div_ceil(2) as f64 * if k % 2 == 1 { 1.0 } else { -1.0 };
            let angle = step * 2.0 * std::f64::consts::PI / n as f64;
            out.push((r, angle.cos(), angle.sin()));
        }
    }
    out
}

/// Spots for a `w`×`h` label around `(ax, ay)`, nearest first.
fn candidates(
    directions: &[(i64, f64, f64)],
    ax: i64,
    ay: i64,
    w: i64,
    h: i64,
) -> impl Iterator<Item = Rect> + '_ {
    directions.iter().map(move |&(r, dx, dy)| {
        let cx = ax as f64 + dx * (r as f64 + w as f64 / 2.0);
        let cy = ay as f64 + dy * (r as f64 + h as f64 / 2.0);
        Rect {
            x: (cx - w as f64 / 2.0).round() as i64,
            y: (cy - h as f64 / 2.0).round() as i64,
            w,
            h,
        }
    })
}

/// Side of a [`Grid`] cell, in SVG units.
const CELL: i64 = 16;

/// The boxes taken so far, filed by the cells of the view box they cover,
/// so that a candidate is checked against its neighbours only (a map of a
/// hundred statements tries thousands of spots per label). Answers exactly
/// what checking every box would.
struct Grid {
    /// Cells across (and down).
    n: i64,
    cells: Vec<Vec<usize>>,
    boxes: Vec<Rect>,
}

impl Grid {
    fn new(size: i64) -> Grid {
        let n = size.max(1) / CELL + 1;
        Grid {
            n,
            cells: vec![Vec::new(); (n * n) as usize],
            boxes: Vec::new(),
        }
    }

    /// The cells `r` covers, clamped to the view box (a box outside it can
    /// only meet a candidate, which is inside, in the edge cells).
    fn cells_of(&self, r: &Rect) -> impl Iterator<Item = usize> + '_ {
        let span = |lo: i64, len: i64| {
            let a = (lo / CELL).clamp(0, self.n - 1);
            let b = ((lo + len) / CELL).clamp(0, self.n - 1);
            a..=b
        };
        let xs = span(r.x, r.w);
        span(r.y, r.h).flat_map(move |cy| xs.clone().map(move |cx| (cy * self.n + cx) as usize))
    }

    fn add(&mut self, r: Rect) {
        let i = self.boxes.len();
        self.boxes.push(r);
        let cells: Vec<usize> = self.cells_of(&r).collect();
        for c in cells {
            self.cells[c].push(i);
        }
    }

    /// `r` shares some area with a box taken.
    fn hits(&self, r: &Rect) -> bool {
        self.cells_of(r)
            .any(|c| self.cells[c].iter().any(|&i| self.boxes[i].intersects(r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SIZE: i64 = 400;

    fn diamonds(anchors: &[(i64, i64)]) -> Vec<Rect> {
        anchors
            .iter()
            .map(|&(x, y)| Rect::around(x, y, 14, 14))
            .collect()
    }

    #[test]
    fn a_lone_label_sits_right_of_its_marker() {
        let r = place(&[(200, 100)], &[label_size("12")], &[], SIZE);
        assert_eq!(
            r,
            vec![Some(Rect {
                x: 209,
                y: 94,
                w: 15,
                h: 12
            })]
        );
    }

    #[test]
    fn stacked_markers_get_labels_apart_and_inside() {
        // Ten statements voted alike, all at one spot in a corner.
        let anchors = vec![(396, 396); 10];
        let sizes: Vec<(i64, i64)> = (100..110).map(|i| label_size(&i.to_string())).collect();
        let boxes = place(&anchors, &sizes, &diamonds(&anchors), SIZE);
        let boxes: Vec<Rect> = boxes.into_iter().map(|b| b.expect("room")).collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(a.inside(SIZE), "{a:?}");
            for b in &boxes[i + 1..] {
                assert!(!a.intersects(b), "{a:?} and {b:?}");
            }
        }
    }

    /// What [`place`] did before the grid: every candidate checked against
    /// every box placed and every obstacle.
    fn place_by_scanning(
        anchors: &[(i64, i64)],
        sizes: &[(i64, i64)],
        obstacles: &[Rect],
        size: i64,
    ) -> Vec<Option<Rect>> {
        let directions = directions();
        let mut placed: Vec<Rect> = Vec::new();
        anchors
            .iter()
            .zip(sizes)
            .map(|(&(ax, ay), &(w, h))| {
                let spot = candidates(&directions, ax, ay, w, h).find(|r| {
                    r.inside(size)
                        && !placed.iter().any(|p| p.intersects(r))
                        && !obstacles.iter().any(|o| o.intersects(r))
                });
                placed.extend(spot);
                spot
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The grid finds the very spots scanning every box finds, obstacles
        /// outside the view box included.
        #[test]
        fn the_grid_places_labels_where_scanning_does(
            points in prop::collection::vec((-20i64..=420, -20i64..=420, 1u32..100_000), 0..80),
            cluster in any::<bool>(),
        ) {
            let anchors: Vec<(i64, i64)> = points
                .iter()
                .map(|&(x, y, _)| if cluster { (180 + x % 30, 180 + y % 30) } else { (x, y) })
                .collect();
            let sizes: Vec<(i64, i64)> =
                points.iter().map(|p| label_size(&p.2.to_string())).collect();
            let obstacles = diamonds(&anchors);
            prop_assert_eq!(
                place(&anchors, &sizes, &obstacles, SIZE),
                place_by_scanning(&anchors, &sizes, &obstacles, SIZE)
            );
        }

        /// For random markers (clustered or not) and numbers of any width: no
        /// two labels overlap, none covers a marker, every label is inside
        /// the view box, and with up to 15 markers every one is labelled.
        #[test]
        fn labels_never_overlap_and_stay_inside(
            points in prop::collection::vec((0i64..=400, 0i64..=400, 1u32..100_000), 0..60),
            cluster in any::<bool>(),
        ) {
            let anchors: Vec<(i64, i64)> = points
                .iter()
                .map(|&(x, y, _)| if cluster { (180 + x % 30, 180 + y % 30) } else { (x, y) })
                .collect();
            let sizes: Vec<(i64, i64)> =
                points.iter().map(|p| label_size(&p.2.to_string())).collect();
            let obstacles = diamonds(&anchors);
            let boxes = place(&anchors, &sizes, &obstacles, SIZE);
            prop_assert_eq!(boxes.len(), anchors.len());
            let shown: Vec<Rect> = boxes.iter().flatten().copied().collect();
            for (i, a) in shown.iter().enumerate() {
                prop_assert!(a.inside(SIZE), "outside: {:?}", a);
                for b in &shown[i + 1..] {
                    prop_assert!(!a.intersects(b), "{:?} overlaps {:?}", a, b);
                }
                for o in &obstacles {
                    prop_assert!(!a.intersects(o), "{:?} covers the marker {:?}", a, o);
                }
            }
            for ((b, s), &(ax, ay)) in boxes.iter().zip(&sizes).zip(&anchors) {
                if let Some(b) = b {
                    prop_assert_eq!((b.w, b.h), *s);
                    prop_assert!(b.nearest(ax, ay).0 <= (REACH + 2) as f64);
                }
            }
            if anchors.len() <= 15 {
                prop_assert!(boxes.iter().all(Option::is_some), "{:?}", boxes);
            }
        }
    }
}
