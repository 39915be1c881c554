//! Rules the app's source must keep: names from links and fetched JSON reach the DOM as text
//! only, so no `inner_html` anywhere but the charts (numbers and escaped fixed labels) and the
//! search box's suggestions (escaped catalogue names), and no
//! inline `style=` strings (a strict CSP forbids them; `style:prop=` goes through CSSOM, which
//! CSP allows).

use std::fs;

#[test]
fn no_inner_html_and_no_inline_style_strings() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut checked = 0;
    for entry in fs::read_dir(dir).expect("src/ readable") {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("source readable");
        // The charts' markup: coordinates it formats itself, both kinds of label (plain and a
        // point's value) through the planner's XML escaper.
        let charts = path.ends_with("charts.rs");
        assert!(
            !charts || text.matches("planner::inert::xml(&text)").count() == 2,
            "the charts escape their labels"
        );
        // The search box's suggestions: catalogue ids and names through the XML escaper.
        let find = path.ends_with("find.rs");
        assert!(
            !find || (text.contains("xml(id)") && text.contains("xml(label)")),
            "the search suggestions escape ids and names"
        );
        assert!(
            charts || find || !text.contains("inner_html"),
            "{} uses inner_html",
            path.display()
        );
        assert!(
            !text.contains("set_inner_html"),
            "{} sets HTML",
            path.display()
        );
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            assert!(
                !code.contains(" style=") || code.contains("style=\\\""),
                "{}:{}: inline style attribute; use style:prop= instead",
                path.display(),
                n + 1
            );
        }
        checked += 1;
    }
    assert!(checked >= 5, "expected the app sources, found {checked}");
}

/// Code that reaches the browser formats floats with `planner::units::fixed`, never `{:.N}`
/// or `{}` of an `f64` spec like `{x:.1}`: core's float formatters cost ~7 KB gzip of wasm.
#[test]
fn no_precision_float_formatting_in_shipped_code() {
    let roots = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/src"),
        concat!(env!("CARGO_MANIFEST_DIR"), "/planner/src"),
    ];
    let mut checked = 0;
    let mut stack: Vec<std::path::PathBuf> = roots.iter().map(Into::into).collect();
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("readable") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") || path.ends_with("tests.rs")
            {
                continue;
            }
            let text = fs::read_to_string(&path).expect("source readable");
            // Unit tests (after `#[cfg(test)]`) are not shipped.
            let shipped = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in shipped.lines().enumerate() {
                let spec = line.find(":.").is_some_and(|i| {
                    line[i + 2..].starts_with(|c: char| c.is_ascii_digit())
                        && line[..i]
                            .rfind('{')
                            .is_some_and(|o| !line[o..i].contains('}'))
                });
                assert!(
                    !spec,
                    "{}:{}: a `{{:.N}}` float format; use planner::units::fixed",
                    path.display(),
                    n + 1
                );
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 40,
        "expected the shipped sources, found {checked}"
    );
}
