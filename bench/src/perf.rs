//! A system-wide `perf record` around one measured window.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::BoxError;

/// Starts `perf record` over every CPU (sampling at 999 Hz, no call graphs: the release
/// binaries have no frame pointers) and gives it a moment to set up.
pub async fn start(file: &Path) -> Result<Child, BoxError> {
    let child = Command::new("perf")
        .args(["record", "-a", "-F", "999", "-q", "-o"])
        .arg(file)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting perf: {e}"))?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(child)
}

/// Stops `perf record` as Ctrl-C would, so it writes its file.
pub fn stop(mut child: Child) -> Result<(), BoxError> {
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()?;
    child.wait()?;
    Ok(())
}
