//! The daemon's serving path through the real binary: a WASM agent
//! redeployed while its executions run, and group-committed memory writes
//! that survive `kill -9` once acknowledged.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::Env;
use crate::daemon::{deploy_body, poll, spawn, spinning_module, start};

/// A module that spins `ms` milliseconds of wall time, then answers `{"v":N}`.
fn versioned_module(v: u8, ms: u64) -> Vec<u8> {
    spinning_module(ms, &format!(r#"{{"v":{v}}}"#))
}

#[test]
fn a_redeploy_while_executions_run_finishes_them_on_the_old_module() {
    let env = Env::new();
    let d = start(&env, &[]);
    let (s, v, _) = d.post(
        "/api/v1/agents",
        &deploy_body("swap", &versioned_module(1, 600)),
    );
    assert_eq!(s, 201, "{v}");
    let d = Arc::new(d);
    let running: Vec<_> = (0..3)
        .map(|_| {
            let d = d.clone();
            std::thread::spawn(move || d.post("/api/v1/agents/swap/execute", r#"{"input":{}}"#))
        })
        .collect();
    poll("executions in flight", || {
        let (_, h) = d.get("/api/v1/health/detailed");
        (h["executions_in_flight"].as_u64() >= Some(3)).then_some(())
    });
    let (s, v, _) = d.post(
        "/api/v1/agents",
        &deploy_body("swap", &versioned_module(2, 0)),
    );
    assert!(s == 200 || s == 201, "{v}");
    // The redeploy did not wait for them, and new executions use the new module...
    let (s, v, _) = d.post("/api/v1/agents/swap/execute", r#"{"input":{}}"#);
    assert_eq!((s, &v["output"]), (200, &json!({"v": 2})), "{v}");
    // ...while the ones already running finish on the old one.
    for t in running {
        let (s, v, _) = t.join().unwrap();
        assert_eq!((s, &v["output"]), (200, &json!({"v": 1})), "{v}");
    }
    // Their statistics reach the store (batched, written within milliseconds).
    let db = env.data().join("caxton.db");
    poll("4 executions recorded", || {
        let c = rusqlite::Connection::open(&db).ok()?;
        let n: i64 = c
            .query_row(
                "SELECT executions FROM wasm_stats WHERE agent_id = 'swap'",
                [],
                |r| r.get(0),
            )
            .ok()?;
        (n == 4).then_some(())
    });
}

#[test]
fn acknowledged_entity_writes_survive_kill_9() {
    let env = Env::new();
    let mut d = start(&env, &[]);
    let url = d.url.clone();
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (url, acked, stop) = (url.clone(), acked.clone(), stop.clone());
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .unwrap();
                for i in 0..100_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let name = format!("w{w}-{i}");
                    let body = json!({"entities": [
                        {"name": name, "entityType": "test", "observations": [format!("obs {name}")]}
                    ]});
                    // The daemon dies mid-request: a failed request was not acknowledged.
                    let Ok(resp) = http
                        .post(format!("{url}/api/v1/memory/entities"))
                        .header("content-type", "application/json")
                        .body(body.to_string())
                        .send()
                    else {
                        break;
                    };
                    if resp.status().as_u16() != 201 {
                        break;
                    }
                    let Ok(v) = resp.bytes().map(|b| serde_json::from_slice::<Value>(&b)) else {
                        break;
                    };
                    let v = v.expect("an acknowledgement is JSON");
                    assert_eq!(v["created"][0]["name"], json!(name), "{v}");
                    acked.lock().unwrap().push(name);
                }
            })
        })
        .collect();
    // Each write also embeds its observation when the model is installed:
    // a modest count keeps this inside the deadline on a loaded machine.
    poll("100 acknowledged writes", || {
        (acked.lock().unwrap().len() >= 100).then_some(())
    });
    d.child.kill().unwrap(); // SIGKILL while writes are in flight.
    d.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    writers.into_iter().for_each(|t| t.join().unwrap());
    let acked = acked.lock().unwrap().clone();
    let c = rusqlite::Connection::open(env.data().join("caxton.db")).unwrap();
    let mut q = c
        .prepare("SELECT count(*) FROM memory_entities e JOIN memory_observations o ON o.entity_id = e.id WHERE e.name = ?1")
        .unwrap();
    let lost: Vec<&String> = acked
        .iter()
        .filter(|n| q.query_row([n], |r| r.get::<_, i64>(0)).unwrap() != 1)
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged writes lost: {:?}",
        lost.len(),
        acked.len(),
        &lost[..lost.len().min(5)]
    );
    // And the daemon starts again on that store (kill -9 left its URL file).
    drop(d);
    std::fs::remove_file(env.data().join("run/caxton.url")).unwrap();
    let d2 = spawn(&env, &[]);
    poll("restart ready", || {
        (d2.get("/api/v1/ready").0 == 200).then_some(())
    });
}
