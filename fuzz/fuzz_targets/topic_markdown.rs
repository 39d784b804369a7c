//! Topic markdown and its `- [@kind@Title](url)` resource lines: content or
//! warnings, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut report = skillgraph_import::Report::default();
        let _ = skillgraph_import::parse_topic_markdown(
            text,
            std::path::Path::new("fuzzed@node.md"),
            &mut report,
        );
        for line in text.lines() {
            let _ = skillgraph_import::parse_resource_line(line);
        }
    }
});
