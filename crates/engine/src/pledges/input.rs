//! What a pledge request sends, and how it is checked before anything is written.

use super::*;

/// A pledge request's fields as an edge received them, none checked yet:
/// what web's JSON body and forms (`cohort_web::pledge_input`) and a CSV
/// row of the import hand the engine, to become a [`PledgeRequest`] by
/// [`TryFrom`]. Not a wire type: it is not read from JSON here. It is
/// serialized only for [`request_hash`], field by field as the API's body
/// is, so the hash of a body is what it always was (existing
/// Idempotency-Keys keep matching).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PledgeAsSent {
    pub kind: String,
    pub amount_cents: Option<i64>,
    pub recurring: Option<String>,
    pub hours_per_week: Option<i64>,
    pub weeks: Option<i64>,
    pub skills: Option<Vec<String>>,
    pub actions: Option<ActionsAsSent>,
    pub condition: Option<String>,
    pub candidates: Option<Vec<String>>,
    pub deadline: Option<String>,
    pub donor: DonorAsSent,
    #[serde(rename = "ref")]
    pub ref_code: Option<String>,
    /// Given through this joint fundraiser: splits across its hosts only.
    /// Left out of the request hash when absent, so older keys still match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joint_event: Option<Id>,
}

/// An actions pledge's counts as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ActionsAsSent {
    pub doors: i64,
    pub calls: i64,
    pub texts: i64,
}

/// A donor's details as sent (a pledge, or the best-efforts link), unchecked.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DonorAsSent {
    pub email: String,
    pub name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub employer: String,
    pub occupation: String,
    pub attests_eligible: bool,
}

/// The answer to a pledge request; `created` is false for an idempotent replay.
#[derive(Clone, Debug)]
pub struct PledgeOutcome {
    pub pledge: PledgeView,
    pub created: bool,
}

/// A pledge request parsed at the edge (`PledgeRequest::try_from` a
/// [`PledgeAsSent`], or built directly by the engine's own callers with
/// [`PledgeRequest::new`]): everything that can be checked without its slate is,
/// so the intake holds typed values and checks only what needs the slate
/// (the condition's candidates, chosen candidates, the default deadline and
/// whether the deadline has passed).
#[derive(Clone, Debug)]
pub struct PledgeRequest {
    pub kind: PledgeKind,
    /// `None`: the slate's own condition.
    pub condition: Option<Condition>,
    /// Chosen candidates by slug, as sent (the intake looks them up on the
    /// slate, naming `candidates[i]`); `None` splits across all of them.
    pub candidates: Option<Vec<String>>,
    /// `None`: the slate's last general election.
    pub deadline: Option<NaiveDate>,
    pub email: Email,
    pub donor: Donor,
    pub ref_code: Option<String>,
    /// Given through this joint fundraiser: splits across its hosts only.
    pub joint_event: Option<Id>,
    /// The SHA-256 of the request as sent ([`request_hash`]): a retry under
    /// the same Idempotency-Key must carry the same body.
    pub request_hash: String,
}

impl PledgeRequest {
    /// A request for `kind` from `email`, with the slate's condition,
    /// candidates and deadline, no referral, and no request hash (no
    /// Idempotency-Key will carry it): for the engine's own callers (the
    /// demos, tests, benchmarks), which hold typed values already.
    pub fn new(kind: PledgeKind, email: Email, donor: Donor) -> PledgeRequest {
        PledgeRequest {
            kind,
            condition: None,
            candidates: None,
            deadline: None,
            email,
            donor,
            ref_code: None,
            joint_event: None,
            request_hash: String::new(),
        }
    }

    pub fn is_money(&self) -> bool {
        matches!(self.kind, PledgeKind::Money { .. })
    }
}

impl TryFrom<PledgeAsSent> for PledgeRequest {
    type Error = EngineError;

    /// Refusals name the field (`amount_cents`, `donor.email`, …): a 4xx.
    fn try_from(input: PledgeAsSent) -> Result<Self> {
        PledgeRequest::try_from(&input)
    }
}

impl TryFrom<&PledgeAsSent> for PledgeRequest {
    type Error = EngineError;

    fn try_from(input: &PledgeAsSent) -> Result<Self> {
        parse(input)
    }
}
/// The three things FEC Advisory Opinion 2019-01 requires a conditional
/// earmark to state — the objective trigger outside Cohort's control, the
/// fixed date, and what happens otherwise (nothing is charged) — worded for
/// the pledge form or for the receipt.
pub fn conditional_disclosure(condition: &str, deadline: NaiveDate, receipt: bool) -> [String; 3] {
    use cohort_books::compliance::{conditional_earmark_disclosure, DisclosureFor};
    let d = conditional_earmark_disclosure(
        condition,
        deadline,
        "Cohort",
        if receipt {
            DisclosureFor::Receipt
        } else {
            DisclosureFor::Form
        },
    );
    [d.trigger, d.deadline, d.otherwise]
}

/// Above this aggregate the FEC needs a donor's employer and occupation.
const ITEMIZATION_THRESHOLD: Cents = Cents(20_000);

/// A pledge request checked against its slate.
pub(crate) struct Valid {
    pub(crate) kind: PledgeKind,
    pub(crate) condition: Condition,
    pub(super) candidates: Option<Vec<Id>>,
    pub(super) deadline: NaiveDate,
    pub(super) email: Email,
    pub(super) donor: Donor,
    pub(super) ref_code: Option<String>,
}

fn count(field: &str, v: i64, max: i64) -> Result<u32> {
    if !(0..=max).contains(&v) {
        return Err(EngineError::invalid(
            field,
            format!("must be between 0 and {max}"),
        ));
    }
    Ok(v as u32)
}

/// The checks that need no slate, in the order the intake always made them.
fn parse(input: &PledgeAsSent) -> Result<PledgeRequest> {
    let kind = match input.kind.as_str() {
        "money" => {
            let cents = input.amount_cents.ok_or_else(|| {
                EngineError::invalid("amount_cents", "a money pledge needs amount_cents")
            })?;
            let amount = Cents::pledge_amount(cents)
                .map_err(|e| EngineError::invalid("amount_cents", e.to_string()))?;
            let recurring = match input.recurring.as_deref() {
                None | Some("once") => Recurrence::Once,
                Some("monthly") => Recurrence::Monthly,
                Some(other) => {
                    return Err(EngineError::invalid(
                        "recurring",
                        format!("{other:?} is not \"once\" or \"monthly\""),
                    ))
                }
            };
            PledgeKind::Money { amount, recurring }
        }
        "hours" => {
            let per_week = input.hours_per_week.ok_or_else(|| {
                EngineError::invalid("hours_per_week", "an hours pledge needs hours_per_week")
            })?;
            if !(1..=80).contains(&per_week) {
                return Err(EngineError::invalid(
                    "hours_per_week",
                    "must be between 1 and 80",
                ));
            }
            let weeks = input
                .weeks
                .ok_or_else(|| EngineError::invalid("weeks", "an hours pledge needs weeks"))?;
            if !(1..=104).contains(&weeks) {
                return Err(EngineError::invalid("weeks", "must be between 1 and 104"));
            }
            let skills = input.skills.clone().unwrap_or_default();
            if skills.len() > 20 {
                return Err(EngineError::invalid("skills", "at most 20 skills"));
            }
            let skills = skills
                .iter()
                .enumerate()
                .map(|(i, s)| text(&format!("skills[{i}]"), &s.to_lowercase(), 40, true))
                .collect::<Result<Vec<_>>>()?;
            PledgeKind::Hours {
                hours_per_week: per_week as u32,
                weeks: weeks as u32,
                skills,
            }
        }
        "actions" => {
            let a = input.actions.as_ref().ok_or_else(|| {
                EngineError::invalid(
                    "actions",
                    "an actions pledge needs actions: {doors, calls, texts}",
                )
            })?;
            let actions = Actions {
                doors: count("actions.doors", a.doors, 100_000)?,
                calls: count("actions.calls", a.calls, 100_000)?,
                texts: count("actions.texts", a.texts, 1_000_000)?,
            };
            if actions.doors + actions.calls + actions.texts == 0 {
                return Err(EngineError::invalid(
                    "actions",
                    "pledge at least one door, call or text",
                ));
            }
            PledgeKind::Actions(actions)
        }
        other => {
            return Err(EngineError::invalid(
                "kind",
                format!("{other:?} is not \"money\", \"hours\" or \"actions\""),
            ))
        }
    };
    let money = matches!(kind, PledgeKind::Money { .. });
    if !money && input.amount_cents.is_some() {
        return Err(EngineError::invalid(
            "amount_cents",
            format!("only money pledges have an amount, not {}", input.kind),
        ));
    }
    let condition = match input.condition.as_deref() {
        Some(c) if !c.trim().is_empty() => Some(parse_condition("condition", c)?),
        _ => None,
    };
    let candidates = input.candidates.clone().filter(|list| !list.is_empty());
    if candidates.is_some() && !money {
        return Err(EngineError::invalid(
            "candidates",
            "only money pledges split across chosen candidates",
        ));
    }
    let deadline = match input.deadline.as_deref() {
        Some(d) => Some(parse_date("deadline", d)?),
        None => None,
    };
    let (email, donor) = check_donor(&input.donor, money)?;
    if let PledgeKind::Money { amount, .. } = &kind {
        if !donor.attests_eligible {
            return Err(EngineError::invalid(
                "donor.attests_eligible",
                "a money pledge needs the donor to attest they are a U.S. citizen or permanent resident giving their own money, not a federal contractor",
            ));
        }
        if *amount > ITEMIZATION_THRESHOLD
            && (donor.employer.is_empty() || donor.occupation.is_empty())
        {
            let field = if donor.employer.is_empty() {
                "donor.employer"
            } else {
                "donor.occupation"
            };
            return Err(EngineError::invalid(
                field,
                "federal law needs employer and occupation for gifts over $200",
            ));
        }
    }
    let ref_code = match input.ref_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(r)
            if r.len() <= 64
                && r.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            Some(r.to_owned())
        }
        Some(_) => {
            return Err(EngineError::invalid(
                "ref",
                "must be up to 64 letters, digits, hyphens or underscores",
            ))
        }
    };
    Ok(PledgeRequest {
        kind,
        condition,
        candidates,
        deadline,
        email,
        donor,
        ref_code,
        joint_event: input.joint_event,
        request_hash: request_hash(input),
    })
}

/// A parsed request checked against its slate: the condition's candidates,
/// the chosen candidates, and the deadline (by default the slate's last
/// general election; not passed).
pub(crate) fn validate(
    request: &PledgeRequest,
    slate: &SlateRow,
    candidates: &[cohort_store::CandidateRow],
    today: NaiveDate,
) -> Result<Valid> {
    let condition = request
        .condition
        .clone()
        .unwrap_or_else(|| slate.condition.clone());
    for (i, mentioned) in condition.mentioned_candidates().iter().enumerate() {
        if !candidates.iter().any(|c| c.slug.as_str() == mentioned) {
            return Err(EngineError::invalid(
                "condition",
                format!(
                    "names {mentioned:?} (mention {}), who is not a candidate on {}",
                    i + 1,
                    slate.slug
                ),
            ));
        }
    }
    let chosen = match &request.candidates {
        None => None,
        Some(list) => {
            let mut ids = Vec::with_capacity(list.len());
            for (i, slug) in list.iter().enumerate() {
                let c = candidates
                    .iter()
                    .find(|c| c.slug.as_str() == slug)
                    .ok_or_else(|| {
                        EngineError::invalid(
                            format!("candidates[{i}]"),
                            format!("{slug:?} is not a candidate on {}", slate.slug),
                        )
                    })?;
                if !ids.contains(&c.id) {
                    ids.push(c.id);
                }
            }
            ids.sort_unstable();
            Some(ids)
        }
    };
    let deadline = match request.deadline {
        Some(d) => d,
        None => {
            // By default a pledge waits until the slate's last general election.
            let last = candidates
                .iter()
                .map(|c| c.race.general_date)
                .max()
                .or_else(|| NaiveDate::from_ymd_opt(slate.cycle, 11, 30))
                .unwrap_or(today);
            if last < today {
                return Err(EngineError::invalid(
                    "deadline",
                    format!("the default deadline, the slate's last general election ({last}), has passed; send a deadline"),
                ));
            }
            last
        }
    };
    if deadline < today {
        return Err(EngineError::invalid(
            "deadline",
            format!("{deadline} has already passed"),
        ));
    }
    Ok(Valid {
        kind: request.kind.clone(),
        condition,
        candidates: chosen,
        deadline,
        email: request.email.clone(),
        donor: request.donor.clone(),
        ref_code: request.ref_code.clone(),
    })
}

/// SHA-256 of the canonical JSON of a request: a retry under the same key
/// must carry the same body.
pub fn request_hash(input: &PledgeAsSent) -> String {
    let json = serde_json::to_string(input).unwrap_or_default();
    hex::encode(Sha256::digest(json.as_bytes()))
}
/// A donor's details as a pledge form or the best-efforts link sends them,
/// checked: the email, a two-letter state, a ZIP code, and texts of sensible
/// length (a money pledge needs a name).
pub(crate) fn check_donor(d: &DonorAsSent, money: bool) -> Result<(Email, Donor)> {
    let email = Email::parse(&d.email)
        .map_err(|e| EngineError::invalid("donor.email", format!("{:?} {e}", d.email)))?;
    let state = d.state.trim().to_uppercase();
    if !state.is_empty() && !is_state(&state) {
        return Err(EngineError::invalid(
            "donor.state",
            format!("{:?} is not a two-letter state code", d.state),
        ));
    }
    let zip = d.zip.trim();
    let zip_ok = zip.is_empty()
        || (zip.len() == 5 || (zip.len() == 10 && zip.as_bytes()[5] == b'-'))
            && zip
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || (i == 5 && c == '-'));
    if !zip_ok {
        return Err(EngineError::invalid(
            "donor.zip",
            format!("{zip:?} is not a ZIP code like 10001 or 10001-1234"),
        ));
    }
    let donor = Donor {
        name: crate::donor_name::plain_name("donor.name", &d.name, money)?,
        address: text("donor.address", &d.address, 300, false)?,
        city: text("donor.city", &d.city, 100, false)?,
        state,
        zip: zip.to_owned(),
        employer: text("donor.employer", &d.employer, 200, false)?,
        occupation: text("donor.occupation", &d.occupation, 200, false)?,
        attests_eligible: d.attests_eligible,
    };
    Ok((email, donor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(cents: i64) -> PledgeAsSent {
        PledgeAsSent {
            kind: "money".into(),
            amount_cents: Some(cents),
            donor: DonorAsSent {
                email: "a@example.org".into(),
                name: "Ann Lee".into(),
                attests_eligible: true,
                ..DonorAsSent::default()
            },
            ..PledgeAsSent::default()
        }
    }

    fn refused(input: PledgeAsSent) -> (String, String) {
        match PledgeRequest::try_from(input) {
            Err(EngineError::Invalid { field, message }) => (field, message),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    /// The edge's conversion holds typed values, and the hash of the request as sent.
    #[test]
    fn a_request_parses_into_typed_values() {
        let mut input = money(1_050);
        input.recurring = Some("monthly".into());
        input.deadline = Some("2028-10-01".into());
        input.condition = Some("signers >= 2".into());
        let r = PledgeRequest::try_from(&input).expect("valid");
        assert_eq!(
            r.kind,
            PledgeKind::Money {
                amount: Cents(1_050),
                recurring: Recurrence::Monthly
            }
        );
        assert_eq!(r.deadline, NaiveDate::from_ymd_opt(2028, 10, 1));
        assert_eq!(
            r.condition.as_ref().map(|c| c.canonical()),
            Some("signers >= 2".into())
        );
        assert_eq!(r.request_hash, request_hash(&input));
        assert!(r.candidates.is_none() && r.is_money());
    }

    /// The request hash is the SHA-256 of the body as the API always
    /// serialized it (field order, `ref`, `joint_event` only when sent):
    /// Idempotency-Keys stored before keep matching their retries.
    #[test]
    fn the_request_hash_is_the_bytes_it_always_was() {
        let input = money(1_050);
        let json = r#"{"kind":"money","amount_cents":1050,"recurring":null,"hours_per_week":null,"weeks":null,"skills":null,"actions":null,"condition":null,"candidates":null,"deadline":null,"donor":{"email":"a@example.org","name":"Ann Lee","address":"","city":"","state":"","zip":"","employer":"","occupation":"","attests_eligible":true},"ref":null}"#;
        assert_eq!(serde_json::to_string(&input).expect("json"), json);
        assert_eq!(
            request_hash(&input),
            "e976c1c115cdbe3a3b5e72301e2ba8349382ce63c1744aa0c41da91d3db61f2d"
        );
        let actions = PledgeAsSent {
            kind: "actions".into(),
            actions: Some(ActionsAsSent {
                doors: 3,
                ..ActionsAsSent::default()
            }),
            condition: Some("signers >= 2".into()),
            donor: DonorAsSent {
                email: "b@example.org".into(),
                ..DonorAsSent::default()
            },
            ref_code: Some("union-7".into()),
            joint_event: Some(4),
            ..PledgeAsSent::default()
        };
        assert_eq!(
            request_hash(&actions),
            "e763d27cb09f8d39fff51625a696c040d1a38fa6589a643051e6a1a1d8b0f8d8"
        );
    }

    /// Refusals name the field, as the intake's always did (the API answers them 4xx).
    #[test]
    fn refusals_name_the_field() {
        let mut gift = money(100);
        gift.kind = "gift".into();
        assert_eq!(refused(gift).0, "kind");
        let mut none = money(100);
        none.amount_cents = None;
        assert_eq!(refused(none).0, "amount_cents");
        assert_eq!(refused(money(-1)).0, "amount_cents");
        let mut hours = money(100);
        hours.kind = "hours".into();
        hours.hours_per_week = Some(2);
        hours.weeks = Some(2);
        assert_eq!(
            refused(hours.clone()),
            (
                "amount_cents".into(),
                "only money pledges have an amount, not hours".into()
            )
        );
        hours.amount_cents = None;
        hours.candidates = Some(vec!["ann".into()]);
        assert_eq!(refused(hours).0, "candidates");
        let mut mail = money(100);
        mail.donor.email = "nobody".into();
        assert_eq!(refused(mail).0, "donor.email");
        let mut when = money(100);
        when.deadline = Some("soon".into());
        assert_eq!(refused(when).0, "deadline");
        let mut cond = money(100);
        cond.condition = Some("signers >=".into());
        assert_eq!(refused(cond).0, "condition");
    }
}
