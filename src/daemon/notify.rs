//! Talking to systemd (`Type=notify`): readiness, reloads, stopping, and
//! watchdog pings. Every call is a no-op when not run under systemd.

use std::time::Duration;

use sd_notify::NotifyState;

/// The service manager's view of this process.
#[derive(Debug, Clone, Copy)]
pub struct ServiceManager {
    watchdog: Option<Duration>,
}

impl ServiceManager {
    /// Reads the environment systemd set up; `NOTIFY_SOCKET` stays set so
    /// later notifications reach it too.
    pub fn from_env() -> ServiceManager {
        let mut usec = 0;
        let watchdog =
            sd_notify::watchdog_enabled(false, &mut usec).then(|| Duration::from_micros(usec));
        ServiceManager { watchdog }
    }

    pub fn ready(&self, status: &str) {
        send(&[NotifyState::Ready, NotifyState::Status(status)]);
    }

    pub fn reloading(&self) {
        let now = sd_notify::NotifyState::monotonic_usec_now().ok();
        let mut states = vec![NotifyState::Reloading];
        states.extend(now);
        send(&states);
    }

    pub fn stopping(&self) {
        send(&[NotifyState::Stopping]);
    }

    /// How often to ping: half the watchdog timeout, as systemd advises.
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog.map(|d| d / 2)
    }

    pub fn watchdog(&self) {
        send(&[NotifyState::Watchdog]);
    }
}

fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(false, states) {
        tracing::debug!(error = %e, "could not notify the service manager");
    }
}
