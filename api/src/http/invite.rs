//! Invite codes in the cache: issued by a secretary (`members`), spent when a member binds
//! their WeChat (`auth`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The cache key of an invite code: its hash, so the cache never holds a usable code.
pub fn invite_key(code: &str) -> String {
    let normalised = code.trim().to_ascii_uppercase();
    format!(
        "wxinvite:{}",
        URL_SAFE_NO_PAD.encode(Sha256::digest(normalised.as_bytes()))
    )
}
