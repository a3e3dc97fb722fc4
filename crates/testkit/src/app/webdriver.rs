//! A small WebDriver (W3C) client over HTTP, driving Debian's headless
//! Chromium through its chromedriver. Nothing is downloaded: the test
//! command (`scripts/test`) installs `chromium` and `chromium-driver` with
//! apt when they are missing, and these tests fail, never skip, without them.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn which(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_owned())
}

/// How many Chromiums one test binary runs at once: `COHORT_BROWSERS`, else
/// 2. The browser tests share one binary whose tests run in parallel (one
/// per core); each Chromium is a few hundred MB and a core's worth of work,
/// so more at once on a small machine only makes every wait time out.
fn slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let n = std::env::var("COHORT_BROWSERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2usize);
        tokio::sync::Semaphore::new(n.max(1))
    })
}

/// A chromedriver process and one browser session in it.
pub struct Browser {
    /// This browser's place among the few that run at once (released
    /// after `drop` has closed it).
    _slot: tokio::sync::SemaphorePermit<'static>,
    driver: Child,
    port: u16,
    session: String,
    profile: PathBuf,
    base: String,
    http: reqwest::Client,
    /// Where screenshots go (`target/e2e-artifacts`).
    pub artifacts: PathBuf,
}

impl Drop for Browser {
    /// End the session first, so chromedriver closes Chromium (killing only
    /// chromedriver would leave the browser running), even when a test panics.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(
                s,
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            let _ = s.read_to_end(&mut Vec::new());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Browser {
    pub async fn start() -> Browser {
        let slot = slots()
            .acquire()
            .await
            .expect("the browser slots stay open");
        let chromedriver = which("COHORT_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = which("COHORT_CHROMIUM", "/usr/bin/chromium");
        for (what, path) in [("chromedriver", &chromedriver), ("chromium", &chromium)] {
            assert!(
                std::path::Path::new(path).exists(),
                "{what} is not at {path}: run ./scripts/test, which installs Debian's chromium and chromium-driver"
            );
        }
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
            l.local_addr().expect("addr").port()
        };
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let http = reqwest::Client::new();
        let root = format!("http://127.0.0.1:{port}");
        let mut ready = false;
        for _ in 0..100 {
            if http.get(format!("{root}/status")).send().await.is_ok() {
                ready = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(ready, "chromedriver did not start on port {port}");
        let profile = std::env::temp_dir().join(format!("cohort-chromium-{port}"));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,2000",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let res: Value = http
            .post(format!("{root}/session"))
            .json(&caps)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .expect("JSON");
        let id = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {res}"))
            .to_owned();
        let artifacts =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-artifacts");
        std::fs::create_dir_all(&artifacts).expect("artifacts dir");
        Browser {
            _slot: slot,
            driver,
            port,
            base: format!("{root}/session/{id}"),
            session: id,
            profile,
            http,
            artifacts,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res: Value = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
            .json()
            .await
            .expect("JSON");
        if let Some(err) = res["value"].get("error") {
            panic!(
                "WebDriver {method} {path} failed: {err}: {}",
                res["value"]["message"]
            );
        }
        res["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    async fn find(&self, css: &str) -> String {
        for _ in 0..50 {
            let res: Value = self
                .http
                .post(format!("{}/element", self.base))
                .json(&json!({"using": "css selector", "value": css}))
                .send()
                .await
                .expect("an answer")
                .json()
                .await
                .expect("JSON");
            if let Some(id) = res["value"][ELEMENT].as_str() {
                return id.to_owned();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no element matches {css} on {}", self.url().await)
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    /// Choose the file at `path` in the `<input type="file">` at `css`, as
    /// a person picking it in the file dialog does.
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": path.display().to_string() })),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// The text the page shows (as CSS renders it: possibly upper-cased).
    pub async fn text(&self) -> String {
        let body = self
            .script(
                "return document.body ? document.body.innerText : ''",
                json!([]),
            )
            .await;
        body.as_str().unwrap_or("").to_owned()
    }

    /// Wait until the page's text contains `text`, ignoring case (CSS may
    /// upper-case what is shown), for up to 10 s.
    pub async fn wait_for_text(&self, text: &str) {
        let wanted = text.to_lowercase();
        for _ in 0..100 {
            if self.text().await.to_lowercase().contains(&wanted) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "{text:?} never appeared on {}; the page shows:\n{}",
            self.url().await,
            self.text().await
        )
    }

    pub async fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    pub async fn script_async(&self, script: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    /// Resize the window (e.g. to a 390px-wide phone).
    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await;
    }

    /// Set a cookie for the site of the current page (e.g. a session made
    /// with `TestApp::session_for`).
    pub async fn add_cookie(&self, name: &str, value: &str) {
        self.call(
            reqwest::Method::POST,
            "/cookie",
            Some(json!({ "cookie": { "name": name, "value": value, "path": "/" } })),
        )
        .await;
    }

    pub async fn delete_cookies(&self) {
        self.call(reqwest::Method::DELETE, "/cookie", None).await;
    }

    /// Resize the window, e.g. to a 390 px wide phone.
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await;
    }

    /// Sign in as a person does: ask for a link, open the email, press the button.
    pub async fn sign_in(&self, app: &super::TestApp, email: &str) {
        self.delete_cookies().await;
        self.sign_in_here(app, email).await;
    }

    /// Sign in as `email` in this browser as it is, keeping its cookies
    /// (an anonymous participant's, say).
    pub async fn sign_in_here(&self, app: &super::TestApp, email: &str) {
        self.goto(&app.url("/sign-in")).await;
        self.type_into("#link-email", email).await;
        let seen = app.mail.count(email, "sign-in link");
        self.click("form[action='/sign-in/link'] button").await;
        self.wait_for_text("Check your email").await;
        let mail = app.mail.wait_for_after(email, "sign-in link", seen).await;
        let start = mail.body.find("http://").expect("a link in the email");
        let link = mail.body[start..]
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_owned();
        self.goto(&link).await;
        self.click("main form button").await;
        self.wait_for_text(&format!("Signed in as {email}")).await;
    }

    /// Screenshot the page and fail on any serious or critical axe violation.
    pub async fn check(&self, name: &str) {
        let shot = self.screenshot(name).await;
        let violations = self.axe().await;
        assert!(
            violations.is_empty(),
            "{name} ({}) has accessibility violations:\n{}",
            shot.display(),
            violations.join("\n")
        );
    }

    /// [`Browser::check`] wide and at phone width, then back to wide.
    pub async fn check_wide_and_phone(&self, name: &str) {
        for (width, suffix) in [(1280, ""), (390, "-phone")] {
            self.resize(width, 2000).await;
            self.check(&format!("{name}{suffix}")).await;
        }
        self.resize(1280, 2000).await;
    }

    /// Fail when the page scrolls sideways at 1280 or 390 px.
    pub async fn assert_no_sideways_scroll(&self, name: &str) {
        for width in [1280, 390] {
            self.resize(width, 2000).await;
            let sizes = self
                .script(
                    "return [document.documentElement.scrollWidth, window.innerWidth];",
                    json!([]),
                )
                .await;
            let (scroll, inner) = (sizes[0].as_i64(), sizes[1].as_i64());
            assert!(
                scroll <= inner,
                "{name} scrolls sideways at {width} px: scrollWidth {scroll:?} > innerWidth {inner:?}"
            );
        }
        self.resize(1280, 2000).await;
    }

    /// [`Browser::check_wide_and_phone`], and nothing scrolls sideways at
    /// either width ([`Browser::assert_no_sideways_scroll`]).
    pub async fn check_fits(&self, name: &str) {
        self.check_wide_and_phone(name).await;
        self.assert_no_sideways_scroll(name).await;
    }

    /// Wait until the page is replaced by a new one (a form was submitted
    /// and answered), for up to 10 s: marks this page, then waits for a page
    /// without the mark.
    pub async fn wait_for_new_page(&self, after: impl std::future::Future<Output = ()>) {
        self.script("window.__cohortOldPage = true;", json!([]))
            .await;
        after.await;
        for _ in 0..100 {
            let old = self
                .script("return window.__cohortOldPage === true;", json!([]))
                .await;
            if old == json!(false)
                && self.script("return document.readyState;", json!([])).await == json!("complete")
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Say why, when the browser itself held the form back.
        let invalid = self
            .script(
                "return Array.from(document.querySelectorAll('input, select, textarea')).filter(function (e) { return !e.checkValidity(); }).map(function (e) { return e.name; });",
                json!([]),
            )
            .await;
        panic!(
            "the page was never replaced: {} (fields failing the browser's own validation: {invalid}); the page shows:\n{}",
            self.url().await,
            self.text().await
        )
    }

    /// Save a PNG of the page to the artifacts folder.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = super::smtp::base64(png.as_str().unwrap_or(""));
        assert!(bytes.starts_with(b"\x89PNG"), "a PNG screenshot");
        let path = self.artifacts.join(format!("{name}.png"));
        std::fs::write(&path, bytes).expect("write screenshot");
        path
    }

    /// Run axe-core on the page; answers the serious and critical violations.
    pub async fn axe(&self) -> Vec<String> {
        let path = std::env::var("COHORT_AXE").unwrap_or_else(|_| {
            format!(
                "{}/../../target/e2e-node/node_modules/axe-core/axe.min.js",
                env!("CARGO_MANIFEST_DIR")
            )
        });
        let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core is not at {path} ({e}): run ./scripts/test, which installs it from npm"
            )
        });
        self.script(&axe, json!([])).await;
        let result = self
            .script_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations\
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')\
                   .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))\
                 .catch(e => done(['axe failed: ' + e]));",
                json!([]),
            )
            .await;
        result
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_else(|| vec![format!("unexpected axe result {result}")])
    }
}
