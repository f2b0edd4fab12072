//! Accepting connections without letting careless or hostile clients starve
//! the others: a header timeout, a cap on open connections per listener
//! (idle ones make room for newcomers), the `Host` check, and panics in a
//! handler answered with 500 instead of taking anything else down.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{Request, Response, StatusCode};
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::AbortHandle;

use crate::hosts::{AllowedHosts, REFUSAL};

/// How long clients may take, and how many may be connected at once.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// How long a client may take to send a request's head, counted from
    /// when the server starts waiting for it: on a new connection, and again
    /// after each response on a kept-alive one (so it is also how long a
    /// connection may sit idle between requests). A response being sent,
    /// such as the event stream, is never cut by it.
    pub header_timeout: Duration,
    /// Open connections per listener. A connection beyond it closes the one
    /// that has been idle longest (no request being answered); when every
    /// connection is answering (open event streams), it waits for one to
    /// end, up to `header_timeout`, and is then closed.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            max_connections: 256,
        }
    }
}

/// Serves `router` on every connection `listener` accepts, until the
/// process ends.
pub(crate) async fn serve_connections(
    listener: TcpListener,
    router: Router,
    hosts: Arc<AllowedHosts>,
    limits: ConnectionLimits,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let open = Arc::new(OpenConnections::default());
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset before it was
            // accepted: wait a moment rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                open.close_longest_idle();
                let waited =
                    tokio::time::timeout(limits.header_timeout, permits.clone().acquire_owned())
                        .await;
                match waited {
                    Ok(Ok(permit)) => permit,
                    // Every connection is busy answering: this one is closed.
                    _ => continue,
                }
            }
        };
        let activity = Arc::new(Activity::new());
        let connection = serve_connection(
            stream,
            router.clone(),
            hosts.clone(),
            limits.header_timeout,
            activity.clone(),
        );
        let mut table = open.lock();
        let id = table.next_id;
        table.next_id += 1;
        let forget = Forget {
            open: open.clone(),
            id,
        };
        let task = tokio::spawn(async move {
            let _permit = permit;
            let _forget = forget;
            connection.await;
        });
        table.connections.insert(
            id,
            Open {
                abort: task.abort_handle(),
                activity,
            },
        );
    }
}

async fn serve_connection(
    stream: TcpStream,
    router: Router,
    hosts: Arc<AllowedHosts>,
    header_timeout: Duration,
    activity: Arc<Activity>,
) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let busy = activity.begin();
        let response = answer(router.clone(), hosts.clone(), request);
        async move {
            let response = response.await;
            Ok::<_, Infallible>(response.map(|body| Body::new(Tracked { body, _busy: busy })))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    // A timed-out, reset or malformed connection is the client's affair.
    let _ = builder
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// The router's answer, unless the host is foreign or the handler panics.
fn answer(
    router: Router,
    hosts: Arc<AllowedHosts>,
    request: Request<Incoming>,
) -> impl Future<Output = Response<Body>> {
    let allowed = hosts.allows_request(request.uri(), request.headers());
    async move {
        if !allowed {
            return plain(StatusCode::MISDIRECTED_REQUEST, REFUSAL);
        }
        let mut router = router;
        let call = tower_service::Service::call(&mut router, request);
        match catch_panic(call).await {
            Ok(Ok(response)) => response,
            Ok(Err(infallible)) => match infallible {},
            Err(()) => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Gazette failed while answering this request (a bug); the preview keeps running.\n",
            ),
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Runs `future`, turning a panic while it is polled into `Err(())`.
pub(crate) async fn catch_panic<F: Future>(future: F) -> Result<F::Output, ()> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(Err(())),
        }
    })
    .await
}

/// The connections a listener has open, to find one to close.
#[derive(Default)]
struct OpenConnections(Mutex<Table>);

#[derive(Default)]
struct Table {
    next_id: u64,
    connections: HashMap<u64, Open>,
}

struct Open {
    abort: AbortHandle,
    activity: Arc<Activity>,
}

impl OpenConnections {
    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes the connection idle longest, if any is idle: one waiting for
    /// a request (or for the rest of one) rather than answering.
    fn close_longest_idle(&self) {
        let abort = {
            let table = self.lock();
            table
                .connections
                .values()
                .filter_map(|open| Some((open.activity.idle_since()?, &open.abort)))
                .min_by_key(|(since, _)| *since)
                .map(|(_, abort)| abort.clone())
        };
        if let Some(abort) = abort {
            abort.abort();
        }
    }
}

/// Removes a connection from the table when its task ends (or is aborted).
struct Forget {
    open: Arc<OpenConnections>,
    id: u64,
}

impl Drop for Forget {
    fn drop(&mut self) {
        self.open.lock().connections.remove(&self.id);
    }
}

/// Whether a connection is answering a request, and since when it is not.
struct Activity {
    answering: AtomicUsize,
    idle_since: Mutex<Instant>,
}

impl Activity {
    fn new() -> Self {
        Self {
            answering: AtomicUsize::new(0),
            idle_since: Mutex::new(Instant::now()),
        }
    }

    fn begin(self: &Arc<Self>) -> Busy {
        self.answering.fetch_add(1, Ordering::SeqCst);
        Busy(self.clone())
    }

    fn idle_since(&self) -> Option<Instant> {
        let since = *self
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        (self.answering.load(Ordering::SeqCst) == 0).then_some(since)
    }
}

/// A request being answered: until its response body is sent (or dropped).
struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        *self
            .0
            .idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        self.0.answering.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A response body that marks its connection busy while it is sent.
struct Tracked {
    body: Body,
    _busy: Busy,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use axum::routing::get;
    use std::io::{Read, Write};

    /// A GET for `localhost` on a connection of its own: the status and
    /// everything the server sent.
    pub(crate) fn fetch(address: std::net::SocketAddr, path: &str) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, text)
    }

    async fn handler_with_a_bug() -> &'static str {
        panic!("injected handler bug")
    }

    #[test]
    fn a_handler_that_panics_gets_a_500_and_the_server_carries_on() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let router = Router::new()
            .route("/panic", get(handler_with_a_bug))
            .route("/fine", get(|| async { "fine" }));
        let address = runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            let hosts = Arc::new(AllowedHosts::new(address.ip(), &[]));
            tokio::spawn(serve_connections(
                listener,
                router,
                hosts,
                ConnectionLimits::default(),
            ));
            address
        });
        for _ in 0..3 {
            assert_eq!(fetch(address, "/panic").0, 500);
            assert_eq!(fetch(address, "/fine").0, 200);
        }
    }
}
