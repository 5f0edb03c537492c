//! `questdb-ilp-capture`: prints every ILP row sent to it over HTTP or TCP.
//! See `--help` and `questdb_client::tooling::capture`.

use questdb_client::tooling::capture::{parse_args, Capture, Command, HELP};
use std::process::ExitCode;

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(opts)) => opts,
        Ok(Command::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("questdb-ilp-capture: {e}");
            return ExitCode::from(2);
        }
    };
    match Capture::bind(opts).and_then(Capture::run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("questdb-ilp-capture: {e}");
            ExitCode::FAILURE
        }
    }
}
