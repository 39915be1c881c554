//! Embeds the catalogue minified: documentation-only fields (notes, quotes, secondary sources)
//! stay in `planner/data/*.json` for reviewers but are not shipped to the browser.

use std::{env, fs, path::Path};

const DOC_ONLY: [&str; 4] = ["notes", "quote", "params_source", "bandwidth_source"];

fn main() {
    let out = env::var("OUT_DIR").expect("OUT_DIR");
    for name in ["models.json", "gpus.json"] {
        let src = Path::new("data").join(name);
        println!("cargo:rerun-if-changed={}", src.display());
        let text = fs::read_to_string(&src).expect("catalogue file readable");
        // A malformed file is reported by the catalogue tests; embed it unchanged then.
        let minified = match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(mut value) => {
                if let Some(entries) = value.as_array_mut() {
                    for entry in entries.iter_mut().filter_map(|e| e.as_object_mut()) {
                        for key in DOC_ONLY {
                            entry.remove(key);
                        }
                    }
                }
                value.to_string()
            }
            Err(_) => text,
        };
        fs::write(Path::new(&out).join(name), minified).expect("write OUT_DIR");
    }
}
