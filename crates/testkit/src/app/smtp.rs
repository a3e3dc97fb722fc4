//! A real SMTP server for tests: it speaks enough of RFC 5321 (EHLO/HELO,
//! MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT) for any client, and
//! keeps what arrives so a test can read it. Cohort's own SMTP client
//! (lettre) talks to it over TCP exactly as it would to a mail relay.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One message as received: the envelope and the decoded text body.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub body: String,
    pub raw: String,
}

#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    gate: Arc<Gate>,
}

/// While closed, a `DATA` command waits before the server answers it, so a
/// client stands mid-delivery with nothing accepted yet (`tests/scale_out.rs`
/// kills a server there). A client that dies meanwhile delivers nothing.
#[derive(Default)]
struct Gate {
    closed: AtomicBool,
    waiting: AtomicUsize,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP");
        let port = listener.local_addr().expect("addr").port();
        let inbox: Arc<Mutex<Vec<Received>>> = Arc::default();
        let gate: Arc<Gate> = Arc::default();
        let (store, g) = (inbox.clone(), gate.clone());
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (store, g) = (store.clone(), g.clone());
                tokio::spawn(async move {
                    let _ = session(sock, store, g).await;
                });
            }
        });
        SmtpServer { port, inbox, gate }
    }

    /// Hold every message at `DATA` until [`SmtpServer::open`].
    pub fn hold(&self) {
        self.gate.closed.store(true, Ordering::SeqCst);
    }

    /// Let held and later messages through.
    pub fn open(&self) {
        self.gate.closed.store(false, Ordering::SeqCst);
    }

    /// How many clients wait at the closed gate now.
    pub fn held(&self) -> usize {
        self.gate.waiting.load(Ordering::SeqCst)
    }

    pub fn all(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Wait (up to 10 s) for a message to `to` whose subject contains `subject`.
    pub async fn wait_for(&self, to: &str, subject: &str) -> Received {
        self.wait_for_after(to, subject, 0).await
    }

    /// How many emails to `to` about `subject` have arrived.
    #[allow(dead_code)]
    pub fn count(&self, to: &str, subject: &str) -> usize {
        self.matching(to, subject).len()
    }

    fn matching(&self, to: &str, subject: &str) -> Vec<Received> {
        self.all()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to) && m.subject.contains(subject))
            .collect()
    }

    /// The newest email to `to` about `subject` once more than `seen` of
    /// them have arrived (so a second sign-in link is not mistaken for the
    /// first, already used, while the second is still on its way).
    pub async fn wait_for_after(&self, to: &str, subject: &str, seen: usize) -> Received {
        for _ in 0..200 {
            let all = self.matching(to, subject);
            if all.len() > seen {
                if let Some(m) = all.into_iter().next_back() {
                    return m;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "no email to {to} about {subject:?} arrived; got: {:?}",
            self.all()
                .iter()
                .map(|m| (&m.to, &m.subject))
                .collect::<Vec<_>>()
        )
    }
}

async fn session(
    sock: tokio::net::TcpStream,
    inbox: Arc<Mutex<Vec<Received>>>,
    gate: Arc<Gate>,
) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut lines = BufReader::new(r);
    w.write_all(b"220 test-smtp ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            w.write_all(b"250-test-smtp\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("HELO") {
            w.write_all(b"250 test-smtp\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = addr(&cmd[10..]);
            to.clear();
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(addr(&cmd[8..]));
            w.write_all(b"250 OK\r\n").await?;
        } else if upper == "DATA" {
            if gate.closed.load(Ordering::SeqCst) {
                gate.waiting.fetch_add(1, Ordering::SeqCst);
                while gate.closed.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                gate.waiting.fetch_sub(1, Ordering::SeqCst);
            }
            w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut raw = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                let l = line.trim_end_matches(['\r', '\n']);
                if l == "." {
                    break;
                }
                raw.push_str(l.strip_prefix('.').unwrap_or(l));
                raw.push('\n');
            }
            let (subject, body) = parse(&raw);
            inbox.lock().unwrap().push(Received {
                from: from.clone(),
                to: to.clone(),
                subject,
                body,
                raw,
            });
            w.write_all(b"250 OK queued\r\n").await?;
        } else if upper == "QUIT" {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            w.write_all(b"250 OK\r\n").await?;
        } else {
            w.write_all(b"502 not implemented\r\n").await?;
        }
    }
}

fn addr(s: &str) -> String {
    s.trim()
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap_or("")
        .to_string()
}

/// Subject and text body of a single-part message, decoding the transfer
/// encodings a client may choose (7bit, quoted-printable, base64).
fn parse(raw: &str) -> (String, String) {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    // Unfold continuation lines.
    let head = head.replace("\n ", " ").replace("\n\t", " ");
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let encoding = header("Content-Transfer-Encoding").to_ascii_lowercase();
    let body = match encoding.as_str() {
        "quoted-printable" => quoted_printable(body),
        "base64" => String::from_utf8_lossy(&base64(body)).into_owned(),
        _ => body.to_string(),
    };
    (decode_words(&header("Subject")), body)
}

fn quoted_printable(s: &str) -> String {
    let mut out = Vec::new();
    for line in s.lines() {
        let (line, soft) = match line.strip_suffix('=') {
            Some(l) => (l, true),
            None => (line, false),
        };
        let b = line.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                if let Ok(v) = u8::from_str_radix(&line[i + 1..i + 3], 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        if !soft {
            out.push(b'\n');
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0);
    for c in s.bytes().filter_map(val) {
        acc = (acc << 6) | u32::from(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// RFC 2047 encoded words (`=?utf-8?b?...?=` / `=?utf-8?q?...?=`) in a header.
fn decode_words(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("=?") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let parts: Vec<&str> = after.splitn(3, '?').collect();
        if parts.len() < 3 {
            out.push_str(&rest[start..]);
            return out;
        }
        let Some(end) = parts[2].find("?=") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let text = &parts[2][..end];
        let decoded = match parts[1].to_ascii_lowercase().as_str() {
            "b" => String::from_utf8_lossy(&base64(text)).into_owned(),
            _ => quoted_printable(&text.replace('_', " "))
                .trim_end_matches('\n')
                .to_string(),
        };
        out.push_str(&decoded);
        rest = &parts[2][end + 2..];
        rest = rest
            .strip_prefix(' ')
            .filter(|r| r.starts_with("=?"))
            .unwrap_or(rest);
    }
    out.push_str(rest);
    out
}
