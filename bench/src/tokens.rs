//! Access tokens minted in-process with the server's own key ring, issuer, audience and
//! lifetime, read from its settings the way `api` reads them (`Settings::load`).

use std::time::Duration;

use chrono::Utc;
use hyper::header::HeaderValue;
use uuid::Uuid;

use crate::BoxError;
use api::auth::keys::KeyRing;
use api::auth::token::{mint, TokenConfig};
use api::config::Settings;
use domain::org::MemberId;

pub struct Tokens {
    keys: KeyRing,
    config: TokenConfig,
    ttl: Duration,
}

impl Tokens {
    pub fn from_settings(settings: &Settings) -> Result<Self, BoxError> {
        Ok(Self {
            keys: api::startup::key_ring(settings)?,
            config: api::startup::token_config(settings),
            ttl: settings.access_token_ttl,
        })
    }

    /// The tokens' lifetime (the server's `access_token_ttl`).
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// `Bearer …` for `member`, valid from now.
    pub fn bearer(&self, member: Uuid) -> Result<HeaderValue, BoxError> {
        let (token, _) = mint(
            &self.keys,
            &self.config,
            MemberId::from_uuid(member),
            None,
            Utc::now(),
            self.ttl,
        )
        .map_err(|e| format!("minting a token: {e}"))?;
        Ok(HeaderValue::from_str(&format!("Bearer {token}"))?)
    }
}
