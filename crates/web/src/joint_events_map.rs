//! Where a slate's upcoming joint events are (issue 15: the events page
//! "lists them with a map of where they are"): the shared tile map of
//! [`crate::us_map`] marks each state with an in-person event, a badge
//! counts the ones online, and the same places are listed as text.

use cohort_engine::joint_events::JointEventView;

use crate::us_map::{self, UsMap};

/// One upcoming event as the list of places gives it.
pub(crate) struct Place {
    pub id: i64,
    pub title: String,
    pub when: String,
    /// The address on one line, or "Online".
    pub place: String,
}

/// The map and its text equivalent: places grouped under their state (or
/// "Elsewhere" for a state the map does not draw), then the online events.
pub(crate) struct EventsMap {
    pub map: UsMap,
    /// (state code or "Elsewhere", its in-person events), states in map order.
    pub states: Vec<(String, Vec<Place>)>,
    pub online: Vec<Place>,
}

fn place(e: &JointEventView, place: String) -> Place {
    Place {
        id: e.id,
        title: e.title.clone(),
        when: e.starts_local.clone(),
        place,
    }
}

/// Where `upcoming` take place.
pub(crate) fn events_map(upcoming: &[JointEventView]) -> EventsMap {
    let mut states: Vec<(String, Vec<Place>)> = Vec::new();
    let mut online = Vec::new();
    for e in upcoming {
        if let Some(l) = &e.location {
            let state = us_map::state_code(&l.state).unwrap_or("Elsewhere");
            let p = place(e, l.one_line());
            match states.iter_mut().find(|(s, _)| s == state) {
                Some((_, list)) => list.push(p),
                None => states.push((state.to_owned(), vec![p])),
            }
        }
        if e.online_url.is_some() {
            online.push(place(e, "Online".to_owned()));
        }
    }
    let order = |s: &str| {
        us_map::TILES
            .iter()
            .position(|&(t, _, _)| t == s)
            .unwrap_or(usize::MAX)
    };
    states.sort_by_key(|(s, _)| order(s));
    let tiles = us_map::tiles(|state| match states.iter().find(|(s, _)| s == state) {
        Some((_, list)) => {
            let titles: Vec<String> = list
                .iter()
                .map(|p| format!("{} ({})", p.title, p.when))
                .collect();
            ("event", format!("{state}: {}", titles.join("; ")))
        }
        None => ("none", format!("{state}: no upcoming joint event")),
    });
    let count = |n: usize| match n {
        1 => "1 event".to_owned(),
        n => format!("{n} events"),
    };
    let in_person: Vec<String> = states
        .iter()
        .map(|(s, list)| format!("{s} ({})", count(list.len())))
        .collect();
    let summary = format!(
        "Upcoming in person in: {}. Online: {}.",
        if in_person.is_empty() {
            "no state yet".to_owned()
        } else {
            in_person.join(", ")
        },
        if online.is_empty() {
            "none".to_owned()
        } else {
            count(online.len())
        }
    );
    EventsMap {
        map: UsMap {
            id: "events-map",
            title: "Map of the United States: states with an upcoming joint event in person"
                .to_owned(),
            summary,
            tiles,
            online: Some(format!("Online: {}", count(online.len()))),
        },
        states,
        online,
    }
}
