//! Storage health through the real binary: safe mode on every write path,
//! verify levels, a deliberately corrupted page, repair and emergency salvage.

use std::path::Path;

use crate::common::{Env, agent, hold_daemon_lock, table_counts};
use serde_json::json;

fn seeded() -> Env {
    crate::common::seeded(30, 100)
}

#[test]
fn safe_mode_refuses_every_write_and_shows_in_status() {
    let env = seeded();
    env.write("src/tester.toml", &agent("Tester", "1.0.0", ""));
    env.run(&["storage", "safe-mode", "--enable"]).ok();
    assert!(env.data().join("safe-mode").is_file());
    let add = json!({"observations": [{"entityName": "E1", "contents": ["refused"]}]}).to_string();
    let r = env
        .run_stdin(&["memory", "add-observations", "--no-embed"], &add)
        .code(8);
    assert!(r.stderr.contains("safe mode"), "{}", r.stderr);
    assert!(
        r.stderr.contains("caxton storage safe-mode --disable"),
        "{}",
        r.stderr
    );
    let j = env
        .run_stdin(
            &["memory", "add-observations", "--no-embed", "--json"],
            &add,
        )
        .code(8);
    assert!(j.stderr.contains("\"code\":\"safe_mode\""), "{}", j.stderr);
    let src = env.path().join("src/tester.toml");
    env.run(&[
        "agents",
        "deploy",
        "tester",
        "--source",
        src.to_str().unwrap(),
    ])
    .code(8);
    assert!(
        !env.agents().join("tester.toml").exists(),
        "a refused deploy wrote its file"
    );
    env.run(&["memory", "optimize", "--vacuum-sqlite"]).code(8);
    // Reads keep working, and say so.
    env.run(&["memory", "search", "observation"]).ok();
    let s = env.run(&["memory", "status"]).ok();
    assert!(s.stdout.contains("Safe mode: enabled"), "{}", s.stdout);
    assert_eq!(
        env.run(&["memory", "status", "--json"]).ok().json()["safe_mode"],
        true
    );
    assert_eq!(
        env.run(&["storage", "safe-mode", "--json"]).ok().json()["enabled"],
        true
    );
    // Nothing was written while it was on.
    let counts = table_counts(&env.data().join("caxton.db"));
    assert_eq!(counts["memory_observations"], 3000);
    assert_eq!(counts["memory_search_log"], 0);
    env.run(&["storage", "safe-mode", "--disable"]).ok();
    env.run_stdin(&["memory", "add-observations", "--no-embed"], &add)
        .ok();
    env.run(&["storage", "safe-mode", "--enable", "--disable"])
        .code(2);
}

/// Overwrite one leaf page of `table` with garbage, with every connection closed.
fn corrupt_a_page(db: &Path, table: &str) {
    let c = rusqlite::Connection::open(db).unwrap();
    let pages: Vec<i64> = c
        .prepare("SELECT pageno FROM dbstat WHERE name = ?1 AND pagetype = 'leaf' ORDER BY pageno")
        .unwrap()
        .query_map([table], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let size: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
    drop(c);
    assert!(pages.len() > 4, "{table} spans only {} pages", pages.len());
    let page = pages[pages.len() / 2];
    let mut bytes = std::fs::read(db).unwrap();
    let at = ((page - 1) * size) as usize;
    bytes[at..at + size as usize].fill(0xff);
    std::fs::write(db, bytes).unwrap();
}

#[test]
fn a_corrupted_page_is_found_measured_and_salvaged() {
    let env = seeded();
    let db = env.data().join("caxton.db");
    env.run(&["storage", "verify", "--comprehensive"]).ok();
    assert_eq!(
        env.run(&["storage", "corruption-level"]).ok().stdout.trim(),
        "0"
    );
    corrupt_a_page(&db, "memory_observations");

    let r = env.run(&["storage", "verify"]).code(3);
    assert!(r.stdout.contains("malformed"), "{}", r.stdout);
    env.run(&["storage", "verify", "--comprehensive"]).code(3);
    let level: u32 = env
        .run(&["storage", "corruption-level"])
        .ok()
        .stdout
        .trim()
        .parse()
        .unwrap();
    assert!((1..25).contains(&level), "one page of many: {level}");

    // The runbook's order: safe mode first, then the emergency repair.
    env.run(&["storage", "safe-mode", "--enable"]).ok();
    let r = env
        .run(&["storage", "repair", "--emergency", "--json"])
        .ok()
        .json();
    let obs = r["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "memory_observations")
        .unwrap()
        .clone();
    let lost = obs["lost"].as_i64().unwrap();
    assert!(lost > 0 && lost < 3000, "{r}");
    assert_eq!(obs["recovered"].as_i64().unwrap() + lost, 3000);
    assert_eq!(r["rows_lost"], lost);
    assert!(
        Path::new(r["damaged_copy"].as_str().unwrap())
            .join("caxton.db")
            .is_file()
    );
    assert_eq!(
        table_counts(&db)["memory_observations"],
        3000 - lost,
        "the report says exactly what is gone"
    );
    env.run(&["storage", "verify", "--comprehensive"]).ok();
    assert_eq!(
        env.run(&["storage", "corruption-level"]).ok().stdout.trim(),
        "0"
    );
    let g = env.run(&["memory", "read-graph"]).ok().json();
    assert_eq!(g["entities"].as_array().unwrap().len(), 30);
    // Search (the full-text index, which read-graph does not use) finds
    // text that only salvaged rows hold: E29's observations sit on the
    // last pages, past the corrupted one, and "E29" is in no other row.
    let hits = env.run(&["memory", "search", "E29", "--json"]).ok().json();
    let results = hits["results"].as_array().unwrap();
    assert!(
        results.iter().any(|h| h["name"] == "E29"),
        "salvaged rows not searchable: {hits:#}"
    );
}

#[test]
fn repair_rebuilds_derived_data_and_waits_for_no_daemon() {
    let env = seeded();
    let db = env.data().join("caxton.db");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute(
        "DELETE FROM memory_fts WHERE rowid IN (SELECT id FROM memory_observations LIMIT 10)",
        [],
    )
    .unwrap();
    drop(c);
    let r = env.run(&["storage", "verify", "--comprehensive"]).code(3);
    assert!(
        r.stdout
            .contains("full-text index: 3020 rows, expected 3030"),
        "{}",
        r.stdout
    );

    let lock = hold_daemon_lock(&env.data());
    let r = env.run(&["storage", "repair"]).code(6);
    assert!(r.stderr.contains("daemon"), "{}", r.stderr);
    env.run(&["storage", "repair", "--emergency"]).code(6);
    drop(lock);

    env.run(&["storage", "repair"]).ok();
    env.run(&["storage", "verify", "--comprehensive"]).ok();
    let hits = env
        .run(&["memory", "search", "observation", "--json"])
        .ok()
        .json();
    assert!(!hits["results"].as_array().unwrap().is_empty());
}

#[test]
fn storage_commands_on_a_missing_database_say_so() {
    let env = Env::new();
    let r = env.run(&["storage", "verify"]).code(4);
    assert!(r.stderr.contains("caxton.db"), "{}", r.stderr);
    env.run(&["storage", "corruption-level"]).code(4);
    assert!(!env.data().join("caxton.db").exists());
}
