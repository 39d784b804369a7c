//! The bundle format: a bundle or an error naming the line, and whatever
//! parses either builds a catalog or is refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(bundle) = skillgraph_bundle::parse("fuzzed.yaml", text)
    {
        let _ = skillgraph_domain::Catalog::from_bundle(&bundle);
    }
});
