//! The deployment files in scripts/deploy/ and the Dockerfile stay valid and
//! in step with the real binary.


use serde::Deserialize;
use serde_json::Value;

fn repo_file(rel: &str) -> String {
    std::fs::read_to_string(crate::common::repo().join(rel)).unwrap()
}

#[test]
fn systemd_unit_passes_systemd_analyze_verify() {
    let unit = repo_file("scripts/deploy/caxton.service");
    let Ok(probe) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
    else {
        eprintln!("note: systemd-analyze not installed; skipping");
        return;
    };
    assert!(probe.status.success());
    // verify checks that ExecStart's binary exists: point it at this build.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("caxton.service");
    std::fs::write(&path, unit.replace("/usr/local/bin/caxton", crate::common::bin())).unwrap();
    let out = std::process::Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "systemd-analyze verify:\n{said}"
    );
}

#[test]
fn systemd_unit_uses_real_commands() {
    let unit = repo_file("scripts/deploy/caxton.service");
    let env = crate::common::Env::new();
    // Every flag ExecStart/ExecStop pass exists in the CLI.
    for (cmd, flags) in [
        (
            &["server", "start"][..],
            &["--config", "--data-dir", "--agents-dir"][..],
        ),
        (&["shutdown"][..], &["--graceful", "--timeout"][..]),
    ] {
        let help = env.run(&[cmd, &["--help"]].concat()).ok().stdout;
        for flag in flags {
            assert!(unit.contains(flag), "unit does not use {flag}");
            assert!(
                help.contains(flag),
                "`caxton {}` has no {flag}",
                cmd.join(" ")
            );
        }
    }
}

#[test]
fn kubernetes_manifest_probes_the_real_endpoints() {
    let text = repo_file("scripts/deploy/k8s/caxton.yaml");
    let docs: Vec<Value> = serde_norway::Deserializer::from_str(&text)
        .map(|d| Value::deserialize(d).unwrap())
        .collect();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ConfigMap", "Service", "StatefulSet"]);
    let pod = &docs[2]["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsUser"], 1000);
    let c = &pod["containers"][0];
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/api/v1/health");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/api/v1/ready");
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    // The embedded config is a valid Caxton config.
    let env = crate::common::Env::new();
    let cfg = env.write(
        "caxton.yaml",
        docs[0]["data"]["caxton.yaml"].as_str().unwrap(),
    );
    let shown = env
        .run(&[
            "--config",
            cfg.to_str().unwrap(),
            "config",
            "show",
            "--json",
        ])
        .ok()
        .json();
    let setting = |key: &str| {
        shown["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .map(|s| s["value"].clone())
    };
    assert_eq!(
        setting("server.auth_token_file").unwrap(),
        "/var/run/secrets/caxton/token"
    );
    assert_eq!(setting("server.host").unwrap(), "0.0.0.0");
}
