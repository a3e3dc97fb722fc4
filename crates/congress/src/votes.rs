//! Roll calls and member positions in the layout of `votes-119/`
//! (`rollcalls.csv`, `positions.csv`; see its ATTRIBUTION.txt).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::csv::Table;
use crate::{Chamber, ParseError};

/// A position as counted: `Yea`/`Aye` is yes, `Nay`/`No` is no, anything
/// else (Present, Not Voting, a name in a Speaker election) is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    Yes,
    No,
}

impl Vote {
    pub fn of(position: &str) -> Option<Vote> {
        match position {
            "Yea" | "Aye" => Some(Vote::Yes),
            "Nay" | "No" => Some(Vote::No),
            _ => None,
        }
    }

    /// `yes` or `no` (the API's spelling).
    pub fn parse(s: &str) -> Option<Vote> {
        match s {
            "yes" => Some(Vote::Yes),
            "no" => Some(Vote::No),
            _ => None,
        }
    }
}

/// One roll call (a row of `rollcalls.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollCall {
    pub vote_id: String,
    pub chamber: Chamber,
    pub congress: u32,
    pub session: u32,
    pub number: u32,
    /// RFC 3339 with offset, as in the source.
    pub datetime: String,
    /// `YYYY-MM-DD`, the local date of the roll call.
    pub date: String,
    pub category: String,
    pub vote_type: String,
    pub question: String,
    pub requires: String,
    pub result: String,
    pub bill: String,
    pub amendment: String,
}

/// One member's position on one roll call (a row of `positions.csv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    pub member_id: String,
    pub party: String,
    pub state: String,
    pub position: String,
}

/// Roll calls by vote id, each with its positions by member id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollCalls {
    pub calls: BTreeMap<String, RollCall>,
    pub positions: BTreeMap<String, BTreeMap<String, Position>>,
}

fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..10]
            .iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

/// `h123-119.2025` → (chamber, number, congress, session).
fn parse_vote_id(id: &str) -> Option<(Chamber, u32, u32, u32)> {
    let chamber = match id.get(..1)? {
        "h" => Chamber::House,
        "s" => Chamber::Senate,
        _ => return None,
    };
    let (number, rest) = id[1..].split_once('-')?;
    let (congress, session) = rest.split_once('.')?;
    let n = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    Some((chamber, n(number)?, n(congress)?, n(session)?))
}

impl RollCalls {
    /// Parse both files; every problem is reported with file, line and column.
    pub fn parse(rollcalls: &str, positions: &str) -> Result<RollCalls, ParseError> {
        let mut out = RollCalls::default();
        out.add("rollcalls.csv", rollcalls, "positions.csv", positions)?;
        Ok(out)
    }

    /// Parse a pair of files (named for error messages) and add them. Adding
    /// the same roll calls again changes nothing; on error nothing is added.
    pub fn add(
        &mut self,
        rollcalls_name: &str,
        rollcalls: &str,
        positions_name: &str,
        positions: &str,
    ) -> Result<(), ParseError> {
        let t = Table::parse(rollcalls_name, rollcalls)?;
        let names = [
            "vote_id",
            "chamber",
            "congress",
            "session",
            "number",
            "date",
            "category",
            "type",
            "question",
            "requires",
            "result",
            "bill",
            "amendment",
        ];
        let mut cols = [0usize; 13];
        for (i, n) in names.iter().enumerate() {
            cols[i] = t.column(n)?;
        }
        let [id, chamber, congress, session, number, date, category, kind, question, requires, result, bill, amendment] =
            cols;
        let mut calls = BTreeMap::new();
        for r in &t.rows {
            let vid = r.get(id);
            let (ch, num, cong, sess) = parse_vote_id(vid).ok_or_else(|| {
                t.error(r, id, format!("{vid:?} is not a vote id like h12-119.2025"))
            })?;
            let want = match ch {
                Chamber::House => "h",
                Chamber::Senate => "s",
            };
            if r.get(chamber) != want {
                return Err(t.error(r, chamber, format!("chamber must be {want} for {vid}")));
            }
            for (col, value, what) in [
                (congress, cong, "congress"),
                (session, sess, "session"),
                (number, num, "number"),
            ] {
                if r.get(col).parse::<u32>().ok() != Some(value) {
                    return Err(t.error(r, col, format!("{what} must be {value} for {vid}")));
                }
            }
            if !valid_date(r.get(date)) {
                return Err(t.error(r, date, "date must start YYYY-MM-DD"));
            }
            let call = RollCall {
                vote_id: vid.to_string(),
                chamber: ch,
                congress: cong,
                session: sess,
                number: num,
                datetime: r.get(date).to_string(),
                date: r.get(date)[..10].to_string(),
                category: r.get(category).to_string(),
                vote_type: r.get(kind).to_string(),
                question: r.get(question).to_string(),
                requires: r.get(requires).to_string(),
                result: r.get(result).to_string(),
                bill: r.get(bill).to_string(),
                amendment: r.get(amendment).to_string(),
            };
            if calls.insert(vid.to_string(), call).is_some() {
                return Err(t.error(r, id, format!("roll call {vid} appears twice")));
            }
        }

        let t = Table::parse(positions_name, positions)?;
        let [id, member, party, state, position] =
            ["vote_id", "member_id", "party", "state", "position"].map(|c| t.column(c));
        let (id, member, party, state, position) = (id?, member?, party?, state?, position?);
        let mut pos: BTreeMap<String, BTreeMap<String, Position>> = BTreeMap::new();
        for r in &t.rows {
            let vid = r.get(id);
            if !calls.contains_key(vid) && !self.calls.contains_key(vid) {
                return Err(t.error(
                    r,
                    id,
                    format!("roll call {vid:?} is not in {rollcalls_name}"),
                ));
            }
            if r.get(member).is_empty() {
                return Err(t.error(r, member, "member_id is empty"));
            }
            let p = Position {
                member_id: r.get(member).to_string(),
                party: r.get(party).to_string(),
                state: r.get(state).to_string(),
                position: r.get(position).to_string(),
            };
            if pos
                .entry(vid.to_string())
                .or_default()
                .insert(p.member_id.clone(), p)
                .is_some()
            {
                return Err(t.error(
                    r,
                    member,
                    format!("{} has two positions on {vid}", r.get(member)),
                ));
            }
        }
        // Checked; now merge (a repeated import replaces rows with equal ones).
        self.calls.extend(calls);
        for (vid, ps) in pos {
            self.positions.entry(vid).or_default().extend(ps);
        }
        Ok(())
    }

    /// The counted vote of `member` on `vote_id`, if any.
    pub fn vote(&self, vote_id: &str, member: &str) -> Option<Vote> {
        Vote::of(&self.positions.get(vote_id)?.get(member)?.position)
    }

    /// The last Speaker election in the data (by date, then number).
    pub fn last_speaker_election(&self) -> Option<&RollCall> {
        self.calls
            .values()
            .filter(|c| c.chamber == Chamber::House && c.question == "Election of the Speaker")
            .max_by(|a, b| (&a.datetime, a.number).cmp(&(&b.datetime, b.number)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RC: &str = "vote_id,chamber,congress,session,number,date,category,type,question,requires,result,bill,amendment\n";

    #[test]
    fn the_shipped_votes_parse() {
        let v = crate::shipped::votes().unwrap();
        assert_eq!(v.calls.len(), 113);
        assert_eq!(v.positions.values().map(|p| p.len()).sum::<usize>(), 39_576);
        assert_eq!(v.last_speaker_election().unwrap().vote_id, "h2-119.2025");
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let rc = format!(
            "{RC}h1-119.2025,h,119,2025,1,2025-13-03T12:00:00-05:00,x,x,\"q, q\",1/2,Passed,,\n"
        );
        let e = RollCalls::parse(&rc, "vote_id,member_id,party,state,position\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "rollcalls.csv:2:26: date must start YYYY-MM-DD"
        );
        let rc =
            format!("{RC}h1-119.2025,h,119,2025,1,2025-01-03T12:00:00-05:00,x,x,q,1/2,Passed,,\n");
        let pos = "vote_id,member_id,party,state,position\nh1-119.2025,A1,D,NY,Yea\nh9-119.2025,A1,D,NY,Yea\n";
        let e = RollCalls::parse(&rc, pos).unwrap_err();
        assert_eq!(
            e.to_string(),
            "positions.csv:3:1: roll call \"h9-119.2025\" is not in rollcalls.csv"
        );
        let pos = "vote_id,member_id,party,state,position\nh1-119.2025,A1,D,NY,Yea\nh1-119.2025,A1,D,NY,Nay\n";
        let e = RollCalls::parse(&rc, pos).unwrap_err();
        assert_eq!((e.line, e.column), (3, 13));
        let rc = format!("{RC}s1-119.2025,h,119,2025,1,2025-01-03,x,x,q,1/2,Passed,,\n");
        let e = RollCalls::parse(&rc, "vote_id,member_id,party,state,position\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 13));
    }

    #[test]
    fn adding_the_same_files_twice_changes_nothing_and_a_failed_add_adds_nothing() {
        let mut v = crate::shipped::votes().unwrap();
        let before = v.clone();
        v.add(
            "r",
            crate::shipped::ROLLCALLS,
            "p",
            crate::shipped::POSITIONS,
        )
        .unwrap();
        assert_eq!(v, before);
        let bad = format!(
            "{}h1-119.2025,X1,D,NY,Yea\nnope,X2,D,NY,Yea\n",
            "vote_id,member_id,party,state,position\n"
        );
        assert!(v.add("r", crate::shipped::ROLLCALLS, "p", &bad).is_err());
        assert_eq!(v, before);
    }
}
