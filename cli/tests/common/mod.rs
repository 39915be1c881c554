//! Runs the `fitgrid` binary for the CLI tests.

use std::io::Write;
use std::process::{Command, Stdio};

/// `fitgrid ARGS` with `input` on stdin: (exit code, stdout, stderr).
pub fn fitgrid(args: &[&str], input: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fitgrid"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fitgrid runs");
    let mut stdin = child.stdin.take().unwrap();
    // fitgrid may stop reading early (input cap); a broken pipe is expected then.
    let _ = stdin.write_all(input);
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}
