//! Messaging benchmarks (issue 8): the routing decision with 1,000 agents
//! and 100 capabilities, and persisted message throughput (store + route +
//! deliver to a trivial WASM agent + store the reply) with its latency.
//! Run: `cargo bench --bench messaging`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{figure, percentile, scaled};

use caxton::Caxton;
use caxton::agent::wasm::{self, DeployRequest};
use caxton::config::Overrides;
use caxton::messaging::{
    AgentInfo, AgentKind, BreakerPolicy, Messenger, NewMessage, Registry, Route,
};

/// A small deterministic generator (xorshift64*), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn us(d: Duration) -> String {
    format!("{:.2} µs", d.as_secs_f64() * 1e6)
}

fn routing() {
    const AGENTS: usize = 1000;
    const CAPABILITIES: usize = 100;
    let mut rng = Rng(0x5eed);
    let agents = (0..AGENTS)
        .map(|i| AgentInfo {
            id: format!("agent-{i:04}"),
            kind: if i % 2 == 0 {
                AgentKind::Wasm
            } else {
                AgentKind::Config
            },
            // Three capabilities each: about 30 providers per capability.
            capabilities: (0..3)
                .map(|_| format!("capability-{:03}", rng.below(CAPABILITIES)))
                .collect(),
        })
        .collect();
    let t = Instant::now();
    let reg = Registry::build(agents, None);
    let build = t.elapsed();
    let policy = BreakerPolicy {
        failures: 3,
        cooldown_ms: 30_000,
    };
    // Some agents busy, some breakers open, like a loaded server.
    for (i, s) in reg.slots().iter().enumerate() {
        s.live.in_flight.store((i % 4) as u32, Ordering::Relaxed);
        if i % 10 == 0 {
            for _ in 0..3 {
                s.live.breaker().record(false, 0, &policy);
            }
        }
    }
    let names: Vec<String> = reg.capabilities().to_vec();
    let n = scaled(1_000_000, 20_000);
    let mut times = Vec::with_capacity(n);
    let mut routed = 0;
    for k in 0..n {
        let cap = &names[rng.below(names.len())];
        // A third of the decisions continue a conversation with 2 agents.
        let participants = if k % 3 == 0 {
            [rng.below(AGENTS), rng.below(AGENTS)]
        } else {
            [usize::MAX, usize::MAX]
        };
        let t = Instant::now();
        let r = reg.route(cap, &participants, &[], 1_000, &policy);
        times.push(t.elapsed());
        routed += usize::from(matches!(r, Route::Agent(_)));
    }
    times.sort();
    println!(
        "routing decision, {AGENTS} agents / {} capabilities ({n} decisions, {routed} routed; registry built in {:.2} ms):",
        names.len(),
        build.as_secs_f64() * 1e3
    );
    println!(
        "  p50 {}  p99 {}  p99.9 {}  max {}",
        us(percentile(&times, 0.5)),
        us(percentile(&times, 0.99)),
        us(percentile(&times, 0.999)),
        us(*times.last().unwrap())
    );
    figure(
        "messaging.routing_p50",
        percentile(&times, 0.5).as_secs_f64() * 1e6,
        "us",
    );
}

fn trivial_agent() -> Vec<u8> {
    common::wat_abi::abi_module(r#"(data (i32.const 0) "{\"ok\":true}")"#, "i64.const 11")
}

fn request(i: usize) -> NewMessage {
    NewMessage {
        performative: "request".into(),
        sender: Some("bench".into()),
        capability: Some("echo".into()),
        content: serde_json::Value::String(format!("message {i}")),
        ..Default::default()
    }
}

fn throughput(workers: usize) {
    let scaled_n = scaled(40_000, 1_000);
    let dir = tempfile::tempdir().unwrap();
    let cx = Caxton::open(&Overrides {
        data_dir: Some(dir.path().to_path_buf()),
        agents_dir: Some(dir.path().join("agents")),
        ..Default::default()
    })
    .unwrap();
    let rt = Arc::new(wasm::runtime(&cx));
    let module = trivial_agent();
    // Two agents offer `echo`: the sandbox lets one agent hold at most
    // workers - 1 slots, so one agent alone could not use both cores.
    for name in ["echo-1", "echo-2"] {
        wasm::deploy(
            &cx,
            &rt,
            &DeployRequest {
                name,
                module: &module,
                max_memory_bytes: None,
                max_cpu_millis: None,
                max_execution_time_ms: None,
                capabilities: vec!["echo".into()],
                security_policy: Default::default(),
                plugin: None,
                source: "bench",
            },
        )
        .unwrap();
    }
    let m = Messenger::open(&cx, rt).unwrap();

    // Unloaded: one message at a time, send → reply stored.
    let mut single: Vec<Duration> = (0..scaled(1000, 100))
        .map(|i| {
            let t = Instant::now();
            let sent = m.send(request(i)).unwrap();
            m.wait_reply(&sent.message, Duration::from_secs(10))
                .unwrap()
                .expect("a reply");
            t.elapsed()
        })
        .collect();
    single.sort();

    // Loaded: a producer keeps the queue fed in batches of 64, `workers`
    // threads deliver; each message is committed before it is queued.
    let n = scaled_n;
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (m, stop) = (m.clone(), stop.clone());
            std::thread::spawn(move || m.work(&stop).unwrap())
        })
        .collect();
    let t = Instant::now();
    let mut sent = 0;
    while sent < n {
        if m.queued() < 512 {
            let batch: Vec<NewMessage> = (sent..(sent + 64).min(n)).map(request).collect();
            sent += batch.len();
            m.send_many(batch).unwrap();
        } else {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    while m.pending().unwrap() > 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let elapsed = t.elapsed();
    stop.store(true, Ordering::Relaxed);
    handles.into_iter().for_each(|h| h.join().unwrap());

    // Latency under load from the store: created (stored) → delivered.
    let db = rusqlite::Connection::open(dir.path().join("caxton.db")).unwrap();
    let mut lat: Vec<i64> = db
        .prepare(
            "SELECT delivered_at - created_at FROM messages
             WHERE sender = 'bench' AND state = 'delivered' ORDER BY seq DESC LIMIT ?1",
        )
        .unwrap()
        .query_map([n as i64], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];
    println!(
        "persisted messages (store + route + deliver to a trivial WASM agent + store reply), {workers} worker(s):"
    );
    println!(
        "  {n} messages in {:.2} s = {:.0} messages/s; latency stored→delivered p50 {} ms, p99 {} ms, max {} ms",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        pct(0.5),
        pct(0.99),
        lat.last().unwrap()
    );
    println!(
        "  one at a time (send → reply stored): p50 {}  p99 {}",
        us(percentile(&single, 0.5)),
        us(percentile(&single, 0.99))
    );
    figure(
        &format!("messaging.persisted.{workers}_workers"),
        elapsed.as_secs_f64() * 1e6 / n as f64,
        "us/message",
    );
    figure(
        &format!("messaging.single_p50.{workers}_workers"),
        percentile(&single, 0.5).as_secs_f64() * 1e6,
        "us",
    );
}

fn main() {
    routing();
    throughput(2);
    throughput(1);
}
