//! MCP tools against real servers from npm over stdio
//! (`@modelcontextprotocol/server-everything` and `server-filesystem`).

use crate::common::{Env, mcp_servers_config};

/// An Env whose server config declares the npm servers; `None` = skipped.
fn env_with_servers() -> Option<Env> {
    let env = Env::new();
    let root = env.path().join("shared");
    std::fs::create_dir_all(&root).unwrap();
    let config = mcp_servers_config(&root.canonicalize().unwrap())?;
    env.write("data/caxton.toml", &config);
    Some(env)
}

#[test]
fn tools_list_shows_the_tools_each_server_offers() {
    let Some(env) = env_with_servers() else {
        return;
    };
    let list = env.run(&["tools", "list", "--json"]).ok().json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for expected in ["csv_parser", "mcp:everything/echo", "mcp:fs/list_directory"] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    let echo = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "mcp:everything/echo")
        .unwrap();
    assert_eq!(
        echo["parameters"]["properties"]["message"]["type"],
        "string"
    );
}

#[test]
fn tools_run_calls_a_real_server() {
    let Some(env) = env_with_servers() else {
        return;
    };
    let echo = env
        .run(&[
            "tools",
            "run",
            "mcp:everything/echo",
            "--args",
            r#"{"message":"hello mcp"}"#,
        ])
        .ok()
        .json();
    assert_eq!(echo["content"][0]["text"], "Echo: hello mcp");

    env.write("shared/report.csv", "a,b\n1,2\n");
    let root = env.path().join("shared").canonicalize().unwrap();
    let args = serde_json::json!({"path": root}).to_string();
    let listing = env
        .run(&["tools", "run", "mcp:fs/list_directory", "--args", &args])
        .ok()
        .json();
    assert!(
        listing["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("[FILE] report.csv")
    );

    // The server's own refusal comes back as a tool failure, not a crash.
    let outside = env.run(&[
        "tools",
        "run",
        "mcp:fs/list_directory",
        "--args",
        r#"{"path":"/etc"}"#,
    ]);
    assert_eq!(outside.code, 1, "{}", outside.all());
    assert!(
        outside.stderr.contains("mcp:fs/list_directory failed"),
        "{}",
        outside.all()
    );
}

#[test]
fn validation_checks_mcp_tools_against_the_server() {
    let Some(env) = env_with_servers() else {
        return;
    };
    let good = crate::common::agent("Echoer", "1.0.0", "").replace(
        r#"tools = ["csv_parser"]"#,
        r#"tools = ["mcp:everything/echo", "mcp:fs/read_text_file"]"#,
    );
    env.write("data/agents/echoer.toml", &good);
    env.run(&["agents", "validate", "data/agents/echoer.toml"])
        .ok();

    let typo = good.replace("mcp:everything/echo", "mcp:everything/ecoh");
    env.write("data/agents/echoer.toml", &typo);
    let bad = env
        .run(&["agents", "validate", "data/agents/echoer.toml"])
        .code(3);
    assert!(
        bad.all().contains("Unknown tool: mcp:everything/ecoh"),
        "{}",
        bad.all()
    );
    assert!(
        bad.all().contains("did you mean mcp:everything/echo"),
        "{}",
        bad.all()
    );
}

#[test]
fn a_server_that_fails_to_start_is_explained() {
    let env = Env::new();
    env.write(
        "data/caxton.toml",
        "[mcp.servers.broken]\ncommand = \"sh\"\nargs = [\"-c\", \"echo 'missing API token' >&2; exit 3\"]\n\n\
         [mcp.servers.absent]\ncommand = \"/nonexistent/mcp-server\"\n",
    );
    let broken = env.run(&["tools", "run", "mcp:broken/anything"]).code(1);
    assert!(
        broken
            .stderr
            .contains("MCP server `broken` exited during initialize"),
        "{}",
        broken.all()
    );
    assert!(
        broken.stderr.contains("missing API token"),
        "{}",
        broken.all()
    );

    let absent = env.run(&["tools", "run", "mcp:absent/anything"]).code(1);
    assert!(
        absent
            .stderr
            .contains("cannot start MCP server `absent` (`/nonexistent/mcp-server`)"),
        "{}",
        absent.all()
    );
    assert!(
        absent.stderr.contains("[mcp.servers.absent]"),
        "{}",
        absent.all()
    );

    let list = env.run(&["tools", "list", "--json"]).ok().json();
    let broken_row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "mcp:broken/*")
        .unwrap();
    assert_eq!(broken_row["available"], false);
}

/// Whether node (for tests/mcp/test-server.js) is installed; without it the
/// caller skips (or fails under CAXTON_REQUIRE_MCP).
pub(crate) fn node_or_skip() -> bool {
    let found = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok();
    if !found {
        crate::common::skip("CAXTON_REQUIRE_MCP", "node is not installed (./install.sh)");
    }
    found
}

/// Whether `pid` still runs (a zombie waiting to be reaped does not).
pub(crate) fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

#[test]
fn an_mcp_server_stops_when_caxton_is_killed() {
    if !node_or_skip() {
        return;
    }
    let env = Env::new();
    // A server that ignores the end of its stdin, so only the parent-death
    // signal can stop it once caxton is gone; it writes its pid to `mark`
    // when the call is in flight.
    let script = crate::common::repo().join("tests/mcp/test-server.js");
    let mark = env.path().join("hang.pid");
    env.write(
        "data/caxton.toml",
        &format!(
            "[mcp.servers.t]\ncommand = \"node\"\nargs = [{script:?}, \"--outlive-stdin\"]\n\
             timeout = \"120s\"\nenv = {{ MCP_TEST_HANG_MARK = {mark:?} }}\n"
        ),
    );
    let mut caxton = env
        .cmd()
        .args(["tools", "run", "mcp:t/hang"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let server: u32 = loop {
        if let Some(pid) = std::fs::read_to_string(&mark)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            break pid;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the call never reached the server"
        );
        assert!(caxton.try_wait().unwrap().is_none(), "caxton exited early");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(running(server));
    caxton.kill().unwrap(); // SIGKILL: caxton runs no cleanup.
    caxton.wait().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while running(server) {
        if std::time::Instant::now() >= deadline {
            // Do not leave it behind, then fail.
            // SAFETY: signalling the server process this test started.
            unsafe { libc::kill(server as libc::pid_t, libc::SIGKILL) };
            panic!("the MCP server (pid {server}) outlived its parent");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// An Env whose config runs tests/mcp/test-server.js as server `t` with
/// `args` and `extra` config lines; `None` (skipped) without node.
fn env_with_test_server(args: &[&str], extra: &str) -> Option<Env> {
    if !node_or_skip() {
        return None;
    }
    let env = Env::new();
    let script = crate::common::repo().join("tests/mcp/test-server.js");
    let mut all = vec![script.display().to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    env.write(
        "data/caxton.toml",
        &format!("[mcp.servers.t]\ncommand = \"node\"\nargs = {all:?}\n{extra}"),
    );
    Some(env)
}

#[test]
fn an_mcp_server_gets_a_cleared_environment_plus_its_configured_env() {
    let Some(env) = env_with_test_server(&[], "env = { GIVEN_TO_SERVER = \"yes\" }\n") else {
        return;
    };
    let r = env
        .cmd()
        .args(["tools", "run", "mcp:t/env"])
        .env("CAXTON_TEST_SECRET", "s3cret-value")
        .env("OPENAI_API_KEY", "sk-test-not-for-mcp")
        .output()
        .unwrap();
    let r = crate::common::finish(r).ok().json();
    let names: Vec<String> =
        serde_json::from_str(r["content"][0]["text"].as_str().unwrap()).unwrap();
    assert!(names.contains(&"GIVEN_TO_SERVER".to_string()), "{names:?}");
    assert!(names.contains(&"PATH".to_string()), "{names:?}");
    for secret in ["CAXTON_TEST_SECRET", "OPENAI_API_KEY", "CAXTON_DATA_DIR"] {
        assert!(
            !names.contains(&secret.to_string()),
            "{secret} leaked: {names:?}"
        );
    }
}

#[test]
fn an_mcp_server_whose_tool_list_pages_forever_is_stopped() {
    let Some(env) = env_with_test_server(&["--page-forever"], "timeout = \"120s\"\n") else {
        return;
    };
    let started = std::time::Instant::now();
    let r = env.run(&["tools", "run", "mcp:t/echo", "--args", r#"{"message":"x"}"#]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr
            .contains("tools/list goes on for more than 100 pages"),
        "{}",
        r.all()
    );
    // Stopped by the page bound, long before the 120 s handshake timeout.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}
