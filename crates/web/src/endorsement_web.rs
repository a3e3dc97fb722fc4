//! The endorsement web (issue 16): the slate's candidates on a circle and
//! their endorsements as lines, drawn as server-side SVG, with a text
//! equivalent listing every edge and every missing one.
//!
//! Per pair of candidates: both endorse each other → a mutual edge (solid,
//! thick, no arrow); one endorses the other → a one-way edge (an arrow),
//! marked as missing its return when both have signed; neither, and both
//! have signed → a missing edge (dashed). Pairs with an unsigned candidate
//! and no endorsement draw nothing. Only the roster and its endorsements
//! are read, never pledges.

use std::collections::HashSet;

use cohort_engine::SlateView;

pub(crate) const WIDTH: i32 = 640;
pub(crate) const HEIGHT: i32 = 420;
const RADIUS: f64 = 140.0;
const NODE: f64 = 22.0;
/// Label lines are this far apart (px).
pub(crate) const LINE: i32 = 15;

/// The width a label line takes in the picture's 14-px bold system-ui,
/// generously (8.5 px a character), so that the layout can keep it inside.
pub(crate) fn label_width(line: &str) -> i32 {
    (line.chars().count() as f64 * 8.5).ceil() as i32
}

pub(crate) struct Node {
    pub x: i32,
    pub y: i32,
    pub initials: String,
    pub slug: String,
    pub name: String,
    pub signed: bool,
    /// The name, on as many lines as keep it inside the picture.
    pub label_lines: Vec<String>,
    pub label_x: i32,
    /// The first line's baseline; the others follow `LINE` apart.
    pub label_y: i32,
    pub anchor: &'static str,
}

pub(crate) struct Edge {
    pub x1: i32,
    pub y1: i32,
    pub x2: i32,
    pub y2: i32,
    /// `mutual`, `one-way`, `one-way missing` or `missing`.
    pub class: &'static str,
    pub arrow: bool,
    pub title: String,
}

pub(crate) struct EndorsementWeb {
    pub width: i32,
    pub height: i32,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub mutual: Vec<String>,
    pub one_way: Vec<String>,
    pub missing: Vec<String>,
}

impl EndorsementWeb {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

pub(crate) fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .flat_map(char::to_uppercase)
        .take(2)
        .collect()
}

/// `name` in lines no wider than `room` (a word wider than that keeps a
/// line of its own).
fn wrap(name: &str, room: i32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in name.split_whitespace() {
        match lines.last_mut() {
            Some(line) if label_width(&format!("{line} {word}")) <= room => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

pub(crate) fn build(slate: &SlateView) -> EndorsementWeb {
    let n = slate.candidates.len();
    let cx = f64::from(WIDTH) / 2.0;
    let cy = f64::from(HEIGHT) / 2.0;
    let at = |i: usize| {
        let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n as f64;
        (angle.cos(), angle.sin())
    };
    let nodes: Vec<Node> = slate
        .candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (dx, dy) = at(i);
            let label = RADIUS + NODE + 8.0;
            let label_x = (cx + label * dx).round() as i32;
            let (anchor, room) = if dx > 0.3 {
                ("start", WIDTH - label_x)
            } else if dx < -0.3 {
                ("end", label_x)
            } else {
                ("middle", 2 * label_x.min(WIDTH - label_x))
            };
            let label_lines = wrap(&c.name, room - 4);
            // Labels above the circle grow upwards, the others downwards.
            let above = if dy < -0.3 {
                label_lines.len() as i32 - 1
            } else {
                0
            };
            let label_y = (cy + label * dy + 4.0 + 8.0 * dy).round() as i32 - above * LINE;
            Node {
                x: (cx + RADIUS * dx).round() as i32,
                y: (cy + RADIUS * dy).round() as i32,
                initials: initials(&c.name),
                slug: c.slug.clone(),
                name: c.name.clone(),
                signed: c.signed,
                label_lines,
                label_x,
                label_y,
                anchor,
            }
        })
        .collect();
    let endorses: HashSet<(&str, &str)> = slate
        .endorsements
        .iter()
        .map(|e| (e.from.as_str(), e.to.as_str()))
        .collect();
    let mut web = EndorsementWeb {
        width: WIDTH,
        height: HEIGHT,
        nodes: Vec::new(),
        edges: Vec::new(),
        mutual: Vec::new(),
        one_way: Vec::new(),
        missing: Vec::new(),
    };
    let cands = &slate.candidates;
    for i in 0..n {
        for j in (i + 1)..n {
            let (a, b) = (&cands[i], &cands[j]);
            let ab = endorses.contains(&(a.slug.as_str(), b.slug.as_str()));
            let ba = endorses.contains(&(b.slug.as_str(), a.slug.as_str()));
            let both_signed = a.signed && b.signed;
            let (from, to, class, arrow, title) = match (ab, ba) {
                (true, true) => {
                    let t = format!("{} and {} endorse each other", a.name, b.name);
                    web.mutual.push(t.clone());
                    (i, j, "mutual", false, t)
                }
                (true, false) | (false, true) => {
                    let (f, t) = if ab { (i, j) } else { (j, i) };
                    let (fname, tname) = (&cands[f].name, &cands[t].name);
                    let title = if both_signed {
                        web.missing
                            .push(format!("{tname} has not endorsed {fname} back"));
                        format!("{fname} endorses {tname}; {tname} has not endorsed {fname} back")
                    } else {
                        format!("{fname} endorses {tname}")
                    };
                    web.one_way.push(format!("{fname} endorses {tname}"));
                    let class = if both_signed {
                        "one-way missing"
                    } else {
                        "one-way"
                    };
                    (f, t, class, true, title)
                }
                (false, false) if both_signed => {
                    let t = format!("{} and {} have not endorsed each other", a.name, b.name);
                    web.missing.push(t.clone());
                    (i, j, "missing", false, t)
                }
                (false, false) => continue,
            };
            let (x1, y1) = (f64::from(nodes[from].x), f64::from(nodes[from].y));
            let (x2, y2) = (f64::from(nodes[to].x), f64::from(nodes[to].y));
            let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1.0);
            // Stop the line at each circle's edge (a little further for an arrowhead).
            let end = if arrow { NODE + 6.0 } else { NODE };
            let (ux, uy) = ((x2 - x1) / len, (y2 - y1) / len);
            web.edges.push(Edge {
                x1: (x1 + ux * NODE).round() as i32,
                y1: (y1 + uy * NODE).round() as i32,
                x2: (x2 - ux * end).round() as i32,
                y2: (y2 - uy * end).round() as i32,
                class,
                arrow,
                title,
            });
        }
    }
    web.nodes = nodes;
    web
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use cohort_engine::{CandidateView, EndorsementView};

    fn cand(slug: &str, name: &str, signed: bool) -> CandidateView {
        CandidateView {
            slug: slug.into(),
            name: name.into(),
            office: "us_house".into(),
            state: "NY".into(),
            district: Some("1".into()),
            primary_date: None,
            general_date: "2028-11-07".into(),
            signed,
            signed_version: signed.then_some(1),
        }
    }

    fn e(from: &str, to: &str) -> EndorsementView {
        EndorsementView {
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn initials_take_the_first_two_words() {
        assert_eq!(initials("Nadia Farouk-Tillman"), "NF");
        assert_eq!(initials("ada"), "A");
        assert_eq!(initials("Mary Ann de la Cruz"), "MA");
    }

    pub(crate) fn slate_of(candidates: Vec<CandidateView>) -> SlateView {
        SlateView {
            slug: "s".into(),
            name: "S".into(),
            cycle: 2028,
            description: String::new(),
            condition: "true".into(),
            condition_text: "always".into(),
            compact: None,
            candidates,
            signers: 3,
            states: 1,
            mutual: false,
            unlocked: false,
            pot: cohort_store::Pot::default(),
            waiting: Vec::new(),
            endorsements: Vec::new(),
            blocking: Vec::new(),
            on_unlock: Vec::new(),
        }
    }

    #[test]
    fn pairs_are_mutual_one_way_or_missing() {
        let mut slate = slate_of(Vec::new());
        slate.candidates = vec![
            cand("a", "Ada Reyes", true),
            cand("b", "Ben Okafor", true),
            cand("c", "Cy Lindqvist", true),
            cand("d", "Dee Unsigned", false),
        ];
        slate.endorsements = vec![e("a", "b"), e("b", "a"), e("a", "c"), e("d", "a")];
        let web = build(&slate);
        assert_eq!(
            web.mutual,
            vec!["Ada Reyes and Ben Okafor endorse each other"]
        );
        assert_eq!(
            web.one_way,
            vec![
                "Ada Reyes endorses Cy Lindqvist",
                "Dee Unsigned endorses Ada Reyes"
            ]
        );
        assert_eq!(
            web.missing,
            vec![
                "Cy Lindqvist has not endorsed Ada Reyes back",
                "Ben Okafor and Cy Lindqvist have not endorsed each other"
            ]
        );
        let classes: Vec<&str> = web.edges.iter().map(|e| e.class).collect();
        assert_eq!(
            classes,
            vec!["mutual", "one-way missing", "one-way", "missing"]
        );
        // Every node and label stays inside the picture.
        for n in &web.nodes {
            assert!((0..WIDTH).contains(&n.x) && (0..HEIGHT).contains(&n.y));
            assert!((0..HEIGHT).contains(&n.label_y));
        }
    }

    /// The demo's eight candidates with their long names: every label line,
    /// at the width 14-px bold text takes, stays inside the picture (the
    /// first drawing cut "Tomás Ibarra Quintero (fictional)" at the edge).
    #[test]
    fn long_names_are_not_cut_at_the_edge_of_the_picture() {
        let names = [
            "Maria Okafor (fictional)",
            "Jonah Szymanski (fictional)",
            "Leila Brandvold (fictional)",
            "Tomás Ibarra Quintero (fictional)",
            "Denise Varga-Whitfield (fictional)",
            "Marcus Oyelaran (fictional)",
            "Nadia Farouk-Tillman (fictional)",
            "Caleb Ainsworth (fictional)",
        ];
        let mut slate = slate_of(Vec::new());
        slate.candidates = names
            .iter()
            .enumerate()
            .map(|(i, n)| cand(&format!("c{i}"), n, i % 2 == 0))
            .collect();
        let web = build(&slate);
        for n in &web.nodes {
            for (k, line) in n.label_lines.iter().enumerate() {
                let w = label_width(line);
                let (left, right) = match n.anchor {
                    "start" => (n.label_x, n.label_x + w),
                    "end" => (n.label_x - w, n.label_x),
                    _ => (n.label_x - w / 2, n.label_x + w / 2),
                };
                assert!(
                    left >= 0 && right <= WIDTH,
                    "{line:?} spans {left}..{right}, outside 0..{WIDTH}"
                );
                let y = n.label_y + LINE * k as i32;
                assert!((12..=HEIGHT).contains(&y), "{line:?} at y = {y}");
            }
            assert_eq!(
                n.label_lines.concat().replace(' ', ""),
                n.name.replace(' ', "")
            );
        }
    }
}
