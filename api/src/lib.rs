//! The HTTP service of 指尖上的课堂: actix-web app, handlers, extractors and the CLI's
//! building blocks. `main.rs` only parses the command line.

pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
pub mod http;
pub mod openapi;
pub mod push;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
