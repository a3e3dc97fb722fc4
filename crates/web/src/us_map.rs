//! The one tile-grid map of the United States that pages draw as
//! server-side SVG (no JavaScript): one equal square per state and DC, each
//! with a class for its colour and a title for tooltips and screen readers.
//! A page says what each state means ([`tiles`]) and renders
//! `templates/us_map.html` with a [`UsMap`] named `map`; it also prints the
//! summary as text, so the map is never the only way to read it.

/// A tile-grid map of the United States: one square per state (and DC),
/// placed roughly where the state is, so every state is equally visible.
pub(crate) const TILES: &[(&str, u8, u8)] = &[
    ("AK", 0, 0),
    ("ME", 11, 0),
    ("VT", 10, 1),
    ("NH", 11, 1),
    ("WA", 1, 2),
    ("ID", 2, 2),
    ("MT", 3, 2),
    ("ND", 4, 2),
    ("MN", 5, 2),
    ("IL", 6, 2),
    ("WI", 7, 2),
    ("MI", 8, 2),
    ("NY", 9, 2),
    ("RI", 10, 2),
    ("MA", 11, 2),
    ("OR", 1, 3),
    ("NV", 2, 3),
    ("WY", 3, 3),
    ("SD", 4, 3),
    ("IA", 5, 3),
    ("IN", 6, 3),
    ("OH", 7, 3),
    ("PA", 8, 3),
    ("NJ", 9, 3),
    ("CT", 10, 3),
    ("CA", 1, 4),
    ("UT", 2, 4),
    ("CO", 3, 4),
    ("NE", 4, 4),
    ("MO", 5, 4),
    ("KY", 6, 4),
    ("WV", 7, 4),
    ("VA", 8, 4),
    ("MD", 9, 4),
    ("DE", 10, 4),
    ("AZ", 2, 5),
    ("NM", 3, 5),
    ("KS", 4, 5),
    ("AR", 5, 5),
    ("TN", 6, 5),
    ("NC", 7, 5),
    ("SC", 8, 5),
    ("DC", 9, 5),
    ("OK", 4, 6),
    ("LA", 5, 6),
    ("MS", 6, 6),
    ("AL", 7, 6),
    ("GA", 8, 6),
    ("HI", 0, 7),
    ("TX", 4, 7),
    ("FL", 9, 7),
];

/// One square of the map.
pub(crate) struct Tile {
    pub x: u32,
    pub y: u32,
    pub state: &'static str,
    /// The CSS class suffix (`tile-{class}`): what the page says the state is.
    pub class: &'static str,
    /// "NY: Ada Reyes (NY-10) has signed; …" for the tooltip and screen readers.
    pub title: String,
}

/// Side of a square, in SVG units; the map is 12 squares by 8.
pub(crate) const TILE: u32 = 44;

/// What `templates/us_map.html` draws.
pub(crate) struct UsMap {
    /// Prefix of the SVG's title and description ids, unique on the page.
    pub id: &'static str,
    /// The SVG's accessible name.
    pub title: String,
    /// Its description: the same facts in words.
    pub summary: String,
    pub tiles: Vec<Tile>,
    /// A badge in the empty top row, e.g. "Online: 2 events".
    pub online: Option<String>,
}

/// Every state's square, classed and titled by `describe(state)`.
pub(crate) fn tiles(mut describe: impl FnMut(&'static str) -> (&'static str, String)) -> Vec<Tile> {
    TILES
        .iter()
        .map(|&(state, col, row)| {
            let (class, title) = describe(state);
            Tile {
                x: u32::from(col) * TILE,
                y: u32::from(row) * TILE,
                state,
                class,
                title,
            }
        })
        .collect()
}

/// The USPS code `text` names when it is one of the map's states ("ny " → "NY").
pub(crate) fn state_code(text: &str) -> Option<&'static str> {
    let t = text.trim();
    TILES
        .iter()
        .map(|&(s, _, _)| s)
        .find(|s| s.eq_ignore_ascii_case(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_and_dc_has_one_square_of_its_own() {
        assert_eq!(TILES.len(), 51);
        let mut places: Vec<(u8, u8)> = TILES.iter().map(|&(_, c, r)| (c, r)).collect();
        places.sort_unstable();
        places.dedup();
        assert_eq!(places.len(), 51, "no two states share a square");
        assert!(TILES.iter().all(|&(_, c, r)| c < 12 && r < 8));
        assert!(
            TILES.iter().all(|&(_, c, r)| r > 0 || c == 0 || c == 11),
            "the top row is free between AK and ME, for the online badge"
        );
    }

    #[test]
    fn state_codes_are_read_loosely_and_only_for_states() {
        assert_eq!(state_code(" ny"), Some("NY"));
        assert_eq!(state_code("DC"), Some("DC"));
        assert_eq!(state_code("New York"), None);
        assert_eq!(state_code("PR"), None);
    }
}
