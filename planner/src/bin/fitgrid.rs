//! `fitgrid`: the planner on the command line, the same core the browser runs.
//!
//! `fitgrid plan FILE` (or `-` for stdin) reads one scenario and prints one plan, both JSON.
//! Bad input: exit status 2 and one line on stderr naming the field; never a panic.
//! `fitgrid grid [QUERY]` prints the grid for a Fitgrid URL query as text.

use planner::scenario::Scenario;
use planner::{catalog, evaluate, GridConfig};
use std::io::Read;
use std::process::ExitCode;

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("fitgrid: {msg}");
    ExitCode::from(2)
}

fn plan_command(path: &str) -> ExitCode {
    let mut text = String::new();
    let read = if path == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    if let Err(e) = read {
        return fail(format!("cannot read {path}: {e}"));
    }
    let scenario = match Scenario::from_json_str(&text, catalog()) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match scenario.plan() {
        Ok(plan) => match serde_json::to_string_pretty(&plan) {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        },
        Err(e) => fail(e),
    }
}

fn grid_command(query: &str) -> ExitCode {
    let (config, ignored) = GridConfig::from_query(query, catalog());
    for i in &ignored {
        eprintln!("ignored `{}={}`: {}", i.field, i.value, i.reason);
    }
    let grid = evaluate(&config, catalog());
    print!("{:<34}", "model / format");
    for c in &grid.columns {
        print!("{:>14}", c.name);
    }
    println!();
    for row in &grid.rows {
        print!(
            "{:<34}",
            format!("{} {}", row.model_name, row.format.label())
        );
        for cell in &row.cells {
            match cell {
                Ok(p) => print!(
                    "{:>14}",
                    format!("{} {:.0}%", p.status.symbol(), p.utilization * 100.0)
                ),
                Err(_) => print!("{:>14}", "unsupported"),
            }
        }
        println!();
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("plan"), Some(path)) if args.len() == 2 => plan_command(path),
        (Some("grid"), query) if args.len() <= 2 => grid_command(query.map_or("", String::as_str)),
        _ => fail("usage: fitgrid plan FILE|-   |   fitgrid grid [QUERY]"),
    }
}
