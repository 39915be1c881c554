//! The shape of the code: no import circle between the planner's modules, one file per engine,
//! and no source file a reader cannot hold in their head (≤ 500 lines), in every crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `a/b.rs` or `a/b/mod.rs` → module path `a::b` (`lib.rs` → empty).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let Some(open) = path.find('{') else {
        return vec![path.trim().to_string()];
    };
    let (head, rest) = path.split_at(open);
    let inner = &rest[1..rest.rfind('}').unwrap_or(rest.len())];
    let (mut depth, mut start, mut items) = (0, 0, Vec::new());
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .flat_map(|i| expand(&format!("{head}{i}")))
        .collect()
}

/// The module paths one file refers to: `use` declarations and inline `crate::…` paths, with
/// `super::` and `self::` resolved.
fn references(text: &str, me: &[String], is_mod: bool) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    // `use …;` declarations, possibly over several lines.
    let mut rest = text;
    while let Some(i) = rest.find("use ") {
        let before = &rest[..i];
        let at_line_start = before.ends_with('\n')
            || before.ends_with("pub ")
            || before.ends_with("pub(crate) ")
            || before.ends_with("    ")
            || i == 0;
        let after = &rest[i + 4..];
        let end = after.find(';').unwrap_or(after.len());
        if at_line_start {
            paths.extend(expand(&after[..end].replace(['\n', ' '], "")));
        }
        rest = &after[end.min(after.len())..];
    }
    for (i, _) in text.match_indices("crate::") {
        let tail: String = text[i..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        paths.push(tail);
    }
    paths
        .into_iter()
        .filter_map(|p| {
            let segs: Vec<String> = p.split("::").map(str::to_string).collect();
            // The module a `super::` is relative to: a file's parent, or a mod.rs's parent's.
            let base: Vec<String> = if is_mod {
                me.to_vec()
            } else {
                me[..me.len().saturating_sub(1)].to_vec()
            };
            match segs.first().map(String::as_str) {
                Some("crate") => Some(segs[1..].to_vec()),
                Some("super") => {
                    let up = base[..base.len().saturating_sub(1)].to_vec();
                    Some(up.into_iter().chain(segs[1..].iter().cloned()).collect())
                }
                Some("self") => Some(base.into_iter().chain(segs[1..].iter().cloned()).collect()),
                _ => None,
            }
        })
        .collect()
}

/// The import graph of a crate's `src/`: file module → modules it uses (longest existing prefix).
fn graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|f| (module_of(src, f), f.clone()))
        .collect();
    let mut g = BTreeMap::new();
    for (m, f) in &modules {
        let text = std::fs::read_to_string(f).unwrap();
        // Tests may reach anywhere; only the code itself counts.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let is_mod = f.ends_with("mod.rs") || f.ends_with("lib.rs");
        let mut deps = BTreeSet::new();
        for r in references(code, m, is_mod) {
            let target = (0..=r.len())
                .rev()
                .map(|n| r[..n].to_vec())
                .find(|p| modules.contains_key(p));
            if let Some(t) = target.filter(|t| t != m && !t.is_empty()) {
                deps.insert(t);
            }
        }
        g.insert(m.clone(), deps);
    }
    g
}

fn find_cycle(g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    fn visit(
        n: &Vec<String>,
        g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        stack: &mut Vec<Vec<String>>,
        done: &mut BTreeSet<Vec<String>>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            return Some(stack[i..].iter().chain([n]).map(|m| m.join("::")).collect());
        }
        if !done.insert(n.clone()) {
            return None;
        }
        stack.push(n.clone());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|n| visit(n, g, &mut Vec::new(), &mut done))
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn no_import_circle_in_the_planner() {
    let g = graph(&root().join("planner/src"));
    assert!(g.len() > 30, "{} modules", g.len());
    // The checker sees edges: plan uses the engine rules, grid uses the plan.
    assert!(g[&vec!["plan".to_string()]].contains(&vec!["engines".into(), "rules".into()]));
    if let Some(c) = find_cycle(&g) {
        panic!("import circle: {}", c.join(" → "));
    }
}

#[test]
fn the_checker_finds_a_circle() {
    let mut g = BTreeMap::new();
    let (a, b) = (vec!["a".to_string()], vec!["b".to_string()]);
    g.insert(a.clone(), BTreeSet::from([b.clone()]));
    g.insert(b.clone(), BTreeSet::from([a.clone()]));
    assert!(find_cycle(&g).is_some());
    assert_eq!(expand("x::{a, b::{c, d}}"), ["x::a", "x::b::c", "x::b::d"]);
}

#[test]
fn one_file_per_engine() {
    let dir = root().join("planner/src/engines");
    for engine in ["vllm", "sglang", "llama_cpp", "transformers"] {
        let text = std::fs::read_to_string(dir.join(format!("{engine}.rs"))).unwrap();
        assert!(
            text.contains("pub fn loads(") && text.contains("pub fn reserves("),
            "{engine}"
        );
    }
}

#[test]
fn no_source_file_over_500_lines() {
    let mut files = Vec::new();
    for dir in ["planner/src", "planner/tests", "cli/src", "src", "tests"] {
        rust_files(&root().join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 500).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "{long:?}");
}
