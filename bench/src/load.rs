//! The load generator: exactly `connections` HTTP/1.1 keep-alive connections, each driven by
//! one task that takes the next request from a shared list and sends it, so every request is
//! sent once, by whichever connection is free (a closed loop, like wrk with one request per
//! connection in flight). Latency is measured per request from sending the head to having
//! read the whole response body.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::BoxError;

/// One request to send.
pub struct Job {
    pub method: Method,
    pub path: String,
    /// `Bearer …`, ready to send.
    pub authorization: Option<HeaderValue>,
    pub body: Option<Bytes>,
}

/// A response's status and body (for the few requests outside the load itself).
pub struct Reply {
    pub status: u16,
    pub body: Bytes,
}

/// What a load run observed.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Per answered request, in microseconds, sorted.
    pub latencies_us: Vec<u64>,
    pub statuses: BTreeMap<u16, usize>,
    /// Requests that got no HTTP answer (connection refused, reset, …).
    pub transport_errors: usize,
    /// Connections opened, the initial ones included.
    pub connects: usize,
    /// The first few unexpected answers, for the report.
    pub samples: Vec<String>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn count(&self, status: u16) -> usize {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    /// Answered requests per second.
    pub fn rate(&self, status: u16) -> f64 {
        self.count(status) as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Nearest-rank percentile (`p` in 0..=100) in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        let n = self.latencies_us.len();
        if n == 0 {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        let i = rank.clamp(1, n) - 1;
        self.latencies_us.get(i).copied().unwrap_or(0) as f64 / 1000.0
    }

    pub fn max_ms(&self) -> f64 {
        self.latencies_us.last().copied().unwrap_or(0) as f64 / 1000.0
    }

    pub fn statuses_line(&self) -> String {
        let mut parts: Vec<String> = self
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}:{n}"))
            .collect();
        if self.transport_errors > 0 {
            parts.push(format!("transport_error:{}", self.transport_errors));
        }
        parts.join(",")
    }
}

type Sender = SendRequest<Full<Bytes>>;

async fn connect(addr: &str) -> Result<Sender, BoxError> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // Ends when the connection closes; errors surface on the next send.
        let _ = conn.await;
    });
    Ok(sender)
}

async fn send(sender: &mut Sender, host: &HeaderValue, job: &Job) -> Result<Reply, BoxError> {
    let mut req = Request::builder()
        .method(job.method.clone())
        .uri(job.path.as_str())
        .header(HOST, host.clone());
    if let Some(auth) = &job.authorization {
        req = req.header(AUTHORIZATION, auth.clone());
    }
    if job.body.is_some() {
        req = req.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let req = req.body(Full::new(job.body.clone().unwrap_or_default()))?;
    sender.ready().await?;
    let res = sender.send_request(req).await?;
    let status = res.status().as_u16();
    let body = res.into_body().collect().await?.to_bytes();
    Ok(Reply { status, body })
}

/// Sends one request on a fresh connection (setup calls such as creating the activity).
pub async fn once(addr: &str, job: &Job) -> Result<Reply, BoxError> {
    let host = HeaderValue::from_str(addr)?;
    let mut sender = connect(addr).await?;
    send(&mut sender, &host, job).await
}

struct Worker {
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, usize>,
    transport_errors: usize,
    connects: usize,
    samples: Vec<String>,
}

const SAMPLES: usize = 5;

async fn worker(
    addr: Arc<str>,
    jobs: Arc<Vec<Job>>,
    next: Arc<AtomicUsize>,
    expected: u16,
) -> Result<Worker, BoxError> {
    let host = HeaderValue::from_str(&addr)?;
    let mut w = Worker {
        latencies_us: Vec::with_capacity(jobs.len() / 8 + 1),
        statuses: BTreeMap::new(),
        transport_errors: 0,
        connects: 0,
        samples: Vec::new(),
    };
    let mut sender: Option<Sender> = None;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(i) else { break };
        let mut s = match sender.take() {
            Some(s) => s,
            None => {
                w.connects += 1;
                match connect(&addr).await {
                    Ok(s) => s,
                    Err(e) => {
                        w.transport_errors += 1;
                        if w.samples.len() < SAMPLES {
                            w.samples.push(format!("connect: {e}"));
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                }
            }
        };
        let started = Instant::now();
        match send(&mut s, &host, job).await {
            Ok(reply) => {
                let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                w.latencies_us.push(us);
                *w.statuses.entry(reply.status).or_default() += 1;
                if reply.status != expected && w.samples.len() < SAMPLES {
                    let body = String::from_utf8_lossy(&reply.body);
                    w.samples.push(format!(
                        "{} {}: {}",
                        reply.status,
                        job.path,
                        truncate(&body)
                    ));
                }
                sender = Some(s);
            }
            Err(e) => {
                w.transport_errors += 1;
                if w.samples.len() < SAMPLES {
                    w.samples.push(format!("{}: {e}", job.path));
                }
            }
        }
    }
    Ok(w)
}

fn truncate(s: &str) -> String {
    s.chars().take(300).collect()
}

/// Sends every job once over `connections` concurrent keep-alive connections.
pub async fn run(
    addr: &str,
    connections: usize,
    jobs: Arc<Vec<Job>>,
    expected: u16,
) -> Result<Outcome, BoxError> {
    let addr: Arc<str> = Arc::from(addr);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..connections.max(1))
        .map(|_| {
            tokio::spawn(worker(
                Arc::clone(&addr),
                Arc::clone(&jobs),
                Arc::clone(&next),
                expected,
            ))
        })
        .collect();
    let mut out = Outcome::default();
    for h in handles {
        let w = h.await??;
        out.latencies_us.extend(w.latencies_us);
        for (s, n) in w.statuses {
            *out.statuses.entry(s).or_default() += n;
        }
        out.transport_errors += w.transport_errors;
        out.connects += w.connects;
        for s in w.samples {
            if out.samples.len() < SAMPLES {
                out.samples.push(s);
            }
        }
    }
    out.elapsed = started.elapsed();
    out.latencies_us.sort_unstable();
    Ok(out)
}
