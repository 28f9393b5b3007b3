//! Sending one item to one target: a webhook gets it POSTed as JSON,
//! retried with backoff while the failure says nothing was done (no
//! connection, `429`, `5xx`); a command gets it on standard input and
//! runs once (a command that failed may have acted).

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use url::Url;

/// Attempts at a webhook before the item is given up.
const ATTEMPTS: u32 = 4;
/// The pause after the first failed attempt; doubled after each.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// A command that takes longer is stopped and counts as failed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("webhook answered {0}")]
    Status(reqwest::StatusCode),
    #[error("webhook unreachable: {0}")]
    Request(#[from] reqwest::Error),
    #[error("command cannot run: {0}")]
    Spawn(std::io::Error),
    #[error("command exited with {0}")]
    Exit(std::process::ExitStatus),
    #[error("command ran over {}s and was stopped", COMMAND_TIMEOUT.as_secs())]
    Timeout,
}

pub async fn webhook(client: &reqwest::Client, url: &Url, body: &str) -> Result<(), DeliveryError> {
    let mut pause = FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        let sent = client
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await;
        let failure = match sent {
            Ok(r) if r.status().is_success() => return Ok(()),
            Ok(r) => DeliveryError::Status(r.status()),
            Err(e) => DeliveryError::Request(e),
        };
        if attempt >= ATTEMPTS || !worth_retrying(&failure) {
            return Err(failure);
        }
        tracing::debug!(attempt, error = %failure, "webhook failed; trying again");
        tokio::time::sleep(pause).await;
        pause *= 2;
        attempt += 1;
    }
}

/// Only failures that leave the item surely undelivered are retried: a
/// request that timed out may have arrived.
fn worth_retrying(failure: &DeliveryError) -> bool {
    match failure {
        DeliveryError::Status(s) => s.is_server_error() || s.as_u16() == 429,
        DeliveryError::Request(e) => e.is_connect(),
        _ => false,
    }
}

pub async fn command(argv: &[String], body: &str) -> Result<(), DeliveryError> {
    let (program, args) = argv
        .split_first()
        .ok_or(DeliveryError::Spawn(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "no program",
        )))?;
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(DeliveryError::Spawn)?;
    if let Some(mut stdin) = child.stdin.take() {
        // A program that does not read its input is its own affair.
        let _ = stdin.write_all(body.as_bytes()).await;
    }
    match tokio::time::timeout(COMMAND_TIMEOUT, child.wait()).await {
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => Err(DeliveryError::Exit(status)),
        Ok(Err(e)) => Err(DeliveryError::Spawn(e)),
        Err(_) => Err(DeliveryError::Timeout),
    }
}
