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
    let mut placed: Vec<Rect> = Vec::with_capacity(anchors.len());
    anchors
        .iter()
        .zip(sizes)
        .map(|(&(ax, ay), &(w, h))| {
            let free = |r: &Rect| {
                r.inside(size)
                    && !placed.iter().any(|p| p.intersects(r))
                    && !obstacles.iter().any(|o| o.intersects(r))
            };
            let spot = candidates(ax, ay, w, h).find(free);
            if let Some(r) = spot {
                placed.push(r);
            }
            spot
        })
        .collect()
}

/// Spots for a `w`×`h` label around `(ax, ay)`, nearest first: on each ring
/// the label's near edge is `r` away in one of many directions (more on
/// wider rings), starting to the right of the marker.
fn candidates(ax: i64, ay: i64, w: i64, h: i64) -> impl Iterator<Item = Rect> {
    (0..)
        .map(|ring| GAP + 4 * ring)
        .take_while(|r| *r <= REACH)
        .flat_map(move |r| {
            // Directions about 5 units apart along the ring, at least 8.
            let n = ((2.0 * std::f64::consts::PI * r as f64 / 5.0).ceil() as usize).max(8);
            (0..n).map(move |k| {
                // 0, +1, -1, +2, -2, …: alternate around the ring from the right.
                let step = k.div_ceil(2) as f64 * if k % 2 == 1 { 1.0 } else { -1.0 };
                let angle = step * 2.0 * std::f64::consts::PI / n as f64;
                let (dx, dy) = (angle.cos(), angle.sin());
                let cx = ax as f64 + dx * (r as f64 + w as f64 / 2.0);
                let cy = ay as f64 + dy * (r as f64 + h as f64 / 2.0);
                Rect {
                    x: (cx - w as f64 / 2.0).round() as i64,
                    y: (cy - h as f64 / 2.0).round() as i64,
                    w,
                    h,
                }
            })
        })
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

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
