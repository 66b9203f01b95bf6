//! The `stillpoint` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    stillpoint::cli::main()
}
