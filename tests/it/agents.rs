//! The config-agent lifecycle through the real binary: validate, deploy,
//! list, show, diff, rollback, debug.

use crate::common::{Env, agent, repo};

#[test]
fn example_agents_validate() {
    let env = Env::new();
    let mut args = vec!["agents".to_string(), "validate".to_string()];
    for e in std::fs::read_dir(repo().join("agents")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            args.push(p.display().to_string());
        }
    }
    assert!(args.len() >= 5, "at least three example agents");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = env.run(&args).ok();
    assert!(r.stdout.contains("0 invalid"), "{}", r.stdout);
    // The examples are clean: no warnings either.
    let strict: Vec<&str> = args.iter().copied().chain(["--strict"]).collect();
    env.run(&strict).ok();
}

#[test]
fn runbook_example_validates_with_a_warning_naming_the_misplaced_keys() {
    let env = Env::new();
    let file = repo().join("tests/fixtures/runbook/data-analyzer.toml");
    let r = env
        .run(&["agents", "validate", file.to_str().unwrap()])
        .ok();
    for key in ["system_prompt", "user_prompt_template", "documentation"] {
        assert!(
            r.stdout
                .contains(&format!("`{key}` is inside the [parameters] table")),
            "{}",
            r.stdout
        );
    }
    let j = env
        .run(&["agents", "validate", file.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(j["valid"], true);
    assert_eq!(j["errors"].as_array().unwrap().len(), 0);
    let w = j["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 3, "{w:#?}");
    assert_eq!(w[0]["code"], "misplaced_key");
    assert_eq!(w[0]["line"], 14);
    assert_eq!(w[0]["field"], "system_prompt");
    // --strict turns those warnings into a failure.
    env.run(&["agents", "validate", file.to_str().unwrap(), "--strict"])
        .code(3);
}

#[test]
fn toml_syntax_error_names_line_and_column() {
    let env = Env::new();
    let f = env.write(
        "bad.toml",
        "name = \"Bad\"\nversion = \"1.0.0\"\ncapabilities = [\"x\"]\nsystem_prompt = \"hi\"\ntools = [\"csv_parser\" \n",
    );
    let r = env
        .run(&["agents", "validate", f.to_str().unwrap()])
        .code(3);
    assert!(
        r.stdout.contains("TOML parse error: line 5, column"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("5 | tools"), "excerpt: {}", r.stdout);
    assert!(r.stdout.contains("hint:"), "{}", r.stdout);
    assert!(r.stdout.contains("- schema (not checked"), "{}", r.stdout);
    let j = env
        .run(&["agents", "validate", f.to_str().unwrap(), "--json"])
        .code(3)
        .json();
    assert_eq!(j["errors"][0]["code"], "toml_syntax");
    assert_eq!(j["errors"][0]["line"], 5);
    assert!(j["errors"][0]["column"].as_u64().unwrap() > 1);
}

#[test]
fn missing_name_and_unknown_tool() {
    let env = Env::new();
    let f = env.write(
        "agents/x.toml",
        "version = \"1.0.0\"\ncapabilities = [\"x\"]\ntools = [\"csv_parsr\", \"unknown_tool\"]\nsystem_prompt = \"hi\"\n",
    );
    let r = env
        .run(&["agents", "validate", f.to_str().unwrap()])
        .code(3);
    assert!(
        r.stdout.contains("Missing required field: name"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Unknown tool: unknown_tool"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Unknown tool: csv_parsr"), "{}", r.stdout);
    assert!(
        r.stdout.contains("did you mean csv_parser?"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("caxton tools list"), "{}", r.stdout);
    let j = env
        .run(&["agents", "validate", f.to_str().unwrap(), "--json"])
        .json();
    let errors = j["errors"].as_array().unwrap();
    let unknown = errors
        .iter()
        .find(|e| e["message"] == "Unknown tool: unknown_tool")
        .unwrap();
    assert_eq!(unknown["line"], 3);
    assert_eq!(unknown["column"], 23);
    assert_eq!(unknown["field"], "tools[1]");
}

#[test]
fn name_conflict_names_both_files() {
    let env = Env::new();
    let a = env.write(
        "data/agents/analyzer.toml",
        &agent("DataAnalyzer", "1.0.0", ""),
    );
    let b = env.write(
        "data/agents/data-analyzer.toml",
        &agent("data analyzer", "1.0.0", ""),
    );
    let r = env
        .run(&["agents", "validate", b.to_str().unwrap()])
        .code(3);
    assert!(r.stdout.contains("Agent name conflict"), "{}", r.stdout);
    assert!(
        r.stdout.contains("analyzer.toml and")
            && r.stdout.contains(a.file_name().unwrap().to_str().unwrap()),
        "{}",
        r.stdout
    );
    // Two files given at once conflict too, wherever they are.
    let c = env.write("c.toml", &agent("Same", "1.0.0", ""));
    let d = env.write("d.toml", &agent("same", "1.0.0", ""));
    env.run(&[
        "agents",
        "validate",
        c.to_str().unwrap(),
        d.to_str().unwrap(),
    ])
    .code(3);
    // Both conflicting files show up as failed in the list.
    let list = env
        .run(&["agents", "list", "--status", "failed", "--count"])
        .ok();
    assert_eq!(list.stdout.trim(), "2");
}

#[test]
fn missing_file_is_not_found_and_unreadable_is_permission_denied() {
    let env = Env::new();
    let r = env.run(&["agents", "validate", "nope.toml"]).code(4);
    assert!(
        r.stdout.contains("File not found: nope.toml"),
        "{}",
        r.stdout
    );

    let f = env.write("locked/secret.toml", &agent("Locked", "1.0.0", ""));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(env.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(f.parent().unwrap(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    // root reads anything: run as `nobody` then, through util-linux setpriv.
    let is_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let r = if is_root {
        let mut c = env.cmd();
        let mut s = std::process::Command::new("setpriv");
        s.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            crate::common::bin(),
            "agents",
            "validate",
            f.to_str().unwrap(),
        ]);
        for (k, v) in c.get_envs() {
            if let Some(v) = v {
                s.env(k, v);
            }
        }
        s.env("CAXTON_DATA_DIR", "/nonexistent").current_dir("/");
        let _ = &mut c;
        crate::common::finish(s.output().expect("setpriv"))
    } else {
        env.run(&["agents", "validate", f.to_str().unwrap()])
    };
    let r = r.code(3);
    assert!(
        r.stdout.contains("Permission denied"),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn forty_errors_are_reported_in_one_run_sorted_by_line() {
    let env = Env::new();
    let mut text = String::from(
        "name = \"Many\"\nversion = \"1.0.0\"\nsystem_prompt = \"{{request}}\"\ncapabilities = [\n",
    );
    for i in 0..20 {
        text.push_str(&format!("  \"Bad Cap {i}\",\n"));
    }
    text.push_str("]\ntools = [\n");
    for i in 0..20 {
        text.push_str(&format!("  \"no_such_tool_{i}\",\n"));
    }
    text.push_str("]\n");
    let f = env.write("many.toml", &text);
    let j = env
        .run(&["agents", "validate", f.to_str().unwrap(), "--json"])
        .code(3)
        .json();
    let errors = j["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 40, "{errors:#?}");
    let lines: Vec<u64> = errors.iter().map(|e| e["line"].as_u64().unwrap()).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    assert_eq!(lines[0], 5);
    assert_eq!(lines[39], 46);
}

#[test]
fn templates_are_checked() {
    let env = Env::new();
    let f = env.write(
        "t.toml",
        "name = \"T\"\nversion = \"1.0.0\"\ncapabilities = [\"t\"]\nsystem_prompt = '''\nHello {{nmae}}\n'''\nuser_prompt_template = \"Do {{request\"\n",
    );
    let j = env
        .run(&["agents", "validate", f.to_str().unwrap(), "--json"])
        .code(3)
        .json();
    assert_eq!(j["errors"][0]["code"], "template_syntax");
    assert_eq!(j["errors"][0]["line"], 7);
    assert_eq!(j["warnings"][0]["code"], "unknown_variable");
    assert_eq!(j["warnings"][0]["line"], 5);
    assert_eq!(j["warnings"][0]["column"], 7);
}

#[test]
fn deploy_list_diff_rollback() {
    let env = Env::new();
    let v1 = agent("Tester", "1.0.0", "");
    let src = env.write("src/tester.toml", &v1);
    let r = env
        .run(&[
            "agents",
            "deploy",
            "tester",
            "--source",
            src.to_str().unwrap(),
        ])
        .ok();
    assert!(r.stdout.contains("deployed tester 1.0.0"), "{}", r.stdout);
    let names = env.run(&["agents", "list", "--names-only"]).ok();
    assert_eq!(names.stdout, "tester\n");
    let deployed = env.agents().join("tester.toml");
    assert_eq!(std::fs::read_to_string(&deployed).unwrap(), v1);

    // Deploying the same content again changes nothing.
    let r = env
        .run(&[
            "agents",
            "deploy",
            "Tester",
            "--source",
            src.to_str().unwrap(),
        ])
        .ok();
    assert!(r.stdout.contains("already deployed"), "{}", r.stdout);

    // v2, written by hand in a different layout; diff shows fields, not text.
    let v2 = "system_prompt = \"You test things.\"\nname = \"Tester\"\nversion = \"2.0.0\"\ncapabilities = [\"testing\", \"qa\"]\ntools = [\"csv_parser\"]\n[memory]\nenabled = true\n";
    let src2 = env.write("src/tester2.toml", v2);
    let d = env
        .run(&["agents", "diff", "tester", src2.to_str().unwrap()])
        .ok();
    assert!(
        d.stdout.contains("~ version: \"1.0.0\" → \"2.0.0\""),
        "{}",
        d.stdout
    );
    assert!(d.stdout.contains("~ capabilities"), "{}", d.stdout);
    assert!(d.stdout.contains("+ memory"), "{}", d.stdout);
    assert!(!d.stdout.contains("system_prompt"), "{}", d.stdout);
    let dj = env
        .run(&["agents", "diff", "tester", src2.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(dj["changes"].as_array().unwrap().len(), 3);

    env.run(&[
        "agents",
        "deploy",
        "tester",
        "--source",
        src2.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(std::fs::read_to_string(&deployed).unwrap(), v2);

    // An invalid change is refused and leaves file and version untouched.
    let bad = env.write(
        "src/bad.toml",
        "name = \"Tester\"\nversion = \"3.0.0\"\ncapabilities = []\n",
    );
    let r = env
        .run(&[
            "agents",
            "deploy",
            "tester",
            "--source",
            bad.to_str().unwrap(),
        ])
        .code(3);
    assert!(
        r.stderr.contains("Missing required field: system_prompt"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(&deployed).unwrap(), v2);
    let show = env.run(&["agents", "show", "tester", "--json"]).ok().json();
    assert_eq!(show["version"], "2.0.0");
    assert_eq!(show["versions"], 2);

    // Rollback restores v1 byte for byte, and is itself recorded.
    let r = env
        .run(&["agents", "rollback", "tester", "--to-previous-version"])
        .ok();
    assert!(r.stdout.contains("from 2.0.0 to 1.0.0"), "{}", r.stdout);
    assert_eq!(std::fs::read(&deployed).unwrap(), v1.as_bytes());
    let show = env.run(&["agents", "show", "tester", "--json"]).ok().json();
    assert_eq!(show["versions"], 3);
    assert_eq!(show["history"][0]["action"], "rollback");
}

#[test]
fn hand_edited_file_is_kept_by_deploy_and_rollback() {
    let env = Env::new();
    let v1 = agent("Keeper", "1.0.0", "");
    env.write("data/agents/keeper.toml", &v1);
    env.run(&["agents", "deploy", "keeper"]).ok();
    let edited = agent("Keeper", "1.1.0", "description = \"edited by hand\"\n");
    env.write("data/agents/keeper.toml", &edited);
    // Rollback returns to the deployed v1 but records the hand edit first.
    env.run(&["agents", "rollback", "keeper", "--to-previous-version"])
        .ok();
    assert_eq!(
        std::fs::read_to_string(env.agents().join("keeper.toml")).unwrap(),
        v1
    );
    env.run(&["agents", "rollback", "keeper", "--to-previous-version"])
        .ok();
    assert_eq!(
        std::fs::read_to_string(env.agents().join("keeper.toml")).unwrap(),
        edited
    );
}

#[test]
fn deploy_errors() {
    let env = Env::new();
    let r = env.run(&["agents", "deploy", "ghost"]).code(4);
    assert!(r.stderr.contains("Agent not found: ghost"), "{}", r.stderr);
    let r = env
        .run(&["agents", "deploy", "ghost", "--source", "missing.toml"])
        .code(4);
    assert!(r.stderr.contains("File not found"), "{}", r.stderr);
    let src = env.write("a.toml", &agent("Alpha", "1.0.0", ""));
    let r = env
        .run(&[
            "agents",
            "deploy",
            "beta",
            "--source",
            src.to_str().unwrap(),
        ])
        .code(2);
    assert!(
        r.stderr.contains("caxton agents deploy alpha"),
        "{}",
        r.stderr
    );
    let r = env
        .run(&["agents", "rollback", "alpha", "--to-previous-version"])
        .code(4);
    assert!(r.all().contains("not found"), "{}", r.all());
    env.run(&[
        "agents",
        "deploy",
        "alpha",
        "--source",
        src.to_str().unwrap(),
    ])
    .ok();
    let r = env
        .run(&["agents", "rollback", "alpha", "--to-previous-version"])
        .code(4);
    assert!(r.stderr.contains("no earlier version"), "{}", r.stderr);
    let r = env.run(&["agents", "show", "alpah", "--json"]).code(4);
    let e: serde_json::Value = serde_json::from_str(&r.stderr).unwrap();
    assert_eq!(e["error"]["code"], "agent_not_found");
    assert!(e["error"]["hint"].as_str().unwrap().contains("alpha"));
}

#[test]
fn list_count_show_capabilities_debug() {
    let env = Env::new();
    env.run(&["init"]).ok();
    let count = env.run(&["agents", "count"]).ok();
    assert_eq!(count.stdout.trim(), "3");
    assert_eq!(
        env.run(&["agents", "count", "--type", "wasm"])
            .ok()
            .stdout
            .trim(),
        "0"
    );
    assert_eq!(
        env.run(&["agents", "list", "--status", "failed", "--count"])
            .ok()
            .stdout
            .trim(),
        "0"
    );
    let list = env.run(&["agents", "list", "--json"]).ok().json();
    let first = &list.as_array().unwrap()[0];
    for key in ["id", "name", "type", "status", "capabilities"] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    let detailed = env.run(&["agents", "list", "--detailed"]).ok();
    assert!(detailed.stdout.starts_with("NAME"), "{}", detailed.stdout);
    assert!(
        detailed.stdout.contains("DataAnalyzer"),
        "{}",
        detailed.stdout
    );

    let caps = env
        .run(&["agents", "capabilities", "DataAnalyzer", "--list"])
        .ok();
    assert_eq!(caps.stdout, "data-analysis\nreport-generation\n");
    let show = env.run(&["agents", "show", "DATA-ANALYZER"]).ok();
    assert!(show.stdout.contains("scope workspace"), "{}", show.stdout);

    let dbg = env
        .run(&[
            "agents",
            "debug",
            "data-analyzer",
            "--show-tools",
            "--show-prompts",
        ])
        .ok();
    assert!(dbg.stdout.contains("csv_parser"), "{}", dbg.stdout);
    assert!(
        dbg.stdout.contains("Files up to 10MB"),
        "parameters rendered: {}",
        dbg.stdout
    );
    assert!(dbg.stdout.contains("csv json xlsx"), "{}", dbg.stdout);
    assert!(
        dbg.stdout
            .contains("Analyze the following data request: <the request text>"),
        "{}",
        dbg.stdout
    );
    let j = env
        .run(&["agents", "debug", "data-analyzer", "--show-tools", "--json"])
        .ok()
        .json();
    assert_eq!(j["tools"].as_array().unwrap().len(), 3);
    assert!(j["prompts"].is_null());
}

#[test]
fn schema_and_validate_schema() {
    let env = Env::new();
    let s = env.run(&["agents", "schema"]).ok().json();
    assert_eq!(s["title"], "Caxton config agent");
    let good = repo().join("agents/data-analyzer.toml");
    env.run(&["agents", "validate-schema", good.to_str().unwrap()])
        .ok();
    // Schema-only: an unknown tool is not a schema problem, a bad type is.
    let f = env.write(
        "s.toml",
        "name = \"S\"\ncapabilities = [\"s\"]\ntools = [\"nope\"]\nsystem_prompt = 5\n",
    );
    let r = env
        .run(&["agents", "validate-schema", f.to_str().unwrap()])
        .code(3);
    assert!(
        r.stdout.contains("invalid type for `system_prompt`"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Unknown tool"), "{}", r.stdout);
}

#[test]
fn hostile_inputs_get_errors_not_panics() {
    let env = Env::new();
    let binary: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(env.path().join("binary.toml"), &binary).unwrap();
    let deep = format!("x = {}{}\n", "[".repeat(50_000), "]".repeat(50_000));
    env.write("deep.toml", &deep);
    env.write("odd.toml", "name = \"A\"\ncapabilities = [\"a\"]\nsystem_prompt = \"{{#each x}}\"\n[[tools]]\nx = 1\n[parameters]\na.b.c = 1\n");
    env.write(
        "huge.toml",
        &format!("name = \"{}\"\n", "é".repeat(200_000)),
    );
    std::fs::create_dir_all(env.path().join("dir.toml")).unwrap();
    for f in [
        "binary.toml",
        "deep.toml",
        "odd.toml",
        "huge.toml",
        "dir.toml",
    ] {
        let r = env.run(&["agents", "validate", f, "--json"]).code(3);
        assert!(!r.stderr.contains("panicked"), "{f}: {}", r.stderr);
        let j = r.json();
        assert!(!j["errors"].as_array().unwrap().is_empty(), "{f}");
        for e in j["errors"].as_array().unwrap() {
            assert!(!e["message"].as_str().unwrap().is_empty(), "{f}: {e}");
            assert!(
                e["message"] != "Unknown tool: ",
                "{f}: non-string tools are a type error only"
            );
        }
    }
}
