//! What the benchmarks share: the load generator ([`load`]), the CPU accounting ([`cpu`]),
//! seeding the township ([`seed`]), tokens minted with the server's own keys ([`tokens`]),
//! the per-socket traffic counters ([`wire`]) and `perf` ([`perf`]). The binaries are
//! `spike` (the theme-day check-in spike, `bench/spike.sh`) and `feed` (the study-material
//! feed against `/healthz`, `bench/feed.sh`); see `bench/README.md`.

pub mod cpu;
pub mod load;
pub mod perf;
pub mod seed;
pub mod tokens;
pub mod wire;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The load generator's runtime: one thread keeps it to one core.
pub fn runtime(threads: usize) -> std::io::Result<tokio::runtime::Runtime> {
    if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
}
