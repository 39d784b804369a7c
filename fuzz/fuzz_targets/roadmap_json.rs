//! Roadmap editor JSON: any bytes give a roadmap or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut report = skillgraph_import::Report::default();
        let _ = skillgraph_import::parse_roadmap_json(
            "fuzzed",
            text,
            std::path::Path::new("fuzzed.json"),
            &mut report,
        );
    }
});
