//! Memory on PostgreSQL + pgvector (`[memory] backend = "postgres"`),
//! through the real binary against a real server (tests/it/common/postgres.rs;
//! skipped unless scripts/setup-test-deps installed it, required under
//! CAXTON_REQUIRE_ALL=1), plus the configuration checks that need no server.

use serde_json::json;

use crate::common::{Env, error_json, have_model, postgres};

fn seed_json() -> String {
    json!({"entities": [
        {"name": "Tom", "entityType": "animal", "observations": ["cats purr when content", "sleeps on the sofa"]},
        {"name": "Deploy pipeline", "entityType": "system", "observations": ["runs cargo build in CI", "ships the release binary"]},
        {"name": "Lisbon", "entityType": "city", "observations": ["capital of Portugal, by the Atlantic ocean"]}
    ]})
    .to_string()
}

/// A data dir whose config points at `pg`.
fn env_on(pg: &postgres::Server) -> Env {
    let env = Env::new();
    env.write("data/caxton.toml", &pg.config());
    env
}

#[test]
fn an_unknown_backend_is_a_config_error_naming_the_file() {
    let env = Env::new();
    let file = env.write("data/caxton.toml", "[memory]\nbackend = \"postgress\"\n");
    let r = env.run(&["memory", "status", "--json"]).code(3);
    let e = error_json(&r);
    assert_eq!(e["error"]["code"], "invalid_config", "{e}");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("memory.backend"), "{msg}");
    assert!(msg.contains("postgress"), "{msg}");
    assert!(msg.contains(&file.display().to_string()), "{msg}");
    let hint = e["error"]["hint"].as_str().unwrap();
    assert!(hint.contains("embedded, postgres, qdrant"), "{hint}");
    assert!(hint.contains("did you mean \"postgres\""), "{hint}");

    // Accepted-but-ignored is a defect: postgres or qdrant without a URL
    // are refused too.
    env.write("data/caxton.toml", "[memory]\nbackend = \"postgres\"\n");
    let r = env.run(&["memory", "status"]).code(3);
    assert!(r.stderr.contains("memory.postgres.url"), "{}", r.stderr);
    env.write("data/caxton.toml", "[memory]\nbackend = \"qdrant\"\n");
    let r = env.run(&["memory", "status"]).code(3);
    assert!(r.stderr.contains("memory.qdrant.url"), "{}", r.stderr);
    // The embedded default still works, and health names it.
    env.write("data/caxton.toml", "[memory]\nbackend = \"embedded\"\n");
    let s = env.run(&["memory", "status", "--json"]).ok().json();
    assert_eq!(s["backend"], "embedded");
}

#[test]
fn the_postgres_password_is_never_printed() {
    let env = Env::new();
    // Port 1 on loopback: nothing listens, the connection is refused.
    env.write(
        "data/caxton.toml",
        "[memory]\nbackend = \"postgres\"\n[memory.postgres]\nurl = \"postgres://caxton:s3cret-pw@127.0.0.1:1/mem\"\nconnect_timeout = \"2s\"\n",
    );
    let show = env.run(&["config", "show"]).ok();
    assert!(!show.all().contains("s3cret-pw"), "{}", show.all());
    assert!(
        show.stdout
            .contains("postgres://caxton:********@127.0.0.1:1/mem"),
        "{}",
        show.stdout
    );
    let r = env.run(&["memory", "read-graph"]).code(1);
    assert!(!r.all().contains("s3cret-pw"), "{}", r.all());
    assert!(
        r.stderr
            .contains("PostgreSQL at postgres://caxton:********@127.0.0.1:1/mem"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("cannot connect"), "{}", r.stderr);

    // The environment variable sets it too, and is masked the same way.
    let mut c = env.cmd();
    c.env(
        "CAXTON_MEMORY_POSTGRES_URL",
        "host=127.0.0.1 port=1 user=u password=other-secret dbname=m",
    )
    .args(["config", "show", "--json"]);
    let out = crate::common::finish(c.output().unwrap()).ok();
    assert!(!out.all().contains("other-secret"), "{}", out.all());
    assert!(out.stdout.contains("password=********"), "{}", out.stdout);
}

#[test]
fn the_graph_and_search_run_on_postgres_and_are_shared() {
    let Some(pg) = postgres::start() else { return };
    let env = env_on(&pg);
    env.run_stdin(&["memory", "create-entities", "--no-embed"], &seed_json())
        .ok();
    let rel = json!({"relations": [{"from": "Tom", "to": "Lisbon", "relationType": "lives_in"}]});
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

    // The rows are in PostgreSQL, not in the data dir's SQLite store.
    assert_eq!(pg.psql("SELECT count(*) FROM memory_entities"), "3");
    assert_eq!(pg.psql("SELECT count(*) FROM memory_observations"), "6");
    assert_eq!(pg.psql("SELECT version FROM caxton_schema"), "1");

    // A second data dir on the same server sees the same memory.
    let other = env_on(&pg);
    let g = other.run(&["memory", "read-graph"]).ok().json();
    assert_eq!(g["entities"].as_array().unwrap().len(), 3, "{g}");
    assert_eq!(g["entities"][2]["name"], "Tom");
    assert_eq!(
        g["entities"][2]["observations"],
        json!(["cats purr when content", "sleeps on the sofa", "likes tuna"])
    );
    assert_eq!(
        g["relations"],
        json!([{"from": "Tom", "to": "Lisbon", "relationType": "lives_in"}])
    );

    let found = other
        .run_stdin(&["memory", "search-nodes"], r#"{"query": "tuna"}"#)
        .ok()
        .json();
    assert_eq!(found["entities"][0]["name"], "Tom", "{found}");
    let hood = other
        .run(&["memory", "graph", "Lisbon", "--depth", "1"])
        .ok()
        .json();
    assert_eq!(hood["entities"].as_array().unwrap().len(), 2, "{hood}");

    // Keyword search (nothing embedded yet): same result shape as embedded.
    let s = other
        .run(&["memory", "search", "purr", "--json"])
        .ok()
        .json();
    assert_eq!(s["pending_embeddings"], 6, "{s}");
    assert_eq!(s["results"][0]["name"], "Tom", "{s}");
    assert_eq!(s["results"][0]["matched"], "cats purr when content", "{s}");

    // Scopes: an agent's memory is private to it.
    env.run_stdin(
        &["memory", "create-entities", "--no-embed", "--scope", "agent", "--agent", "alice"],
        r#"{"entities": [{"name": "Secret", "entityType": "note", "observations": ["alice's plan"]}]}"#,
    )
    .ok();
    let bob = other
        .run(&["memory", "read-graph", "--agent", "bob"])
        .ok()
        .json();
    assert!(!bob.to_string().contains("Secret"), "{bob}");
    let alice = other
        .run(&["memory", "read-graph", "--agent", "alice"])
        .ok()
        .json();
    assert!(alice.to_string().contains("Secret"), "{alice}");

    let st = other.run(&["memory", "status", "--json"]).ok().json();
    assert_eq!(st["backend"], "postgres", "{st}");
    assert_eq!(st["entities"], 4, "{st}");
    assert_eq!(st["relations"], 1, "{st}");
    let u = other.run(&["memory", "usage", "--percentage"]).ok();
    assert_eq!(u.stdout.trim(), "0");

    if have_model() {
        let r = other.run(&["memory", "reindex", "--json"]).ok().json();
        assert_eq!(r["embedded"], 7, "{r}");
        assert_eq!(r["pending"], 0, "{r}");
        let j = env
            .run(&["memory", "search", "feline pets", "--json"])
            .ok()
            .json();
        assert_eq!(j["mode"], "hybrid", "{j}");
        assert_eq!(j["pending_embeddings"], 0);
        assert_eq!(j["results"][0]["name"], "Tom", "{j}");
        assert_eq!(j["results"][0]["mode"], "semantic", "{j}");
        let top = j["results"][0]["score"].as_f64().unwrap();
        let next = j["results"][1]["score"].as_f64().unwrap();
        assert!(top > next, "{j}");
    }

    let d = other
        .run_stdin(
            &["memory", "delete-entities"],
            r#"{"entityNames": ["Lisbon"]}"#,
        )
        .ok()
        .json();
    assert_eq!(d["deleted"], 1);
    assert_eq!(pg.psql("SELECT count(*) FROM memory_relations"), "0");
}

#[test]
fn a_schema_from_a_newer_caxton_is_refused() {
    let Some(pg) = postgres::start() else { return };
    let env = env_on(&pg);
    env.run(&["memory", "read-graph"]).ok();
    pg.psql("UPDATE caxton_schema SET version = 99");
    let r = env.run(&["memory", "read-graph", "--json"]).code(1);
    let e = error_json(&r);
    assert_eq!(e["error"]["code"], "backend_error", "{e}");
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("version 99") && msg.contains("newer Caxton"),
        "{msg}"
    );
    // Nothing was written: still the one table set, still version 99.
    assert_eq!(pg.psql("SELECT version FROM caxton_schema"), "99");
}

#[test]
fn commands_for_the_embedded_store_say_so_on_postgres() {
    let Some(pg) = postgres::start() else { return };
    let env = env_on(&pg);
    for args in [
        &["memory", "optimize", "--json"][..],
        &["memory", "cleanup", "--json"],
        &["memory", "stats", "--json"],
        &["memory", "cache-clear", "--json"],
        &["memory", "emergency-diagnosis", "--json"],
    ] {
        let r = env.run(args).code(2);
        let e = error_json(&r);
        assert_eq!(
            e["error"]["code"], "unsupported_by_backend",
            "{args:?}: {e}"
        );
        assert!(
            e["error"]["hint"].as_str().unwrap().contains("VACUUM"),
            "{e}"
        );
    }
}

#[test]
fn two_embedders_at_once_embed_every_observation_exactly_once() {
    if !have_model() {
        return;
    }
    let Some(pg) = postgres::start() else { return };
    let (a, b) = (env_on(&pg), env_on(&pg));
    let entities: Vec<_> = (0..40)
        .map(|i| {
            json!({"name": format!("e{i}"), "entityType": "note",
                   "observations": (0..5).map(|j| format!("note {j} about topic {i}")).collect::<Vec<_>>()})
        })
        .collect();
    a.run_stdin(
        &["memory", "create-entities", "--no-embed"],
        &json!({ "entities": entities }).to_string(),
    )
    .ok();
    // Two data dirs: each `reindex` holds only its own dir's lock, so the
    // two processes really embed the same backlog at the same time.
    let spawn = |env: &Env| {
        env.cmd()
            .args(["memory", "reindex", "--json"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (ca, cb) = (spawn(&a), spawn(&b));
    let ra = crate::common::finish(ca.wait_with_output().unwrap())
        .ok()
        .json();
    let rb = crate::common::finish(cb.wait_with_output().unwrap())
        .ok()
        .json();
    let total = ra["embedded"].as_u64().unwrap() + rb["embedded"].as_u64().unwrap();
    assert_eq!(total, 200, "each observation embedded once: {ra} {rb}");
    assert_eq!(
        pg.psql("SELECT count(*) FROM memory_observations WHERE embedding IS NULL"),
        "0"
    );
}

/// Import loads each batch with one statement per table: an entity twice in
/// one document is created once and gains both sets of observations, a
/// re-import adds nothing, an existing entity gains only what it lacks,
/// relations resolve their ends by (scope, scope id, name), and a relation
/// whose end does not exist fails naming it, adding no relation.
#[test]
fn import_into_postgres_merges_like_the_embedded_store() {
    let Some(pg) = postgres::start() else { return };
    let env = env_on(&pg);
    let entity = |name: &str, scope: &str, scope_id: &str, obs: &[&str]| {
        json!({"name": name, "entityType": "note", "scope": scope, "scopeId": scope_id,
               "metadata": {"k": name}, "createdBy": "test", "createdAt": 5, "updatedAt": 6,
               "observations": obs.iter().map(|c| json!({"content": c, "createdBy": "test", "createdAt": 5})).collect::<Vec<_>>()})
    };
    let relation = |from: &str, to: &str, to_scope: &str, to_id: &str| {
        json!({"from": {"name": from, "scope": "global", "scopeId": ""},
               "to": {"name": to, "scope": to_scope, "scopeId": to_id},
               "relationType": "knows", "strength": 0.25, "metadata": {"why": "test"}, "createdBy": "test", "createdAt": 7})
    };
    let doc = |entities: Vec<serde_json::Value>, relations: Vec<serde_json::Value>| {
        json!({"format": "caxton-memory", "version": 1, "entities": entities, "relations": relations}).to_string()
    };
    let first = env.write(
        "first.json",
        &doc(
            vec![
                entity(
                    "Ada",
                    "global",
                    "",
                    &["wrote the first program", "liked poetry"],
                ),
                entity(
                    "Ada",
                    "agent",
                    "bot",
                    &["a different Ada, in one agent's scope"],
                ),
                entity(
                    "Ada",
                    "global",
                    "",
                    &["liked poetry", "worked with Babbage"],
                ),
                entity("Babbage", "global", "", &["designed the engine"]),
            ],
            vec![
                relation("Ada", "Babbage", "global", ""),
                relation("Babbage", "Ada", "agent", "bot"),
                relation("Ada", "Babbage", "global", ""),
            ],
        ),
    );
    // (entities, observations, relations) an import of `file` added.
    let import = |file: &std::path::Path| {
        let r = env
            .run(&["memory", "import", "--json", file.to_str().unwrap()])
            .ok()
            .json();
        let n = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("{r}"));
        (n("entities"), n("observations"), n("relations"))
    };
    assert_eq!(import(&first), (3, 5, 2));
    assert_eq!(pg.psql("SELECT count(*) FROM memory_entities"), "3");
    assert_eq!(
        pg.psql(
            "SELECT string_agg(o.content, '|' ORDER BY o.content) FROM memory_observations o
             JOIN memory_entities e ON e.id = o.entity_id WHERE e.name = 'Ada' AND e.scope = 'global'"
        ),
        "liked poetry|worked with Babbage|wrote the first program"
    );
    assert_eq!(
        pg.psql(
            "SELECT f.name || '>' || t.scope || ':' || t.scope_id || ' ' || r.strength || ' ' || r.metadata::text
             FROM memory_relations r JOIN memory_entities f ON f.id = r.from_id JOIN memory_entities t ON t.id = r.to_id
             WHERE f.name = 'Babbage'"
        ),
        "Babbage>agent:bot 0.25 {\"why\": \"test\"}"
    );
    // The same document again: nothing new.
    assert_eq!(import(&first), (0, 0, 0));
    // An existing entity gains only the observation it lacks; a relation to
    // an entity that exists nowhere fails with its name and adds nothing.
    let second = env.write(
        "second.json",
        &doc(
            vec![entity(
                "Babbage",
                "global",
                "",
                &["designed the engine", "built the difference engine"],
            )],
            vec![
                relation("Babbage", "Ada", "global", ""),
                relation("Ada", "Lovelace", "global", ""),
            ],
        ),
    );
    let r = env
        .run(&["memory", "import", "--json", second.to_str().unwrap()])
        .code(4);
    let e = error_json(&r);
    assert_eq!(e["error"]["code"], "entity_not_found", "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("Lovelace"),
        "{e}"
    );
    assert_eq!(pg.psql("SELECT count(*) FROM memory_relations"), "2");
}

#[test]
fn import_into_postgres_honours_max_entities_and_writes_nothing_when_full() {
    let Some(pg) = postgres::start() else { return };
    let env = Env::new();
    env.write(
        "data/caxton.toml",
        &pg.config()
            .replace("[memory]\n", "[memory]\nmax_entities = 3\n"),
    );
    let count = |table: &str| {
        pg.psql(&format!("SELECT count(*) FROM {table}"))
            .parse()
            .unwrap()
    };
    crate::common::check_import_honours_max_entities(&env, &|| {
        (count("memory_entities"), count("memory_observations"))
    });
}

/// An export document of `n` entities (3 observations each, with
/// deterministic unit vectors, so no model is needed) and a relation chain.
fn document(n: usize) -> String {
    use base64::Engine as _;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut vector = || {
        let v: Vec<f32> = (0..384)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((seed >> 40) as f32 / (1u64 << 24) as f32) - 0.5
            })
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let bytes: Vec<u8> = v.iter().flat_map(|x| (x / norm).to_le_bytes()).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    let entities: Vec<_> = (0..n)
        .map(|i| {
            json!({"name": format!("entity-{i:05}"), "entityType": "note", "scope": "global", "scopeId": "",
                   "metadata": {}, "createdBy": "test", "createdAt": 1000 + i, "updatedAt": 2000 + i,
                   "observations": (0..3).map(|j| json!({"content": format!("fact {j} of item {i} mentions topic{}", i % 17),
                       "createdBy": "test", "createdAt": 1000 + i, "embedding": vector()})).collect::<Vec<_>>()})
        })
        .collect();
    let relations: Vec<_> = (1..n.min(50))
        .map(|i| {
            json!({"from": {"name": format!("entity-{:05}", i - 1), "scope": "global", "scopeId": ""},
                   "to": {"name": format!("entity-{i:05}"), "scope": "global", "scopeId": ""},
                   "relationType": "next", "strength": 0.5, "metadata": {}, "createdBy": "test", "createdAt": 7})
        })
        .collect();
    json!({"format": "caxton-memory", "version": 1, "entities": entities, "relations": relations})
        .to_string()
}

fn backend_in(env: &Env) -> String {
    env.run(&["memory", "status", "--json"]).ok().json()["backend"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn migrate_to_postgres_resumes_after_kill_verifies_and_switches_then_back() {
    let Some(pg) = postgres::start() else { return };
    let env = Env::new();
    let config = env.write(
        "data/caxton.toml",
        &format!(
            "# operator's notes stay\n[server]\nport = 7031\n\n[memory.postgres]\nurl = \"{}\"\n",
            pg.url
        ),
    );
    let n = 1500;
    let doc = env.write("doc.json", &document(n));
    env.run(&["memory", "import", doc.to_str().unwrap()]).ok();
    let before = env.run(&["memory", "export", "--embeddings"]).ok().stdout;
    assert_eq!(backend_in(&env), "embedded");

    // kill -9 halfway through the copy (small batches: many commits).
    let mut child = env
        .cmd()
        .args([
            "memory",
            "migrate",
            "--to",
            "postgres",
            "--batch-size",
            "5",
            "--sample-queries",
            "5",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let copied = loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the copy never started"
        );
        // The table appears with the schema; until then nothing is copied
        // (a query naming a missing table fails even in an untaken branch).
        let exists = pg.psql("SELECT to_regclass('memory_entities') IS NOT NULL") == "t";
        let n: usize = if exists {
            pg.psql("SELECT count(*) FROM memory_entities")
                .parse()
                .unwrap()
        } else {
            0
        };
        if n > 0 {
            break n;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    let partial: usize = pg
        .psql("SELECT count(*) FROM memory_entities")
        .parse()
        .unwrap();
    assert!(
        partial >= copied && partial < n,
        "killed after {partial} of {n}"
    );
    // Not verified: the embedded store still serves, the config is untouched.
    assert_eq!(backend_in(&env), "embedded");
    assert!(
        !std::fs::read_to_string(&config)
            .unwrap()
            .contains("backend")
    );

    let r = env
        .run(&[
            "memory",
            "migrate",
            "--to",
            "postgres",
            "--sample-queries",
            "20",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(r["verified"], true, "{r}");
    assert_eq!(r["report"]["resumed"], true, "{r}");
    assert_eq!(r["report"]["identical"], true, "{r}");
    assert_eq!(r["report"]["queries_equal"], 20, "{r}");
    assert_eq!(r["report"]["copied"]["entities"], n - partial, "{r}");
    // No duplicates: exactly the source's rows.
    assert_eq!(
        pg.psql("SELECT count(*) FROM memory_entities"),
        n.to_string()
    );
    assert_eq!(
        pg.psql("SELECT count(*) FROM memory_observations"),
        (3 * n).to_string()
    );
    assert_eq!(
        pg.psql("SELECT count(*) FROM memory_observations WHERE embedding IS NOT NULL"),
        (3 * n).to_string()
    );
    assert_eq!(pg.psql("SELECT count(*) FROM memory_relations"), "49");
    // The switch kept the operator's file and set the backend.
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.starts_with("# operator's notes stay\n[server]\nport = 7031\n"),
        "{text}"
    );
    assert!(
        text.contains("[memory]\nbackend = \"postgres\"\n")
            || text.contains("backend = \"postgres\""),
        "{text}"
    );
    assert_eq!(backend_in(&env), "postgres");
    // Byte-identical round trip, vectors included.
    let after = env.run(&["memory", "export", "--embeddings"]).ok().stdout;
    assert!(
        after == before,
        "the export from PostgreSQL differs from the embedded one"
    );

    // Back: the embedded store still holds the old copy, which is refused
    // without --replace (it is not from this migration).
    let r = env
        .run(&["memory", "migrate", "--to", "embedded", "--json"])
        .code(2);
    assert!(r.stderr.contains("--replace"), "{}", r.stderr);
    env.run_stdin(&["memory", "add-observations", "--no-embed"], r#"{"observations": [{"entityName": "entity-00001", "contents": ["written on postgres"]}]}"#)
        .ok();
    let r = env
        .run(&[
            "memory",
            "migrate",
            "--to",
            "embedded",
            "--replace",
            "--sample-queries",
            "10",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(r["verified"], true, "{r}");
    assert_eq!(backend_in(&env), "embedded");
    let g = env
        .run_stdin(&["memory", "open-nodes"], r#"{"names": ["entity-00001"]}"#)
        .ok()
        .json();
    assert!(g.to_string().contains("written on postgres"), "{g}");
}

#[test]
fn two_daemons_share_one_memory_and_ride_out_a_database_outage() {
    use crate::daemon::{poll, start};
    let Some(mut pg) = postgres::start() else {
        return;
    };
    let (a, b) = (env_on(&pg), env_on(&pg));
    let (da, db) = (start(&a, &[]), start(&b, &[]));
    for d in [&da, &db] {
        let (s, h) = d.get("/api/v1/health");
        assert_eq!(
            (s, h["memory_backend"].as_str()),
            (200, Some("postgres")),
            "{h}"
        );
        assert_eq!(h["status"], "healthy", "{h}");
    }
    let body = json!({"entities": [{"name": "Zebra", "entityType": "animal", "observations": ["striped grazer of the savanna"]}]});
    let (s, v, _) = da.post("/api/v1/memory/entities", &body.to_string());
    assert_eq!(s, 201, "{v}");
    // Found through the other daemon (no cache to wait for: one database).
    let found = poll("the write through the other daemon", || {
        let (s, v, _) = db.post("/api/v1/memory/search", r#"{"query": "striped"}"#);
        (s == 200 && v["results"][0]["name"] == "Zebra").then_some(v)
    });
    assert_eq!(
        found["results"][0]["matched"], "striped grazer of the savanna",
        "{found}"
    );

    pg.outage(|| {
        let (s, h) = poll("degraded health", || {
            let (s, h) = da.get("/api/v1/health");
            (h["status"] == "degraded").then_some((s, h))
        });
        assert_eq!(s, 200, "liveness stays 200: {h}");
        let (_, m) = da.get("/api/v1/health/memory");
        assert_eq!(m["backend"], "postgres", "{m}");
        assert_ne!(m["backend_status"], "ok", "{m}");
        // A write while the database is down fails (it is not acknowledged).
        let (s, v, _) = db.post(
            "/api/v1/memory/entities",
            &json!({"entities": [{"name": "Lost", "entityType": "x"}]}).to_string(),
        );
        assert_eq!(s, 502, "{v}");
        assert_eq!(v["error"]["code"], "backend_error", "{v}");
    });
    // Both recover on their own once the server is back.
    for d in [&da, &db] {
        poll("healthy again", || {
            (d.get("/api/v1/health").1["status"] == "healthy").then_some(())
        });
    }
    let (s, v, _) = db.post(
        "/api/v1/memory/entities",
        &json!({"entities": [{"name": "Okapi", "entityType": "animal", "observations": ["forest giraffe"]}]}).to_string(),
    );
    assert_eq!(s, 201, "{v}");
    let (_, g) = da.get("/api/v1/memory/graph");
    let names: Vec<&str> = g["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Okapi", "Zebra"], "{g}");
}
