//! The crate's tests: the fixture folders under `fixtures/` (invented
//! content in the roadmap.sh editor format) and property tests.

mod geometry;
mod import;
mod robustness;
mod text;

use std::path::{Path, PathBuf};

use skillgraph_domain::{Bundle, BundleSkill, Catalog};

use crate::{Report, import_dir};

/// A fixture folder of this crate.
fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Imports a fixture folder, which must import and make a catalog.
fn import(name: &str) -> (Bundle, Report) {
    let (bundle, report) =
        import_dir(&fixture(name)).unwrap_or_else(|e| panic!("{name} imports: {e}"));
    Catalog::from_bundle(&bundle).unwrap_or_else(|e| panic!("{name} makes a catalog: {e}"));
    (bundle, report)
}

/// The skill with this slug in a bundle.
fn skill<'b>(bundle: &'b Bundle, slug: &str) -> &'b BundleSkill {
    bundle
        .skills
        .iter()
        .find(|s| s.slug.as_str() == slug)
        .unwrap_or_else(|| panic!("no skill `{slug}`"))
}
