//! The load generator: exactly `connections` HTTP/1.1 keep-alive connections, each driven by
//! one task that takes the next request from a shared list and sends it, so every request is
//! sent once, by whichever connection is free (a closed loop, like wrk with one request per
//! connection in flight); or, for a timed window, the list round and round (or each request
//! at most once) until the time is up. Latency is measured per request from sending the head
//! to having read the whole response body. [`Connections`] keeps its connections between
//! runs, so successive measurements go over the very same sockets.

use std::collections::BTreeMap;
use std::fmt::Write as _;
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
    /// Connections the requests went over.
    pub connections: usize,
    /// Connections opened during the run (0 when every one was kept from an earlier run).
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

/// How a run goes through its list of jobs.
#[derive(Debug, Clone, Copy)]
pub enum Plan {
    /// Every job once.
    Once,
    /// Every job at most once, until the time is up.
    OnceWithin(Duration),
    /// Round and round the list until the time is up.
    Cycle(Duration),
    /// Open loop: job `i` (each at most once) is due at `i / rate` seconds after the start,
    /// for as long as the window lasts, whether or not earlier answers have come back; its
    /// latency runs from when it was due, so time spent waiting for a free connection (a
    /// stall anywhere) shows in it. The connections bound the requests in flight.
    OpenLoop { rate: f64, window: Duration },
}

impl Plan {
    fn window(self) -> Option<Duration> {
        match self {
            Plan::Once => None,
            Plan::OnceWithin(d) | Plan::Cycle(d) => Some(d),
            Plan::OpenLoop { window, .. } => Some(window),
        }
    }

    /// When job `i` is due (open loop only).
    fn due(self, started: Instant, i: usize) -> Option<Instant> {
        match self {
            Plan::OpenLoop { rate, .. } if rate > 0.0 => {
                Some(started + Duration::from_secs_f64(i as f64 / rate))
            }
            _ => None,
        }
    }
}

struct Worker {
    sender: Option<Sender>,
    latencies_us: Vec<u64>,
    statuses: BTreeMap<u16, usize>,
    transport_errors: usize,
    connects: usize,
    samples: Vec<String>,
}

const SAMPLES: usize = 5;

struct Shared {
    addr: Arc<str>,
    host: HeaderValue,
    jobs: Arc<Vec<Job>>,
    next: AtomicUsize,
    expected: u16,
    plan: Plan,
    started: Instant,
    deadline: Option<Instant>,
}

async fn worker(shared: Arc<Shared>, kept: Option<Sender>) -> Worker {
    let jobs = &shared.jobs;
    let mut w = Worker {
        sender: kept.filter(|s| !s.is_closed()),
        latencies_us: Vec::with_capacity(jobs.len() / 8 + 1),
        statuses: BTreeMap::new(),
        transport_errors: 0,
        connects: 0,
        samples: Vec::new(),
    };
    loop {
        let open = matches!(shared.plan, Plan::OpenLoop { .. });
        if !open && shared.deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        let job = match shared.plan {
            Plan::Cycle(_) => jobs.get(i % jobs.len().max(1)),
            Plan::Once | Plan::OnceWithin(_) | Plan::OpenLoop { .. } => jobs.get(i),
        };
        let Some(job) = job else { break };
        // Open loop: every job due within the window is sent, late if no connection was
        // free when it fell due, and timed from when it was due.
        let due = shared.plan.due(shared.started, i);
        if let Some(at) = due {
            if shared.deadline.is_some_and(|d| at >= d) {
                break;
            }
            tokio::time::sleep_until(at.into()).await;
        }
        let mut s = match w.sender.take() {
            Some(s) => s,
            None => {
                w.connects += 1;
                match connect(&shared.addr).await {
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
        let started = due.unwrap_or_else(Instant::now);
        match send(&mut s, &shared.host, job).await {
            Ok(reply) => {
                let us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                w.latencies_us.push(us);
                *w.statuses.entry(reply.status).or_default() += 1;
                if reply.status != shared.expected && w.samples.len() < SAMPLES {
                    let body = String::from_utf8_lossy(&reply.body);
                    w.samples.push(format!(
                        "{} {}: {}",
                        reply.status,
                        job.path,
                        truncate(&body)
                    ));
                }
                w.sender = Some(s);
            }
            Err(e) => {
                w.transport_errors += 1;
                if w.samples.len() < SAMPLES {
                    w.samples.push(format!("{}: {e}", job.path));
                }
            }
        }
    }
    w
}

fn truncate(s: &str) -> String {
    s.chars().take(300).collect()
}

/// `connections` keep-alive connections to one server, opened on first use and kept from
/// one run to the next (one the server has closed meanwhile is opened again, and counted).
pub struct Connections {
    addr: Arc<str>,
    host: HeaderValue,
    senders: Vec<Option<Sender>>,
}

impl Connections {
    pub fn new(addr: &str, connections: usize) -> Result<Self, BoxError> {
        Ok(Self {
            addr: Arc::from(addr),
            host: HeaderValue::from_str(addr)?,
            senders: (0..connections.max(1)).map(|_| None).collect(),
        })
    }

    /// Sends the jobs as `plan` says, each connection with one request in flight.
    pub async fn run(
        &mut self,
        jobs: Arc<Vec<Job>>,
        expected: u16,
        plan: Plan,
    ) -> Result<Outcome, BoxError> {
        let started = Instant::now();
        let shared = Arc::new(Shared {
            addr: Arc::clone(&self.addr),
            host: self.host.clone(),
            jobs,
            next: AtomicUsize::new(0),
            expected,
            plan,
            started,
            deadline: plan.window().map(|d| started + d),
        });
        let handles: Vec<_> = self
            .senders
            .iter_mut()
            .map(|kept| tokio::spawn(worker(Arc::clone(&shared), kept.take())))
            .collect();
        let mut out = Outcome {
            connections: handles.len(),
            ..Outcome::default()
        };
        for (h, slot) in handles.into_iter().zip(self.senders.iter_mut()) {
            let w = h.await?;
            *slot = w.sender;
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
}

/// Sends every job once over `connections` fresh concurrent keep-alive connections.
pub async fn run(
    addr: &str,
    connections: usize,
    jobs: Arc<Vec<Job>>,
    expected: u16,
) -> Result<Outcome, BoxError> {
    Connections::new(addr, connections)?
        .run(jobs, expected, Plan::Once)
        .await
}

/// Prints one line about a run and appends its figures as `label_*=` lines to `results`.
pub fn report(label: &str, o: &Outcome, ok: u16, results: &mut String) -> Result<(), BoxError> {
    println!(
        "{label}: {} requests in {:.2} s over {} connection(s) ({} opened) = {:.0}/s ({ok}); \
         p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.1} ms; statuses {}",
        o.latencies_us.len() + o.transport_errors,
        o.elapsed.as_secs_f64(),
        o.connections,
        o.connects,
        o.rate(ok),
        o.percentile_ms(50.0),
        o.percentile_ms(90.0),
        o.percentile_ms(99.0),
        o.max_ms(),
        o.statuses_line(),
    );
    for s in &o.samples {
        println!("  unexpected: {s}");
    }
    writeln!(results, "{label}_per_s={:.1}", o.rate(ok))?;
    writeln!(results, "{label}_p50_ms={:.2}", o.percentile_ms(50.0))?;
    writeln!(results, "{label}_p90_ms={:.2}", o.percentile_ms(90.0))?;
    writeln!(results, "{label}_p99_ms={:.2}", o.percentile_ms(99.0))?;
    writeln!(results, "{label}_max_ms={:.2}", o.max_ms())?;
    writeln!(results, "{label}_statuses={}", o.statuses_line())?;
    Ok(())
}
