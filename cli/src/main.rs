//! `fitgrid`: the planner on the command line, the same core the browser runs.
//!
//! `fitgrid plan FILE` (or `-` for stdin) reads one scenario and prints one plan, both JSON;
//! the plan carries `command`, the engine launch command that realises it.
//! `fitgrid plan --command FILE` prints only that command, as shell text.
//! Bad input: exit status 2 and one line on stderr naming the field; never a panic. Input is
//! read up to [`MAX_INPUT`] bytes, and every name or value printed (plan errors, the grid's
//! names, ignored link parameters) goes through `planner::inert`, so a name cannot write control
//! sequences to the terminal.
//! `fitgrid grid [QUERY]` prints the grid for a Fitgrid URL query as text, with the co-located
//! set (`co=`) and, in cost mode, each model's cheapest configuration.

use clap::{Parser, Subcommand};
use planner::inert::echo;
use planner::{catalog, evaluate, GridConfig};
use scenario::Scenario;
use std::io::Read;
use std::process::ExitCode;

mod checkpoint;
#[cfg(test)]
mod property;
mod scenario;

/// Largest scenario read: a scenario with an inline config.json is a few KiB, and the page
/// refuses config files over 4 MiB too.
const MAX_INPUT: u64 = 4 << 20;

/// Exit status 2 with one line on stderr, clipped and with control characters escaped.
fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("fitgrid: {}", echo(&msg.to_string(), 400));
    ExitCode::from(2)
}

/// A name or value from a link or a config, as one inert, clipped piece of text.
fn show(text: &str) -> String {
    echo(text, 60)
}

/// Reads at most [`MAX_INPUT`] bytes of `path` (`-`: stdin); longer input is an error, so
/// `fitgrid plan /dev/zero` stops at once instead of filling memory.
fn read_input(path: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    let read = if path == "-" {
        std::io::stdin().take(MAX_INPUT + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(format!(
            "{path} is larger than {} MiB; a scenario is a few KiB",
            MAX_INPUT >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("{path} is not UTF-8 text"))
}

fn plan_command(path: &str, command_only: bool) -> ExitCode {
    let text = match read_input(path) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    // Checkpoint header paths in the scenario are relative to its file's folder.
    let base = match std::path::Path::new(path).parent() {
        Some(p) if path != "-" && !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let scenario = match Scenario::from_json_str_in(&text, catalog(), &base) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if command_only {
        return match scenario.launch_command() {
            Some(c) => {
                println!("{}", c.to_shell());
                ExitCode::SUCCESS
            }
            None => fail(match scenario.plan() {
                Err(u) => u.reason,
                Ok(_) => "transformers has no server command; load the model in Python".into(),
            }),
        };
    }
    let value = match scenario.plan_json(&catalog().gpus) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    match serde_json::to_string_pretty(&value) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn grid_command(query: &str) -> ExitCode {
    let (config, ignored) = GridConfig::from_query(query, catalog());
    let grid = evaluate(&config, catalog());
    for i in &ignored {
        // Field and value arrive escaped and clipped (`Ignored::new`); names in reasons are
        // cleaned where they enter (`inert::clean_name`).
        eprintln!("ignored: {i}");
    }
    if grid.left_out_models > 0 {
        eprintln!(
            "{} models left off the grid: at most {} cells",
            grid.left_out_models,
            planner::grid::MAX_CELLS
        );
    }
    print!("{:<34}", "model / format");
    for c in &grid.columns {
        print!("{:>14}", show(&c.name));
    }
    println!();
    for (r, row) in grid.rows.iter().enumerate() {
        print!(
            "{:<34}",
            format!("{} {}", show(&row.model_name), row.format_label)
        );
        for c in 0..row.cells.len() {
            let t = grid.text(r, c, config.view.mode, config.view.thresholds);
            if t.fit == "unsupported" {
                print!("{:>14}", "unsupported");
            } else {
                print!("{:>14}", format!("{} {}", t.symbol, t.value));
            }
        }
        println!();
    }
    // The same report and sentences as the page's co-location panel.
    if let Some(report) = config.colocation(catalog()) {
        println!("\n{}", echo(&report.summary(config.view.unit), 400));
        for (line, cmd) in report
            .member_lines(config.view.unit)
            .iter()
            .zip(&report.commands)
        {
            println!("  {}", echo(line, 400));
            println!("{cmd}\n");
        }
    }
    for (model, c) in &grid.cheapest {
        println!(
            "cheapest for {}: {} × {} · {} · {}",
            show(model),
            c.count,
            show(&c.gpu_id),
            c.format.label(),
            c.per_hour
        );
    }
    ExitCode::SUCCESS
}

/// Will this LLM fit on that GPU? The Fitgrid planner on the command line: the same core the
/// browser runs, the same numbers.
#[derive(Parser)]
#[command(name = "fitgrid", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Plan one scenario (JSON: model, gpu, max_context, …; see the README) and print the plan
    /// as JSON, with `command`, the engine launch command that realises it.
    Plan {
        /// Print only the launch command, as shell text.
        #[arg(long)]
        command: bool,
        /// The scenario file, or `-` for standard input (at most 4 MiB).
        file: String,
    },
    /// Print the grid of a Fitgrid link's query (`m=…&g=…&ctx=…`) as text, with the co-located
    /// set (`co=`) and, with `mode=cost`, each model's cheapest configuration.
    Grid {
        /// The query, with or without the leading `?`.
        query: Option<String>,
    },
}

fn main() -> ExitCode {
    // Usage errors exit with status 2 (clap's own), like bad input.
    match Cli::parse().command {
        Command::Plan { command, file } => plan_command(&file, command),
        Command::Grid { query } => grid_command(query.as_deref().unwrap_or("")),
    }
}
