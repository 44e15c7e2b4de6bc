//! The volunteer context's storage.

mod requests;
