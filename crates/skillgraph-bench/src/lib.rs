//! What the benchmark binaries share: starting, measuring and stopping the
//! processes under test, and running the commands that set them up.

pub mod process;
