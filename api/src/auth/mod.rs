//! Authentication: the key ring, access tokens, the `AuthUser` extractor and sessions
//! (refresh-token rotation, logout, revocation).

mod extractor;
pub mod keys;
pub mod session;
pub mod token;

pub use extractor::{authenticate, AuthUser};
