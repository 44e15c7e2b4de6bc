//! Writes or checks the published OpenAPI document, `openapi/openapi.json`.
//!
//! `cargo run -p openapi` rewrites the file from the code; `cargo run -p openapi -- --check`
//! fails (exit 1) when the file and the code have drifted apart.

use std::path::PathBuf;
use std::process::ExitCode;

fn target() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

fn main() -> ExitCode {
    let check = std::env::args().skip(1).any(|a| a == "--check");
    let generated = match api::openapi::document_json() {
        Ok(json) => json,
        Err(e) => {
            eprintln!("cannot render the OpenAPI document: {e}");
            return ExitCode::FAILURE;
        }
    };
    let path = target();
    if check {
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == generated {
            println!("{} matches the code", path.display());
            ExitCode::SUCCESS
        } else {
            eprintln!(
                "{} differs from the code: run `cargo run -p openapi` and commit the result",
                path.display()
            );
            ExitCode::FAILURE
        }
    } else {
        match std::fs::write(&path, generated) {
            Ok(()) => {
                println!("wrote {}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("cannot write {}: {e}", path.display());
                ExitCode::FAILURE
            }
        }
    }
}
