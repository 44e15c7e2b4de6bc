//! How often a process talked to a service: the data segments it sent and received on its
//! TCP connections to a port, summed over those sockets from Linux's per-socket counters
//! (`ss -tinp`, `data_segs_out` / `data_segs_in`). One request/response exchange with
//! PostgreSQL or Redis is one written segment or more (small messages, loopback MTU 64 KiB),
//! so the difference between two readings, per request, counts the round trips that
//! cannot be seen in the services' own statistics (sqlx's ping before each query, say).
//! Sockets opened and closed between the readings are not counted.

use std::process::Command;

/// Data segments sent and received by `pid` on its established connections to `port`, and
/// how many such sockets there were; `None` where `ss` is not available.
pub fn segments(pid: u32, port: u16) -> Option<Segments> {
    let out = Command::new("ss")
        .args(["-tinpH", "state", "established"])
        .arg(format!("( dport = :{port} )"))
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let owner = format!("pid={pid},");
    let mut total = Segments::default();
    // Each socket is a line with its addresses and owner, then an indented line of counters.
    let mut ours = false;
    for line in text.lines() {
        if !line.starts_with(char::is_whitespace) {
            ours = line.contains(&owner);
            continue;
        }
        if !ours {
            continue;
        }
        total.sockets += 1;
        total.sent += counter(line, "data_segs_out:");
        total.received += counter(line, "data_segs_in:");
        ours = false;
    }
    Some(total)
}

fn counter(line: &str, name: &str) -> u64 {
    line.split_whitespace()
        .find_map(|f| f.strip_prefix(name))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Segments {
    pub sockets: usize,
    pub sent: u64,
    pub received: u64,
}

impl Segments {
    /// `(sent, received)` since `earlier`.
    pub fn since(&self, earlier: &Segments) -> (u64, u64) {
        (
            self.sent.saturating_sub(earlier.sent),
            self.received.saturating_sub(earlier.received),
        )
    }
}
