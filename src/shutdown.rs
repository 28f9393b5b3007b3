//! The daemon's one stop signal. Every long-running loop (scheduler,
//! server, housekeeping) holds a `Shutdown` and ends when it fires; each
//! bounds its own drain, so a stop always ends in bounded time.

use tokio::sync::watch;

/// Fires the stop; dropping it fires it too, so no loop outlives its owner.
pub struct ShutdownTrigger(watch::Sender<bool>);

/// A handle on the stop signal, cheap to clone.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

pub fn channel() -> (ShutdownTrigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (ShutdownTrigger(tx), Shutdown(rx))
}

impl ShutdownTrigger {
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}

impl Shutdown {
    /// Resolves once the stop has fired (at once if it already has).
    pub async fn wait(&mut self) {
        // An error means the trigger is gone, which is a stop as well.
        let _ = self.0.wait_for(|stopping| *stopping).await;
    }
}
