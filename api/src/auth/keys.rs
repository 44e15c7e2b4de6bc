//! The HS256 key ring: `kid` → secret. Every key verifies; the newest (last listed) signs,
//! so keys rotate by appending a new one and dropping the oldest after a token lifetime.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use jsonwebtoken::{DecodingKey, EncodingKey};

const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("a key must look like kid:base64secret, with kid of 1-32 letters, digits, '-' or '_'")]
    Format,
    #[error("key {0}: the secret must be base64 of at least 32 bytes")]
    Secret(String),
    #[error("key {0} is listed twice")]
    Duplicate(String),
    #[error("no signing key is configured")]
    Empty,
    #[error("key file {0}: {1}")]
    File(String, String),
    #[error("key {0} is a published key (its secret is written in this project's repository, so anyone can sign tokens with it): generate a secret, e.g. with `openssl rand -base64 32`")]
    Published(String),
}

/// Secrets written in this repository (the compose file's former development default, the
/// test suite's key): a server signing with one of them accepts tokens anyone can mint.
/// A test scans the repository so a key written anywhere in it is listed here.
const PUBLISHED_SECRETS: &[&str] = &[
    "ZGV2ZWxvcG1lbnQta2V5LWRvLW5vdC11c2UtaW4tcHJvZHVjdGlvbg==",
    "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=",
];

fn is_published(secret: &[u8]) -> bool {
    PUBLISHED_SECRETS
        .iter()
        .filter_map(|p| STANDARD.decode(p).ok())
        .any(|p| p == secret)
}

pub struct KeyRing {
    decoding: HashMap<String, DecodingKey>,
    signing_kid: String,
    signing: EncodingKey,
    /// The key of check-in QR codes, derived from the signing secret (a separate purpose,
    /// so it never verifies a JWT nor a JWT a QR code).
    qr: [u8; 32],
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kids: Vec<_> = self.decoding.keys().collect();
        kids.sort();
        f.debug_struct("KeyRing")
            .field("kids", &kids)
            .field("signing_kid", &self.signing_kid)
            .finish_non_exhaustive()
    }
}

fn valid_kid(kid: &str) -> bool {
    (1..=32).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl KeyRing {
    /// Parses `kid:base64secret` entries; the last one signs.
    pub fn parse(entries: &[String]) -> Result<Self, KeyError> {
        let mut decoding = HashMap::new();
        let mut last = None;
        for entry in entries {
            let (kid, secret) = entry.trim().split_once(':').ok_or(KeyError::Format)?;
            if !valid_kid(kid) {
                return Err(KeyError::Format);
            }
            let bytes = STANDARD
                .decode(secret.trim())
                .map_err(|_| KeyError::Secret(kid.to_owned()))?;
            if bytes.len() < MIN_SECRET_BYTES {
                return Err(KeyError::Secret(kid.to_owned()));
            }
            if decoding
                .insert(kid.to_owned(), DecodingKey::from_secret(&bytes))
                .is_some()
            {
                return Err(KeyError::Duplicate(kid.to_owned()));
            }
            last = Some((kid.to_owned(), bytes));
        }
        let (signing_kid, secret) = last.ok_or(KeyError::Empty)?;
        let qr = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            h.update(b"zhijian-qr-v1:");
            h.update(&secret);
            h.finalize().into()
        };
        Ok(Self {
            decoding,
            signing: EncodingKey::from_secret(&secret),
            signing_kid,
            qr,
        })
    }

    /// Parses keys an operator configured: as [`parse`](Self::parse), and none of them may be
    /// a key published in this repository.
    pub fn parse_configured(entries: &[String]) -> Result<Self, KeyError> {
        for entry in entries {
            if let Some((kid, secret)) = entry.trim().split_once(':') {
                if STANDARD
                    .decode(secret.trim())
                    .is_ok_and(|bytes| is_published(&bytes))
                {
                    return Err(KeyError::Published(kid.to_owned()));
                }
            }
        }
        Self::parse(entries)
    }

    /// The embedded mode's key: read from `file`, or generated once and written there so
    /// tokens survive restarts and the command line's tokens work against the server.
    pub fn load_or_create(file: &Path) -> Result<Self, KeyError> {
        let shown = file.display().to_string();
        if !file.exists() {
            let mut secret = [0u8; 48];
            getrandom::fill(&mut secret)
                .map_err(|e| KeyError::File(shown.clone(), e.to_string()))?;
            let mut kid_bytes = [0u8; 4];
            getrandom::fill(&mut kid_bytes)
                .map_err(|e| KeyError::File(shown.clone(), e.to_string()))?;
            let kid = format!(
                "local-{}",
                kid_bytes
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            );
            let line = format!("{kid}:{}\n", STANDARD.encode(secret));
            write_private(file, &line).map_err(|e| KeyError::File(shown.clone(), e.to_string()))?;
        }
        let text = std::fs::read_to_string(file)
            .map_err(|e| KeyError::File(shown.clone(), e.to_string()))?;
        let entries: Vec<String> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        Self::parse(&entries)
    }

    pub fn decoding(&self, kid: &str) -> Option<&DecodingKey> {
        self.decoding.get(kid)
    }

    /// The key check-in QR codes are signed with (rotates with the signing key).
    pub fn qr_key(&self) -> domain::activity::qr::QrKey {
        domain::activity::qr::QrKey::new(&self.qr)
    }

    pub fn signing(&self) -> (&str, &EncodingKey) {
        (&self.signing_kid, &self.signing)
    }
}

fn write_private(file: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(file)?.write_all(contents.as_bytes())
}

/// Where the embedded mode keeps its key: beside the SQLite file.
pub fn embedded_key_file(sqlite_url: &str) -> PathBuf {
    let rest = sqlite_url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let db_file = Path::new(rest.split('?').next().unwrap_or_default());
    db_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join("jwt-signing.key")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kid: &str) -> String {
        format!("{kid}:{}", STANDARD.encode([7u8; 32]))
    }

    #[test]
    fn the_last_key_signs_and_every_key_verifies() {
        let ring =
            KeyRing::parse(&[key("2026-10"), key("2026-11")]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ring.signing().0, "2026-11");
        assert!(ring.decoding("2026-10").is_some());
        assert!(ring.decoding("../etc/passwd").is_none());
    }

    #[test]
    fn bad_keys_are_refused() {
        assert_eq!(KeyRing::parse(&[]).err(), Some(KeyError::Empty));
        assert_eq!(
            KeyRing::parse(&["nocolon".into()]).err(),
            Some(KeyError::Format)
        );
        assert_eq!(
            KeyRing::parse(&["bad kid:abc".into()]).err(),
            Some(KeyError::Format)
        );
        assert!(matches!(
            KeyRing::parse(&["k:c2hvcnQ=".into()]).err(),
            Some(KeyError::Secret(_))
        ));
        assert!(matches!(
            KeyRing::parse(&[key("a"), key("a")]).err(),
            Some(KeyError::Duplicate(_))
        ));
    }

    /// Every base64 secret long enough to be a signing key written in a file of the
    /// repository (outside `target/`, `.git/`, `data/` and what tools generate there:
    /// `node_modules/`, `generated/`, npm's lock file of integrity hashes), with the file.
    fn secrets_written_in_the_repository() -> Vec<(String, Vec<u8>)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut found = Vec::new();
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().into_owned();
                if path.is_dir() {
                    if !matches!(
                        name.as_str(),
                        "target" | ".git" | "data" | "node_modules" | "generated"
                    ) {
                        dirs.push(path);
                    }
                    continue;
                }
                if name == "package-lock.json" {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let words = text
                    .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')));
                for word in words.filter(|w| w.len() >= 43) {
                    // Hex digests (lock files, hashes) are not base64 secrets.
                    if word.bytes().all(|b| b.is_ascii_hexdigit()) {
                        continue;
                    }
                    if let Ok(bytes) = STANDARD.decode(word) {
                        if bytes.len() >= MIN_SECRET_BYTES {
                            found.push((path.display().to_string(), bytes));
                        }
                    }
                }
            }
        }
        found
    }

    #[test]
    fn no_key_written_in_the_repository_is_accepted_from_configuration() {
        let found = secrets_written_in_the_repository();
        assert!(
            found.iter().any(|(_, s)| s == &[0x2a; 32]),
            "the scan finds the test suite's key"
        );
        for (file, secret) in found {
            let entry = format!("k:{}", STANDARD.encode(&secret));
            assert!(
                matches!(
                    KeyRing::parse_configured(&[entry]).err(),
                    Some(KeyError::Published(_))
                ),
                "{file}: a key written there is not refused"
            );
        }
        assert!(KeyRing::parse_configured(&[key("fresh")]).is_ok());
    }

    #[test]
    fn the_embedded_key_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("data/jwt-signing.key");
        let first = KeyRing::load_or_create(&file).unwrap_or_else(|e| panic!("{e}"));
        let again = KeyRing::load_or_create(&file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.signing().0, again.signing().0);
        assert_eq!(
            embedded_key_file("sqlite://data/app.db?mode=rwc"),
            Path::new("data/jwt-signing.key")
        );
    }
}
