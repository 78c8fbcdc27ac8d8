//! Integration tests: a real `kefu serve` on 127.0.0.1 (random port), SQLite in a temp dir or a
//! schema of a real PostgreSQL server (`KEFU_TEST_POSTGRES`).

mod api;
mod cli;
mod common;
mod errors;
mod faults;
mod hardening;
mod inbox;
mod inbox_browser;
mod live;
mod mail;
mod malicious;
mod shared_db;
mod startup;
mod statics;
mod webhook;
