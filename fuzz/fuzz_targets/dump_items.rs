//! Any bytes, as a plain-text dump: the normalizer must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use syndic::model::SourceName;
use syndic::normalize::dump::{dump_items, DumpMeta};

fuzz_target!(|data: &[u8]| {
    let source = SourceName::new("fuzz").expect("a valid name");
    let now = chrono::Utc::now();
    let meta = DumpMeta {
        source: &source,
        origin: "fuzz input",
        fallback_date: now,
        now,
        max_items: usize::MAX,
    };
    let _ = dump_items(data, &meta);
});
