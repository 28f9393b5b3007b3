//! Any bytes, as a feed body: parsing and normalizing must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use syndic::model::SourceName;

fuzz_target!(|data: &[u8]| {
    let Ok(feed) = syndic::parse::parse_feed(data, None) else {
        return;
    };
    let source = SourceName::new("fuzz").expect("a valid name");
    let base = "https://fuzz.example/feed".parse().ok();
    let _ = syndic::normalize::feed::feed_items(&feed, &source, base.as_ref(), chrono::Utc::now());
});
