//! The weekly digest as people read it: one plain-text part and one HTML
//! part with the same content (`multipart/alternative`), both ending with
//! the one-click unsubscribe link. Pure: the job (`digest.rs`) gathers a
//! [`Digest`] and these functions only lay it out.

/// Everything one person's digest tells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Digest {
    /// The name on their newest pledge ("" when unknown).
    pub name: String,
    /// Updates that waited for the digest (an expiry, …), oldest first.
    pub updates: Vec<Update>,
    /// One section per slate they pledged to that has news.
    pub slates: Vec<SlateNews>,
    /// How "near" was decided for the events listed, in words.
    pub near: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    pub subject: String,
    pub body: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlateNews {
    pub name: String,
    /// The slate's public page.
    pub url: String,
    /// One entry per pledge that unlocked: what it was, what it became, its link.
    pub unlocked: Vec<Unlocked>,
    /// Compact versions published since the last digest: (version, day).
    pub compacts: Vec<(i32, String)>,
    /// Confirmed public joint events coming up near them (or online).
    pub events: Vec<EventNews>,
    /// Scorecard changes, one line each (see `digest::scorecard_changes`).
    pub scorecard: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unlocked {
    /// "Your pledge #12 of $30 unlocked on 2026-11-24."
    pub headline: String,
    /// What it became, one line each ("$30 to Ada Reyes (primary election)").
    pub became: Vec<String>,
    pub link: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventNews {
    pub title: String,
    pub kind: String,
    pub when: String,
    /// The place, or "Online".
    pub place: String,
    pub url: String,
}

impl Digest {
    /// Nothing to tell: no digest is sent.
    pub fn is_empty(&self) -> bool {
        self.updates.is_empty() && self.slates.is_empty()
    }
}

impl SlateNews {
    pub fn is_empty(&self) -> bool {
        self.unlocked.is_empty()
            && self.compacts.is_empty()
            && self.events.is_empty()
            && self.scorecard.is_empty()
    }
}

/// The text part.
pub fn text(d: &Digest, unsubscribe: &str, settings: &str) -> String {
    let mut out = format!(
        "Hello{},\n\nHere is your week on Cohort, all in one email.\n",
        greeting(&d.name)
    );
    for s in &d.slates {
        out.push_str(&format!("\n== {} ==\n{}\n", s.name, s.url));
        if !s.unlocked.is_empty() {
            out.push_str("\nWhat unlocked, and what your pledge became:\n");
            for u in &s.unlocked {
                out.push_str(&format!("- {}\n", u.headline));
                for line in &u.became {
                    out.push_str(&format!("    {line}\n"));
                }
                out.push_str(&format!("    {}\n", u.link));
            }
        }
        if !s.events.is_empty() {
            out.push_str(&format!("\nJoint events coming up ({}):\n", d.near));
            for e in &s.events {
                out.push_str(&format!(
                    "- {}: {} ({}), {}\n    {}\n",
                    e.when, e.title, e.kind, e.place, e.url
                ));
            }
        }
        if !s.scorecard.is_empty() {
            out.push_str("\nScorecard changes:\n");
            for line in &s.scorecard {
                out.push_str(&format!("- {line}\n"));
            }
        }
        if !s.compacts.is_empty() {
            out.push_str("\nThe compact changed:\n");
            for (v, day) in &s.compacts {
                out.push_str(&format!("- version {v}, published {day}\n"));
            }
        }
    }
    if !d.updates.is_empty() {
        out.push_str("\n== Other updates ==\n");
        for u in &d.updates {
            out.push_str(&format!("\n-- {}\n\n{}\n", u.subject, u.body.trim_end()));
        }
    }
    out.push_str(&format!(
        "\n--\nYou get this once a week because your email setting is \"weekly\"; change it at {settings}\n\
         Stop updates from Cohort (receipts still come): {unsubscribe}\n"
    ));
    out
}

/// The HTML part: the same content, escaped, with inline styles only
/// (mail clients drop stylesheets).
pub fn html(d: &Digest, unsubscribe: &str, settings: &str) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>Your week on Cohort</title></head>\n\
         <body style=\"font-family: sans-serif; line-height: 1.5; max-width: 40em; margin: 0 auto; padding: 1em;\">\n",
    );
    out.push_str(&format!(
        "<p>Hello{},</p>\n<p>Here is your week on Cohort, all in one email.</p>\n",
        esc(&greeting(&d.name))
    ));
    for s in &d.slates {
        out.push_str(&format!(
            "<h2><a href=\"{}\">{}</a></h2>\n",
            esc(&s.url),
            esc(&s.name)
        ));
        if !s.unlocked.is_empty() {
            out.push_str("<h3>What unlocked, and what your pledge became</h3>\n<ul>\n");
            for u in &s.unlocked {
                out.push_str(&format!("<li>{}", esc(&u.headline)));
                if !u.became.is_empty() {
                    out.push_str("<ul>");
                    for line in &u.became {
                        out.push_str(&format!("<li>{}</li>", esc(line)));
                    }
                    out.push_str("</ul>");
                }
                out.push_str(&format!(
                    " <a href=\"{}\">See your pledge</a></li>\n",
                    esc(&u.link)
                ));
            }
            out.push_str("</ul>\n");
        }
        if !s.events.is_empty() {
            out.push_str(&format!(
                "<h3>Joint events coming up</h3>\n<p>{}</p>\n<ul>\n",
                esc(&format!("Shown: {}.", d.near))
            ));
            for e in &s.events {
                out.push_str(&format!(
                    "<li><a href=\"{}\">{}</a> ({}): {}, {}</li>\n",
                    esc(&e.url),
                    esc(&e.title),
                    esc(&e.kind),
                    esc(&e.when),
                    esc(&e.place)
                ));
            }
            out.push_str("</ul>\n");
        }
        if !s.scorecard.is_empty() {
            out.push_str("<h3>Scorecard changes</h3>\n<ul>\n");
            for line in &s.scorecard {
                out.push_str(&format!("<li>{}</li>\n", esc(line)));
            }
            out.push_str("</ul>\n");
        }
        if !s.compacts.is_empty() {
            out.push_str("<h3>The compact changed</h3>\n<ul>\n");
            for (v, day) in &s.compacts {
                out.push_str(&format!("<li>Version {v}, published {}</li>\n", esc(day)));
            }
            out.push_str("</ul>\n");
        }
    }
    if !d.updates.is_empty() {
        out.push_str("<h2>Other updates</h2>\n");
        for u in &d.updates {
            out.push_str(&format!(
                "<h3>{}</h3>\n<p style=\"white-space: pre-wrap;\">{}</p>\n",
                esc(&u.subject),
                esc(u.body.trim_end())
            ));
        }
    }
    out.push_str(&format!(
        "<hr>\n<p style=\"font-size: 0.9em;\">You get this once a week because your email setting is \
         \u{201c}weekly\u{201d}; <a href=\"{}\">change it</a>. \
         <a href=\"{}\">Stop updates from Cohort</a> (receipts still come).</p>\n</body></html>\n",
        esc(settings),
        esc(unsubscribe)
    ));
    out
}

fn greeting(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        String::new()
    } else {
        format!(" {name}")
    }
}

/// Escape text for HTML content and double-quoted attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Digest {
        Digest {
            name: "Eve <script>".into(),
            updates: vec![Update {
                subject: "Your pledge to River expired".into(),
                body: "Nothing was charged & nothing will be.\n".into(),
            }],
            slates: vec![SlateNews {
                name: "River \"Caucus\"".into(),
                url: "https://c.example/slates/river".into(),
                unlocked: vec![Unlocked {
                    headline: "Your pledge #3 of $30 unlocked on 2026-11-24.".into(),
                    became: vec!["$30 to Ada Reyes (primary election)".into()],
                    link: "https://c.example/pledges/3?token=t".into(),
                }],
                compacts: vec![(2, "2026-11-24".into())],
                events: vec![EventNews {
                    title: "Town hall <b>".into(),
                    kind: "Town hall".into(),
                    when: "Sat Dec 5, 7:00 PM EST".into(),
                    place: "Union Hall, Albany, NY 12207".into(),
                    url: "https://c.example/joint-events/1".into(),
                }],
                scorecard: vec![],
            }],
            near: "in or online".into(),
        }
    }

    #[test]
    fn both_parts_tell_the_same_things_and_html_is_escaped() {
        let d = sample();
        let t = text(&d, "https://c.example/u/1", "https://c.example/me");
        let h = html(&d, "https://c.example/u/1", "https://c.example/me");
        for needle in [
            "$30 to Ada Reyes (primary election)",
            "https://c.example/pledges/3?token=t",
            "Sat Dec 5, 7:00 PM EST",
            "version 2",
            "https://c.example/u/1",
        ] {
            assert!(
                t.contains(needle) || t.contains(&needle.replace("version", "Version")),
                "text lacks {needle}"
            );
            assert!(
                h.contains(&esc(needle)) || h.contains(&needle.replace("version", "Version")),
                "html lacks {needle}"
            );
        }
        assert!(t.contains("Town hall <b>"));
        assert!(h.contains("Town hall &lt;b&gt;") && !h.contains("<b>"));
        assert!(h.contains("Eve &lt;script&gt;") && !h.contains("<script>"));
        assert!(h.contains("River &quot;Caucus&quot;"));
        assert!(h.contains("Nothing was charged &amp; nothing will be."));
    }

    #[test]
    fn a_digest_with_nothing_in_it_is_empty() {
        assert!(Digest::default().is_empty());
        assert!(!sample().is_empty());
        assert!(SlateNews::default().is_empty());
    }
}
