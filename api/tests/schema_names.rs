//! utoipa names a component schema after its Rust type alone, and a second type of the same
//! name silently replaces the first in the published document (two `ProgressView`s once
//! made the feed's progress answer fail its own schema). Every schema type in the API's
//! source has a name of its own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("cannot read {}", dir.display())
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The type names a source file gives schemas: `#[derive(… ToSchema …)]` types,
/// `mirror_enum!` DTOs and hand-written `impl ToSchema` names.
fn schema_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut pending_derive = false;
    let mut in_mirror = false;
    for line in source.lines() {
        let t = line.trim();
        if t.starts_with("#[derive(") && t.contains("ToSchema") {
            pending_derive = true;
            continue;
        }
        if t.starts_with("mirror_enum!(") {
            in_mirror = true;
            continue;
        }
        if in_mirror && !t.starts_with("///") {
            if let Some((name, _)) = t.split_once(" =>") {
                names.push(name.trim().to_owned());
            }
            in_mirror = false;
            continue;
        }
        if pending_derive {
            for kw in ["pub struct ", "pub enum ", "struct ", "enum "] {
                if let Some(rest) = t.strip_prefix(kw) {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    names.push(name);
                    pending_derive = false;
                    break;
                }
            }
        }
        if let Some(rest) = t.strip_prefix("\"") {
            // `"Name".into()` in a hand-written `ToSchema::name`.
            if let Some((name, tail)) = rest.split_once('"') {
                if tail.starts_with(".into()") && name.chars().all(|c| c.is_alphanumeric()) {
                    names.push(name.to_owned());
                }
            }
        }
    }
    names
}

#[test]
fn every_schema_type_has_a_name_of_its_own() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &files {
        let source = std::fs::read_to_string(f).unwrap_or_default();
        for name in schema_names(&source) {
            seen.entry(name)
                .or_default()
                .push(f.strip_prefix(&root).unwrap_or(f).display().to_string());
        }
    }
    assert!(seen.len() > 50, "the scan found too few schemas: {seen:?}");
    let twice: Vec<_> = seen.iter().filter(|(_, at)| at.len() > 1).collect();
    assert!(twice.is_empty(), "schema names defined twice: {twice:?}");
}

#[test]
fn the_scan_finds_a_name_given_twice() {
    let a = "#[derive(Debug, ToSchema)]\npub struct ProgressView {}\n";
    let b = "mirror_enum!(\n    /// Doc.\n    ProgressView => x::Y { A }\n);\n";
    assert_eq!(schema_names(a), ["ProgressView"]);
    assert_eq!(schema_names(b), ["ProgressView"]);
}
