//! The opinion map: participants' dots, statements' numbered diamonds and
//! the groups' letters, laid out for a square SVG.

use std::collections::BTreeMap;

use cohort_engine::conversation::{group_letter, ConversationResult, StatementView};

use super::labels::{self, Rect};

/// One participant's dot.
pub(super) struct Dot {
    pub(super) x: i64,
    pub(super) y: i64,
    /// CSS class: `g0`…`g4`, or `g-none`.
    pub(super) class: String,
    pub(super) you: bool,
}

/// One statement's marker.
pub(super) struct Marker {
    pub(super) x: i64,
    pub(super) y: i64,
    pub(super) label: String,
    /// Where its number is written (the text's left end on its baseline),
    /// placed clear of every other number ([`labels::place`]); `None` when
    /// the map has no room for it near the marker.
    pub(super) number_at: Option<(i64, i64)>,
    /// A line from the marker to a number placed away from it.
    pub(super) leader: Option<(i64, i64)>,
    pub(super) title: String,
    pub(super) body: String,
}

pub(super) struct GroupLabel {
    pub(super) x: i64,
    pub(super) y: i64,
    pub(super) letter: String,
    pub(super) class: String,
}

/// The opinion map, laid out for a square SVG.
pub(super) struct Map {
    pub(super) dots: Vec<Dot>,
    pub(super) markers: Vec<Marker>,
    pub(super) labels: Vec<GroupLabel>,
    pub(super) summary: String,
    pub(super) you: Option<(i64, i64)>,
}

const SIZE: f64 = 400.0;
/// Most participant dots drawn.
const MAX_DOTS: usize = 2_000;
const PAD: f64 = 24.0;

impl Map {
    pub(super) fn new(
        r: &ConversationResult,
        texts: &BTreeMap<i64, StatementView>,
        you: Option<i64>,
    ) -> Map {
        let xs = r
            .points
            .iter()
            .map(|p| (p.x, p.y))
            .chain(r.statement_points.iter().map(|s| (s.x, s.y)));
        let extent = xs
            .fold(0.0f64, |m, (x, y)| m.max(x.abs()).max(y.abs()))
            .max(1e-9);
        let scale = (SIZE / 2.0 - PAD) / extent;
        let place = |x: f64, y: f64| {
            (
                (SIZE / 2.0 + x * scale).round() as i64,
                (SIZE / 2.0 - y * scale).round() as i64,
            )
        };
        let dots: Vec<Dot> = r
            .points
            .iter()
            .map(|p| {
                let (x, y) = place(p.x, p.y);
                Dot {
                    x,
                    y,
                    class: p
                        .group
                        .map_or_else(|| "g-none".to_owned(), |g| format!("g{}", g % 5)),
                    you: Some(p.participant) == you,
                }
            })
            .collect();
        let mut markers: Vec<Marker> = r
            .statement_points
            .iter()
            .filter_map(|s| {
                let t = texts.get(&s.statement)?;
                let (x, y) = place(s.x, s.y);
                Some(Marker {
                    x,
                    y,
                    label: s.statement.to_string(),
                    number_at: None,
                    leader: None,
                    title: format!("Statement {}: {}", s.statement, t.body),
                    body: t.body.clone(),
                })
            })
            .collect();
        let labels: Vec<GroupLabel> = r
            .groups
            .iter()
            .enumerate()
            .filter_map(|(gi, g)| {
                let pts: Vec<&Dot> = r
                    .points
                    .iter()
                    .zip(&dots)
                    .filter(|(p, _)| p.group == Some(gi))
                    .map(|(_, d)| d)
                    .collect();
                if pts.is_empty() || g.size == 0 {
                    return None;
                }
                let n = pts.len() as i64;
                Some(GroupLabel {
                    x: pts.iter().map(|d| d.x).sum::<i64>() / n,
                    y: pts.iter().map(|d| d.y).sum::<i64>() / n,
                    letter: group_letter(gi),
                    class: format!("g{}", gi % 5),
                })
            })
            .collect();
        let groups: Vec<String> = r
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| format!("group {} ({} {})", group_letter(i), g.size, people(g.size)))
            .collect();
        let summary = if groups.is_empty() {
            format!(
                "{} {} placed on the map; not enough votes yet to find opinion groups.",
                r.in_conversation,
                people(r.in_conversation)
            )
        } else {
            format!(
                "{} {} placed on the map in {} opinion groups: {}. People close together voted alike; numbered diamonds are statements, placed where someone who agreed with only that statement would be.",
                r.in_conversation,
                people(r.in_conversation),
                groups.len(),
                groups.join(", ")
            )
        };
        let you = dots.iter().find(|d| d.you).map(|d| (d.x, d.y));
        number(&mut markers, &labels, you);
        // A page stays light however many take part: at most about MAX_DOTS
        // dots, an even sample, and always yours (the summary and the group
        // sizes count everyone).
        let step = dots.len().div_ceil(MAX_DOTS).max(1);
        let dots = dots
            .into_iter()
            .enumerate()
            .filter(|(i, d)| i % step == 0 || d.you)
            .map(|(_, d)| d)
            .collect();
        Map {
            dots,
            markers,
            labels,
            summary,
            you,
        }
    }
}

/// Place the statements' numbers so that none overlaps another, a marker,
/// a group's letter or the "You" ring, all inside the map.
fn number(markers: &mut [Marker], groups: &[GroupLabel], you: Option<(i64, i64)>) {
    let mut obstacles: Vec<Rect> = markers
        .iter()
        .map(|m| Rect::around(m.x, m.y, 14, 14))
        .collect();
    obstacles.extend(groups.iter().map(|g| Rect::around(g.x, g.y, 28, 28)));
    if let Some((x, y)) = you {
        obstacles.push(Rect::around(x, y, 24, 24));
        obstacles.push(Rect::around(x, y - 20, 26, 14));
    }
    let anchors: Vec<(i64, i64)> = markers.iter().map(|m| (m.x, m.y)).collect();
    let sizes: Vec<(i64, i64)> = markers
        .iter()
        .map(|m| labels::label_size(&m.label))
        .collect();
    let boxes = labels::place(&anchors, &sizes, &obstacles, SIZE as i64);
    for (m, b) in markers.iter_mut().zip(boxes) {
        let Some(b) = b else { continue };
        m.number_at = Some((b.x + 1, b.y + 10));
        let (d, near) = b.nearest(m.x, m.y);
        if d > 12.0 {
            m.leader = Some(near);
        }
    }
}

fn people(n: usize) -> &'static str {
    if n == 1 {
        "person"
    } else {
        "people"
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use cohort_engine::conversation::{GroupResult, MapPoint, StatementPoint};

    #[test]
    fn the_map_fits_its_square_and_marks_you() {
        let r = ConversationResult {
            participants: 3,
            in_conversation: 3,
            points: vec![
                MapPoint {
                    participant: 1,
                    x: -3.0,
                    y: 0.5,
                    group: Some(0),
                },
                MapPoint {
                    participant: 2,
                    x: 2.0,
                    y: -1.0,
                    group: Some(1),
                },
                MapPoint {
                    participant: 3,
                    x: 0.0,
                    y: 0.0,
                    group: None,
                },
            ],
            statement_points: vec![
                StatementPoint {
                    statement: 10,
                    x: 0.5,
                    y: 6.0,
                },
                StatementPoint {
                    statement: 11,
                    x: 1.0,
                    y: 1.0,
                },
            ],
            groups: vec![
                GroupResult {
                    id: 0,
                    participants: vec![1],
                    size: 1,
                    repness: Vec::new(),
                },
                GroupResult {
                    id: 1,
                    participants: vec![2],
                    size: 1,
                    repness: Vec::new(),
                },
            ],
            consensus_agree: Vec::new(),
            consensus_disagree: Vec::new(),
            group_consensus: Vec::new(),
            tallies: Vec::new(),
            bridging: Vec::new(),
            input: String::new(),
            bursts: Vec::new(),
        };
        let mut texts = BTreeMap::new();
        texts.insert(
            10,
            StatementView {
                id: 10,
                body: "Rivers".into(),
                status: "approved",
                seeded: true,
                adopted_version: None,
                adopted_support: None,
            },
        );
        let map = Map::new(&r, &texts, Some(2));
        let inside = |x: i64, y: i64| (0..=400).contains(&x) && (0..=400).contains(&y);
        assert!(map.dots.iter().all(|d| inside(d.x, d.y)));
        assert!(map.markers.iter().all(|m| inside(m.x, m.y)));
        // The farthest point (statement 10, y = 6) touches the padding; up is up.
        assert_eq!((map.markers[0].x, map.markers[0].y), (215, 24));
        assert_eq!(map.markers.len(), 1, "only statements with a shown text");
        assert_eq!(map.you, Some((map.dots[1].x, map.dots[1].y)));
        assert_eq!(map.dots[2].class, "g-none");
        assert_eq!(map.labels.len(), 2);
        assert!(
            map.summary
                .contains("group A (1 person), group B (1 person)"),
            "{}",
            map.summary
        );
    }

    #[test]
    fn numbers_of_statements_at_one_spot_are_set_apart() {
        let r = ConversationResult {
            participants: 1,
            in_conversation: 1,
            points: vec![MapPoint {
                participant: 1,
                x: 1.0,
                y: 1.0,
                group: None,
            }],
            statement_points: (10..16)
                .map(|statement| StatementPoint {
                    statement,
                    x: 0.5,
                    y: 0.5,
                })
                .collect(),
            groups: Vec::new(),
            consensus_agree: Vec::new(),
            consensus_disagree: Vec::new(),
            group_consensus: Vec::new(),
            tallies: Vec::new(),
            bridging: Vec::new(),
            input: String::new(),
            bursts: Vec::new(),
        };
        let texts: BTreeMap<i64, StatementView> = (10..16)
            .map(|id| {
                (
                    id,
                    StatementView {
                        id,
                        body: format!("Statement {id}"),
                        status: "approved",
                        seeded: true,
                        adopted_version: None,
                        adopted_support: None,
                    },
                )
            })
            .collect();
        let map = Map::new(&r, &texts, Some(1));
        let boxes: Vec<Rect> = map
            .markers
            .iter()
            .map(|m| {
                let (x, y) = m.number_at.expect("room for every number");
                let (w, h) = labels::label_size(&m.label);
                Rect {
                    x: x - 1,
                    y: y - 10,
                    w,
                    h,
                }
            })
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(a.inside(400), "{a:?}");
            for b in &boxes[i + 1..] {
                assert!(!a.intersects(b), "{a:?} {b:?}");
            }
        }
        assert!(
            map.markers.iter().any(|m| m.leader.is_none()),
            "the first number sits next to its marker"
        );
    }

    #[test]
    fn a_crowd_is_sampled_but_you_are_always_drawn() {
        let points: Vec<MapPoint> = (0..10_001)
            .map(|i| MapPoint {
                participant: i,
                x: (i % 100) as f64,
                y: (i / 100) as f64,
                group: Some(0),
            })
            .collect();
        let r = ConversationResult {
            participants: points.len(),
            in_conversation: points.len(),
            points,
            statement_points: Vec::new(),
            groups: vec![GroupResult {
                id: 0,
                participants: (0..10_001).collect(),
                size: 10_001,
                repness: Vec::new(),
            }],
            consensus_agree: Vec::new(),
            consensus_disagree: Vec::new(),
            group_consensus: Vec::new(),
            tallies: Vec::new(),
            bridging: Vec::new(),
            input: String::new(),
            bursts: Vec::new(),
        };
        let map = Map::new(&r, &BTreeMap::new(), Some(7));
        assert!(map.dots.len() <= MAX_DOTS + 1, "{}", map.dots.len());
        assert!(map.dots.len() > MAX_DOTS / 2);
        assert_eq!(map.dots.iter().filter(|d| d.you).count(), 1);
        assert!(
            map.summary.starts_with("10001 people placed on the map"),
            "{}",
            map.summary
        );
    }
}
