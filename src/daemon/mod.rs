//! `syndic run`: the scheduler, the feed server and retention on one
//! runtime, driven by signals: SIGHUP reloads the config, SIGTERM and
//! SIGINT stop cleanly.

mod dump_watch;
mod health_feed;
mod lock;
mod notify;
mod retention;
mod signals;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::fetch::FetchSlots;
use crate::metrics::Metrics;
use crate::notifications;
use crate::poll::Poller;
use crate::scheduler::Scheduler;
use crate::server::{self, ServerState};
use crate::shutdown::{self, Shutdown, ShutdownTrigger};
use crate::store::{HandleError, StoreHandle};
use crate::websub;
use notify::ServiceManager;
use signals::{Event, Signals};

/// How long polls in flight may take to finish at shutdown.
const STOP_GRACE: Duration = Duration::from_secs(5);
/// How long the runtime waits, after the checkpoint, for blocking work
/// (a parse in progress) before the process exits anyway.
const BLOCKING_GRACE: Duration = Duration::from_secs(1);
/// How often the database is checked for other processes' writes.
const EXTERNAL_WRITES_CHECK: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Lock(#[from] lock::LockError),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot open the database: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error(
        "cannot listen on {addr}: {source}; is another syndic running? change [daemon] listen"
    )]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot install signal handlers: {0}")]
    Signals(std::io::Error),
    #[error(transparent)]
    Client(#[from] crate::fetch::ClientError),
}

/// Runs the daemon until SIGTERM or SIGINT.
pub fn run(config: Config) -> Result<(), DaemonError> {
    // Before anything touches the database, so a second daemon neither
    // migrates nor polls; held until the process ends.
    let _lock = lock::acquire(&config.daemon.database)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("syndic")
        .build()
        .map_err(DaemonError::Runtime)?;
    let result = runtime.block_on(async { Daemon::start(config).await?.serve().await });
    // Dropping the runtime would wait for every blocking task, however long
    // a parse still has to go; everything worth keeping is committed by now.
    runtime.shutdown_timeout(BLOCKING_GRACE);
    result
}

struct Daemon {
    config_path: PathBuf,
    store: StoreHandle,
    config: watch::Sender<Arc<Config>>,
    stop: ShutdownTrigger,
    scheduler: JoinHandle<()>,
    server: JoinHandle<()>,
    /// Retention, the dump folders' watch, the health feed, notifications,
    /// WebSub and the watch for other processes' writes.
    housekeeping: Vec<JoinHandle<()>>,
    signals: Signals,
    manager: ServiceManager,
}

impl Daemon {
    /// Opens the database, binds the listener and starts every loop; any
    /// failure here is fatal and reported before the service counts as up,
    /// except a database that can be read but not written.
    async fn start(config: Config) -> Result<Daemon, DaemonError> {
        let config_path = config.file.clone();
        let signals = Signals::install().map_err(DaemonError::Signals)?;
        let (store, unwritable) = StoreHandle::open_for_serving(&config.daemon).await?;
        if let Some(e) = unwritable {
            // A full disk: what is stored is served, polls fail to store
            // until the writer gets its connection (it keeps trying).
            tracing::error!(
                database = %config.daemon.database.display(),
                error = %e,
                "cannot write the database; serving what it holds and trying again"
            );
        }
        let addr = config.daemon.listen;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| DaemonError::Listen { addr, source })?;
        let slots = FetchSlots::new(config.daemon.concurrency, config.daemon.per_host);
        let (websub_hook, websub_inbox) = websub::subscriber::channel(&config.daemon.websub);
        let mut poller = Poller::new(&config.daemon, slots, store.clone())?;
        if store.is_sqlite() {
            poller = poller.with_websub(websub_hook);
        } else {
            tracing::info!(
                "WebSub subscriptions need the SQLite store for now: every feed is polled"
            );
        }
        let poller = Arc::new(poller);
        let metrics = Arc::new(Metrics::new());
        let (config_tx, config_rx) = watch::channel(Arc::new(config));
        let (stop_tx, stop_rx) = shutdown::channel();

        let state = ServerState::new(config_rx.clone(), store.clone(), Arc::clone(&metrics));
        let server = tokio::spawn(server::serve(listener, state, stop_rx.clone()));
        let (wake_tx, wake_rx) = tokio::sync::mpsc::unbounded_channel();
        let scheduler = Scheduler::resume(poller, config_rx.clone(), Arc::clone(&metrics))
            .await
            .woken_by(wake_rx);
        let scheduler = tokio::spawn(scheduler.run(stop_rx.clone(), STOP_GRACE));
        let housekeeping = vec![
            tokio::spawn(dump_watch::run(
                config_rx.clone(),
                wake_tx.clone(),
                stop_rx.clone(),
            )),
            tokio::spawn(retention::run(
                store.clone(),
                config_rx.clone(),
                stop_rx.clone(),
            )),
            tokio::spawn(health_feed::run(
                store.clone(),
                config_rx.clone(),
                stop_rx.clone(),
            )),
            tokio::spawn(notifications::run(
                store.clone(),
                config_rx.clone(),
                Arc::clone(&metrics),
                stop_rx.clone(),
            )),
            tokio::spawn(websub::publisher::run(
                store.clone(),
                config_rx.clone(),
                Arc::clone(&metrics),
                stop_rx.clone(),
            )),
            tokio::spawn(websub::subscriber::run(
                websub::subscriber::Subscriber {
                    store: store.clone(),
                    config: config_rx,
                    metrics,
                    wake: wake_tx,
                },
                websub_inbox,
                stop_rx.clone(),
            )),
            tokio::spawn(follow_external_writes(store.clone(), stop_rx)),
        ];
        tracing::info!(%addr, sources = config_tx.borrow().sources.len(), "syndic is running");
        Ok(Daemon {
            config_path,
            store,
            config: config_tx,
            stop: stop_tx,
            scheduler,
            server,
            housekeeping,
            signals,
            manager: ServiceManager::from_env(),
        })
    }

    async fn serve(mut self) -> Result<(), DaemonError> {
        self.manager.ready("polling and serving");
        let mut watchdog = self.manager.watchdog_interval().map(tokio::time::interval);
        loop {
            let tick = async {
                match watchdog.as_mut() {
                    Some(w) => w.tick().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                event = self.signals.next() => match event {
                    Event::Reload => self.reload(),
                    Event::Stop => break,
                },
                _ = tick => self.ping_watchdog(),
            }
        }
        self.shutdown().await;
        Ok(())
    }

    /// Reads the config again; a broken one is logged with its line and the
    /// running config stays.
    fn reload(&self) {
        self.manager.reloading();
        match Config::load(&self.config_path) {
            Ok(new) => {
                let old = self.config.borrow().clone();
                warn_if_restart_needed(&old, &new);
                tracing::info!(
                    sources = new.sources.len(),
                    outputs = new.outputs.len(),
                    "config reloaded"
                );
                self.config.send_replace(Arc::new(new));
            }
            Err(e) => tracing::error!("config reload refused, the running config stays: {e}"),
        }
        self.manager.ready("polling and serving");
    }

    /// Pings systemd only while the loops it stands for are alive, so a
    /// dead scheduler or server gets the service restarted.
    fn ping_watchdog(&self) {
        if !self.scheduler.is_finished() && !self.server.is_finished() {
            self.manager.watchdog();
        }
    }

    async fn shutdown(self) {
        tracing::info!("stopping");
        self.manager.stopping();
        self.stop.trigger();
        // Both bound their own drain, so this ends in bounded time.
        let (scheduler, server) = tokio::join!(self.scheduler, self.server);
        for (task, joined) in [("scheduler", scheduler), ("feed server", server)] {
            if let Err(e) = joined {
                tracing::error!(error = %e, "the {task} task failed");
            }
        }
        for task in &self.housekeeping {
            task.abort();
        }
        if let Err(e) = self.store.checkpoint().await {
            tracing::warn!(error = %e, "could not checkpoint the database at shutdown");
        }
        tracing::info!("stopped");
    }
}

/// Notices writes by other processes (`syndic import` beside the daemon)
/// so that served feeds follow them.
async fn follow_external_writes(store: StoreHandle, mut stop: Shutdown) {
    let mut tick = tokio::time::interval(EXTERNAL_WRITES_CHECK);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait() => return,
        }
        match store.notice_external_changes().await {
            // Said once at start; the writer logs when it can write again.
            Ok(()) | Err(HandleError::Unwritable(_)) => {}
            Err(e) => tracing::warn!(error = %e, "cannot check the database for outside changes"),
        }
    }
}

/// The listen address and the database are fixed for the life of the
/// process; say so rather than silently ignoring the change.
fn warn_if_restart_needed(old: &Config, new: &Config) {
    if old.daemon.listen != new.daemon.listen {
        tracing::warn!(
            old = %old.daemon.listen,
            new = %new.daemon.listen,
            "listen changed: takes effect after a restart"
        );
    }
    if old.daemon.database != new.daemon.database {
        tracing::warn!("database changed: takes effect after a restart");
    }
    let limits = |d: &crate::config::DaemonSettings| {
        (d.timeout, d.max_body_bytes, d.concurrency, d.per_host)
    };
    if limits(&old.daemon) != limits(&new.daemon) {
        tracing::warn!(
            "timeout, max_body_kb, concurrency or per_host changed: takes effect after a restart"
        );
    }
}
