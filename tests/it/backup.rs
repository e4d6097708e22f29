//! Backup, verify, restore and prune through the real binary: archives
//! taken while writers run, damaged archives, kill -9, a held daemon lock.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::{Env, entities_json, hold_daemon_lock, table_counts};

fn seeded() -> Env {
    let env = Env::new();
    env.run(&["init"]).ok();
    env.run_stdin(
        &["memory", "create-entities", "--no-embed"],
        &entities_json("E", 5, 20),
    )
    .ok();
    env
}

fn backup(env: &Env, name: &str, extra: &[&str]) -> PathBuf {
    let out = env.path().join("backups").join(name);
    let mut args = vec!["backup", "--embedded", "--output", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.run(&args).ok();
    out
}

/// `caxton restore FILE --target TARGET [extra...]`.
fn restore(env: &Env, file: &Path, target: &Path, extra: &[&str]) -> crate::common::Run {
    let mut args = vec![
        "restore",
        file.to_str().unwrap(),
        "--target",
        target.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    env.run(&args)
}

fn manifest_counts(env: &Env, file: &Path) -> serde_json::Value {
    let v = env
        .run(&["backup", "verify", file.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(v["valid"], true, "{v}");
    v["manifest"]["row_counts"].clone()
}

#[test]
fn backup_verify_restore_round_trip() {
    let env = seeded();
    let out = env.path().join("backups/b.tar.gz");
    let r = env
        .run(&[
            "backup",
            "--embedded",
            "--output",
            out.to_str().unwrap(),
            "--compress",
            "--verify",
        ])
        .ok();
    assert!(r.stdout.contains("verified"), "{}", r.stdout);
    assert_eq!(
        &std::fs::read(&out).unwrap()[..2],
        &[0x1f, 0x8b],
        "gzip by suffix"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let counts = manifest_counts(&env, &out);
    assert_eq!(counts["memory_observations"], 100);

    // --compress without a suffix picks zstd and says so.
    let plain = env.path().join("backups/b.tar");
    let r = env
        .run(&[
            "backup",
            "--embedded",
            "--output",
            plain.to_str().unwrap(),
            "--compress",
        ])
        .ok();
    assert!(r.stderr.contains("compressed with zstd"), "{}", r.stderr);
    assert_eq!(
        &std::fs::read(&plain).unwrap()[..4],
        &[0x28, 0xb5, 0x2f, 0xfd]
    );

    let target = env.path().join("restored");
    let r = restore(&env, &out, &target, &[]).ok();
    let db = target.join("data/caxton.db");
    assert!(
        r.stdout.contains(&format!("database: {}", db.display())),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("agents:   {}", target.join("agents").display()))
    );
    assert_eq!(serde_json::to_value(table_counts(&db)).unwrap(), counts);
    assert_eq!(std::fs::read_dir(target.join("agents")).unwrap().count(), 3);
    // The restored store works.
    env.run(&[
        "--data-dir",
        target.join("data").to_str().unwrap(),
        "storage",
        "verify",
        "--comprehensive",
    ])
    .ok();

    // An existing database is only replaced with --force, and kept aside.
    let r = restore(&env, &out, &target, &[]).code(5);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    let r = restore(&env, &out, &target, &["--force", "--json"])
        .ok()
        .json();
    let safety = r["safety_copies"][0].as_str().unwrap();
    assert!(Path::new(safety).join("caxton.db").is_file(), "{r}");
}

/// Offset of the snapshot's SQLite header inside an uncompressed archive.
fn db_offset(bytes: &[u8]) -> usize {
    bytes
        .windows(16)
        .position(|w| w == b"SQLite format 3\0")
        .expect("database inside the archive")
}

#[test]
fn a_flipped_byte_fails_verify_naming_the_file_and_restore_refuses() {
    let env = seeded();
    let file = backup(&env, "b.tar", &[]);
    let mut bytes = std::fs::read(&file).unwrap();
    let at = db_offset(&bytes) + 5000;
    bytes[at] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    let r = env
        .run(&["backup", "verify", file.to_str().unwrap()])
        .code(3);
    assert!(r.stdout.contains("data/caxton.db: blake3"), "{}", r.stdout);

    let target = env.path().join("t");
    let r = restore(&env, &file, &target, &[]).code(3);
    assert!(r.stderr.contains("data/caxton.db"), "{}", r.stderr);
    assert!(!target.join("data/caxton.db").exists());
    assert!(!target.join("agents").exists());

    // Compressed: the damage surfaces as a stream or hash error, still named.
    let zst = backup(&env, "b.tar.zst", &[]);
    let mut bytes = std::fs::read(&zst).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&zst, &bytes).unwrap();
    let v = env
        .run(&["backup", "verify", zst.to_str().unwrap(), "--json"])
        .code(3)
        .json();
    let problems = v["problems"].to_string();
    assert!(
        problems.contains("data/") || problems.contains("agents/") || problems.contains("manifest"),
        "{problems}"
    );
}

#[test]
fn restore_is_refused_while_a_daemon_holds_the_data_dir() {
    let env = seeded();
    let file = backup(&env, "b.tar.zst", &[]);
    let db = env.data().join("caxton.db");
    let before = std::fs::read(&db).unwrap();
    let lock = hold_daemon_lock(&env.data());
    let r = env
        .run(&["restore", file.to_str().unwrap(), "--force"])
        .code(6);
    assert!(r.stderr.contains("pid 1 (daemon)"), "{}", r.stderr);
    assert_eq!(std::fs::read(&db).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(env.data())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    drop(lock);
    env.run(&["restore", file.to_str().unwrap(), "--force"])
        .ok();
}

#[test]
fn backups_taken_under_four_writers_verify_and_restore_to_their_manifest() {
    let env = Arc::new(seeded());
    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (env, stop, writes) = (env.clone(), stop.clone(), writes.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let body = serde_json::json!({"observations": [
                        {"entityName": format!("E{w}"), "contents": [format!("writer {w} note {n}")]}
                    ]});
                    env.run_stdin(&["memory", "add-observations", "--no-embed"], &body.to_string())
                        .ok();
                    writes.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while writes.load(Ordering::Relaxed) < 8 {
        assert!(Instant::now() < deadline, "writers did not start");
        std::thread::yield_now();
    }
    let files: Vec<PathBuf> = (0..10)
        .map(|i| backup(&env, &format!("b{i}.tar.zst"), &["--verify"]))
        .collect();
    stop.store(true, Ordering::Relaxed);
    writers.into_iter().for_each(|w| w.join().unwrap());
    let mut seen = std::collections::BTreeSet::new();
    for (i, f) in files.iter().enumerate() {
        let counts = manifest_counts(&env, f);
        seen.insert(counts["memory_observations"].as_i64().unwrap());
        let target = env.path().join(format!("r{i}"));
        restore(&env, f, &target, &[]).ok();
        assert_eq!(
            serde_json::to_value(table_counts(&target.join("data/caxton.db"))).unwrap(),
            counts,
            "restore of {}",
            f.display()
        );
    }
    assert!(
        seen.len() > 1,
        "writers were running during the backups: {seen:?}"
    );
}

#[test]
fn kill_9_during_backup_leaves_no_final_file_and_the_next_backup_works() {
    let env = Env::new();
    // A few MiB, so a backup takes long enough to be caught mid-way.
    env.run_stdin(
        &["memory", "create-entities", "--no-embed"],
        &entities_json("Big", 40, 500),
    )
    .ok();
    let dir = env.path().join("backups");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("b.tar.gz");
    let mut killed = 0;
    for _ in 0..20 {
        let mut child = env
            .cmd()
            .args(["backup", "--embedded", "--output", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Poll for the backup's staging directory, then kill -9 it.
        let deadline = Instant::now() + Duration::from_secs(20);
        let caught = loop {
            let staging = std::fs::read_dir(&dir)
                .unwrap()
                .filter_map(|e| e.ok())
                .any(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with(".caxton-backup-")
                });
            if staging {
                break true;
            }
            if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                break false;
            }
        };
        child.kill().unwrap();
        let status = child.wait().unwrap();
        if caught && !status.success() {
            killed += 1;
            assert!(!out.exists(), "a killed backup left {}", out.display());
        }
        let _ = std::fs::remove_file(&out);
        if killed >= 2 {
            break;
        }
    }
    assert!(killed >= 1, "never caught a backup in progress");
    env.run(&[
        "backup",
        "--embedded",
        "--output",
        out.to_str().unwrap(),
        "--verify",
    ])
    .ok();
    // The killed runs' staging directories were cleaned up by the next backup.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("b.tar.gz")]);
}

/// A tar holding only a manifest dated `created_at`: recognised as a backup
/// by prune, but it cannot pass verification.
fn fake_backup(dir: &Path, name: &str, created_at: &str) {
    let manifest = serde_json::json!({
        "format_version": 1, "caxton_version": "0.1.0", "schema_version": 3,
        "sqlite_version": "3", "created_at": created_at, "model": "m",
        "row_counts": {}, "files": [{"path": "data/caxton.db", "size": 1, "blake3": "00"}],
        "origin": {"data_dir": "/d", "agents_dir": "/a", "config": null}
    })
    .to_string();
    let mut b = tar::Builder::new(std::fs::File::create(dir.join(name)).unwrap());
    let mut h = tar::Header::new_gnu();
    h.set_size(manifest.len() as u64);
    h.set_mode(0o600);
    b.append_data(&mut h, "manifest.json", manifest.as_bytes())
        .unwrap();
    b.finish().unwrap();
}

#[test]
fn prune_keeps_daily_and_weekly_and_never_the_newest_verified() {
    let env = seeded();
    let real = backup(&env, "real.tar.zst", &[]);
    let dir = real.parent().unwrap();
    // Newer than the real backup but broken; and a history of older ones.
    fake_backup(dir, "broken-newest.tar", "2999-01-01T00:00:00Z");
    fake_backup(dir, "d1-late.tar", "2026-01-10T20:00:00Z");
    fake_backup(dir, "d1-early.tar", "2026-01-10T02:00:00Z");
    fake_backup(dir, "d2.tar", "2026-01-09T02:00:00Z");
    fake_backup(dir, "w-older.tar", "2026-01-01T02:00:00Z");
    fake_backup(dir, "w-oldest.tar", "2025-12-20T02:00:00Z");
    std::fs::write(dir.join("notes.txt"), "not a backup").unwrap();
    std::os::unix::fs::symlink("real.tar.zst", dir.join("caxton-latest.tar.zst")).unwrap();

    let dry = env
        .run(&[
            "backup",
            "prune",
            "--keep-daily",
            "2",
            "--dry-run",
            dir.to_str().unwrap(),
        ])
        .ok();
    assert!(dry.stdout.contains("would delete"), "{}", dry.stdout);
    assert!(dir.join("w-oldest.tar").exists());

    let r = env
        .run(&[
            "backup",
            "prune",
            "--keep-daily",
            "2",
            "--keep-weekly",
            "4",
            dir.to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json();
    let kept = |name: &str| dir.join(name).exists();
    // daily (2 days): the broken 2999 one and real; weekly (4 ISO weeks) adds
    // the newest of the week of Jan 5-11 (d1-late) and of Dec 29-Jan 4 (w-older).
    assert!(kept("real.tar.zst"), "{r}");
    assert!(kept("broken-newest.tar"));
    assert!(kept("d1-late.tar"));
    assert!(kept("w-older.tar"));
    assert!(!kept("d1-early.tar"));
    assert!(!kept("d2.tar"));
    assert!(!kept("w-oldest.tar"));
    assert!(kept("notes.txt") && kept("caxton-latest.tar.zst"));
    assert_eq!(r["newest_verified"], real.to_str().unwrap());

    // With a policy that keeps only the broken newest, the newest verified
    // backup survives anyway.
    env.run(&[
        "backup",
        "prune",
        "--keep-daily",
        "1",
        dir.to_str().unwrap(),
    ])
    .ok();
    assert!(kept("real.tar.zst") && kept("broken-newest.tar"));
    assert!(!kept("d1-late.tar"));
    env.run(&["backup", "prune", dir.to_str().unwrap()]).code(2);
}

/// Run the runbook's `emergency_restore` (tests/fixtures/runbook, copied
/// verbatim) with /var/lib/caxton pointed at a temp dir and `systemctl` and
/// `sleep` stubbed, answering "yes".
fn emergency_restore(env: &Env, backup: &Path) -> crate::common::Run {
    let root = env.path().join("var/lib/caxton");
    let script =
        std::fs::read_to_string(crate::common::repo().join("tests/fixtures/runbook/emergency_restore.sh"))
            .unwrap()
            .replace("/var/lib/caxton", root.to_str().unwrap());
    let bin = env.path().join("stub-bin");
    std::fs::create_dir_all(&bin).unwrap();
    for stub in ["systemctl", "sleep"] {
        let p = bin.join(stub);
        std::fs::write(&p, "#!/bin/sh\nexit 0\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::os::unix::fs::symlink(crate::common::bin(), bin.join("caxton")).ok();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut child = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("{script}\nemergency_restore \"$1\" CONFIRM"))
        .arg("emergency_restore")
        .arg(backup)
        .env("PATH", path)
        .env("HOME", env.path())
        .env("NO_COLOR", "1")
        .env("CAXTON_DATA_DIR", root.join("data"))
        .env("CAXTON_AGENTS_DIR", root.join("agents"))
        .current_dir(env.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"yes\n").unwrap();
    crate::common::finish(child.wait_with_output().unwrap())
}

#[test]
fn the_runbooks_emergency_restore_works_as_written() {
    let env = seeded();
    let good = backup(&env, "caxton-latest.tar.gz", &["--compress", "--verify"]);
    let counts = manifest_counts(&env, &good);
    // The production layout, with data the restore will replace.
    let root = env.path().join("var/lib/caxton");
    let live = Env::new();
    live.run(&["init"]).ok();
    std::fs::create_dir_all(&root).unwrap();
    std::fs::rename(live.data(), root.join("data")).unwrap();
    std::fs::create_dir_all(root.join("agents")).unwrap();

    let r = emergency_restore(&env, &good);
    assert!(
        r.stdout.contains("Emergency restoration successful"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stdout.contains("Storage healthy"), "{}", r.stdout);
    assert!(r.stdout.contains("Memory system:"), "{}", r.stdout);
    assert_eq!(
        serde_json::to_value(table_counts(&root.join("data/caxton.db"))).unwrap(),
        counts
    );
    assert!(root.join("data.emergency.bak/caxton.db").is_file());
    assert_eq!(std::fs::read_dir(root.join("agents")).unwrap().count(), 3);

    // A damaged backup: the restore refuses and the script puts the data back.
    let mut bytes = std::fs::read(&good).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    let bad = good.with_file_name("damaged.tar.gz");
    std::fs::write(&bad, bytes).unwrap();
    std::fs::remove_dir_all(root.join("data.emergency.bak")).unwrap();
    let before = std::fs::read(root.join("data/caxton.db")).unwrap();
    let r = emergency_restore(&env, &bad);
    assert!(
        r.stdout.contains("ERROR: Restoration failed"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert_eq!(std::fs::read(root.join("data/caxton.db")).unwrap(), before);
    assert!(!root.join("data.emergency.bak").exists());
}
