//! `jsmin < in.js > out.js`: minifies one ES module with minify-js (the minifier Trunk uses).
//! Exits non-zero, writing nothing, when the module does not parse.

use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut source = Vec::new();
    if std::io::stdin().read_to_end(&mut source).is_err() {
        eprintln!("jsmin: cannot read standard input");
        return ExitCode::FAILURE;
    }
    let session = minify_js::Session::new();
    let mut out = Vec::new();
    match minify_js::minify(&session, minify_js::TopLevelMode::Module, &source, &mut out) {
        Ok(()) if std::io::stdout().write_all(&out).is_ok() => ExitCode::SUCCESS,
        Ok(()) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("jsmin: {e:?}");
            ExitCode::FAILURE
        }
    }
}
