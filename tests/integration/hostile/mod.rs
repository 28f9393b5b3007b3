//! The adversarial suite: what a hostile feed server, an abusive client or
//! a second process does, each case with the bound it must keep. Every
//! case runs against loopback servers or the real binary and is quick
//! enough for CI; longer soak and scale runs are benches.

mod cost;
mod db_sharing;
mod retention;
mod ssrf;
mod time;
mod title_scripts;
