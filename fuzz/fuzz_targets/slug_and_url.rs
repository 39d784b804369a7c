//! Slugs, https URLs and the other validated values: parsed or refused,
//! and what parses round-trips through its own spelling.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skillgraph_domain::{HttpsUrl, Slug, Summary, Title};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(slug) = Slug::parse(text) {
            assert_eq!(Slug::parse(slug.as_str()).as_ref(), Ok(&slug));
        }
        if let Ok(url) = HttpsUrl::parse(text) {
            assert!(HttpsUrl::parse(url.as_str()).is_ok());
        }
        let _ = Title::parse(text);
        let _ = Summary::parse(text);
        let _ = skillgraph_import::slugify(text);
    }
});
