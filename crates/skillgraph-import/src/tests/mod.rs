//! The crate's tests: the fixture folders under `fixtures/` (invented
//! content in the roadmap.sh editor format) and property tests.

mod geometry;
mod import;
mod robustness;
mod text;
