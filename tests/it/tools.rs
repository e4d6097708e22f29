//! Built-in tools through `caxton tools run`, as an operator and as an agent.

use crate::common::{Env, repo};
use std::io::{Read, Write};

#[test]
fn csv_parser_returns_column_stats() {
    let env = Env::new();
    let csv = env.write(
        "sales.csv",
        "region,units,price\nnorth,10,2.5\nsouth,7,3.0\neast,12,\n",
    );
    let args = format!(r#"{{"path": "{}"}}"#, csv.display());
    let j = env
        .run(&["tools", "run", "csv_parser", "--args", &args])
        .ok()
        .json();
    assert_eq!(j["rows"], 3);
    let cols = j["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 3);
    assert_eq!(cols[0]["name"], "region");
    assert_eq!(cols[0]["type"], "string");
    assert_eq!(cols[1]["type"], "integer");
    assert_eq!(cols[1]["min"], 7.0);
    assert_eq!(cols[1]["max"], 12.0);
    assert_eq!(cols[2]["type"], "float");
    assert_eq!(cols[2]["nulls"], 1);
    // Relative paths resolve against the working directory.
    env.run(&[
        "tools",
        "run",
        "csv_parser",
        "--args",
        r#"{"path": "sales.csv"}"#,
    ])
    .ok();
    let r = env
        .run(&[
            "tools",
            "run",
            "csv_parser",
            "--args",
            r#"{"path": "missing.csv"}"#,
        ])
        .code(4);
    assert!(r.stderr.contains("missing.csv"), "{}", r.stderr);
}

#[test]
fn chart_generator_writes_a_real_png() {
    let env = Env::new();
    let args = r#"{"chart_type": "bar", "title": "Units by region", "labels": ["north", "south", "east"],
                  "series": [{"name": "units", "values": [10, 7, 12]}], "format": "png", "output": "units.png"}"#;
    let j = env
        .run(&["tools", "run", "chart_generator", "--args", args])
        .ok()
        .json();
    let path = std::path::PathBuf::from(j["path"].as_str().unwrap());
    assert_eq!(path, env.path().join("output/units.png"));
    let img = image::open(&path).expect("a PNG that decodes").to_rgb8();
    assert_eq!((img.width(), img.height()), (800, 600));
    let first = img.get_pixel(0, 0);
    assert!(img.pixels().any(|p| p != first), "not a blank image");
    let svg = r#"{"chart_type": "pie", "title": "Share", "labels": ["a", "b"], "series": [{"name": "s", "values": [1, 3]}], "format": "svg", "output": "share.svg"}"#;
    env.run(&["tools", "run", "chart_generator", "--args", svg])
        .ok();
    let text = std::fs::read_to_string(env.path().join("output/share.svg")).unwrap();
    assert!(text.contains("<svg") && text.contains("Share"));
}

/// Serve one canned HTTP response on 127.0.0.1 (a real socket, for the
/// http_client tool's own policy checks).
fn serve_once(body: &'static str) -> (u16, std::thread::JoinHandle<()>) {
    serve_raw_once(format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ))
}

/// Serve `response` (status line, headers, body) to one connection.
fn serve_raw_once(response: String) -> (u16, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        s.write_all(response.as_bytes()).unwrap();
    });
    (port, handle)
}

#[test]
fn http_client_refuses_loopback_unless_allowed() {
    let env = Env::new();
    let (port, handle) = serve_once(r#"{"ok": true}"#);
    let args = format!(r#"{{"url": "http://127.0.0.1:{port}/status"}}"#);
    let r = env
        .run(&["tools", "run", "http_client", "--args", &args])
        .code(1);
    assert!(r.stderr.contains("loopback"), "{}", r.stderr);
    assert!(
        r.stderr.contains("allow_private_networks"),
        "hint: {}",
        r.stderr
    );
    let r = env
        .run(&[
            "tools",
            "run",
            "http_client",
            "--args",
            &args,
            "--tool-config",
            r#"{"allow_private_networks": true}"#,
        ])
        .ok();
    let j = r.json();
    assert_eq!(j["status"], 200);
    assert_eq!(j["json"]["ok"], true);
    handle.join().unwrap();
}

#[test]
fn json_processor_runs_jq_filters() {
    let env = Env::new();
    let args = r#"{"input": {"items": [{"price": 2}, {"price": 3}]}, "filter": ".items | map(.price) | add"}"#;
    let j = env
        .run(&["tools", "run", "json_processor", "--args", args])
        .ok()
        .json();
    assert_eq!(j["results"][0], 5);
    let bad = r#"{"input": {}, "filter": ".items | map("}"#;
    env.run(&["tools", "run", "json_processor", "--args", bad])
        .code(3);
}

#[test]
fn xlsx_reader_reads_sheets() {
    let env = Env::new();
    let file = repo().join("tests/fixtures/sales.xlsx");
    let args = format!(r#"{{"path": "{}"}}"#, file.display());
    let j = env
        .run(&["tools", "run", "xlsx_reader", "--args", &args])
        .ok()
        .json();
    assert_eq!(j["sheets"], serde_json::json!(["Sales", "Notes"]));
    assert_eq!(
        j["columns"],
        serde_json::json!(["region", "units", "price", "shipped"])
    );
    assert_eq!(j["data"][0]["region"], "north");
    assert_eq!(j["data"][2]["units"], 12.0);
    let args = format!(r#"{{"path": "{}", "sheet": "Nope"}}"#, file.display());
    let r = env
        .run(&["tools", "run", "xlsx_reader", "--args", &args])
        .code(3);
    assert!(r.stderr.contains("Sales"), "lists the sheets: {}", r.stderr);
}

#[test]
fn file_storage_is_sandboxed() {
    let env = Env::new();
    let ws = env.path().join("ws");
    let ws_s = ws.to_str().unwrap();
    env.run(&[
        "tools",
        "run",
        "file_storage",
        "--workspace",
        ws_s,
        "--args",
        r#"{"operation": "write", "path": "notes/a.txt", "content": "hi"}"#,
    ])
    .ok();
    let j = env
        .run(&[
            "tools",
            "run",
            "file_storage",
            "--workspace",
            ws_s,
            "--args",
            r#"{"operation": "read", "path": "notes/a.txt"}"#,
        ])
        .ok()
        .json();
    assert_eq!(j["content"], "hi");
    let r = env
        .run(&[
            "tools",
            "run",
            "file_storage",
            "--workspace",
            ws_s,
            "--args",
            r#"{"operation": "read", "path": "../secret"}"#,
        ])
        .code(1);
    assert!(r.stderr.contains("outside"), "{}", r.stderr);
}

#[test]
fn tool_errors_are_precise() {
    let env = Env::new();
    let r = env
        .run(&["tools", "run", "csv_parsr", "--args", "{}"])
        .code(4);
    assert!(
        r.stderr.contains("Unknown tool: csv_parsr") && r.stderr.contains("csv_parser"),
        "{}",
        r.stderr
    );
    let r = env
        .run(&["tools", "run", "csv_parser", "--args", "{not json"])
        .code(2);
    assert!(
        r.stderr.contains("--args is not valid JSON"),
        "{}",
        r.stderr
    );
    let r = env
        .run(&[
            "tools",
            "run",
            "chart_generator",
            "--args",
            r#"{"chart_type": "donut"}"#,
        ])
        .code(3);
    assert!(r.stderr.contains("chart_type"), "{}", r.stderr);
    let list = env.run(&["tools", "list", "--json"]).ok().json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "http_client",
            "csv_parser",
            "json_processor",
            "xlsx_reader",
            "chart_generator",
            "file_storage",
            "memory_search",
            "memory_store",
            "memory_relate",
            "send_message"
        ]
    );
    assert!(list[0]["parameters"]["properties"]["url"].is_object());
}

#[test]
fn tools_run_as_an_agent_uses_its_sandbox_and_settings() {
    let env = Env::new();
    env.run(&["init"]).ok();
    // report-writer lists file_storage; its workspace is under the data dir.
    env.run(&[
        "tools",
        "run",
        "file_storage",
        "--agent",
        "report-writer",
        "--args",
        r#"{"operation": "write", "path": "r.md", "content": "x"}"#,
    ])
    .ok();
    assert!(env.data().join("workspaces/report-writer/r.md").is_file());
    // An agent may only use the tools it lists.
    let r = env
        .run(&[
            "tools",
            "run",
            "json_processor",
            "--agent",
            "report-writer",
            "--args",
            r#"{"input": 1, "filter": "."}"#,
        ])
        .code(2);
    assert!(r.stderr.contains("does not list the tool"), "{}", r.stderr);
    // Its csv reads are confined to the workspace.
    let outside = env.write("outside.csv", "a\n1\n");
    let args = format!(r#"{{"path": "{}"}}"#, outside.display());
    let r = env
        .run(&[
            "tools",
            "run",
            "csv_parser",
            "--agent",
            "report-writer",
            "--args",
            &args,
        ])
        .code(1);
    assert!(r.stderr.contains("outside"), "{}", r.stderr);
}

#[test]
fn http_client_honours_its_timeout() {
    let env = Env::new();
    // Accepts the connection (the kernel does, from the backlog) and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let args = format!(r#"{{"url": "http://127.0.0.1:{port}/slow"}}"#);
    let started = std::time::Instant::now();
    let r = env.run(&[
        "tools",
        "run",
        "http_client",
        "--args",
        &args,
        "--tool-config",
        r#"{"allow_private_networks": true, "timeout": "1s"}"#,
    ]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("timed out after 1 s"), "{}", r.all());
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "gave up before its timeout"
    );
    drop(silent);
}

#[test]
fn http_client_checks_every_redirect_hop() {
    // The first hop is allowed (by name); the redirect points at an address
    // the policy does not allow. (A redirect from a public host to a private
    // address goes through the same per-hop check; this loopback-only test
    // cannot serve a public first hop.)
    let env = Env::new();
    let (port, handle) = serve_raw_once(
        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/next\r\nContent-Length: 0\r\n\r\n"
            .to_string(),
    );
    let args = format!(r#"{{"url": "http://localhost:{port}/start"}}"#);
    let r = env.run(&[
        "tools",
        "run",
        "http_client",
        "--args",
        &args,
        "--tool-config",
        r#"{"allow_private_networks": true, "allowed_domains": ["localhost"]}"#,
    ]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains(
            "redirect to http://127.0.0.1:1/next: host 127.0.0.1 is not in allowed_domains"
        ),
        "{}",
        r.all()
    );
    handle.join().unwrap();
}
