//! The 96345 volunteer context's storage.

mod requests;
mod residents;
