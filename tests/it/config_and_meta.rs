//! Config precedence, init, completions and man pages through the binary.

use crate::common::{Env, repo};

#[test]
fn init_creates_a_data_dir_and_is_idempotent() {
    let env = Env::new();
    let j = env.run(&["init", "--json"]).ok().json();
    assert!(j["created"].as_array().unwrap().len() >= 8, "{j}");
    for f in [
        "caxton.toml",
        "caxton.db",
        "agents/data-analyzer.toml",
        "agents/api-watcher.toml",
        "agents/report-writer.toml",
    ] {
        assert!(env.data().join(f).is_file(), "{f}");
    }
    // The shipped copies are the repository's example agents.
    assert_eq!(
        std::fs::read(env.agents().join("data-analyzer.toml")).unwrap(),
        std::fs::read(repo().join("agents/data-analyzer.toml")).unwrap()
    );
    std::fs::write(env.agents().join("api-watcher.toml"), "# mine\n").unwrap();
    let j = env.run(&["init", "--json"]).ok().json();
    assert_eq!(j["created"].as_array().unwrap().len(), 0, "{j}");
    assert_eq!(
        std::fs::read_to_string(env.agents().join("api-watcher.toml")).unwrap(),
        "# mine\n"
    );
    // An explicit directory.
    let other = env.path().join("other");
    env.run(&["init", other.to_str().unwrap()]).ok();
    assert!(other.join("agents/report-writer.toml").is_file());
    assert!(
        env.run(&["--data-dir", other.to_str().unwrap(), "agents", "count"])
            .ok()
            .stdout
            .trim()
            == "3"
    );
}

#[test]
fn config_show_reports_sources() {
    let env = Env::new();
    let cfg = env.write(
        "etc/caxton.yaml",
        "server:\n  port: 7001\n  data_dir: ${DATA_BASE}/d\n  auth_token: \"s3cret-token\"\nmemroy:\n  x: 1\n",
    );
    let mut c = env.cmd();
    c.args(["config", "show", "--json", "--agents-dir", "/srv/agents"])
        .env("CAXTON_CONFIG", &cfg)
        .env("DATA_BASE", env.path())
        .env_remove("CAXTON_DATA_DIR")
        .env("CAXTON_SERVER_METRICS_PORT", "0");
    let r = crate::common::finish(c.output().unwrap()).ok();
    let j = r.json();
    let get = |k: &str| {
        j["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(get("server.port")["value"], 7001);
    assert!(
        get("server.port")["source"]
            .as_str()
            .unwrap()
            .starts_with("file ")
    );
    assert_eq!(get("server.metrics_port")["value"], 0);
    assert_eq!(
        get("server.metrics_port")["source"],
        "env CAXTON_SERVER_METRICS_PORT"
    );
    assert_eq!(get("server.agents_dir")["source"], "flag --agents-dir");
    assert_eq!(get("server.host")["source"], "default");
    assert_eq!(j["data_dir"], env.path().join("d").display().to_string());
    assert_eq!(j["agents_dir"], "/srv/agents");
    assert!(!r.stdout.contains("s3cret-token"), "secrets are masked");
    assert!(r.stderr.contains("unknown key `memroy`"), "{}", r.stderr);
    assert!(r.stderr.contains("did you mean `memory`"), "{}", r.stderr);
}

#[test]
fn bad_config_is_a_clear_error() {
    let env = Env::new();
    env.write("data/caxton.toml", "[server]\nport = \"eighty\"\n");
    let r = env.run(&["agents", "list"]).code(3);
    assert!(r.stderr.contains("server.port"), "{}", r.stderr);
    let r = env
        .run(&["--config", "/no/such.toml", "agents", "list"])
        .code(4);
    assert!(
        r.stderr.contains("File not found: /no/such.toml"),
        "{}",
        r.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new();
    env.run(&["agents", "frobnicate"]).code(2);
    env.run(&["agents", "rollback", "x"]).code(2);
    env.run(&["agent", "list", "--count"]).ok();
}

/// The checked-in completions and man pages must match the binary. Set
/// `UPDATE_GENERATED=1` to rewrite them (or run scripts/gen-docs); never
/// under CI (`CI=true`), where stale files must fail.
#[test]
fn generated_files_are_current() {
    let env = Env::new();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let update = std::env::var_os("UPDATE_GENERATED").is_some() && !ci;
    let mut stale = Vec::new();
    for (shell, file) in [
        ("bash", "caxton.bash"),
        ("zsh", "_caxton"),
        ("fish", "caxton.fish"),
    ] {
        let r = env.run(&["completions", shell]).ok();
        let path = repo().join("completions").join(file);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &r.stdout).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(r.stdout.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    let out = env.path().join("man");
    env.run(&["man", "--dir", out.to_str().unwrap()]).ok();
    let man_dir = repo().join("man");
    let mut generated: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    generated.sort();
    for name in &generated {
        let new = std::fs::read(out.join(name)).unwrap();
        let path = man_dir.join(name);
        if update {
            std::fs::create_dir_all(&man_dir).unwrap();
            std::fs::write(&path, &new).unwrap();
        } else if std::fs::read(&path).ok() != Some(new) {
            stale.push(path.display().to_string());
        }
    }
    let mut checked_in: Vec<_> = std::fs::read_dir(&man_dir)
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    checked_in.sort();
    if !update && checked_in != generated {
        stale.push(format!("man/ holds {checked_in:?}, expected {generated:?}"));
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run scripts/gen-docs): {stale:#?}"
    );
    let page = env.run(&["man"]).ok();
    assert!(
        page.stdout.contains(".TH caxton"),
        "{}",
        &page.stdout[..200.min(page.stdout.len())]
    );
}

/// The layering of docs/architecture.md ("Layering: who may import whom"),
/// checked on the source: a module is a top-level file or directory of src/
/// (`runtime/` counts per submodule), and an edge is a `crate::X` path in its
/// non-test code. No two of `error.rs`, `config.rs`, `agent/` and `tools/`
/// are on one import cycle, `diagnostics.rs` imports nothing of Caxton, and
/// `server/` never imports `cli/`.
#[test]
fn layering_has_no_import_cycles() {
    use std::collections::{BTreeMap, BTreeSet};

    fn module_of(rel: &[&str]) -> String {
        match rel {
            ["runtime", sub, ..] => format!("runtime::{}", sub.trim_end_matches(".rs")),
            [top, ..] => top.trim_end_matches(".rs").to_string(),
            [] => unreachable!(),
        }
    }
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = repo().join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let parts: Vec<&str> = rel.split('/').collect();
        let from = module_of(&parts);
        if from == "lib" || from == "main" {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        // Unit tests may reach anywhere; only the code that ships counts.
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let path: Vec<&str> = line[i + "crate::".len()..]
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .next()
                    .unwrap()
                    .split("::")
                    .collect();
                // `crate::Caxton` and other items of lib.rs.
                if path[0].is_empty() || path[0].starts_with(char::is_uppercase) {
                    continue;
                }
                let to = match path.as_slice() {
                    ["runtime", sub, ..] if sub.starts_with(char::is_lowercase) => {
                        format!("runtime::{sub}")
                    }
                    [top, ..] => top.to_string(),
                    [] => continue,
                };
                if to != from {
                    edges.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from];
        while let Some(m) = todo.pop() {
            for next in edges.get(m).into_iter().flatten() {
                if next == to {
                    return true;
                }
                if seen.insert(next.as_str()) {
                    todo.push(next);
                }
            }
        }
        false
    };
    let layered = ["error", "config", "agent", "tools", "memory"];
    for a in layered {
        for b in layered.iter().filter(|b| **b != a) {
            assert!(
                !(reaches(a, b) && reaches(b, a)),
                "{a} and {b} are on one import cycle: {edges:#?}"
            );
        }
    }
    assert_eq!(
        edges.get("diagnostics"),
        None,
        "diagnostics.rs imports Caxton modules"
    );
    assert!(
        !edges.get("server").is_some_and(|s| s.contains("cli")),
        "server/ imports cli/"
    );
}

/// `[memory] model` and `semantic_threshold` are read, so a value Caxton
/// cannot honour is a configuration error naming the key and the file, not
/// silently replaced.
#[test]
fn memory_model_and_threshold_are_checked_not_ignored() {
    let env = Env::new();
    let file = env.write("data/caxton.toml", "[memory]\nmodel = \"bge-small-en\"\n");
    let r = env.run(&["memory", "status"]).code(3);
    assert!(r.stderr.contains("memory.model"), "{}", r.stderr);
    assert!(r.stderr.contains("bge-small-en"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&file.display().to_string()),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("all-MiniLM-L6-v2"), "{}", r.stderr);
    env.write("data/caxton.toml", "[memory]\nsemantic_threshold = 1.5\n");
    let r = env.run(&["memory", "status"]).code(3);
    assert!(
        r.stderr.contains("memory.semantic_threshold"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("outside 0..1"), "{}", r.stderr);
    env.write(
        "data/caxton.toml",
        "[memory]\nmodel = \"all-MiniLM-L6-v2\"\nsemantic_threshold = 0.4\n",
    );
    env.run(&["memory", "status"]).ok();
}
