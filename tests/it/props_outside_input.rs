//! Property tests (issue 13): the parsers that take outside input never
//! panic, whatever they are given — agent TOML, the server config, memory
//! import JSON/JSONL, messages, and REST bodies sent to a real daemon.
//! Inputs are built from the real field names and value shapes, mutated,
//! plus raw bytes. `PROPTEST_CASES` raises the case counts (`scripts/fuzz`);
//! without it each property runs a bounded number of cases.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use crate::common::Env;
use crate::daemon::start;

/// `default` cases unless `PROPTEST_CASES` says otherwise; no files written.
fn runner(default: u32) -> TestRunner {
    let mut c = Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = default;
    }
    c.failure_persistence = None;
    TestRunner::new(c)
}

/// A scalar in any of the shapes TOML and JSON inputs use, edge values included.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![Just(0u64), Just(u64::MAX), Just(1 << 53)].prop_map(Value::from),
        prop_oneof![Just(1e19), Just(-1.0), Just(1e-9), Just(f64::MAX)].prop_map(|f| json!(f)),
        "[ -~]{0,24}".prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("30s"),
            Just("0s"),
            Just("1e19s"),
            Just("-1s"),
            Just("99999999999y")
        ]
        .prop_map(Value::from),
    ]
}

/// A JSON value up to a few levels deep, with keys from `keys` (or any).
fn value(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(keys).prop_map(String::from),
                        "[a-z_]{1,8}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A TOML value for `v`, or None when TOML cannot say it (null).
fn toml_value(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => return None,
        Value::String(s) => format!("{s:?}"),
        Value::Array(a) => format!(
            "[{}]",
            a.iter()
                .filter_map(toml_value)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(o) => format!(
            "{{ {} }}",
            o.iter()
                .filter_map(|(k, v)| toml_value(v).map(|v| format!("{k:?} = {v}")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    })
}

/// TOML text: `key = value` lines under the given tables, then mutated by
/// cutting or duplicating a slice (unterminated strings, repeated keys).
fn toml_text(
    tables: &'static [&'static str],
    keys: &'static [&'static str],
) -> impl Strategy<Value = String> {
    let line = (
        prop::sample::select(tables),
        prop::sample::select(keys),
        value(keys),
    );
    (prop::collection::vec(line, 0..10), any::<(u16, u16, u8)>()).prop_map(
        |(lines, (a, b, how))| {
            let mut text = String::new();
            for (table, key, v) in lines {
                if !table.is_empty() {
                    text.push_str(&format!("[{table}]\n"));
                }
                if let Some(v) = toml_value(&v) {
                    text.push_str(&format!("{key} = {v}\n"));
                }
            }
            mutate(text, a, b, how)
        },
    )
}

/// `text` as is, with a slice cut out, or with a slice repeated.
fn mutate(text: String, a: u16, b: u16, how: u8) -> String {
    let cut = |n: u16| {
        let mut i = n as usize % (text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (x, y) = (cut(a).min(cut(b)), cut(a).max(cut(b)));
    match how % 3 {
        0 => text,
        1 => format!("{}{}", &text[..x], &text[y..]),
        _ => format!("{}{}{}", &text[..y], &text[x..y], &text[y..]),
    }
}

const AGENT_KEYS: &[&str] = &[
    "name",
    "version",
    "description",
    "capabilities",
    "tools",
    "system_prompt",
    "user_prompt_template",
    "max_iterations",
    "timeout",
    "provider",
    "model",
    "temperature",
    "max_tokens",
    "base_url",
    "scope",
    "parameters",
    "llm",
    "memory",
    "enabled",
    "schedule",
];

#[test]
fn agent_toml_never_panics() {
    let ctx = caxton::agent::validate::Context {
        mcp_servers: BTreeSet::from(["everything".to_string()]),
        mcp: None,
    };
    let text = toml_text(
        &["", "", "llm", "memory", "parameters", "tools.http_client"],
        AGENT_KEYS,
    );
    let bytes = prop_oneof![
        text.prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..256),
    ];
    runner(256)
        .run(&bytes, |b| {
            let report = caxton::agent::validate::validate_bytes(Path::new("fuzz.toml"), b, &ctx);
            // A report is always complete enough to render.
            let _ = (report.is_valid(), report.errors().count());
            Ok(())
        })
        .unwrap();
}

const CONFIG_TABLES: &[&str] = &[
    "server",
    "llm",
    "llm.providers.openai",
    "memory",
    "memory.qdrant",
    "runtime",
    "messaging",
    "observability",
    "mcp.servers.x",
    "mcp.servers.x.env",
    "",
];
const CONFIG_KEYS: &[&str] = &[
    "host",
    "port",
    "metrics_port",
    "data_dir",
    "agents_dir",
    "shutdown_timeout",
    "auth_token",
    "auth_token_file",
    "max_body_bytes",
    "request_timeout",
    "allowed_hosts",
    "max_connections",
    "header_read_timeout",
    "provider",
    "model",
    "providers",
    "backend",
    "max_entities",
    "semantic_threshold",
    "agent_timeout",
    "max_concurrent_executions",
    "wasm_workers",
    "wasm_max_memory_bytes",
    "max_message_bytes",
    "max_depth",
    "max_conversation_messages",
    "max_sends_per_delivery",
    "max_queued_messages",
    "breaker_cooldown",
    "log_level",
    "log_format",
    "command",
    "args",
    "env",
    "timeout",
    "GITHUB_TOKEN",
];

#[test]
fn server_config_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let env_vars = prop::collection::vec(
        (
            prop::sample::select(
                &[
                    "CAXTON_SERVER_PORT",
                    "CAXTON_MESSAGING_MAX_DEPTH",
                    "CAXTON_SERVER_HOST",
                    "CAXTON_SERVER_ALLOWED_HOSTS",
                    "X",
                ][..],
            ),
            "[ -~]{0,16}",
        ),
        0..3,
    );
    let case = (toml_text(CONFIG_TABLES, CONFIG_KEYS), env_vars);
    runner(128)
        .run(&case, |(text, vars)| {
            std::fs::write(dir.path().join("caxton.toml"), &text).unwrap();
            let ov = caxton::config::Overrides {
                data_dir: Some(dir.path().join("data")),
                ..Default::default()
            };
            let env = |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
            if let Ok(loaded) = caxton::config::load(&ov, &env, dir.path()) {
                // What `config show` prints is built for every loaded config.
                let _ = loaded.settings();
            }
            Ok(())
        })
        .unwrap();
}

const MEMORY_KEYS: &[&str] = &[
    "format",
    "version",
    "entities",
    "relations",
    "observations",
    "name",
    "entityType",
    "entity_type",
    "from",
    "to",
    "relationType",
    "relation_type",
    "embedding",
    "scope",
    "type",
    "created_at",
    "contents",
];

#[test]
fn memory_import_never_panics() {
    use caxton::memory::transfer::{Format, import, parse};
    let dir = tempfile::tempdir().unwrap();
    let store =
        std::cell::RefCell::new(caxton::store::Store::open(&dir.path().join("caxton.db")).unwrap());
    let entity = value(MEMORY_KEYS).prop_map(|v| match v {
        Value::Object(mut o) => {
            o.entry("type").or_insert(json!("entity"));
            Value::Object(o)
        }
        v => v,
    });
    let doc = prop_oneof![
        value(MEMORY_KEYS).prop_map(|v| (v.to_string(), Format::Json)),
        prop::collection::vec(entity, 0..6).prop_map(|lines| {
            let text: Vec<String> = lines.iter().map(Value::to_string).collect();
            (text.join("\n"), Format::Jsonl)
        }),
        (".{0,64}", any::<bool>())
            .prop_map(|(s, j)| (s, if j { Format::Json } else { Format::Jsonl })),
    ];
    runner(128)
        .run(&doc, |(text, format)| {
            if let Ok(d) = parse(&mut std::io::Cursor::new(text.as_bytes()), format) {
                let _ = import(&mut store.borrow_mut(), &d, u64::MAX);
            }
            Ok(())
        })
        .unwrap();
}

const MESSAGE_KEYS: &[&str] = &[
    "message_id",
    "performative",
    "sender",
    "receiver",
    "capability",
    "content",
    "conversation_id",
    "reply_with",
    "in_reply_to",
    "broadcast",
    "wait",
];

fn message() -> impl Strategy<Value = Value> {
    let performative = prop_oneof![
        prop::sample::select(
            &[
                "request",
                "INFORM",
                "query",
                "failure",
                "not_understood",
                "",
                "x"
            ][..]
        )
        .prop_map(Value::from),
        scalar(),
    ];
    (performative, value(MESSAGE_KEYS), scalar(), scalar()).prop_map(|(p, extra, cap, content)| {
        let mut m = match extra {
            Value::Object(o) => o,
            _ => Default::default(),
        };
        m.insert("performative".into(), p);
        m.entry("capability").or_insert(cap);
        m.entry("content").or_insert(content);
        Value::Object(m)
    })
}

#[test]
fn messages_never_panic() {
    runner(512)
        .run(&message(), |v| {
            if let Ok(new) = serde_json::from_value::<caxton::messaging::NewMessage>(v) {
                let _ = new.validate(1 << 10);
            }
            Ok(())
        })
        .unwrap();
}

/// Random bodies to every POST route of a real daemon: never a 5xx, and it
/// keeps answering. (Shutdown is left out: a valid body stops it.)
#[test]
fn rest_bodies_never_get_a_server_error() {
    let env = Env::new();
    let d = start(&env, &[]);
    const ROUTES: [&str; 9] = [
        "/api/v1/messages",
        "/api/v1/agents",
        "/api/v1/agents/nobody/execute",
        "/api/v1/agents/nobody/reload",
        "/api/v1/reload",
        "/api/v1/memory/search",
        "/api/v1/memory/entities",
        "/api/v1/memory/relations",
        "/api/v1/memory/observations",
    ];
    const KEYS: &[&str] = &[
        "performative",
        "capability",
        "content",
        "wait",
        "name",
        "type",
        "wasm_module",
        "resource_limits",
        "input",
        "query",
        "limit",
        "entities",
        "relations",
        "observations",
        "entityName",
        "contents",
        "observations",
        "from",
        "to",
        "relationType",
    ];
    let body = prop_oneof![
        message().prop_map(|v| v.to_string()),
        value(KEYS).prop_map(|v| v.to_string()),
        ".{0,40}",
    ];
    let checked = std::cell::Cell::new(0);
    runner(48)
        .run(
            &(prop::sample::select(&ROUTES[..]), body),
            |(route, body)| {
                let (status, v, _) = d.post(route, &body);
                prop_assert!(
                    status < 500 || status == 503 || status == 502,
                    "{route} {body}: {status} {v}"
                );
                checked.set(checked.get() + 1);
                Ok(())
            },
        )
        .unwrap();
    assert!(checked.get() > 0);
    assert_eq!(d.get("/api/v1/health").0, 200, "the daemon is alive");
}
