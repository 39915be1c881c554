//! `fitgrid`: the planner on the command line, the same core the browser runs.
//!
//! `fitgrid plan FILE` (or `-` for stdin) reads one scenario and prints one plan, both JSON;
//! the plan carries `command`, the engine launch command that realises it.
//! `fitgrid plan --command FILE` prints only that command, as shell text.
//! Bad input: exit status 2 and one line on stderr naming the field; never a panic.
//! `fitgrid grid [QUERY]` prints the grid for a Fitgrid URL query as text, with the co-located
//! set (`co=`) and, in cost mode, each model's cheapest configuration.

use planner::scenario::Scenario;
use planner::{catalog, evaluate, GridConfig};
use std::io::Read;
use std::process::ExitCode;

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("fitgrid: {msg}");
    ExitCode::from(2)
}

fn plan_command(path: &str, command_only: bool) -> ExitCode {
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
    let plan = match scenario.plan() {
        Ok(plan) => plan,
        Err(e) => return fail(e),
    };
    let command = scenario.launch_command();
    if command_only {
        return match command {
            Some(c) => {
                println!("{}", c.to_shell());
                ExitCode::SUCCESS
            }
            None => fail("transformers has no server command; load the model in Python"),
        };
    }
    let mut value = match serde_json::to_value(&plan) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "command".into(),
            command.map_or(serde_json::Value::Null, |c| c.to_shell().into()),
        );
    }
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
    for i in &ignored {
        eprintln!("ignored `{}={}`: {}", i.field, i.value, i.reason);
    }
    let grid = evaluate(&config, catalog());
    print!("{:<34}", "model / format");
    for c in &grid.columns {
        print!("{:>14}", c.name);
    }
    println!();
    for (r, row) in grid.rows.iter().enumerate() {
        print!(
            "{:<34}",
            format!("{} {}", row.model_name, row.format.label())
        );
        for c in 0..row.cells.len() {
            let t = grid.text(r, c, config.mode, config.thresholds);
            if t.fit == "unsupported" {
                print!("{:>14}", "unsupported");
            } else {
                print!("{:>14}", format!("{} {}", t.symbol, t.value));
            }
        }
        println!();
    }
    if let (false, Some(gpu)) = (
        config.colo.is_empty(),
        config.find_gpu(&config.colo_gpu, catalog()),
    ) {
        let pairs: Vec<_> = config
            .colo
            .iter()
            .map(|m| {
                (
                    config.find_model(&m.model_id, catalog()).map(|x| &x.config),
                    m,
                )
            })
            .collect();
        let set = planner::colocate::colocate(&pairs, gpu);
        println!(
            "\nco-located on {}: {} — {} of {} held, {} headroom",
            gpu.name,
            if set.fits { "fits" } else { "does not fit" },
            set.used,
            set.gpu,
            set.headroom()
        );
        let commands = planner::colocate::launch_commands(&pairs, gpu);
        for ((m, p), cmd) in config.colo.iter().zip(&set.members).zip(commands) {
            match &p.problem {
                None => println!("  ✓ {}: holds {}", m.model_id, p.footprint),
                Some(why) => println!("  ✗ {}: {why}", m.model_id),
            }
            if let Some(cmd) = cmd {
                println!("{cmd}\n");
            }
        }
    }
    for (model, c) in &grid.cheapest {
        println!(
            "cheapest for {model}: {} × {} · {} · {}",
            c.count,
            c.gpu_id,
            c.format.label(),
            c.per_hour
        );
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("plan"), Some(path)) if args.len() == 2 => plan_command(path, false),
        (Some("plan"), Some(flag)) if args.len() == 3 && flag == "--command" => {
            plan_command(&args[2], true)
        }
        (Some("grid"), query) if args.len() <= 2 => grid_command(query.map_or("", String::as_str)),
        _ => fail("usage: fitgrid plan [--command] FILE|-   |   fitgrid grid [QUERY]"),
    }
}
