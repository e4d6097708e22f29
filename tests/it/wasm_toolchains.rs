//! WASM agents from real non-Rust toolchains: the word-count example built
//! from C (Debian clang + lld + wasi-libc) and Zig (PyPI `ziglang`) in a
//! temp dir, deployed and run through `agents test` and the daemon's execute
//! endpoint, answering exactly what the Rust example answers. The
//! toolchains come from scripts/setup-wasm-toolchains; without them these
//! tests skip, and fail under CAXTON_REQUIRE_ALL=1.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Env, error_json, repo, skip};
use crate::daemon;

const SWITCH: &str = "CAXTON_REQUIRE_WASM_TOOLCHAINS";

/// Requests the three agents must answer identically: plain and object
/// input, `top`, JSON escapes, apostrophes, lower-case non-ASCII letters,
/// empty text.
const INPUTS: &[&str] = &[
    r#""one two two""#,
    r#"{"text": "The cat and the hat.\nThe end", "top": 3}"#,
    r#"{"text": "it's \"quoted\"\ttabs\r\nand\u00e9 caf\u00e9 d\u00e9j\u00e0 vu, vu\n\n", "top": 100}"#,
    r#"{"text": ""}"#,
    r#"{"text": "a b c d e f g h a b a", "top": 2.5}"#,
];

/// Inputs the agents refuse with the same `{"error": ...}`.
const REFUSED: &[&str] = &["42", r#"{"top": 1}"#];

fn run(cmd: &mut Command) -> bool {
    cmd.output().is_ok_and(|o| o.status.success())
}

#[track_caller]
fn build(cmd: &mut Command, out: &Path) -> String {
    let o = cmd.output().expect("run the compiler");
    assert!(
        o.status.success() && out.is_file(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    out.display().to_string()
}

/// `clang` and `wasm-ld` with a wasm32-wasi libc, or why not.
fn c_toolchain() -> Result<(), String> {
    let missing = "clang, lld and wasi-libc for wasm32-wasi are not installed (run scripts/setup-wasm-toolchains)";
    if !run(Command::new("clang").arg("--version"))
        || !run(Command::new("wasm-ld").arg("--version"))
    {
        return Err(missing.into());
    }
    let libc = Command::new("clang")
        .args(["--target=wasm32-wasi", "-print-file-name=libc.a"])
        .output()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .unwrap_or_default();
    if !libc.is_absolute() {
        return Err(missing.into());
    }
    Ok(())
}

/// The venv scripts/setup-wasm-toolchains puts `ziglang` in.
fn zig_python() -> Result<PathBuf, String> {
    let venv = std::env::var_os("CAXTON_ZIG_VENV")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .map(|c| c.join("caxton/zig-venv"))
        })
        .unwrap_or_default();
    let python = venv.join("bin/python");
    if run(Command::new(&python).args(["-m", "ziglang", "version"])) {
        Ok(python)
    } else {
        Err(format!(
            "Zig (PyPI ziglang) is not installed in {} (run scripts/setup-wasm-toolchains)",
            venv.display()
        ))
    }
}

/// The example's one-line build command from agents/word-count-c/README.md.
fn build_c(env: &Env) -> String {
    let src = repo().join("agents/word-count-c");
    let out = env.path().join("word-count-c.wasm");
    build(
        Command::new("clang")
            .args([
                "--target=wasm32-wasi",
                "-O2",
                "-mexec-model=reactor",
                "-Wl,-z,stack-size=65536",
                "-Wl,--strip-all",
                "-o",
            ])
            .arg(&out)
            .arg(src.join("word_count.c")),
        &out,
    )
}

/// The example's one-line build command from agents/word-count-zig/README.md.
fn build_zig(env: &Env, python: &Path) -> String {
    let src = repo().join("agents/word-count-zig");
    let out = env.path().join("word-count-zig.wasm");
    build(
        Command::new(python)
            .current_dir(&src)
            .args([
                "-m",
                "ziglang",
                "build-exe",
                "word_count.zig",
                "-target",
                "wasm32-wasi",
                "-O",
                "ReleaseSmall",
                "-fno-entry",
                "-rdynamic",
                "--stack",
                "65536",
            ])
            .arg(format!("-femit-bin={}", out.display()))
            // Zig's cache goes next to the output, not into the checkout.
            .env("ZIG_LOCAL_CACHE_DIR", env.path().join("zig-cache")),
        &out,
    )
}

/// Deploy `file` as `name` and the Rust example as `word-count`; every
/// request gets the same answer from both, through `agents test` and the
/// daemon's execute endpoint.
fn same_as_rust(env: &Env, name: &str, file: &str) {
    let r = env
        .run(&[
            "agents",
            "deploy",
            name,
            "--source",
            file,
            "--max-memory",
            "4MiB",
        ])
        .ok();
    assert!(r.stdout.contains("ABI caxton-v1"), "{}", r.stdout);
    let rust = repo().join("agents/word-count.wasm");
    env.run(&[
        "agents",
        "deploy",
        "word-count",
        "--source",
        rust.to_str().unwrap(),
    ])
    .ok();
    let test = |agent: &str, input: &str| {
        env.run(&["agents", "test", agent, "--input", input, "--json"])
            .ok()
            .json()
    };
    for input in INPUTS {
        let (ours, theirs) = (test(name, input), test("word-count", input));
        assert_eq!(ours["output"], theirs["output"], "{name} on {input}");
        assert!(ours["output"]["words"].is_u64(), "{ours}");
        assert!(
            ours["logs"].to_string().contains("counted"),
            "{name}: the guest's log line is missing: {ours}"
        );
    }
    for input in REFUSED {
        let refused = |agent: &str| {
            error_json(
                &env.run(&["agents", "test", agent, "--input", input, "--json"])
                    .code(1),
            )
        };
        let (ours, theirs) = (refused(name), refused("word-count"));
        assert_eq!(ours["error"]["code"], "agent_error", "{ours}");
        assert_eq!(
            ours["error"]["message"], theirs["error"]["message"],
            "{name} on {input}"
        );
    }
    let text = env
        .run(&["agents", "test", name, "--input", INPUTS[1]])
        .ok()
        .stdout;
    assert!(text.contains("\"word\": \"the\""), "{text}");

    let d = daemon::start(env, &[]);
    for input in INPUTS {
        let body = format!(r#"{{"input": {input}}}"#);
        let (s, ours, _) = d.post(&format!("/api/v1/agents/{name}/execute"), &body);
        assert_eq!(s, 200, "{ours}");
        let (_, theirs, _) = d.post("/api/v1/agents/word-count/execute", &body);
        assert_eq!(
            ours["output"], theirs["output"],
            "daemon: {name} on {input}"
        );
    }
}

#[test]
fn c_word_count_built_with_clang_runs_like_the_rust_one() {
    if let Err(missing) = c_toolchain() {
        return skip(SWITCH, &missing);
    }
    let env = Env::new();
    let file = build_c(&env);
    same_as_rust(&env, "word-count-c", &file);
}

#[test]
fn zig_word_count_built_with_ziglang_runs_like_the_rust_one() {
    let python = match zig_python() {
        Ok(p) => p,
        Err(missing) => return skip(SWITCH, &missing),
    };
    let env = Env::new();
    let file = build_zig(&env, &python);
    same_as_rust(&env, "word-count-zig", &file);
}
