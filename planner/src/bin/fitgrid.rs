//! `fitgrid`: the planner on the command line. The `plan` subcommand is filled in by the
//! planner-core issue; for now `fitgrid grid` prints the default seed-study grid.

use planner::{catalog, evaluate, GridConfig};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("grid") => {
            let query = args.get(1).map(String::as_str).unwrap_or("");
            let (config, ignored) = GridConfig::from_query(query, catalog());
            for i in &ignored {
                eprintln!("ignored `{}={}`: {}", i.field, i.value, i.reason);
            }
            let grid = evaluate(&config, catalog());
            print!("{:<28}", "model / format");
            for c in &grid.columns {
                print!("{:>14}", c.name);
            }
            println!();
            for row in &grid.rows {
                print!(
                    "{:<28}",
                    format!("{} {}", row.model_name, row.format.label())
                );
                for cell in &row.cells {
                    match cell {
                        Ok(p) => print!(
                            "{:>14}",
                            format!("{} {:.0}%", p.status.symbol(), p.utilization * 100.0)
                        ),
                        Err(_) => print!("{:>14}", "n/a"),
                    }
                }
                println!();
            }
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: fitgrid grid [QUERY]");
            ExitCode::from(2)
        }
    }
}
