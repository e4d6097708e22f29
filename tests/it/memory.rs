//! The memory knowledge graph through the real binary: the MCP memory
//! server's operations, scopes, keyword and semantic search.

use crate::common::{Env, have_model};
use serde_json::json;

fn seed_json() -> String {
    json!({"entities": [
        {"name": "Tom", "entityType": "animal", "observations": ["cats purr when content", "sleeps on the sofa"]},
        {"name": "Deploy pipeline", "entityType": "system", "observations": ["runs cargo build in CI", "ships the release binary"]},
        {"name": "Lisbon", "entityType": "city", "observations": ["capital of Portugal, by the Atlantic ocean"]}
    ]})
    .to_string()
}

fn seed(env: &Env) {
    env.run_stdin(&["memory", "create-entities"], &seed_json())
        .ok();
}

#[test]
fn mcp_operations_round_trip() {
    let env = Env::new();
    seed(&env);
    // Creating an existing name is skipped, as in the MCP memory server.
    let again = env
        .run_stdin(
            &["memory", "create-entities", "--no-embed"],
            &json!({"entities": [{"name": "Tom", "entityType": "animal"}]}).to_string(),
        )
        .ok()
        .json();
    assert_eq!(again, json!([]));
    let rel = json!({"relations": [{"from": "Tom", "to": "Lisbon", "relationType": "lives_in"}]});
    let r = env
        .run_stdin(&["memory", "create-relations"], &rel.to_string())
        .ok()
        .json();
    assert_eq!(r[0]["relationType"], "lives_in");
    env.run_stdin(&["memory", "create-relations"], &rel.to_string())
        .ok();
    let add = json!({"observations": [{"entityName": "Tom", "contents": ["likes tuna", "sleeps on the sofa"]}]});
    let a = env
        .run_stdin(
            &["memory", "add-observations", "--no-embed"],
            &add.to_string(),
        )
        .ok()
        .json();
    assert_eq!(a[0]["addedObservations"], json!(["likes tuna"]));

    let g = env.run(&["memory", "read-graph"]).ok().json();
    assert_eq!(g["entities"].as_array().unwrap().len(), 3);
    assert_eq!(g["entities"][2]["name"], "Tom");
    assert_eq!(
        g["entities"][2]["observations"],
        json!(["cats purr when content", "sleeps on the sofa", "likes tuna"])
    );
    assert_eq!(
        g["relations"],
        json!([{"from": "Tom", "to": "Lisbon", "relationType": "lives_in"}])
    );

    let open = env
        .run_stdin(&["memory", "open-nodes"], r#"{"names": ["Tom", "Nobody"]}"#)
        .ok()
        .json();
    assert_eq!(open["entities"].as_array().unwrap().len(), 1);
    let found = env
        .run_stdin(&["memory", "search-nodes"], r#"{"query": "tuna"}"#)
        .ok()
        .json();
    assert_eq!(found["entities"][0]["name"], "Tom");
    let hood = env
        .run(&["memory", "graph", "Lisbon", "--depth", "1"])
        .ok()
        .json();
    assert_eq!(hood["entities"].as_array().unwrap().len(), 2);
    let other = env
        .run(&[
            "memory",
            "graph",
            "Lisbon",
            "--depth",
            "2",
            "--relation-type",
            "owns",
        ])
        .ok()
        .json();
    assert_eq!(other["entities"].as_array().unwrap().len(), 1);
    assert_eq!(other["relations"], json!([]));

    let d = env
        .run_stdin(
            &["memory", "delete-observations"],
            r#"{"deletions": [{"entityName": "Tom", "observations": ["likes tuna"]}]}"#,
        )
        .ok()
        .json();
    assert_eq!(d["deleted"], 1);
    let d = env
        .run_stdin(&["memory", "delete-relations"], &rel.to_string())
        .ok()
        .json();
    assert_eq!(d["deleted"], 1);
    let d = env
        .run_stdin(
            &["memory", "delete-entities"],
            r#"{"entityNames": ["Lisbon"]}"#,
        )
        .ok()
        .json();
    assert_eq!(d["deleted"], 1);
    let g = env.run(&["memory", "read-graph"]).ok().json();
    assert_eq!(g["entities"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_changes_nothing() {
    let env = Env::new();
    seed(&env);
    let before = env.run(&["memory", "read-graph"]).ok().stdout;
    // One unknown entity fails the whole call: the valid part is not written.
    let add = json!({"observations": [
        {"entityName": "Tom", "contents": ["new fact"]},
        {"entityName": "Ghost", "contents": ["boo"]}
    ]});
    let r = env
        .run_stdin(&["memory", "add-observations"], &add.to_string())
        .code(4);
    assert!(r.stderr.contains("Entity not found: Ghost"), "{}", r.stderr);
    let r = env
        .run_stdin(&["memory", "create-entities"], "{not json")
        .code(2);
    assert!(r.stderr.contains("not valid JSON"), "{}", r.stderr);
    let r = env
        .run_stdin(
            &["memory", "create-entities"],
            r#"{"entities": [{"name": "x"}]}"#,
        )
        .code(2);
    assert!(r.stderr.contains("entityType"), "{}", r.stderr);
    let r = env
        .run_stdin(
            &["memory", "create-relations"],
            r#"{"relations": [{"from": "Tom", "to": "Nowhere", "relationType": "r"}]}"#,
        )
        .code(4);
    assert!(r.stderr.contains("Nowhere"), "{}", r.stderr);
    assert_eq!(env.run(&["memory", "read-graph"]).ok().stdout, before);
}

#[test]
fn agent_scopes_are_private() {
    let env = Env::new();
    let e = json!({"entities": [{"name": "secret plan", "entityType": "note", "observations": ["launch on friday"]}]});
    env.run_stdin(
        &[
            "memory",
            "create-entities",
            "--no-embed",
            "--scope",
            "agent",
            "--agent",
            "alpha",
        ],
        &e.to_string(),
    )
    .ok();
    let g = json!({"entities": [{"name": "shared fact", "entityType": "note", "observations": ["launch needs a review"]}]});
    env.run_stdin(&["memory", "create-entities", "--no-embed"], &g.to_string())
        .ok();
    let names = |agent: &str| -> Vec<String> {
        let r = env
            .run(&["memory", "read-graph", "--agent", agent])
            .ok()
            .json();
        r["entities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("alpha"), ["secret plan", "shared fact"]);
    assert_eq!(names("beta"), ["shared fact"]);
    // An agent-scoped write must name its agent, or nobody could read it.
    let r = env
        .run_stdin(
            &["memory", "create-entities", "--scope", "agent"],
            &e.to_string(),
        )
        .code(2);
    assert!(
        r.stderr.contains("--scope agent needs --agent"),
        "{}",
        r.stderr
    );
}

#[test]
fn without_the_model_search_is_keyword_only_and_says_why() {
    let env = Env::new();
    seed_without_model(&env);
    let empty = env.path().join("no-models");
    let mut c = env.cmd();
    c.env("CAXTON_MODELS_DIR", &empty)
        .args(["memory", "search", "cats purr", "--json"]);
    let r = crate::common::finish(c.output().unwrap()).ok();
    let j = r.json();
    assert_eq!(j["mode"], "keyword");
    assert!(
        j["reason"]
            .as_str()
            .unwrap()
            .contains("scripts/fetch-models"),
        "{j}"
    );
    assert_eq!(j["results"][0]["name"], "Tom");
    assert_eq!(j["results"][0]["mode"], "keyword");
    assert_eq!(j["pending_embeddings"], 5);
}

fn seed_without_model(env: &Env) {
    use std::io::Write;
    let mut child = env
        .cmd()
        .env("CAXTON_MODELS_DIR", env.path().join("no-models"))
        .args(["memory", "create-entities"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(seed_json().as_bytes())
        .unwrap();
    let r = crate::common::finish(child.wait_with_output().unwrap()).ok();
    assert!(r.stderr.contains("not embedded"), "{}", r.stderr);
}

#[test]
fn semantic_search_finds_meaning_without_shared_words() {
    if !have_model() {
        return;
    }
    let env = Env::new();
    seed(&env);
    let j = env
        .run(&["memory", "search", "feline pets", "--json"])
        .ok()
        .json();
    assert_eq!(j["mode"], "hybrid", "{j}");
    assert_eq!(j["pending_embeddings"], 0);
    assert_eq!(j["results"][0]["name"], "Tom", "{j}");
    assert_eq!(j["results"][0]["mode"], "semantic");
    let top = j["results"][0]["score"].as_f64().unwrap();
    let next = j["results"][1]["score"].as_f64().unwrap();
    assert!(top > next, "{j}");
    // The exact vector scan ranks the same way.
    let exact = env
        .run(&["memory", "search", "feline pets", "--exact", "--json"])
        .ok()
        .json();
    assert_eq!(exact["results"], j["results"], "{exact}");
    // Rows written with --no-embed are found by keyword until embedded.
    env.run_stdin(
        &["memory", "add-observations", "--no-embed"],
        r#"{"observations": [{"entityName": "Lisbon", "contents": ["famous for custard tarts"]}]}"#,
    )
    .ok();
    let j = env
        .run(&["memory", "search", "custard", "--json"])
        .ok()
        .json();
    assert_eq!(j["pending_embeddings"], 1);
    assert_eq!(j["results"][0]["name"], "Lisbon");
}

#[test]
fn export_import_export_is_byte_identical() {
    let env = Env::new();
    seed(&env);
    env.run_stdin(
        &["memory", "create-relations"],
        r#"{"relations": [{"from": "Tom", "to": "Lisbon", "relationType": "lives_in"}]}"#,
    )
    .ok();
    let private = json!({"entities": [{"name": "Tom", "entityType": "cat", "observations": ["agent-private fact"]}]});
    env.run_stdin(
        &[
            "memory",
            "create-entities",
            "--scope",
            "agent",
            "--agent",
            "alpha",
        ],
        &private.to_string(),
    )
    .ok();
    for (format, extra) in [("json", vec![]), ("jsonl", vec!["--embeddings"])] {
        let mut args = vec!["memory", "export", "--format", format];
        args.extend(extra.iter().copied());
        let first = env.run(&args).ok().stdout;
        let file = env.write(&format!("export.{format}"), &first);
        let other = Env::new();
        let import = || {
            other
                .run(&[
                    "memory",
                    "import",
                    file.to_str().unwrap(),
                    "--format",
                    format,
                ])
                .ok()
                .json()
        };
        let r = import();
        assert_eq!(r["entities"], 4, "{r}");
        assert_eq!(r["relations"], 1, "{r}");
        let second = other.run(&args).ok().stdout;
        assert_eq!(first, second, "{format} round trip");
        // Importing again adds nothing.
        let r = import();
        assert_eq!(
            (r["entities"].as_u64(), r["observations"].as_u64()),
            (Some(0), Some(0))
        );
        // Without --format, the format is recognised from the content.
        let unnamed = env.write(&format!("export-{format}.dump"), &first);
        let third = Env::new();
        third
            .run(&["memory", "import", unnamed.to_str().unwrap()])
            .ok();
        assert_eq!(third.run(&args).ok().stdout, first, "{format} detected");
    }
    let bad = env.write(
        "bad.json",
        r#"{"format": "other", "version": 1, "entities": [], "relations": []}"#,
    );
    env.run(&["memory", "import", bad.to_str().unwrap()])
        .code(2);
}

#[test]
fn status_usage_and_capacity() {
    let env = Env::new();
    env.write("data/caxton.toml", "[memory]\nmax_entities = 4\n");
    seed(&env);
    assert_eq!(
        env.run(&["memory", "usage", "--percentage"]).ok().stdout,
        "75\n"
    );
    env.run(&["memory", "capacity-check", "--warn-percentage", "80"])
        .ok();
    let r = env
        .run(&["memory", "capacity-check", "--warn-percentage", "70"])
        .code(1);
    assert!(
        r.stdout.contains("Entity count: 3 / 4 (75%"),
        "{}",
        r.stdout
    );
    env.run(&["memory", "search", "sofa"]).ok();
    let d = env
        .run(&["memory", "emergency-diagnosis", "--json"])
        .ok()
        .json();
    assert_eq!(d["status"]["sqlite_status"], "ok");
    assert_eq!(d["largest_entities"][0][0], "Deploy pipeline");
    assert_eq!(d["actions"], json!([]), "{d}");
    let human = env.run(&["memory", "emergency-diagnosis"]).ok().stdout;
    assert!(
        human.contains("SQLite integrity_check: ok") && human.contains("No action needed."),
        "{human}"
    );
    let mut c = env.cmd();
    c.env("CAXTON_MODELS_DIR", env.path().join("none"))
        .args(["memory", "emergency-diagnosis"]);
    let r = crate::common::finish(c.output().unwrap()).ok();
    assert!(
        r.stdout.contains("action: run scripts/fetch-models"),
        "{}",
        r.stdout
    );
    let s = env.run(&["memory", "status", "--json"]).ok().json();
    assert_eq!(s["entities"], 3);
    assert_eq!(s["observations"], 5);
    assert_eq!(s["searches_recorded"], 1);
    assert!(s["search_p99_ms"].as_f64().unwrap() > 0.0);
    if have_model() {
        let human = env.run(&["memory", "status", "--detailed"]).ok().stdout;
        assert!(human.contains("Memory system: healthy"), "{human}");
        assert!(human.contains("integrity ok"), "{human}");
    }
    let mut c = env.cmd();
    c.env("CAXTON_MODELS_DIR", env.path().join("none"))
        .args(["memory", "status"]);
    let r = crate::common::finish(c.output().unwrap()).ok();
    assert!(r.stdout.contains("Memory system: degraded"), "{}", r.stdout);
    assert!(r.stderr.contains("scripts/fetch-models"), "{}", r.stderr);
}

#[test]
fn two_processes_writing_at_once_lose_nothing() {
    let env = Env::new();
    env.run(&["init"]).ok();
    let files: Vec<_> = ["a", "b"]
        .iter()
        .map(|p| {
            let mut text = String::from("{\"type\":\"header\",\"format\":\"caxton-memory\",\"version\":1}\n");
            for i in 0..5000 {
                let e = json!({"type": "entity", "name": format!("{p}{i}"), "entityType": "item", "scope": "global", "scopeId": "",
                    "metadata": {}, "createdBy": "test", "createdAt": i, "updatedAt": i,
                    "observations": [{"content": format!("observation {i} of writer {p}"), "createdBy": "test", "createdAt": i}]});
                text.push_str(&e.to_string());
                text.push('\n');
            }
            env.write(&format!("{p}.jsonl"), &text)
        })
        .collect();
    let children: Vec<_> = files
        .iter()
        .map(|f| {
            env.cmd()
                .args(["memory", "import", f.to_str().unwrap(), "--format", "jsonl"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        crate::common::finish(c.wait_with_output().unwrap()).ok();
    }
    let s = env.run(&["memory", "status", "--json"]).ok().json();
    assert_eq!(s["entities"], 10_000);
    assert_eq!(s["observations"], 10_000);
}

#[test]
fn kill_during_import_keeps_every_committed_batch() {
    let env = Env::new();
    env.run(&["init"]).ok();
    let mut text =
        String::from("{\"type\":\"header\",\"format\":\"caxton-memory\",\"version\":1}\n");
    for i in 0..60_000 {
        let e = json!({"type": "entity", "name": format!("e{i}"), "entityType": "item", "scope": "global", "scopeId": "",
            "metadata": {}, "createdBy": "test", "createdAt": i, "updatedAt": i,
            "observations": [{"content": format!("fact number {i}"), "createdBy": "test", "createdAt": i}]});
        text.push_str(&e.to_string());
        text.push('\n');
    }
    let file = env.write("big.jsonl", &text);
    let mut child = env
        .cmd()
        .args([
            "memory",
            "import",
            file.to_str().unwrap(),
            "--format",
            "jsonl",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Poll (with a deadline) until some batches are committed, then SIGKILL.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let s = env.run(&["memory", "status", "--json"]).ok().json();
        if s["entities"].as_i64().unwrap() > 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "import never committed a batch"
        );
        if child.try_wait().unwrap().is_some() {
            break;
        }
    }
    child.kill().ok();
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(9),
        "the import must die by SIGKILL mid-way, not finish first: {status}"
    );
    let s = env
        .run(&["memory", "status", "--detailed", "--json"])
        .ok()
        .json();
    assert_eq!(s["sqlite_status"], "ok");
    let n = s["entities"].as_i64().unwrap();
    assert!(n > 0 && n % 500 == 0, "whole batches only: {n}");
    assert!(n < 60_000, "the kill came before the last batch: {n}");
    assert_eq!(s["observations"].as_i64().unwrap(), n);
    assert_eq!(
        s["pending_embeddings"].as_i64().unwrap(),
        n,
        "the backlog is intact"
    );
    // Running the import again completes it.
    env.run(&[
        "memory",
        "import",
        file.to_str().unwrap(),
        "--format",
        "jsonl",
    ])
    .ok();
    let s = env.run(&["memory", "status", "--json"]).ok().json();
    assert_eq!(s["entities"], 60_000);
}

#[test]
fn optimize_compacts_and_keeps_search_working() {
    let env = Env::new();
    seed(&env);
    let many: Vec<String> = (0..3000)
        .map(|i| format!("bulk observation {i} with some padding text to take space"))
        .collect();
    let add = json!({"observations": [{"entityName": "Lisbon", "contents": many}]});
    env.run_stdin(
        &["memory", "add-observations", "--no-embed"],
        &add.to_string(),
    )
    .ok();
    env.run_stdin(
        &["memory", "delete-observations"],
        &json!({"deletions": [{"entityName": "Lisbon", "observations": many}]}).to_string(),
    )
    .ok();
    let r = env
        .run(&[
            "memory",
            "optimize",
            "--vacuum-sqlite",
            "--rebuild-index",
            "--json",
        ])
        .ok()
        .json();
    assert!(
        r["bytes_after"].as_u64().unwrap() < r["bytes_before"].as_u64().unwrap(),
        "{r}"
    );
    let r = env
        .run(&[
            "memory",
            "optimize",
            "--incremental",
            "--max-duration",
            "5s",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(r["complete"], true, "{r}");
    let found = env
        .run_stdin(&["memory", "search-nodes"], r#"{"query": "sofa"}"#)
        .ok()
        .json();
    assert_eq!(found["entities"][0]["name"], "Tom");
    env.run(&["memory", "optimize"]).code(2);
    let mut c = env.cmd();
    c.env("CAXTON_MODELS_DIR", env.path().join("none")).args([
        "memory",
        "optimize",
        "--recompute-embeddings",
    ]);
    let r = crate::common::finish(c.output().unwrap()).code(4);
    assert!(r.stderr.contains("scripts/fetch-models"), "{}", r.stderr);
    if have_model() {
        let r = env
            .run(&["memory", "optimize", "--recompute-embeddings", "--json"])
            .ok()
            .json();
        assert_eq!(r["embedded"], 5, "{r}");
    }
}

/// The runbook's monitoring commands read what searches really recorded.
#[test]
fn stats_monitor_and_vector_cache_report_recorded_searches() {
    let env = Env::new();
    seed(&env);
    for q in ["feline pets", "release pipeline", "feline pets"] {
        env.run(&["memory", "search", q]).ok();
    }
    let st = env
        .run(&["memory", "stats", "--include-trends", "--json"])
        .ok()
        .json();
    assert_eq!(st["stats"]["searches"], 3);
    let modes = st["stats"]["by_mode"].as_array().unwrap();
    let mode = if have_model() { "hybrid" } else { "keyword" };
    assert_eq!(modes[0]["key"], mode);
    assert_eq!(st["stats"]["hourly"][0]["searches"], 3);
    // Every memory command may take the hourly sample; this one has.
    assert_eq!(st["stats"]["samples"].as_array().unwrap().len(), 1);
    assert_eq!(st["stats"]["samples"][0]["entities"], 3);
    let human = env.run(&["memory", "stats", "--include-trends"]).ok();
    assert!(
        human.stdout.contains("Hourly search latency"),
        "{}",
        human.stdout
    );

    // Every search is at or above 0ms; none takes an hour.
    let all = env
        .run(&[
            "memory",
            "monitor",
            "--show-slow-queries",
            "--threshold",
            "0ms",
            "--once",
            "--json",
        ])
        .ok();
    let lines: Vec<serde_json::Value> = all
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["query"], "release pipeline");
    let none = env
        .run(&[
            "memory",
            "monitor",
            "--show-slow-queries",
            "--threshold",
            "1h",
            "--once",
        ])
        .ok();
    assert!(!none.stdout.contains("feline"), "{}", none.stdout);

    let status = env.run(&["memory", "status", "--json"]).ok().json();
    if have_model() {
        // The first search built the index; the next two found it current.
        let hit = status["vector_cache_hit_percent"].as_f64().unwrap();
        assert!((hit - 200.0 / 3.0).abs() < 0.01, "{status}");
        assert!(status["vector_cache_bytes"].as_u64().unwrap() > 0);
        let cleared = env
            .run(&["memory", "cache-clear", "--all", "--json"])
            .ok()
            .json();
        assert!(cleared["bytes_freed"].as_u64().unwrap() > 0);
        let status = env.run(&["memory", "status", "--json"]).ok().json();
        assert_eq!(status["vector_cache_bytes"], 0);
        // Cleared is not broken: the next search rebuilds and still finds it.
        let found = env
            .run(&["memory", "search", "feline pets", "--json"])
            .ok()
            .json();
        assert_eq!(found["results"][0]["name"], "Tom");
    } else {
        assert!(status["vector_cache_hit_percent"].is_null());
    }
}

#[test]
fn cleanup_removes_only_what_nobody_can_use() {
    let env = Env::new();
    seed(&env);
    env.run_stdin(
        &["memory", "create-entities", "--no-embed"],
        r#"{"entities": [{"name": "Empty", "entityType": "note"}, {"name": "Linked", "entityType": "note"}]}"#,
    )
    .ok();
    env.run_stdin(
        &["memory", "create-relations"],
        r#"{"relations": [{"from": "Linked", "to": "Tom", "relationType": "about"}]}"#,
    )
    .ok();
    env.run_stdin(
        &["memory", "create-entities", "--no-embed", "--scope", "agent", "--agent", "gone-agent"],
        r#"{"entities": [{"name": "Secret", "entityType": "note", "observations": ["only gone-agent saw this"]}]}"#,
    )
    .ok();
    let count = |env: &Env| {
        env.run(&["memory", "read-graph"]).ok().json()["entities"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count(&env), 6);
    // Young data is kept whatever the flags.
    let r = env
        .run(&["memory", "cleanup", "--remove-orphaned", "--json"])
        .ok()
        .json();
    assert_eq!(r["orphaned_entities"], 0);
    // A dry run counts and keeps.
    let r = env
        .run(&[
            "memory",
            "cleanup",
            "--remove-orphaned",
            "--older-than",
            "0s",
            "--aggressive",
            "--dry-run",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(r["orphaned_entities"], 1, "{r}");
    assert_eq!(r["abandoned_agent_entities"], 1, "{r}");
    assert_eq!(count(&env), 6);
    // --aggressive deletes an agent's memory only when confirmed.
    let refused = env
        .run(&["memory", "cleanup", "--aggressive", "--older-than", "0s"])
        .code(2);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    let r = env
        .run(&[
            "memory",
            "cleanup",
            "--remove-orphaned",
            "--older-than",
            "0s",
            "--vacuum-after",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(r["orphaned_entities"], 1);
    let g = env.run(&["memory", "read-graph"]).ok().json();
    let names: Vec<&str> = g["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"Empty") && names.contains(&"Linked") && names.contains(&"Secret"));
    env.run(&[
        "memory",
        "cleanup",
        "--aggressive",
        "--force",
        "--older-than",
        "0s",
    ])
    .ok();
    assert_eq!(count(&env), 4);
}

#[test]
fn reindex_verifies_and_runs_in_the_background() {
    if !have_model() {
        let env = Env::new();
        let r = env.run(&["memory", "reindex"]);
        assert_ne!(r.code, 0, "reindex without a model must fail: {}", r.all());
        return;
    }
    let env = Env::new();
    env.run_stdin(&["memory", "create-entities", "--no-embed"], &seed_json())
        .ok();
    let r = env
        .run(&[
            "memory",
            "reindex",
            "--background",
            "--verify-after",
            "--json",
        ])
        .ok()
        .json();
    let log = std::path::PathBuf::from(r["log"].as_str().unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let done = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        // The check lines come last; the vector index is the last check.
        if text.contains("vector index:") {
            break text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "background reindex did not finish: {text}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(done.contains("embedded 5 observations"), "{done}");
    assert!(!done.contains('✗'), "{done}");
    // The child holds the reindex lock until it exits; a second reindex
    // meanwhile is refused, so wait for the lock to be free.
    let lock = std::fs::File::open(env.data().join("run/memory-reindex.lock")).unwrap();
    while lock.try_lock().is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "background reindex did not exit"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    drop(lock);
    let r = env
        .run(&["memory", "reindex", "--verify-after", "--json"])
        .ok()
        .json();
    assert_eq!(r["verified"], true, "{r}");
    assert_eq!(r["indexed"], 5);
    let r = env
        .run(&[
            "memory",
            "optimize",
            "--clear-cache",
            "--rebuild-index",
            "--json",
        ])
        .ok()
        .json();
    let steps = r["steps"].to_string();
    assert!(
        steps.contains("cleared the vector index cache")
            && steps.contains("rebuilt the vector index (5 vectors)"),
        "{steps}"
    );
}

/// The runbook's migration planning commands. No Qdrant server can be
/// installed here, so these cover the file format and every refusal; the
/// upload path is the same REST client the connection test exercises.
#[test]
fn migration_planning_reports_what_is_missing() {
    let env = Env::new();
    seed(&env);
    // The runbook writes the file by a relative name too.
    env.run_in(
        env.path(),
        &[
            "memory",
            "export",
            "--format",
            "migration",
            "--target",
            "qdrant",
            "--output",
            "m.json",
        ],
    )
    .ok();
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(env.path().join("m.json")).unwrap()).unwrap();
    assert_eq!(m["target"], "qdrant");
    assert_eq!(m["collection"]["vectors"]["size"], 384);
    let points = m["points"].as_array().unwrap();
    if have_model() {
        assert_eq!(points.len(), 5);
        assert_eq!(points[0]["vector"].as_array().unwrap().len(), 384);
        assert_eq!(points[0]["payload"]["entity"], "Tom");
        assert_eq!(m["pending_embeddings"], 0);
    } else {
        assert_eq!(points.len(), 0);
        assert_eq!(m["pending_embeddings"], 5);
    }

    let check = env
        .run(&["memory", "migration-check", "--target", "qdrant"])
        .code(1);
    assert!(
        check.stdout.contains("Readiness: ")
            && check.stdout.contains("missing: qdrant connection config"),
        "{}",
        check.stdout
    );
    let none = env
        .run(&["memory", "emergency-migrate", "--to", "qdrant"])
        .code(3);
    assert!(
        none.stderr.contains("no Qdrant connection configured"),
        "{}",
        none.stderr
    );

    // A closed port: refused quickly, named, and the key never printed.
    let dead = crate::common::DeadPort::new();
    let port = dead.port;
    let cfg = env.write(
        "qdrant.yaml",
        &format!(
            "url: http://127.0.0.1:{port}\napi_key: sekrit-key-123\ncollection: t\ntimeout: 2s\n"
        ),
    );
    let r = env
        .run(&[
            "memory",
            "test-connection",
            "--backend",
            "qdrant",
            "--config",
            cfg.to_str().unwrap(),
        ])
        .code(1);
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        r.stderr
    );
    assert!(!r.all().contains("sekrit"), "{}", r.all());
    let bad = env.write("bad.yaml", "uri: http://x\n");
    let r = env
        .run(&[
            "memory",
            "test-connection",
            "--backend",
            "qdrant",
            "--config",
            bad.to_str().unwrap(),
        ])
        .code(3);
    assert!(r.stderr.contains("unknown field `uri`"), "{}", r.stderr);
}

/// `backend = "qdrant"`: after `emergency-migrate`, vector search is
/// answered by the collection, kept in sync with every write; an outage
/// falls back to keyword search saying why. Against the loopback STAND-IN
/// of common::qdrant (no Qdrant server installs here).
#[test]
fn qdrant_backend_serves_vector_search_from_the_collection() {
    if !have_model() {
        return;
    }
    let env = Env::new();
    seed(&env);
    let q = crate::common::qdrant::Qdrant::start();
    let section = format!(
        "[memory.qdrant]\nurl = \"{}\"\ncollection = \"m\"\ntimeout = \"2s\"\n",
        q.url()
    );
    env.write("data/caxton.toml", &section);
    let m = env
        .run(&["memory", "emergency-migrate", "--to", "qdrant", "--json"])
        .ok()
        .json();
    assert_eq!(m["points_sent"], 5, "{m}");
    assert_eq!(q.ids("m").len(), 5);

    env.write(
        "data/caxton.toml",
        &format!("[memory]\nbackend = \"qdrant\"\n{section}"),
    );
    let search = |text: &str| env.run(&["memory", "search", text, "--json"]).ok().json();
    let j = search("feline pets");
    assert_eq!(j["mode"], "hybrid", "{j}");
    assert_eq!(j["results"][0]["name"], "Tom", "{j}");
    assert_eq!(j["results"][0]["mode"], "semantic", "{j}");
    assert_eq!(q.count("POST /collections/m/points/search"), 1);
    // Nothing changed since the migration: nothing was pushed again.
    assert_eq!(
        q.count("PUT /collections/m/points"),
        1,
        "one migration batch"
    );

    // A new observation reaches the collection before the next search, and
    // is what that search finds by meaning.
    env.run_stdin(
        &["memory", "add-observations"],
        r#"{"observations": [{"entityName": "Lisbon", "contents": ["famous for custard tarts"]}]}"#,
    )
    .ok();
    let j = search("sweet pastry desserts");
    assert_eq!(q.ids("m").len(), 6);
    assert_eq!(j["results"][0]["name"], "Lisbon", "{j}");
    assert_eq!(j["results"][0]["mode"], "semantic", "{j}");

    // A deleted entity's points leave the collection, and it is not found.
    env.run_stdin(
        &["memory", "delete-entities"],
        r#"{"entityNames": ["Tom"]}"#,
    )
    .ok();
    let j = search("feline pets");
    assert_eq!(q.ids("m").len(), 4, "Tom's two points deleted");
    assert!(
        j["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["name"] != "Tom"),
        "{j}"
    );

    // Candidates outside the filter are dropped after Qdrant ranks them:
    // the best match for "kitten" is an animal, and only cities are asked for.
    env.run_stdin(
        &["memory", "create-entities"],
        r#"{"entities": [{"name": "Whiskers", "entityType": "animal", "observations": ["a playful kitten"]}]}"#,
    )
    .ok();
    let j = env
        .run(&["memory", "search", "kitten", "--type", "city", "--json"])
        .ok()
        .json();
    let results = j["results"].as_array().unwrap();
    assert!(
        !results.is_empty() && results.iter().all(|r| r["name"] == "Lisbon"),
        "{j}"
    );
    assert_eq!(q.ids("m").len(), 5);

    // An outage: keyword results, saying why.
    q.go_down();
    let j = search("custard");
    assert_eq!(j["mode"], "keyword", "{j}");
    assert!(j["reason"].as_str().unwrap().contains(&q.url()), "{j}");
    assert_eq!(j["results"][0]["name"], "Lisbon", "{j}");
    let s = env.run(&["memory", "status", "--json"]).ok().json();
    assert_eq!(s["backend"], "qdrant", "{s}");
}
