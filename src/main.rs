//! The `viva` binary: parse, dispatch, exit.

/// mimalloc: grading allocates many small, short-lived strings and vectors, where it is markedly faster than the
/// system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(viva::main_exit_code());
}
