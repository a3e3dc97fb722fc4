//! A browser without JavaScript over plain HTTP: keeps the cookies the
//! server sets (dropping the ones it clears), fills in the CSRF field.

use std::collections::HashMap;

use reqwest::StatusCode;

use super::TestApp;

/// A browser without JavaScript: keeps cookies, fills in the CSRF field,
/// and (through a trusted proxy at `base`) may say which client it is.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    /// Where requests go: the app's own address unless a proxy is set.
    pub base: String,
    /// Sent as `X-Forwarded-For` when set.
    pub forwarded_for: Option<String>,
    pub cookies: HashMap<String, String>,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    pub body: String,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            base: app.base.clone(),
            forwarded_for: None,
            cookies: HashMap::new(),
        }
    }

    /// A request to `path` carrying this browser's cookies (and its
    /// forwarded-for address, when it has one).
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self
            .app
            .client
            .request(method, format!("{}{path}", self.base))
            .header("cookie", self.cookie_header());
        if let Some(ip) = &self.forwarded_for {
            req = req.header("x-forwarded-for", ip);
        }
        req
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn finish(&mut self, res: reqwest::Response) -> Page {
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().expect("ascii cookie");
            let pair = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = pair.split_once('=') {
                if val.is_empty() || v.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), val.to_owned());
                }
            }
        }
        let header = |name: &str| {
            res.headers()
                .get(name)
                .map(|l| l.to_str().unwrap_or("").to_owned())
        };
        let (location, retry_after) = (header("location"), header("retry-after"));
        Page {
            status: res.status(),
            location,
            retry_after,
            body: res.text().await.expect("a body"),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let res = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("an answer");
        self.finish(res).await
    }

    /// This browser's CSRF token, read from a page with a form (the sign-in
    /// page, or `/me` when signed in), as the browser would have it.
    pub async fn csrf(&mut self) -> String {
        for path in ["/sign-in", "/me"] {
            if let Some(token) = super::csrf_in(&self.get(path).await.body) {
                return token;
            }
        }
        String::new()
    }

    /// POST a form with this browser's CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf().await;
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    pub async fn post_raw(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let res = self
            .request(reqwest::Method::POST, path)
            .form(form)
            .send()
            .await
            .expect("an answer");
        self.finish(res).await
    }

    /// Sign in as `email` the way a person does: ask for a link, read the
    /// email that arrives over SMTP, open the link, press the button.
    pub async fn sign_in(&mut self, email: &str) {
        self.get("/sign-in").await;
        let sent = self.post("/sign-in/link", &[("email", email)]).await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        assert!(sent.body.contains("Check your email"), "{}", sent.body);
        let link = link_in(
            &self.app.mail.wait_for(email, "sign-in link").await.body,
            "/sign-in/",
        );
        let confirm = self.get(&link).await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert!(
            !self.cookies.contains_key("cohort_session"),
            "opening the link alone (as a mail scanner would) signs nobody in"
        );
        let done = self.post(&link, &[]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert_eq!(done.location.as_deref(), Some("/me"));
        assert!(self.cookies.contains_key("cohort_session"));
    }
}

/// The path of the first link in `body` under `prefix` (e.g. `/sign-in/`).
pub fn link_in(body: &str, prefix: &str) -> String {
    let start = body
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in: {body}"));
    body[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_owned()
}
