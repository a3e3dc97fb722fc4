//! Architecture rules as ordinary tests (in the spirit of rust-analyzer's
//! tidy tests): what each layer must not depend on, and no test that never runs.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A section of a crate's manifest (`[dependencies]`, `[dev-dependencies]`).
fn section(krate: &str, header: &str) -> String {
    let manifest = std::fs::read_to_string(root().join("crates").join(krate).join("Cargo.toml"))
        .expect("manifest");
    let start = manifest
        .find(header)
        .map_or(manifest.len(), |i| i + header.len());
    let rest = &manifest[start..];
    let end = rest.find("\n[").unwrap_or(rest.len());
    rest[..end].to_owned()
}

/// The `[dependencies]` section of a crate's manifest (not dev-dependencies:
/// a crate's tests may use the concrete stores and the testkit, which the
/// rules below allow and `tests_use_the_testkit_only_as_a_dev_dependency` checks).
fn dependencies(krate: &str) -> String {
    section(krate, "[dependencies]")
}

/// Every crate under `crates/`.
fn crates() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("crates"))
        .expect("crates")
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

fn names(deps: &str) -> Vec<String> {
    deps.lines()
        .filter_map(|l| l.split(['=', '.']).next())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty() && !n.starts_with('#'))
        .collect()
}

#[test]
fn layers_below_the_shell_import_no_runtime_driver_or_http() {
    for krate in [
        "core",
        "store",
        "store-sql",
        "engine",
        "books",
        "matching",
        "consensus",
    ] {
        let deps = names(&dependencies(krate));
        for banned in [
            "tokio",
            "sqlx",
            "axum",
            "hyper",
            "reqwest",
            "askama",
            "tower",
            "tower-http",
        ] {
            assert!(
                !deps.iter().any(|d| d == banned),
                "crates/{krate} must not depend on {banned} (has {deps:?})"
            );
        }
    }
}

#[test]
fn the_core_reads_no_clock_and_names_no_store() {
    let deps = dependencies("core");
    assert!(
        !deps.contains("clock"),
        "core must build chrono without its clock feature"
    );
    for banned in ["cohort-store", "cohort-engine", "rand"] {
        assert!(
            !names(&deps).iter().any(|d| d == banned),
            "core must not depend on {banned}"
        );
    }
    let workspace = std::fs::read_to_string(root().join("Cargo.toml")).expect("workspace manifest");
    let chrono = workspace
        .lines()
        .find(|l| l.starts_with("chrono"))
        .expect("chrono in workspace deps");
    assert!(
        chrono.contains("default-features = false") && !chrono.contains("clock"),
        "{chrono}"
    );
}

#[test]
fn only_the_binary_names_concrete_stores() {
    for krate in ["core", "store", "store-sql", "engine", "web"] {
        let deps = names(&dependencies(krate));
        for concrete in ["cohort-store-sqlite", "cohort-store-postgres"] {
            assert!(
                !deps.iter().any(|d| d == concrete),
                "crates/{krate} must not name {concrete}"
            );
        }
    }
}

/// Tests take the concrete stores and the testkit as dev-dependencies; no
/// crate's code does. The testkit is for tests only, and a pure crate takes
/// only its Python runner (`default-features = false`), so its tests neither
/// build nor link the application.
#[test]
fn tests_use_the_testkit_only_as_a_dev_dependency() {
    let all = crates();
    assert!(all.len() > 10, "found the crates: {all:?}");
    for krate in &all {
        let deps = names(&dependencies(krate));
        assert!(
            !deps.iter().any(|d| d == "cohort-testkit"),
            "crates/{krate} names cohort-testkit outside [dev-dependencies]"
        );
    }
    for krate in ["core", "consensus", "matching", "books", "congress", "tlog"] {
        let dev = section(krate, "[dev-dependencies]");
        for line in dev
            .lines()
            .filter(|l| l.trim_start().starts_with("cohort-testkit"))
        {
            assert!(
                line.contains("default-features = false"),
                "crates/{krate}: a pure crate's tests take only the testkit's Python runner: {line}"
            );
        }
        for concrete in ["cohort-store-sqlite", "cohort-store-postgres", "cohort-web"] {
            assert!(
                !names(&dev).iter().any(|d| d == concrete),
                "crates/{krate}: a pure crate's tests must not name {concrete}"
            );
        }
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() && path.file_name().is_some_and(|n| n != "target") {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_test_is_ignored() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    assert!(files.len() > 20, "found the sources");
    let needle = concat!("#[", "ignore");
    let offenders: Vec<_> = files
        .iter()
        .filter(|f| std::fs::read_to_string(f).is_ok_and(|s| s.contains(needle)))
        .collect();
    assert!(
        offenders.is_empty(),
        "ignored tests never run: {offenders:?}"
    );
}

/// The pure crates read no clock, no randomness source and do no IO. Cargo
/// unifies features across the workspace, so chrono's `clock` feature is on
/// in every crate once the engine asks for it: what keeps the pure crates
/// pure is that their sources never call it, which this test checks.
#[test]
fn pure_crates_read_no_clock_and_do_no_io() {
    let banned = [
        "Utc::now",
        "Local::now",
        "Instant::now",
        "SystemTime",
        "thread_rng",
        "OsRng",
        "std::fs",
        "std::net",
        "tokio",
    ];
    let mut offenders = Vec::new();
    for krate in ["core", "consensus", "matching", "books", "congress", "tlog"] {
        let mut files = Vec::new();
        rust_files(&root().join("crates").join(krate).join("src"), &mut files);
        assert!(!files.is_empty(), "crates/{krate}/src has sources");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read source");
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for b in banned.iter().filter(|b| code.contains(*b)) {
                    offenders.push(format!("{}:{}: {b}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "pure crates must not: {offenders:#?}");
}

/// The modules of a crate that `file`'s code names (`crate::x`, or `x` in
/// `crate::{x, y::z}`), test modules aside.
fn modules_named(text: &str) -> Vec<String> {
    let code: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap_or("")
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(group.split(',').map(|item| ident(item.trim())));
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

/// No crate's modules import one another in a circle (issue 21: the
/// engine had auth → tokens → auth, views → payments → views and
/// joint_events → osdi → joint_events): a module's helpers that two others
/// need live in a small module of their own.
#[test]
fn no_module_imports_in_a_cycle() {
    use std::collections::{BTreeMap, BTreeSet};
    let mut cycles = Vec::new();
    let mut crates = 0;
    for entry in std::fs::read_dir(root().join("crates"))
        .expect("crates")
        .flatten()
    {
        let src = entry.path().join("src");
        if !src.is_dir() {
            continue;
        }
        crates += 1;
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in &files {
            let rel = file.strip_prefix(&src).expect("under src");
            let top = rel
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .unwrap_or("")
                .trim_end_matches(".rs")
                .to_owned();
            if top == "lib" || top == "main" {
                continue;
            }
            let text = std::fs::read_to_string(file).expect("read source");
            let deps = graph.entry(top.clone()).or_default();
            deps.extend(modules_named(&text).into_iter().filter(|m| *m != top));
        }
        let known: BTreeSet<String> = graph.keys().cloned().collect();
        for deps in graph.values_mut() {
            deps.retain(|d| known.contains(d));
        }
        // A module on a cycle reaches itself; name one path per module.
        for start in graph.keys() {
            let mut stack = vec![(start.clone(), vec![start.clone()])];
            let mut seen = BTreeSet::new();
            while let Some((at, path)) = stack.pop() {
                for next in &graph[&at] {
                    if next == start {
                        // Each cycle once: from its alphabetically first module.
                        if path.iter().any(|m| m < start) {
                            continue;
                        }
                        cycles.push(format!(
                            "{}: {} → {start}",
                            entry.file_name().to_string_lossy(),
                            path.join(" → ")
                        ));
                    } else if seen.insert(next.clone()) {
                        let mut p = path.clone();
                        p.push(next.clone());
                        stack.push((next.clone(), p));
                    }
                }
            }
        }
    }
    assert!(crates > 10, "found the crates");
    assert!(cycles.is_empty(), "modules in a cycle: {cycles:#?}");
}

/// No source file is a room too big to read: at most 800 lines under any
/// `crates/*/src`, tests (`tests.rs`, anything in a `tests/` folder) and
/// migrations aside. A big module becomes a folder of modules by step.
#[test]
fn no_source_file_is_over_800_lines() {
    const LIMIT: usize = 800;
    let mut long = Vec::new();
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("crates"))
        .expect("crates")
        .flatten()
    {
        let src = entry.path().join("src");
        if !src.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for file in files {
            let rel = file
                .strip_prefix(root())
                .expect("under the root")
                .to_string_lossy()
                .replace('\\', "/");
            let parts: Vec<&str> = rel.split('/').collect();
            let test_or_migration = parts
                .iter()
                .any(|p| *p == "tests" || *p == "migrations" || *p == "tests.rs");
            if test_or_migration {
                continue;
            }
            checked += 1;
            let lines = std::fs::read_to_string(&file)
                .expect("read source")
                .lines()
                .count();
            if lines > LIMIT {
                long.push(format!("{rel}: {lines} lines"));
            }
        }
    }
    assert!(checked > 100, "found the sources ({checked})");
    long.sort();
    assert!(
        long.is_empty(),
        "source files over {LIMIT} lines (split them into a folder of modules): {long:#?}"
    );
}

/// A module lives where Rust looks for it: no `#[path]` attribute anywhere
/// (sources, tests, the testkit), so a reader finds a module by its name.
#[test]
fn no_module_is_declared_with_a_path_attribute() {
    let mut files = Vec::new();
    rust_files(&root().join("crates"), &mut files);
    assert!(files.len() > 100, "found only {} files", files.len());
    let found: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).expect("read source");
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.trim_start().starts_with("#[path"))
                .map(|(i, _)| format!("{}:{}", f.display(), i + 1))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(found.is_empty(), "#[path] attributes: {found:?}");
}

/// The engine never compares its own output as strings: kinds and statuses
/// are enums (`SlateEventKind`, `PledgeKind`, `EventKind`, …), their text
/// appears only where it is stored or sent. `append_event` takes a
/// `SlateEventKind`, so a string kind does not compile; this catches the
/// comparisons.
#[test]
fn the_engine_compares_no_kind_as_a_string() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/engine/src"), &mut files);
    assert!(files.len() > 20, "found the engine's sources");
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read source");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let squashed: String = code.split_whitespace().collect();
            if ["kind==\"", "kind!=\"", "status==\"", "status!=\""]
                .iter()
                .any(|n| squashed.contains(n))
            {
                found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "kinds compared as strings: {found:#?}");
}

/// Statements that number their parameters in a loop (`format!("${}", …)`)
/// bind quadratically on SQLite: sqlx asks SQLite each parameter's name, a
/// linear walk over the statement's named parameters (`$n` is one). The
/// people list's 3,200-parameter insert cost a pledge import 7 % of its time
/// in `sqlite3_bind_parameter_name` alone. Built statements use
/// `values_placeholders` / `list_placeholders` with the backend's `SIGIL`
/// (plain `?` on SQLite).
#[test]
fn no_store_statement_numbers_its_parameters_in_a_loop() {
    let mut files = Vec::new();
    rust_files(&root().join("crates/store-sql/src"), &mut files);
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("source");
        for (i, line) in text.lines().enumerate() {
            let numbered =
                line.contains("\"${}") || line.contains(", ${}") || line.contains("(${}");
            if numbered {
                found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "numbered parameters built in a loop (use values_placeholders / list_placeholders with SIGIL):\n{}",
        found.join("\n")
    );
}
