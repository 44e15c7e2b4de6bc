//! Where the machine's CPU went during a measured window, by process name (`api`, `postgres`,
//! `redis-server`, `spike`, `feed`, `pgbench`, everything else as `other`), read from Linux's
//! `/proc`; `spike` and `feed` are the load generators. A sampler reads every process's CPU
//! time every 100 ms, in a process of its own (`cpu-sampler`, counted under `other`): reading
//! all of `/proc` ten times a second costs CPU, which inside the load generator's process
//! was counted as the load generator's (about 60 µs per check-in). A process that exits inside the window is counted
//! through its parent's "children" time once the parent has reaped it (PostgreSQL's backends
//! through the postmaster), or, when its parent is not around, by its last sample; the
//! command `spike cpu` runs is read as a zombie, just before it is reaped. Shares are of the
//! whole machine (all cores = 100 %).

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GROUPS: &[&str] = &[
    "api",
    "postgres",
    "redis-server",
    "spike",
    "feed",
    "pgbench",
];
const PERIOD: Duration = Duration::from_millis(100);

/// Total jiffies of the machine (all cores), idle + iowait jiffies and context switches so
/// far, from `/proc/stat`.
fn machine() -> Option<(u64, u64, u64)> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let switches = text
        .lines()
        .find_map(|l| l.strip_prefix("ctxt "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    let line = text.lines().next()?.strip_prefix("cpu ")?;
    let v: Vec<u64> = line
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is inside user).
    let total = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    Some((total, idle, switches))
}

#[derive(Debug, Clone)]
struct Proc {
    comm: String,
    ppid: u32,
    zombie: bool,
    /// When it started: with the pid, who it is (kernel threads change their comm).
    started: u64,
    /// utime + stime.
    own: u64,
    /// cutime + cstime: the reaped children's.
    children: u64,
}

fn read_proc(pid: u32) -> Option<Proc> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold spaces, so split at the last ')'.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_owned();
    let fields: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    // 1-based field numbers of proc(5): state 3, ppid 4, utime 14 … cstime 17, starttime 22.
    let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok());
    Some(Proc {
        comm,
        ppid: u32::try_from(field(4)?).ok()?,
        zombie: fields.first() == Some(&"Z"),
        started: field(22)?,
        own: field(14)? + field(15)?,
        children: field(16)? + field(17)?,
    })
}

/// Every process now.
fn processes() -> HashMap<u32, Proc> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()))
        .filter_map(|pid| read_proc(pid).map(|p| (pid, p)))
        .collect()
}

/// Whether `pid` is still running (false once it has exited, or where `/proc` cannot tell).
pub fn running(pid: u32) -> bool {
    read_proc(pid).is_some_and(|p| !p.zombie)
}

fn group(comm: &str) -> &'static str {
    GROUPS
        .iter()
        .find(|g| comm == **g)
        .copied()
        .unwrap_or("other")
}

struct Reading {
    started: Instant,
    machine: (u64, u64, u64),
    /// At the window's start.
    first: HashMap<u32, Proc>,
    /// The last reading of every process seen since.
    last: HashMap<u32, Proc>,
}

/// A running sampler; [`Sampler::finish`] ends the window.
pub struct Sampler {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

/// Where the CPU went in a window.
#[derive(Debug, Clone)]
pub struct Usage {
    /// Percent of the whole machine by group, and `idle`.
    pub share: BTreeMap<&'static str, f64>,
    /// CPU seconds by group.
    pub seconds: BTreeMap<&'static str, f64>,
    /// Context switches of the whole machine.
    pub switches: u64,
}

/// Set in the environment of the sampler process (the benchmark's own binary).
const SAMPLER_ENV: &str = "BENCH_CPU_SAMPLER";

/// First thing in a benchmark binary's `main`: when this process was started as a sampler
/// (by [`Sampler::start`]), it samples until told to stop, prints the usage and exits.
pub fn run_sampler_if_asked() {
    if std::env::var_os(SAMPLER_ENV).is_some() {
        std::process::exit(sampler_process());
    }
}

/// The sampler process: `ready` once the window's first reading is taken, then readings
/// until a line (or end of input) on stdin, then the usage as `share|seconds <group> <v>`
/// and `switches <n>` lines.
fn sampler_process() -> i32 {
    // Its own name, so its CPU is not counted as the load generator's.
    let _ = std::fs::write("/proc/self/comm", "cpu-sampler");
    let Some(machine) = machine() else {
        return 1;
    };
    let first = processes();
    let mut reading = Reading {
        started: Instant::now(),
        machine,
        last: first.clone(),
        first,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        flag.store(true, Ordering::Relaxed);
    });
    let mut out = std::io::stdout().lock();
    if writeln!(out, "ready").and_then(|()| out.flush()).is_err() {
        return 1;
    }
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(PERIOD);
        reading.last.extend(processes());
    }
    let Some(usage) = conclude(reading) else {
        return 1;
    };
    let mut text = String::new();
    for (g, v) in &usage.share {
        text.push_str(&format!("share {g} {v}\n"));
    }
    for (g, v) in &usage.seconds {
        text.push_str(&format!("seconds {g} {v}\n"));
    }
    text.push_str(&format!("switches {}\n", usage.switches));
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        return 1;
    }
    0
}

/// A group's name as the report keys it.
fn known(name: &str) -> &'static str {
    if name == "idle" {
        return "idle";
    }
    group(name)
}

impl Sampler {
    /// Starts a window (a sampler process, once it has taken the first reading), or `None`
    /// where there is no `/proc` or the process cannot be started.
    pub fn start() -> Option<Self> {
        machine()?;
        let mut child = Command::new(std::env::current_exe().ok()?)
            .env(SAMPLER_ENV, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .ok()?;
        let stdin = child.stdin.take()?;
        let mut stdout = BufReader::new(child.stdout.take()?);
        let mut line = String::new();
        if stdout.read_line(&mut line).ok()? == 0 || line.trim() != "ready" {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        Some(Self {
            child,
            stdin,
            stdout,
        })
    }

    pub fn finish(mut self) -> Option<Usage> {
        let _ = writeln!(self.stdin, "stop");
        let _ = self.stdin.flush();
        let mut text = String::new();
        let read = self.stdout.read_to_string(&mut text);
        let status = self.child.wait().ok()?;
        if read.is_err() || !status.success() {
            return None;
        }
        let mut usage = Usage {
            share: BTreeMap::new(),
            seconds: BTreeMap::new(),
            switches: 0,
        };
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            match (parts.next(), parts.next(), parts.next()) {
                (Some("share"), Some(g), Some(v)) => {
                    *usage.share.entry(known(g)).or_default() += v.parse::<f64>().ok()?;
                }
                (Some("seconds"), Some(g), Some(v)) => {
                    *usage.seconds.entry(known(g)).or_default() += v.parse::<f64>().ok()?;
                }
                (Some("switches"), Some(n), None) => usage.switches = n.parse().ok()?,
                _ => return None,
            }
        }
        Some(usage)
    }
}

/// Ends a window: the last readings against the first.
fn conclude(mut reading: Reading) -> Option<Usage> {
    let now = processes();
    let (total1, idle1, switches1) = machine()?;
    let wall = reading.started.elapsed();
    reading.last.extend(now.clone());
    let total = total1.saturating_sub(reading.machine.0).max(1) as f64;
    let idle = idle1.saturating_sub(reading.machine.1) as f64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    // Jiffies per second of one core (USER_HZ), from the machine's own count.
    let hz = total / (wall.as_secs_f64().max(1e-9) * cores);
    let mut jiffies: BTreeMap<&'static str, u64> = BTreeMap::new();
    for (pid, p) in &reading.last {
        let (own0, children0) = reading
            .first
            .get(pid)
            .filter(|b| b.started == p.started)
            .map_or((0, 0), |b| (b.own, b.children));
        let spent = if now.contains_key(pid) {
            p.own.saturating_sub(own0) + p.children.saturating_sub(children0)
        } else if now.contains_key(&p.ppid) {
            // Exited and reaped: inside its parent's children time.
            0
        } else {
            p.own.saturating_sub(own0)
        };
        *jiffies.entry(group(&p.comm)).or_default() += spent;
    }
    let mut share: BTreeMap<&'static str, f64> = jiffies
        .iter()
        .map(|(g, j)| (*g, *j as f64 * 100.0 / total))
        .collect();
    share.insert("idle", idle * 100.0 / total);
    let seconds = jiffies
        .iter()
        .map(|(g, j)| (*g, *j as f64 / hz.max(1.0)))
        .collect();
    Some(Usage {
        share,
        seconds,
        switches: switches1.saturating_sub(reading.machine.2),
    })
}

impl Usage {
    /// `api=41.0% postgres=38.2% … idle=3.1%`.
    pub fn share_line(&self) -> String {
        self.share
            .iter()
            .map(|(g, p)| format!("{g}={p:.1}%"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// CPU microseconds per unit of work (`n` check-ins, transactions, …) by group, then the
    /// machine's context switches per unit.
    pub fn per_unit_line(&self, n: usize) -> String {
        let n = n.max(1) as f64;
        let mut parts: Vec<String> = self
            .seconds
            .iter()
            .map(|(g, s)| format!("{g}={:.0}us", s * 1e6 / n))
            .collect();
        parts.push(format!("context_switches={:.1}", self.switches as f64 / n));
        parts.join(" ")
    }
}
