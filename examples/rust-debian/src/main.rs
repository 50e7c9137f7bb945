//! greet: prints a greeting, optionally several times.

use anyhow::{bail, Result};
use clap::Parser;

/// A tiny CLI that greets.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Who to greet
    #[arg(short, long, default_value = "world")]
    name: String,

    /// How many times
    #[arg(short, long, default_value_t = 1)]
    count: u8,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.count == 0 {
        bail!("--count must be at least 1");
    }
    for _ in 0..args.count {
        println!("Hello, {}!", args.name);
    }
    Ok(())
}
