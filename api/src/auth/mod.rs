//! Authentication: the key ring, access tokens, the `AuthUser` (members), `ResidentUser`
//! and `Caller` (either) extractors, and sessions
//! (refresh-token rotation, logout, revocation).

mod extractor;
pub mod keys;
mod resident;
pub mod session;
pub mod token;

pub use extractor::{authenticate, AuthUser};
pub use resident::{Caller, ResidentUser};
