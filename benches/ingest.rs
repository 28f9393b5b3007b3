//! Ingest of the search corpus (`search_corpus`): items per second
//! stored into a fresh database, 200 to a transaction. It builds at the
//! commit before the search index as well, so the index's cost is
//! measured by running the two builds in turn.
//!
//! `cargo bench --bench ingest`. Environment: `SYNDIC_BENCH_ITEMS`
//! (default 200,000), `SYNDIC_BENCH_DIR` (default: a temporary folder).

mod search_corpus;

use rand::rngs::StdRng;
use rand::SeedableRng;
use search_corpus::{env_or, fill, remove_database, report_ingest, Words};
use syndic::store::Store;

fn main() {
    let count: usize = env_or("SYNDIC_BENCH_ITEMS", 200_000);
    let temp = tempfile::tempdir().expect("temp dir");
    let dir =
        std::env::var_os("SYNDIC_BENCH_DIR").map_or_else(|| temp.path().to_path_buf(), Into::into);
    let words = Words::new(&mut StdRng::seed_from_u64(1));
    let path = dir.join("ingest.db");
    remove_database(&path);
    let mut store = Store::open(&path).expect("open database");
    let chunks = fill(&mut store, count, &words);
    report_ingest(
        &format!("at schema {}", syndic::store::SCHEMA_VERSION),
        count,
        &chunks,
    );
    drop(store);
    remove_database(&path);
}
