//! Sitting members, committee rosters and each chamber's composition.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::csv::Table;
use crate::{Chamber, ParseError};

/// Delegates and the resident commissioner: they sit in the House but do not
/// vote on the floor, so they are not counted as members.
pub const NON_VOTING: [&str; 6] = ["DC", "PR", "GU", "VI", "AS", "MP"];

/// One sitting member, from `legislators.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Legislator {
    pub bioguide: String,
    pub lis: Option<String>,
    pub name: String,
    /// The party of their current term (`Independent` for independents).
    pub party: String,
    /// The party they caucus with (equal to `party` for most).
    pub caucus: String,
    pub state: String,
    /// House district; 0 is at-large.
    pub district: Option<u32>,
    /// Senate class (1, 2 or 3).
    pub class: Option<u32>,
    pub chamber: Chamber,
    pub term_start: String,
    /// Start of their unbroken service in this chamber (seniority).
    pub serving_since: String,
}

impl Legislator {
    /// Whether they vote on the floor (every senator; representatives of
    /// the 50 states).
    pub fn votes(&self) -> bool {
        self.chamber == Chamber::Senate || !NON_VOTING.contains(&self.state.as_str())
    }
}

/// Which side of a committee a member sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Majority,
    Minority,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitteeSeat {
    pub bioguide: String,
    pub side: Side,
    pub rank: Option<u32>,
    pub title: Option<String>,
}

/// A full committee of one chamber and its roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Committee {
    pub id: String,
    pub chamber: Chamber,
    pub name: String,
    pub seats: Vec<CommitteeSeat>,
}

impl Committee {
    pub fn count(&self, side: Side) -> u32 {
        self.seats.iter().filter(|s| s.side == side).count() as u32
    }

    /// The member holding `title` (`Chair`, `Chairman`, `Ranking Member`).
    pub fn titled(&self, prefix: &str) -> Option<&CommitteeSeat> {
        self.seats.iter().find(|s| {
            s.title
                .as_deref()
                .is_some_and(|t| t.starts_with(prefix) && !t.contains("Vice"))
        })
    }
}

/// The whole extract: members, committees and a few chamber facts.
#[derive(Debug, Clone)]
pub struct Congress {
    pub as_of: String,
    pub house_seats: u32,
    pub senate_seats: u32,
    pub vice_president_party: String,
    pub legislators: Vec<Legislator>,
    pub committees: Vec<Committee>,
}

/// Who sits in a chamber, counted as API.md "Congress" defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Composition {
    pub chamber: Chamber,
    pub seats: u32,
    /// Sitting voting members.
    pub members: u32,
    pub vacancies: u32,
    /// Members by the party of their current term.
    pub parties: BTreeMap<String, u32>,
    /// Members by the party they caucus with (independents counted there).
    pub caucuses: BTreeMap<String, u32>,
    /// Independents and whom they caucus with.
    pub independents: Vec<Independent>,
    /// The caucus with the most members.
    pub majority_party: String,
    pub majority_needed: u32,
    /// Majority caucus minus the next largest.
    pub margin: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Independent {
    pub name: String,
    pub state: String,
    pub caucus: String,
}

impl Composition {
    /// Seats of `party`'s caucus.
    pub fn caucus(&self, party: &str) -> u32 {
        self.caucuses.get(party).copied().unwrap_or(0)
    }

    /// Recompute the derived fields after counts changed.
    pub(crate) fn settle(&mut self) {
        self.members = self.parties.values().sum();
        self.vacancies = self.seats.saturating_sub(self.members);
        self.majority_needed = majority_needed(self.chamber, self.members);
        let mut by_size: Vec<(&String, &u32)> = self.caucuses.iter().collect();
        by_size.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        self.majority_party = by_size.first().map(|p| p.0.clone()).unwrap_or_default();
        let first = by_size.first().map(|p| *p.1).unwrap_or(0);
        let second = by_size.get(1).map(|p| *p.1).unwrap_or(0);
        self.margin = first - second;
    }
}

/// API.md: `members / 2 + 1` for the House, 51 for the Senate.
pub fn majority_needed(chamber: Chamber, members: u32) -> u32 {
    match chamber {
        Chamber::House => members / 2 + 1,
        Chamber::Senate => 51,
    }
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

impl Congress {
    /// Parse `meta.csv`, `legislators.csv` and `committees.csv`.
    pub fn parse(meta: &str, legislators: &str, committees: &str) -> Result<Congress, ParseError> {
        let m = Table::parse("meta.csv", meta)?;
        let (k, v) = (m.column("key")?, m.column("value")?);
        let mut facts = BTreeMap::new();
        for r in &m.rows {
            facts.insert(r.get(k).to_string(), (r.clone(), r.get(v).to_string()));
        }
        let fact = |name: &str| {
            facts
                .get(name)
                .map(|f| f.1.clone())
                .ok_or_else(|| ParseError {
                    file: "meta.csv".into(),
                    line: 1,
                    column: 1,
                    message: format!("no {name:?} row"),
                })
        };
        let number = |name: &str| -> Result<u32, ParseError> {
            let s = fact(name)?;
            s.parse().map_err(|_| {
                let (row, _) = &facts[name];
                m.error(row, v, format!("{name} must be a whole number, not {s:?}"))
            })
        };
        let mut congress = Congress {
            as_of: fact("as_of")?,
            house_seats: number("house_seats")?,
            senate_seats: number("senate_seats")?,
            vice_president_party: fact("vice_president_party")?,
            legislators: Vec::new(),
            committees: Vec::new(),
        };

        let t = Table::parse("legislators.csv", legislators)?;
        let cols = [
            "bioguide",
            "lis",
            "name",
            "party",
            "caucus",
            "state",
            "district",
            "class",
            "chamber",
            "term_start",
            "serving_since",
        ]
        .map(|c| t.column(c));
        let [bio, lis, name, party, caucus, state, district, class, chamber, start, since] = cols;
        let (bio, lis, name, party, caucus, state) = (bio?, lis?, name?, party?, caucus?, state?);
        let (district, class, chamber, start, since) =
            (district?, class?, chamber?, start?, since?);
        for r in &t.rows {
            let ch = Chamber::parse(r.get(chamber))
                .ok_or_else(|| t.error(r, chamber, "chamber must be house or senate"))?;
            let num = |i: usize, what: &str| -> Result<Option<u32>, ParseError> {
                if r.get(i).is_empty() {
                    return Ok(None);
                }
                r.get(i)
                    .parse()
                    .map(Some)
                    .map_err(|_| t.error(r, i, format!("{what} must be a whole number")))
            };
            if r.get(bio).is_empty() {
                return Err(t.error(r, bio, "bioguide is empty"));
            }
            congress.legislators.push(Legislator {
                bioguide: r.get(bio).to_string(),
                lis: opt(r.get(lis)),
                name: r.get(name).to_string(),
                party: r.get(party).to_string(),
                caucus: opt(r.get(caucus)).unwrap_or_else(|| r.get(party).to_string()),
                state: r.get(state).to_string(),
                district: num(district, "district")?,
                class: num(class, "class")?,
                chamber: ch,
                term_start: r.get(start).to_string(),
                serving_since: r.get(since).to_string(),
            });
        }

        let t = Table::parse("committees.csv", committees)?;
        let [id, chamber, name, bio, side, rank, title] = [
            "committee",
            "chamber",
            "name",
            "bioguide",
            "side",
            "rank",
            "title",
        ]
        .map(|c| t.column(c));
        let (id, chamber, name, bio, side, rank, title) =
            (id?, chamber?, name?, bio?, side?, rank?, title?);
        for r in &t.rows {
            let ch = Chamber::parse(r.get(chamber))
                .ok_or_else(|| t.error(r, chamber, "chamber must be house or senate"))?;
            let sd = match r.get(side) {
                "majority" => Side::Majority,
                "minority" => Side::Minority,
                _ => return Err(t.error(r, side, "side must be majority or minority")),
            };
            let rk = match r.get(rank) {
                "" => None,
                s => Some(
                    s.parse()
                        .map_err(|_| t.error(r, rank, "rank must be a whole number"))?,
                ),
            };
            let seat = CommitteeSeat {
                bioguide: r.get(bio).to_string(),
                side: sd,
                rank: rk,
                title: opt(r.get(title)),
            };
            match congress.committees.last_mut() {
                Some(c) if c.id == r.get(id) => c.seats.push(seat),
                _ => congress.committees.push(Committee {
                    id: r.get(id).to_string(),
                    chamber: ch,
                    name: r.get(name).to_string(),
                    seats: vec![seat],
                }),
            }
        }
        Ok(congress)
    }

    /// The sitting member with this bioguide id.
    pub fn by_bioguide(&self, id: &str) -> Option<&Legislator> {
        self.legislators.iter().find(|l| l.bioguide == id)
    }

    /// The chamber's composition as API.md "Congress" counts it.
    pub fn composition(&self, chamber: Chamber) -> Composition {
        let mut c = Composition {
            chamber,
            seats: match chamber {
                Chamber::House => self.house_seats,
                Chamber::Senate => self.senate_seats,
            },
            members: 0,
            vacancies: 0,
            parties: BTreeMap::new(),
            caucuses: BTreeMap::new(),
            independents: Vec::new(),
            majority_party: String::new(),
            majority_needed: 0,
            margin: 0,
        };
        for l in self
            .legislators
            .iter()
            .filter(|l| l.chamber == chamber && l.votes())
        {
            *c.parties.entry(l.party.clone()).or_default() += 1;
            *c.caucuses.entry(l.caucus.clone()).or_default() += 1;
            if l.party != l.caucus {
                c.independents.push(Independent {
                    name: l.name.clone(),
                    state: l.state.clone(),
                    caucus: l.caucus.clone(),
                });
            }
        }
        c.settle();
        c
    }

    /// The chamber's full committees.
    pub fn committees(&self, chamber: Chamber) -> impl Iterator<Item = &Committee> {
        self.committees.iter().filter(move |c| c.chamber == chamber)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_extract_parses_and_counts_as_api_md_says() {
        let c = crate::shipped::congress().unwrap();
        let house = c.composition(Chamber::House);
        let voting = c
            .legislators
            .iter()
            .filter(|l| l.chamber == Chamber::House && !NON_VOTING.contains(&l.state.as_str()))
            .count() as u32;
        assert_eq!(house.members, voting);
        assert_eq!(house.seats, 435);
        assert_eq!(house.vacancies, 435 - voting);
        assert_eq!(house.majority_needed, voting / 2 + 1);
        assert_eq!(house.parties.values().sum::<u32>(), house.members);
        let senate = c.composition(Chamber::Senate);
        assert_eq!(senate.majority_needed, 51);
        // Sanders and King are independents who caucus with the Democrats.
        assert!(senate
            .independents
            .iter()
            .any(|i| i.name == "Bernard Sanders" && i.caucus == "Democrat"));
        assert_eq!(
            senate.caucus("Democrat"),
            senate.parties["Democrat"] + senate.parties["Independent"]
        );
        assert!(c.committees(Chamber::House).count() > 15);
    }

    #[test]
    fn a_bad_district_names_file_line_and_column() {
        let legis = "bioguide,lis,name,party,caucus,state,district,class,chamber,term_start,serving_since\n\
                     A1,,A,Democrat,Democrat,NY,x,,house,2025-01-03,2025-01-03\n";
        let e =
            Congress::parse(crate::shipped::META, legis, crate::shipped::COMMITTEES).unwrap_err();
        assert_eq!(
            e.to_string(),
            "legislators.csv:2:28: district must be a whole number"
        );
    }
}
