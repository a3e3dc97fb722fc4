//! Cohort's rows as OSDI 1.1.1 resources in Action Network's dialect:
//! `identifiers`, `created_date`/`modified_date`, `_links` with `osdi:`
//! curies, collections with `total_pages`, `per_page`, `page`,
//! `total_records` and `_embedded`.

use chrono::{DateTime, SecondsFormat, Utc};
use cohort_core::joint_event::{EventStatus, RsvpStatus};
use cohort_engine::joint_events::JointEventView;
use cohort_engine::osdi::{OsdiAttendance, OsdiDonation, OsdiPage, OsdiPerson, OsdiTagging};
use cohort_store::TagRow;
use serde_json::{json, Map, Value};

use super::query::ListParams;

pub(crate) fn date(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn href(url: &str) -> Value {
    json!({ "href": url })
}

pub(crate) fn curies() -> Value {
    json!([
        { "name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}", "templated": true },
        { "name": "action_network", "href": "https://actionnetwork.org/docs/v2/{rel}", "templated": true },
    ])
}

/// A collection page: the paging fields, `self`/`next`/`prev`, one link per
/// item under `rel`, and the items embedded under `rel`.
pub(crate) fn collection(
    url: &str,
    rel: &str,
    params: &ListParams,
    total_records: u64,
    total_pages: u64,
    items: Vec<Value>,
) -> Value {
    let paging = params.paging.unwrap_or(cohort_engine::osdi::Paging {
        page: 1,
        per_page: super::query::PER_PAGE,
    });
    let page_url = |page: u32| {
        let mut q: Vec<(&str, String)> = vec![
            ("page", page.to_string()),
            ("per_page", paging.per_page.to_string()),
        ];
        if let Some(f) = &params.filter_text {
            q.push(("filter", f.clone()));
        }
        format!(
            "{url}?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    };
    let mut links = Map::new();
    links.insert("self".into(), href(&page_url(paging.page)));
    if u64::from(paging.page) < total_pages {
        links.insert("next".into(), href(&page_url(paging.page + 1)));
    }
    if paging.page > 1 {
        links.insert("prev".into(), href(&page_url(paging.page - 1)));
    }
    let item_links: Vec<Value> = items
        .iter()
        .filter_map(|i| i["_links"]["self"].get("href").cloned())
        .map(|h| json!({ "href": h }))
        .collect();
    links.insert(rel.into(), Value::Array(item_links));
    links.insert("curies".into(), curies());
    json!({
        "total_pages": total_pages,
        "per_page": paging.per_page,
        "page": paging.page,
        "total_records": total_records,
        "_links": links,
        "_embedded": { rel: items },
    })
}

/// A page of anything with its renderer.
pub(crate) fn page_of<T>(
    url: &str,
    rel: &str,
    params: &ListParams,
    page: &OsdiPage<T>,
    render: impl Fn(&T) -> Value,
) -> Value {
    let items = page.items.iter().map(render).collect();
    collection(
        url,
        rel,
        params,
        page.total_records,
        page.total_pages(),
        items,
    )
}

pub(crate) fn person(base: &str, p: &OsdiPerson) -> Value {
    let r = &p.row;
    let f = &r.fields;
    let url = format!("{base}/people/{}", r.id);
    let mut postal = Map::new();
    postal.insert("primary".into(), json!(true));
    if !f.address.is_empty() {
        postal.insert("address_lines".into(), json!([f.address]));
    }
    postal.insert("locality".into(), json!(f.city));
    postal.insert("region".into(), json!(f.state));
    postal.insert("postal_code".into(), json!(f.zip));
    postal.insert("country".into(), json!("US"));
    let mut v = json!({
        "identifiers": [format!("cohort:person-{}", r.id)],
        "origin_system": "Cohort",
        "created_date": date(r.created_at),
        "modified_date": date(r.modified_at),
        "given_name": f.given_name,
        "family_name": f.family_name,
        "email_addresses": [{ "primary": true, "address": r.email.as_str() }],
        "postal_addresses": [postal],
        "custom_fields": Map::from_iter(
            p.custom_fields().into_iter().map(|(k, v)| (k.to_owned(), json!(v))),
        ),
        "_links": {
            "self": href(&url),
            "osdi:donations": href(&format!("{url}/donations")),
            "osdi:taggings": href(&format!("{url}/taggings")),
            "osdi:attendances": href(&format!("{url}/attendances")),
            "curies": curies(),
        },
    });
    v["phone_numbers"] = if f.phone.is_empty() {
        json!([])
    } else {
        json!([{ "primary": true, "number": f.phone }])
    };
    v
}

pub(crate) fn donation(base: &str, d: &OsdiDonation) -> Value {
    let url = format!("{base}/donations/{}", d.id);
    let recipients: Vec<Value> = d
        .recipients
        .iter()
        .map(|r| {
            json!({
                "display_name": r.name,
                "amount": format!("{:#}", r.amount),
                "cohort:candidate": r.candidate,
            })
        })
        .collect();
    let mut links = Map::new();
    links.insert("self".into(), href(&url));
    if let Some(p) = d.person {
        links.insert("osdi:person".into(), href(&format!("{base}/people/{p}")));
    }
    links.insert("curies".into(), curies());
    let mut v = json!({
        "identifiers": [format!("cohort:donation-{}", d.id)],
        "origin_system": "Cohort",
        "created_date": date(d.created_at),
        "modified_date": date(d.unlocked_at),
        "amount": format!("{:#}", d.amount),
        "currency": "USD",
        "recipients": recipients,
        "action_network:recurrence": {
            "recurring": d.recurring,
            "period": if d.recurring { "Monthly" } else { "None" },
        },
        "cohort:slate": d.slate,
        "_links": links,
    });
    if let Some((code, partner)) = &d.referrer {
        v["action_network:referrer_data"] = json!({
            "source": code,
            "referrer": code,
            "cohort:partner": partner,
        });
    }
    v
}

fn event_status(s: EventStatus) -> &'static str {
    match s {
        EventStatus::Proposed => "tentative",
        EventStatus::Confirmed | EventStatus::Held => "confirmed",
        EventStatus::Declined | EventStatus::Cancelled => "cancelled",
    }
}

pub(crate) fn event(base: &str, public_url: &str, e: &JointEventView) -> Value {
    let url = format!("{base}/events/{}", e.id);
    let hosts: Vec<Value> = e
        .hosts
        .iter()
        .map(|h| json!({ "candidate": h.candidate, "name": h.name, "answer": h.answer }))
        .collect();
    let mut v = json!({
        "identifiers": [format!("cohort:event-{}", e.id)],
        "origin_system": "Cohort",
        "modified_date": date(e.updated_at),
        "name": e.title,
        "title": e.title,
        "description": e.description,
        "browser_url": format!("{public_url}/joint-events/{}", e.id),
        "type": "open",
        "status": event_status(e.status),
        "start_date": date(e.starts_at),
        "end_date": date(e.ends_at),
        "total_accepted": e.rsvps,
        "cohort:kind": e.kind_label,
        "cohort:slate": e.slate,
        "cohort:hosts": hosts,
        "cohort:waitlisted": e.waitlisted,
        "_links": {
            "self": href(&url),
            "osdi:attendances": href(&format!("{url}/attendances")),
            "osdi:record_attendance_helper": href(&format!("{url}/record_attendance_helper")),
            "curies": curies(),
        },
    });
    if let Some(c) = e.capacity {
        v["capacity"] = json!(c);
    }
    if let Some(l) = &e.location {
        v["location"] = json!({
            "venue": l.venue,
            "address_lines": [l.address],
            "locality": l.city,
            "region": l.state,
            "postal_code": l.zip,
            "country": "US",
        });
    }
    if let Some(u) = &e.online_url {
        v["instructions"] = json!(format!("Online: {u}"));
    }
    v
}

pub(crate) fn attendance(base: &str, event: i64, a: &OsdiAttendance) -> Value {
    let r = &a.rsvp;
    let url = format!("{base}/events/{event}/attendances/{}", r.id);
    let status = match r.status {
        RsvpStatus::Going => "accepted",
        RsvpStatus::Waitlisted => "tentative",
        RsvpStatus::Cancelled => "declined",
    };
    let mut links = Map::new();
    links.insert("self".into(), href(&url));
    links.insert("osdi:event".into(), href(&format!("{base}/events/{event}")));
    if let Some(p) = a.person {
        links.insert("osdi:person".into(), href(&format!("{base}/people/{p}")));
    }
    links.insert("curies".into(), curies());
    let mut v = json!({
        "identifiers": [format!("cohort:attendance-{}", r.id)],
        "origin_system": "Cohort",
        "created_date": date(r.created_at),
        "modified_date": date(r.cancelled_at.unwrap_or(r.created_at)),
        "status": status,
        "cohort:status": r.status.as_str(),
        "person": {
            "given_name": r.name,
            "email_addresses": [{ "primary": true, "address": r.email.as_str() }],
            "postal_addresses": [{ "primary": true, "postal_code": r.zip }],
        },
        "_links": links,
    });
    if let Some(code) = &r.referral {
        v["action_network:referrer_data"] = json!({ "source": code, "referrer": code });
    }
    v
}

pub(crate) fn tag(base: &str, t: &TagRow) -> Value {
    let url = format!("{base}/tags/{}", t.id);
    json!({
        "identifiers": [format!("cohort:tag-{}", t.id)],
        "origin_system": "Cohort",
        "created_date": date(t.created_at),
        "modified_date": date(t.created_at),
        "name": t.name,
        "_links": {
            "self": href(&url),
            "osdi:taggings": href(&format!("{url}/taggings")),
            "curies": curies(),
        },
    })
}

pub(crate) fn tagging(base: &str, t: &OsdiTagging) -> Value {
    let tag_url = format!("{base}/tags/{}", t.tag);
    json!({
        "identifiers": [format!("cohort:tagging-{}-{}", t.tag, t.row.person_id)],
        "origin_system": "Cohort",
        "created_date": date(t.row.created_at),
        "modified_date": date(t.row.created_at),
        "item_type": "osdi:person",
        "_links": {
            "self": href(&format!("{tag_url}/taggings/{}", t.row.person_id)),
            "osdi:tag": href(&tag_url),
            "osdi:person": href(&format!("{base}/people/{}", t.row.person_id)),
            "curies": curies(),
        },
    })
}
