//! A small WebSub hub for the tests, on 127.0.0.1: it takes subscription
//! requests (answering `202`, then verifying the callback with a
//! challenge, as the spec has it), publish pings, and pushes signed
//! content to its verified subscribers when a test asks.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::support::serve;

/// A subscription request as the hub received it.
#[derive(Debug, Clone)]
pub struct Requested {
    pub mode: String,
    pub callback: String,
    pub topic: String,
    pub secret: Option<String>,
}

/// A verification the hub made, and whether the challenge came back.
#[derive(Debug, Clone)]
pub struct Verified {
    pub mode: String,
    pub callback: String,
    pub echoed: bool,
}

#[derive(Default)]
pub struct Record {
    /// Lease granted to subscriptions.
    pub lease_seconds: u64,
    /// False: requests are accepted and never verified.
    pub verifies: bool,
    pub requests: Vec<Requested>,
    pub verified: Vec<Verified>,
    /// `hub.url` of each publish ping.
    pub published: Vec<String>,
    /// Verified subscribers by topic: callback and secret.
    pub subscribers: HashMap<String, (String, String)>,
}

#[derive(Clone)]
pub struct Hub {
    pub addr: SocketAddr,
    pub record: Arc<Mutex<Record>>,
}

/// How a push is signed.
pub enum Signing {
    /// With the subscription's secret.
    Right,
    WrongSecret,
    Unsigned,
}

impl Hub {
    pub async fn start(lease_seconds: u64) -> Hub {
        let record = Arc::new(Mutex::new(Record {
            lease_seconds,
            verifies: true,
            ..Record::default()
        }));
        let app = axum::Router::new()
            .route("/hub", post(request))
            .with_state(Arc::clone(&record));
        Hub {
            addr: serve(app).await,
            record,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hub", self.addr)
    }

    pub fn record(&self) -> std::sync::MutexGuard<'_, Record> {
        self.record.lock().unwrap()
    }

    /// Verified requests of `mode`.
    pub fn verified(&self, mode: &str) -> Vec<Verified> {
        let record = self.record();
        record
            .verified
            .iter()
            .filter(|v| v.mode == mode && v.echoed)
            .cloned()
            .collect()
    }

    /// Pushes `body` to the subscriber of `topic`; the answer's status.
    pub async fn push(&self, topic: &str, body: &str, signing: Signing) -> u16 {
        let (callback, secret) = self
            .record()
            .subscribers
            .get(topic)
            .cloned()
            .expect("a verified subscriber of the topic");
        let mut request = reqwest::Client::new()
            .post(callback)
            .header("content-type", "application/atom+xml")
            .body(body.to_string());
        match signing {
            Signing::Right => request = request.header("x-hub-signature", sign(&secret, body)),
            Signing::WrongSecret => {
                request = request.header("x-hub-signature", sign("not-the-secret", body))
            }
            Signing::Unsigned => {}
        }
        request.send().await.unwrap().status().as_u16()
    }
}

fn sign(secret: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// Asks `callback` to confirm `mode` for `topic`: the status and body.
pub async fn challenge(callback: &str, mode: &str, topic: &str, challenge: &str) -> (u16, String) {
    let mut url = reqwest::Url::parse(callback).unwrap();
    url.query_pairs_mut()
        .append_pair("hub.mode", mode)
        .append_pair("hub.topic", topic)
        .append_pair("hub.challenge", challenge)
        .append_pair("hub.lease_seconds", "600");
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn request(State(record): State<Arc<Mutex<Record>>>, body: String) -> StatusCode {
    let fields: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let mode = field("hub.mode");
    if mode == "publish" {
        record.lock().unwrap().published.push(field("hub.url"));
        return StatusCode::NO_CONTENT;
    }
    let requested = Requested {
        mode,
        callback: field("hub.callback"),
        topic: field("hub.topic"),
        secret: fields.get("hub.secret").cloned(),
    };
    let verifies = {
        let mut record = record.lock().unwrap();
        record.requests.push(requested.clone());
        record.verifies
    };
    if verifies {
        tokio::spawn(verify(record, requested));
    }
    StatusCode::ACCEPTED
}

/// Verifies a request as a hub does, after answering it.
async fn verify(record: Arc<Mutex<Record>>, requested: Requested) {
    let lease = record.lock().unwrap().lease_seconds;
    let challenge = format!("challenge-{}", lease + requested.callback.len() as u64);
    let mut url = reqwest::Url::parse(&requested.callback).unwrap();
    url.query_pairs_mut()
        .append_pair("hub.mode", &requested.mode)
        .append_pair("hub.topic", &requested.topic)
        .append_pair("hub.challenge", &challenge)
        .append_pair("hub.lease_seconds", &lease.to_string());
    let echoed = match reqwest::get(url).await {
        Ok(r) if r.status().is_success() => {
            r.text().await.ok().as_deref() == Some(challenge.as_str())
        }
        _ => false,
    };
    let mut record = record.lock().unwrap();
    if echoed {
        match requested.mode.as_str() {
            "subscribe" => {
                let secret = requested.secret.clone().unwrap_or_default();
                record.subscribers.insert(
                    requested.topic.clone(),
                    (requested.callback.clone(), secret),
                );
            }
            _ => {
                record.subscribers.remove(&requested.topic);
            }
        }
    }
    record.verified.push(Verified {
        mode: requested.mode,
        callback: requested.callback,
        echoed,
    });
}
