//! The `viva` binary: parse, dispatch, exit.

fn main() {
    std::process::exit(viva::main_exit_code());
}
