//! Accepting and keeping HTTP connections, within bounds: at most
//! `max_connections` open at once (the process never runs out of file
//! descriptors), a request head must arrive within the header-read
//! timeout, and a connection waiting for its next request is closed after
//! the idle timeout.
//!
//! `axum::serve` offers none of these knobs, so this is the accept loop of
//! mini-redis (a semaphore permit per connection) serving each connection
//! with hyper's HTTP/1 server. Each connection is watched by its own task:
//! its socket reports when bytes arrive and its service when a request
//! begins and its answer has been sent, which tells apart
//!
//! - *silent*: a new connection that has sent nothing yet; closed after
//!   `header_read_timeout`;
//! - *waiting for a head*: bytes of a request have arrived, not all of its
//!   head; closed `header_read_timeout` after the connection opened, or
//!   after the first byte of a later request (slowloris);
//! - *idle*: an answer was sent and nothing more arrived; closed after
//!   `idle_timeout` (keep-alive);
//! - *busy*: a request is being answered; no timeout here (the execution
//!   timeout bounds the work).
//!
//! When every slot is taken, a new client does not wait for a timeout: the
//! connection that has been silent or idle the longest is closed to make
//! room (a keep-alive client just opens another). Connections in the middle
//! of a request are never closed for room, so holding idle sockets cannot
//! keep clients out; what is left waits in the kernel's listen backlog.
//!
//! On shutdown no connection is accepted any more, idle and half-sent ones
//! are closed at once, and busy ones finish their request and close.
//! A connection upgraded to a WebSocket leaves this count: its socket is
//! counted by the WebSocket cap instead.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio::time::Instant;
use tower_service::Service;

/// The bounds on connections, all configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Most HTTP connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// How long a client may take to send a request head, from the first
    /// byte of it (or from connecting, for the first request).
    pub header_read_timeout: Duration,
    /// How long a connection may wait for its next request.
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Why the server closed a connection, as counted in
/// `skillgraph_http_connections_closed_total{reason}`.
#[derive(Debug, Clone, Copy)]
enum Closed {
    HeaderTimeout,
    IdleTimeout,
    /// To make room for a new connection.
    Room,
    Shutdown,
}

impl Closed {
    fn count(self) {
        let reason = match self {
            Self::HeaderTimeout => "header_timeout",
            Self::IdleTimeout => "idle_timeout",
            Self::Room => "room",
            Self::Shutdown => "shutdown",
        };
        metrics::counter!("skillgraph_http_connections_closed_total", "reason" => reason)
            .increment(1);
    }
}

/// Serves `router` on `listener` within `limits` until `stopping` turns
/// true, then waits for the open connections to finish (see the module
/// documentation for what finishing means).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    mut stopping: watch::Receiver<bool>,
) {
    let slots = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let permits = Arc::new(Semaphore::new(slots as usize));
    let open = Arc::new(Registry::default());
    'serving: loop {
        let (stream, address) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            _ = stopping.wait_for(|stop| *stop) => break,
        };
        // A slot for it: when every slot is taken, the longest silent or
        // idle connection is closed to make room; while none is, the new
        // client waits (and the next ones wait in the listen backlog).
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => loop {
                open.make_room();
                tokio::select! {
                    permit = Arc::clone(&permits).acquire_owned() => match permit {
                        Ok(permit) => break permit,
                        Err(_) => break 'serving,
                    },
                    _ = stopping.wait_for(|stop| *stop) => break 'serving,
                    () = tokio::time::sleep(Duration::from_millis(100)) => {}
                }
            },
        };
        let router = router.clone();
        let stopping = stopping.clone();
        let open = Arc::clone(&open);
        tokio::spawn(async move {
            metrics::gauge!("skillgraph_http_connections").increment(1.0);
            let activity = Arc::new(Activity::new());
            let id = open.add(Arc::clone(&activity));
            connection(stream, address, router, limits, activity, stopping).await;
            open.remove(id);
            metrics::gauge!("skillgraph_http_connections").decrement(1.0);
            drop(permit);
        });
    }
    drop(listener);
    // Every connection gives its slot back when it ends.
    let _ = permits.acquire_many(slots).await;
}

/// What to do when `accept` fails: nothing for a connection that failed
/// on its own; a pause for anything else (such as running out of file
/// descriptors), as hyper and axum do.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "cannot accept a connection; pausing for a second");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Serves one connection until it ends, times out or shutdown closes it.
async fn connection(
    stream: TcpStream,
    address: SocketAddr,
    router: Router,
    limits: ConnectionLimits,
    activity: Arc<Activity>,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let on_request = Arc::clone(&activity);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(address));
        let busy = Busy::begin(Arc::clone(&on_request));
        let mut router = router.clone();
        async move {
            let response = match router.call(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            Ok::<_, Infallible>(response.map(|body| Answer { body, _busy: busy }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // Our own clock decides the timeouts (see `Activity`), not hyper's.
    builder.header_read_timeout(None);
    let mut conn = pin!(builder.serve_connection(io, service).with_upgrades());
    let mut shutting_down = false;
    loop {
        let deadline = activity.deadline(&limits);
        tokio::select! {
            served = conn.as_mut() => {
                if let Err(e) = served {
                    tracing::debug!(error = %e, %address, "connection ended with an error");
                }
                return;
            }
            () = activity.changed.notified() => {
                if activity.shed() {
                    tracing::debug!(%address, "closing an idle connection to make room");
                    Closed::Room.count();
                    return;
                }
            }
            () = sleep_until(deadline) => {
                if let Some(why) = activity.expired(&limits) {
                    tracing::debug!(%address, ?why, "closing a connection");
                    why.count();
                    return;
                }
            }
            _ = stopping.wait_for(|stop| *stop), if !shutting_down => {
                if !activity.is_busy() {
                    // Idle, or a request half sent: nothing to finish.
                    Closed::Shutdown.count();
                    return;
                }
                // The answer in flight is sent, then hyper closes the
                // connection (no keep-alive any more).
                shutting_down = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// The open connections, so that one can be closed to make room.
#[derive(Default)]
struct Registry {
    open: Mutex<HashMap<u64, Arc<Activity>>>,
    next: AtomicU64,
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn add(&self, activity: Arc<Activity>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, activity);
        id
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Asks the connection silent or idle the longest to close, if any is
    /// (and none was asked already).
    fn make_room(&self) {
        let open = self.lock();
        if open.values().any(|a| a.to_shed.load(Ordering::Relaxed)) {
            return;
        }
        let oldest = open
            .values()
            .filter_map(|activity| activity.quiet_since().map(|since| (since, activity)))
            .min_by_key(|(since, _)| *since);
        if let Some((_, activity)) = oldest {
            activity.to_shed.store(true, Ordering::Relaxed);
            activity.changed.notify_one();
        }
    }
}

/// Where a connection is in its request cycle (see the module docs).
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Opened at this instant; nothing has arrived yet.
    Silent(Instant),
    /// Waiting for the rest of a request head since this instant.
    Head(Instant),
    /// An answer was sent at this instant; nothing has arrived since.
    Idle(Instant),
    /// This many requests are being answered (more than one only when a
    /// client pipelines).
    Busy(usize),
}

/// What a connection's watcher knows of it.
struct Activity {
    phase: Mutex<Phase>,
    /// Woken when the deadline may have moved earlier, or to shed it.
    changed: Notify,
    /// Asked to close to make room, if it is still silent or idle.
    to_shed: AtomicBool,
}

impl Activity {
    fn new() -> Self {
        Self {
            phase: Mutex::new(Phase::Silent(Instant::now())),
            changed: Notify::new(),
            to_shed: AtomicBool::new(false),
        }
    }

    fn phase(&self) -> MutexGuard<'_, Phase> {
        self.phase
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Bytes arrived: the head of a request has begun (the first request's
    /// time counts from the connection's opening).
    fn heard(&self) {
        let mut phase = self.phase();
        match *phase {
            Phase::Silent(since) => *phase = Phase::Head(since),
            Phase::Idle(_) => {
                *phase = Phase::Head(Instant::now());
                drop(phase);
                self.changed.notify_one();
            }
            Phase::Head(_) | Phase::Busy(_) => {}
        }
    }

    /// Since when the connection has been silent or idle, if it is.
    fn quiet_since(&self) -> Option<Instant> {
        match *self.phase() {
            Phase::Silent(since) | Phase::Idle(since) => Some(since),
            Phase::Head(_) | Phase::Busy(_) => None,
        }
    }

    /// Whether it is to close now to make room: asked to, and still quiet.
    fn shed(&self) -> bool {
        self.to_shed.load(Ordering::Relaxed) && {
            let quiet = self.quiet_since().is_some();
            if !quiet {
                // Busy again: another one will be asked.
                self.to_shed.store(false, Ordering::Relaxed);
            }
            quiet
        }
    }

    fn begin(&self) {
        let mut phase = self.phase();
        *phase = match *phase {
            Phase::Busy(n) => Phase::Busy(n + 1),
            Phase::Silent(_) | Phase::Head(_) | Phase::Idle(_) => Phase::Busy(1),
        };
    }

    fn end(&self) {
        let mut phase = self.phase();
        *phase = match *phase {
            Phase::Busy(n) if n > 1 => Phase::Busy(n - 1),
            _ => Phase::Idle(Instant::now()),
        };
        drop(phase);
        self.changed.notify_one();
    }

    fn is_busy(&self) -> bool {
        matches!(*self.phase(), Phase::Busy(_))
    }

    /// When the connection is due to close, unless something happens.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        match *self.phase() {
            Phase::Silent(since) | Phase::Head(since) => Some(since + limits.header_read_timeout),
            Phase::Idle(since) => Some(since + limits.idle_timeout),
            Phase::Busy(_) => None,
        }
    }

    /// Why the connection is to close now, if it is.
    fn expired(&self, limits: &ConnectionLimits) -> Option<Closed> {
        let now = Instant::now();
        match *self.phase() {
            Phase::Silent(since) | Phase::Head(since)
                if now >= since + limits.header_read_timeout =>
            {
                Some(Closed::HeaderTimeout)
            }
            Phase::Idle(since) if now >= since + limits.idle_timeout => Some(Closed::IdleTimeout),
            _ => None,
        }
    }
}

/// A request being answered: ends when its answer has been sent (when
/// hyper drops the body).
struct Busy(Arc<Activity>);

impl Busy {
    fn begin(activity: Arc<Activity>) -> Self {
        activity.begin();
        Self(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.end();
    }
}

/// An answer's body, which keeps its request busy until it is sent.
struct Answer {
    body: Body,
    _busy: Busy,
}

impl hyper::body::Body for Answer {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A client socket that tells its watcher when bytes arrive.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled
            && buf.filled().len() > before
        {
            this.activity.heard();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
