//! Integration tests: a real `kefu serve` on 127.0.0.1 (random port), SQLite in a temp dir.

mod api;
mod cli;
mod common;
mod faults;
mod inbox;
mod inbox_browser;
mod malicious;
mod webhook;
