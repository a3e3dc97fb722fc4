//! The power view's findings, each in a sentence a voter understands.

use super::Power;
use crate::Chamber;

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "Democratic caucus", "Republican caucus".
pub fn caucus_name(party: &str) -> String {
    match party {
        "Democrat" => "Democratic".into(),
        other => other.into(),
    }
}

pub(crate) fn claims(p: &Power) -> Vec<String> {
    let wins = plural(p.wins, "win", "wins");
    let members = plural(p.wins, "member", "members");
    let party = &caucus_name(&p.bloc_party);
    let chamber = match p.chamber {
        Chamber::House => "House",
        Chamber::Senate => "Senate",
    };
    let mut out = Vec::new();
    let flips = p.named_wins.iter().filter(|w| w.kind != "primary").count() as u32;
    if flips > 0 {
        out.push(format!(
            "{} of these wins would take a seat from the other side, giving the {party} caucus {} of {} seats.",
            flips, p.party_seats, p.after.seats
        ));
    }
    if p.party_seats < p.majority_needed {
        out.push(format!(
            "With {wins}, the {party} caucus would hold {} seats, {} short of the {} needed to pass a bill on its own, so this bloc could not yet decide a party-line vote.",
            p.party_seats,
            p.majority_needed - p.party_seats,
            p.majority_needed
        ));
    } else if p.pivotal {
        let slack = p.wins - p.needed_to_block.unwrap_or(0);
        out.push(format!(
            "With {wins}, the {party} majority could not pass a party-line bill without this bloc: {} of its {members} voting no would defeat it{}.",
            p.needed_to_block.unwrap_or(0),
            if slack > 0 {
                format!(", with {} to spare", slack)
            } else {
                String::new()
            }
        ));
    } else {
        out.push(format!(
            "With {wins}, the {party} majority could still pass a party-line bill without this bloc: it can lose {} votes and still reach {}.",
            p.votes_to_spare, p.majority_needed
        ));
    }
    let c = &p.caucus;
    out.push(format!(
        "The bloc would be {}% of the {party} caucus ({} of {}); {}",
        c.bloc_percent,
        c.bloc,
        c.party_seats,
        if c.short_of_caucus_majority == 0 {
            format!(
                "with {} allies it would be a majority of the caucus and could decide who leads it.",
                c.allies
            )
        } else {
            format!(
                "{} it would still need {} more to carry a caucus vote ({} of {}).",
                if c.allies == 0 {
                    "on its own".to_string()
                } else {
                    format!("with {} allies", c.allies)
                },
                c.short_of_caucus_majority,
                c.caucus_majority,
                c.party_seats
            )
        }
    ));
    let deny = p.committees.iter().filter(|c| c.could_deny).count();
    let reachable = p
        .committees
        .iter()
        .filter(|c| c.bloc_party_holds_majority && c.needed_to_deny <= p.wins)
        .count();
    if p.committees.iter().any(|c| c.bloc_party_holds_majority) {
        out.push(format!(
            "On {reachable} of {} {chamber} committees, {} of the majority voting no would be enough to stop a party-line committee vote; the bloc's winners would take over seats on {deny} where they could do that.",
            p.committees.len(),
            plural(p.wins, "member", "members"),
        ));
    }
    if let Some(s) = &p.speaker {
        out.push(if s.changed {
            format!(
                "In the last Speaker election ({}), {} won with {} votes, {} needed; with these {wins}, {} would have lost {} of them and {}.",
                s.date,
                s.winner,
                s.winner_votes,
                s.needed,
                s.winner,
                s.withheld,
                match &s.elected {
                    Some(e) => format!("{e} would have been elected instead"),
                    None => "no one would have been elected on that ballot".into(),
                }
            )
        } else {
            format!(
                "In the last Speaker election ({}), {} won with {} votes, {} needed; {} would not have changed the outcome.",
                s.date, s.winner, s.winner_votes, s.needed, wins
            )
        });
    }
    if let Some(s) = &p.senate {
        if s.vice_president_breaks_tie {
            out.push(format!(
                "The Senate would be split 50–50 and the Vice President, a {}, would break ties for the {party} caucus.",
                s.vice_president_party
            ));
        }
        out.push(if s.cloture_short == 0 {
            format!("The {party} caucus would have the 60 votes to end a filibuster on its own.")
        } else {
            format!(
                "Ending a filibuster takes 60 votes, so the {party} caucus would still need {} from the other side.",
                s.cloture_short
            )
        });
        if let Some(k) = s.block_nomination {
            out.push(format!(
                "A nomination needs only a simple majority: {} of the {party} caucus voting no would block a party-line nomination, and this bloc has {}.",
                plural(k, "senator", "senators"),
                p.wins
            ));
        }
    }
    out
}
