//! Test servers on 127.0.0.1 with an ephemeral port, shared by the test
//! files that need one (each compiles it as its own module).
#![allow(dead_code)]

pub mod browser;
pub mod daemon;
pub mod postgres;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Runs the real binary on `config` with `args`, quietly.
pub fn syndic(config: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_syndic"))
        .arg("--config")
        .arg(config)
        .args(args)
        .env("SYNDIC_LOG", "warn")
        .output()
        .expect("binary runs")
}

/// A document whose text a test can change while it is being served.
pub fn mutable_document(
    initial: &str,
) -> (Arc<std::sync::Mutex<String>>, axum::routing::MethodRouter) {
    let body = Arc::new(std::sync::Mutex::new(initial.to_string()));
    let served = Arc::clone(&body);
    let route = axum::routing::get(move || {
        let text = served.lock().expect("not poisoned").clone();
        async move { text }
    });
    (body, route)
}

/// Serves `app` on an ephemeral loopback port until the test ends.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// A document served with an ETag, answering `304` to a matching
/// `If-None-Match`, counting full responses.
#[derive(Clone)]
pub struct Conditional {
    pub body: Arc<Vec<u8>>,
    pub etag: &'static str,
    pub content_type: &'static str,
    pub full_responses: Arc<AtomicUsize>,
}

impl Conditional {
    pub fn new(body: impl Into<Vec<u8>>, etag: &'static str, content_type: &'static str) -> Self {
        Conditional {
            body: Arc::new(body.into()),
            etag,
            content_type,
            full_responses: Arc::default(),
        }
    }

    pub fn respond(&self, request: &HeaderMap) -> Response {
        let matches = request
            .get(header::IF_NONE_MATCH)
            .is_some_and(|v| v.as_bytes() == self.etag.as_bytes());
        if matches {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, self.etag)]).into_response();
        }
        self.full_responses.fetch_add(1, Ordering::SeqCst);
        let mut response = (*self.body).clone().into_response();
        let headers = response.headers_mut();
        headers.insert(header::ETAG, HeaderValue::from_static(self.etag));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        response
    }

    pub fn full_responses(&self) -> usize {
        self.full_responses.load(Ordering::SeqCst)
    }
}

/// Gzip-compresses `bytes`.
pub async fn gzip(bytes: &[u8]) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut out = Vec::new();
    async_compression::tokio::bufread::GzipEncoder::new(bytes)
        .read_to_end(&mut out)
        .await
        .expect("gzip in memory");
    out
}

/// Brotli-compresses `bytes`.
pub async fn brotli(bytes: &[u8]) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut out = Vec::new();
    async_compression::tokio::bufread::BrotliEncoder::new(bytes)
        .read_to_end(&mut out)
        .await
        .expect("brotli in memory");
    out
}

/// The titles of the newest hundred items stored, newest first.
pub async fn stored_titles(store: &syndic::store::StoreHandle) -> Vec<String> {
    let query = syndic::store::ItemQuery {
        limit: 100,
        ..Default::default()
    };
    let items = store
        .read(move |s| s.items(&query))
        .await
        .expect("items read");
    items.into_iter().map(|i| i.title).collect()
}
