//! The attack suite for the sandbox (issue 13): each test replays a hostile
//! input through the real binary and checks that it is refused or stopped by
//! a limit, with nothing written outside its place and the process alive.
//! Commands that used to hang or fill memory run under a kill deadline and an
//! address-space limit, so a regression fails instead of wedging the suite.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Env, Run, entities_json, finish};

/// Run `cmd`, killing it after `limit`; `None` when it had to be killed.
/// The child also gets an 8 GiB address-space limit: a filter that fills
/// memory aborts instead of taking the machine with it.
fn run_within(mut cmd: Command, limit: Duration) -> Option<Run> {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        cmd.pre_exec(|| {
            let cap = libc::rlimit {
                rlim_cur: 8 << 30,
                rlim_max: 8 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &cap);
            Ok(())
        });
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run caxton");
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if child.try_wait().expect("wait").is_some() {
            return Some(finish(child.wait_with_output().expect("output")));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[track_caller]
fn within(env: &Env, args: &[&str], limit: Duration) -> Run {
    let mut cmd = env.cmd();
    cmd.args(args);
    run_within(cmd, limit)
        .unwrap_or_else(|| panic!("`caxton {}` still ran after {limit:?}", args.join(" ")))
}

/// `caxton tools run TOOL --args ARGS EXTRA...`, killed after `limit`.
#[track_caller]
fn run_tool(
    env: &Env,
    tool: &str,
    args: &serde_json::Value,
    extra: &[&str],
    limit: Duration,
) -> Run {
    let args = args.to_string();
    let mut all = vec!["tools", "run", tool, "--args", &args];
    all.extend_from_slice(extra);
    within(env, &all, limit)
}

/// [`run_tool`] that must end in a tool error (exit 1) saying `needle`.
#[track_caller]
fn tool_error(
    env: &Env,
    tool: &str,
    args: &serde_json::Value,
    limit: Duration,
    needle: &str,
) -> Run {
    let r = run_tool(env, tool, args, &[], limit);
    assert_eq!(r.code, 1, "{args}: {}", r.all());
    assert!(r.stderr.contains(needle), "{args}: {}", r.stderr);
    r
}

// ---------------------------------------------------------------- restore

fn backup(env: &Env) -> PathBuf {
    env.run(&["init"]).ok();
    env.run_stdin(
        &["memory", "create-entities", "--no-embed"],
        &entities_json("E", 2, 2),
    )
    .ok();
    let out = env.path().join("b.tar");
    env.run(&["backup", "--embedded", "--output", out.to_str().unwrap()])
        .ok();
    out
}

/// The entries of a plain tar, in order.
fn entries(file: &Path) -> Vec<(String, Vec<u8>)> {
    let mut ar = tar::Archive::new(std::fs::File::open(file).unwrap());
    ar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (name, bytes)
        })
        .filter(|(name, _)| !name.ends_with('/'))
        .collect()
}

/// Write `entries` as a tar at `out`.
fn write_tar(out: &Path, entries: &[(String, Vec<u8>)]) {
    let mut b = tar::Builder::new(std::fs::File::create(out).unwrap());
    for (name, bytes) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        // Set raw: the tar crate refuses to write the `..` names an attacker would.
        let raw = name.as_bytes();
        h.as_gnu_mut().unwrap().name[..raw.len()].copy_from_slice(raw);
        h.set_cksum();
        b.append(&h, &bytes[..]).unwrap();
    }
    b.finish().unwrap();
}

/// Re-tar `file` after `edit` changed its manifest and entries.
fn tamper(
    env: &Env,
    file: &Path,
    name: &str,
    edit: impl FnOnce(&mut serde_json::Value, &mut Vec<(String, Vec<u8>)>),
) -> PathBuf {
    let mut all = entries(file);
    let (first, bytes) = all.remove(0);
    assert_eq!(first, "manifest.json");
    let mut manifest: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    edit(&mut manifest, &mut all);
    all.insert(0, (first, serde_json::to_vec_pretty(&manifest).unwrap()));
    let out = env.path().join(name);
    write_tar(&out, &all);
    out
}

fn restore(env: &Env, file: &Path, target: &Path) -> Run {
    env.run(&[
        "restore",
        file.to_str().unwrap(),
        "--target",
        target.to_str().unwrap(),
    ])
}

#[test]
fn restore_never_writes_outside_its_target() {
    let env = Env::new();
    let good = backup(&env);
    let outside = env.path().join("outside");
    // The issue's reproduction: `origin.config` climbs out of the data dir.
    let evil = tamper(&env, &good, "evil.tar", |m, _| {
        let data_dir = m["origin"]["data_dir"].as_str().unwrap().to_string();
        let climb = "../".repeat(data_dir.matches('/').count() + 2);
        m["origin"]["config"] = format!(
            "{data_dir}/{climb}{}/pwned/owned.toml",
            outside.display().to_string().trim_start_matches('/')
        )
        .into();
    });
    let victim = env.path().join("victim");
    let r = restore(&env, &evil, &victim);
    assert!(
        !outside.join("pwned/owned.toml").exists(),
        "restore wrote outside its target: {}",
        r.all()
    );
    // The config is still restored, into the target's config directory.
    r.ok();
    assert!(victim.join("config/caxton.toml").is_file());

    // A config entry that is not a plain file name is refused outright.
    let nested = tamper(&env, &good, "nested.tar", |m, all| {
        for f in m["files"].as_array_mut().unwrap() {
            if f["path"] == "config/caxton.toml" {
                f["path"] = "config/../../../x.toml".into();
            }
        }
        for (name, _) in all.iter_mut() {
            if name == "config/caxton.toml" {
                *name = "config/x/../../../x.toml".into();
            }
        }
    });
    let r = restore(&env, &nested, &env.path().join("victim2")).code(3);
    assert!(r.stderr.contains("config/../../../x.toml"), "{}", r.stderr);
    assert!(!env.path().join("x.toml").exists());
}

#[test]
fn restore_refuses_unlisted_oversized_repeated_and_misplaced_entries() {
    let env = Env::new();
    let good = backup(&env);
    let cases: Vec<(&str, PathBuf)> = vec![
        (
            "junk.bin: in the archive but not in manifest.json",
            tamper(&env, &good, "unlisted.tar", |_, all| {
                all.push(("junk.bin".into(), vec![0; 1 << 20]));
            }),
        ),
        (
            "refused before extracting",
            // A bomb: far more bytes than the manifest admits to.
            tamper(&env, &good, "bomb.tar", |m, all| {
                for f in m["files"].as_array_mut().unwrap() {
                    if f["path"] == "data/models.json" {
                        f["size"] = 2.into();
                    }
                }
                for (name, bytes) in all.iter_mut() {
                    if name == "data/models.json" {
                        bytes.resize(4 << 20, b' ');
                    }
                }
            }),
        ),
        (
            "appears twice",
            tamper(&env, &good, "twice.tar", |_, all| {
                let again = all[0].clone();
                all.push(again);
            }),
        ),
    ];
    for (needle, file) in cases {
        let target = env
            .path()
            .join(format!("t-{}", file.file_stem().unwrap().to_string_lossy()));
        let r = restore(&env, &file, &target).code(3);
        assert!(r.stderr.contains(needle), "{needle}: {}", r.stderr);
        assert!(!target.join("data/caxton.db").exists());
    }
    // An entry before the manifest: nothing is extracted before it is read.
    let mut all = entries(&good);
    all.swap(0, 1);
    let first = env.path().join("first.tar");
    write_tar(&first, &all);
    let r = restore(&env, &first, &env.path().join("t-first")).code(3);
    assert!(
        r.stderr.contains("comes before manifest.json"),
        "{}",
        r.stderr
    );
}

#[test]
fn restore_refuses_an_oversized_manifest_and_clears_the_cache() {
    let env = Env::new();
    let good = backup(&env);
    let mut all = entries(&good);
    all[0].1.resize(17 << 20, b' ');
    let fat = env.path().join("fat.tar");
    write_tar(&fat, &all);
    let r = restore(&env, &fat, &env.path().join("t-fat")).code(3);
    assert!(
        r.stderr.contains("larger than 16777216 bytes"),
        "{}",
        r.stderr
    );

    // A stale cache (the vector index of the replaced database) is gone.
    let target = env.path().join("t-cache");
    std::fs::create_dir_all(target.join("data/cache")).unwrap();
    std::fs::write(target.join("data/cache/index.bin"), b"stale").unwrap();
    restore(&env, &good, &target).ok();
    assert!(!target.join("data/cache").exists());
}

// ---------------------------------------------------------- json_processor

#[test]
fn hostile_jq_filters_are_tool_errors_and_the_process_lives() {
    let env = Env::new();
    for (filter, needle) in [
        (
            "reduce range(1000000) as $i (null; [.])",
            "nests deeper than",
        ),
        ("until(false; .)", "json_processor: the filter"),
        // The step budget or the heap cap, whichever comes first.
        ("[range(1e10)]", "json_processor: the filter"),
    ] {
        tool_error(
            &env,
            "json_processor",
            &serde_json::json!({"input": null, "filter": filter}),
            Duration::from_secs(120),
            needle,
        );
    }
}

#[test]
fn jq_filters_that_double_values_stop_at_the_memory_limit() {
    let env = Env::new();
    for filter in [
        "[range(1000)] | until(length > 1e9; . + .) | length",
        "\"x\" | until(length > 1e12; . + .) | length",
    ] {
        let r = run_tool(
            &env,
            "json_processor",
            &serde_json::json!({"input": null, "filter": filter}),
            &[],
            Duration::from_secs(120),
        );
        assert_eq!(r.code, 1, "{filter}: {}", r.all());
        assert!(
            r.stderr.contains("needed more than 512 MiB of memory"),
            "{filter}: {}",
            r.stderr
        );
    }
    // jaq's `debug` and `stderr` print nothing of the filter's on Caxton's stderr.
    let r = run_tool(
        &env,
        "json_processor",
        &serde_json::json!({"input": "LEAK", "filter": "debug | stderr | debug(\"LEAK2\")"}),
        &[],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.stderr.contains("LEAK"), "{}", r.stderr);
}

#[test]
fn jq_results_allocated_in_one_piece_are_tool_errors_and_the_process_lives() {
    // jaq allocates `"abc" * 10^12` in one piece, sized by the filter, before
    // any step of ours runs: the allocation fails and, in-process, Rust
    // aborts. `tojson` of 2^40 shared parts is one native call that runs for
    // hours (or fills memory): no step of ours runs inside it either. In the
    // tool's worker process only the worker ends.
    let env = Env::new();
    for (filter, needle) in [
        (
            "\"abc\" * 1000000000000",
            "json_processor: the input needs more memory than the 4 GiB",
        ),
        (
            "reduce range(40) as $i ([1]; [., .]) | tojson",
            "json_processor: the ",
        ),
    ] {
        let r = tool_error(
            &env,
            "json_processor",
            &serde_json::json!({"input": null, "filter": filter}),
            Duration::from_secs(120),
            needle,
        );
        assert!(
            r.stderr.contains("more memory than") || r.stderr.contains("ran longer than 30s"),
            "{filter}: {}",
            r.stderr
        );
    }
    // The next call runs as usual.
    let r = run_tool(
        &env,
        "json_processor",
        &serde_json::json!({"input": [1, 2], "filter": "map(. * 10)"}),
        &["--json"],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("[10,20]") || r.stdout.contains("10,\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn memory_import_honours_max_entities_and_writes_nothing_when_full() {
    let env = Env::new();
    env.write("data/caxton.toml", "[memory]\nmax_entities = 3\n");
    crate::common::check_import_honours_max_entities(&env, &|| {
        let c = crate::common::table_counts(&env.data().join("caxton.db"));
        (c["memory_entities"], c["memory_observations"])
    });
}

/// A one-sheet xlsx with `dimension`, `cells` (row XML) and a shared-string
/// table declaring `unique` strings.
fn xlsx(out: &Path, dimension: &str, cells: &str, unique: u64) {
    use std::io::Write as _;
    let ns = "http://schemas.openxmlformats.org";
    let parts = [
        (
            "[Content_Types].xml",
            format!(
                r#"<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#
            ),
        ),
        (
            "_rels/.rels",
            format!(
                r#"<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                r#"<?xml version="1.0"?><workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{ns}/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                r#"<?xml version="1.0"?><worksheet xmlns="{ns}/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>"#
            ),
        ),
        (
            "xl/sharedStrings.xml",
            format!(
                r#"<?xml version="1.0"?><sst xmlns="{ns}/spreadsheetml/2006/main" count="{unique}" uniqueCount="{unique}"><si><t>name</t></si></sst>"#
            ),
        ),
    ];
    let mut z = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    for (name, text) in parts {
        z.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(text.as_bytes()).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn xlsx_bombs_are_refused_before_they_are_allocated() {
    let env = Env::new();
    let a1 = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    let corner = r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#;
    let cases = [
        (
            "dims.xlsx",
            "A1:XFD1048576",
            format!("{a1}{corner}"),
            1,
            "spans 1048576 rows × 16384 columns",
        ),
        (
            "strings.xlsx",
            "A1",
            a1.to_string(),
            100_000_000_000,
            "declares 100000000000 shared strings",
        ),
    ];
    for (name, dimension, cells, unique, needle) in cases {
        let file = env.path().join(name);
        xlsx(&file, dimension, &cells, unique);
        let r = tool_error(
            &env,
            "xlsx_reader",
            &serde_json::json!({"path": file}),
            Duration::from_secs(60),
            needle,
        );
        assert!(r.stderr.contains("4000000"), "{name}: {}", r.stderr);
    }
    // The same workbook with honest sizes reads.
    let file = env.path().join("fine.xlsx");
    xlsx(&file, "A1", a1, 1);
    let r = run_tool(
        &env,
        "xlsx_reader",
        &serde_json::json!({"path": file, "has_headers": false}),
        &[],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("name"), "{}", r.stdout);
}

/// An xls workbook (BIFF8 in a compound file) with one sheet whose
/// DIMENSIONS record declares rows `0..rows` and columns `0..cols`, and one
/// number cell (A1 = 42).
fn xls(out: &Path, rows: u32, cols: u16) {
    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut r = typ.to_le_bytes().to_vec();
        r.extend((data.len() as u16).to_le_bytes());
        r.extend(data);
        r
    }
    let bof = |dt: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend(dt.to_le_bytes());
        d.resize(16, 0);
        record(0x0809, &d)
    };
    let eof = record(0x000A, &[]);
    // BoundSheet8: sheet BOF offset, visible worksheet, "S".
    let bound = |at: u32| {
        let mut d = at.to_le_bytes().to_vec();
        d.extend([0, 0, 1, 0, b'S']);
        record(0x0085, &d)
    };
    let globals_len = bof(0x0005).len() + bound(0).len() + eof.len();
    let mut stream = bof(0x0005);
    stream.extend(bound(globals_len as u32));
    stream.extend(&eof);
    stream.extend(bof(0x0010));
    let mut dims = 0u32.to_le_bytes().to_vec();
    dims.extend(rows.to_le_bytes());
    dims.extend(0u16.to_le_bytes());
    dims.extend(cols.to_le_bytes());
    dims.extend(0u16.to_le_bytes());
    stream.extend(record(0x0200, &dims));
    let mut number = vec![0u8; 6];
    number.extend(42f64.to_le_bytes());
    stream.extend(record(0x0203, &number));
    stream.extend(&eof);
    // Streams under 4096 bytes live in the mini stream; pad past it so the
    // stream is in ordinary 512-byte sectors (after EOF, never read).
    stream.resize(4608, 0);
    let sectors = stream.len() / 512;
    // Compound file: header, FAT (sector 0), directory (sector 1), stream.
    let u32s = |v: &[u32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let (end, free, fat_sect, none) = (
        0xFFFF_FFFEu32,
        0xFFFF_FFFFu32,
        0xFFFF_FFFDu32,
        0xFFFF_FFFFu32,
    );
    let mut header = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    header.resize(24, 0);
    header.extend([0x3E, 0, 3, 0, 0xFE, 0xFF, 9, 0, 6, 0]);
    header.resize(44, 0);
    header.extend(u32s(&[1, 1, 0, 0x1000, end, 0, end, 0, 0]));
    header.truncate(76);
    header.extend(u32s(&[0]));
    header.resize(512, 0xFF);
    let mut fat = vec![fat_sect, end];
    fat.extend((0..sectors as u32).map(|i| if i + 1 == sectors as u32 { end } else { 3 + i }));
    fat.resize(128, free);
    let entry = |name: &str, kind: u8, child: u32, start: u32, size: u32| {
        let mut e: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        e.resize(64, 0);
        e.extend((((name.len() + 1) * 2) as u16).to_le_bytes());
        e.extend([kind, 1]);
        e.extend(u32s(&[none, none, child]));
        e.resize(116, 0);
        e.extend(u32s(&[start, size, 0]));
        e
    };
    let mut file = header;
    file.extend(u32s(&fat));
    file.extend(entry("Root Entry", 5, 1, end, 0));
    file.extend(entry("Workbook", 2, none, 2, stream.len() as u32));
    file.extend(vec![0u8; 256]);
    file.extend(&stream);
    std::fs::write(out, file).unwrap();
}

#[test]
fn an_xls_that_declares_a_huge_sheet_is_a_tool_error_and_the_process_lives() {
    // calamine reserves declared rows × columns for an xls sheet before it
    // reads a cell: 2^32 × 256 cells here, tens of terabytes.
    let env = Env::new();
    let bomb = env.path().join("bomb.xls");
    xls(&bomb, u32::MAX, 256);
    let r = run_tool(
        &env,
        "xlsx_reader",
        &serde_json::json!({"path": bomb}),
        &[],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr
            .contains("xlsx_reader: the input needs more memory than"),
        "{}",
        r.stderr
    );
    // The same workbook declaring its real size reads.
    let fine = env.path().join("fine.xls");
    xls(&fine, 1, 1);
    let r = run_tool(
        &env,
        "xlsx_reader",
        &serde_json::json!({"path": fine, "has_headers": false}),
        &["--json"],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stdout.contains("42"), "{}", r.stdout);
}

// ---------------------------------------------------------------- WASM host

/// A WASI command that fills its first 8 KiB with `setup` and then calls
/// `call` forever.
fn looping_module(env: &Env, name: &str, import: &str, call: &str) -> String {
    let wat = format!(
        r#"(module
             {import}
             (memory (export "memory") 160)
             (func (export "_start")
               (local $i i32)
               ;; 1024 iovecs, each the whole 10 MiB memory.
               (loop $fill
                 (i32.store (i32.mul (local.get $i) (i32.const 8)) (i32.const 0))
                 (i32.store (i32.add (i32.mul (local.get $i) (i32.const 8)) (i32.const 4))
                            (i32.const 10485760))
                 (local.set $i (i32.add (local.get $i) (i32.const 1)))
                 (br_if $fill (i32.lt_u (local.get $i) (i32.const 1024))))
               (loop $forever {call} (br $forever))))"#
    );
    let p = env.path().join(format!("{name}.wasm"));
    std::fs::write(&p, wat::parse_str(wat).expect("valid WAT")).unwrap();
    p.display().to_string()
}

#[test]
fn host_calls_cannot_outrun_the_time_limit() {
    let env = Env::new();
    env.run(&["init"]).ok();
    let cases = [
        (
            "fd-write",
            r#"(import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))"#,
            "(drop (call $w (i32.const 2) (i32.const 0) (i32.const 1024) (i32.const 8192)))",
        ),
        (
            "caxton-log",
            r#"(import "caxton" "log" (func $log (param i32 i32 i32)))"#,
            "(call $log (i32.const 2) (i32.const 0) (i32.const 65536))",
        ),
        (
            "random-get",
            r#"(import "wasi_snapshot_preview1" "random_get" (func $r (param i32 i32) (result i32)))"#,
            "(drop (call $r (i32.const 0) (i32.const 65536)))",
        ),
    ];
    for (name, import, call) in cases {
        let file = looping_module(&env, name, import, call);
        env.run(&[
            "agents",
            "deploy",
            name,
            "--source",
            &file,
            "--max-memory",
            "16MiB",
            "--timeout",
            "1s",
        ])
        .ok();
        let started = Instant::now();
        let r = within(
            &env,
            &["agents", "test", name, "--input", "{}"],
            Duration::from_secs(60),
        );
        r.code(7);
        // Far more than one slice past the limit, far less than the
        // minutes the loop used to hold the worker.
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{name}: {:?}",
            started.elapsed()
        );
    }
}

// ------------------------------------------------------------ http_client

#[test]
fn a_slow_drip_response_hits_the_overall_deadline() {
    let env = Env::new();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut head = [0u8; 4096];
        let _ = s.read(&mut head);
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n");
        // One byte per 200 ms: each read is well within the 1 s timeout,
        // the whole body takes 40 s.
        for _ in 0..200 {
            if s.write_all(b"x").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let args =
        serde_json::json!({"url": format!("http://127.0.0.1:{port}/"), "timeout": 1}).to_string();
    let started = Instant::now();
    let r = within(
        &env,
        &[
            "tools",
            "run",
            "http_client",
            "--args",
            &args,
            "--tool-config",
            r#"{"allow_private_networks": true}"#,
        ],
        Duration::from_secs(90),
    )
    .code(7);
    assert!(r.stderr.contains("timed out after 1 s"), "{}", r.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    server.join().unwrap();
}

// ------------------------------------------------------------ permissions

#[test]
fn ipv6_addresses_that_carry_a_private_ipv4_address_are_refused() {
    // NAT64, 6to4, IPv4-compatible and site-local forms passed the
    // private-address check and were fetched.
    let env = Env::new();
    for (url, kind) in [
        ("http://[64:ff9b::7f00:1]/", "loopback"),
        ("http://[2002:a9fe:a9fe::1]/", "link-local"),
        ("http://[::192.168.1.1]/", "private"),
        ("http://[fec0::1]/", "site-local"),
    ] {
        tool_error(
            &env,
            "http_client",
            &serde_json::json!({"url": url}),
            Duration::from_secs(60),
            kind,
        );
    }
}

#[test]
fn file_storage_refuses_a_write_past_the_workspace_quota() {
    // `file_storage` had no workspace quota: an agent could fill the disk
    // one file at a time under max_file_size.
    let env = Env::new();
    let ws = env.path().join("ws");
    let write = |path: &str, content: &str| {
        run_tool(
            &env,
            "file_storage",
            &serde_json::json!({"operation": "write", "path": path, "content": content}),
            &[
                "--workspace",
                ws.to_str().unwrap(),
                "--tool-config",
                r#"{"max_workspace_size": "20B"}"#,
            ],
            Duration::from_secs(60),
        )
    };
    let r = write("one", &"x".repeat(12));
    assert_eq!(r.code, 0, "{}", r.all());
    let r = write("two", &"y".repeat(12));
    // Exit 7: a limit was hit.
    assert_eq!(r.code, 7, "{}", r.all());
    assert!(r.stderr.contains("max_workspace_size"), "{}", r.stderr);
    assert!(
        !ws.join("two").exists(),
        "nothing is written past the quota"
    );
}

#[test]
fn the_data_directory_and_its_secrets_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.run(&["init"]).ok();
    let mode = |p: PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(env.data()), 0o700);
    assert_eq!(mode(env.data().join("caxton.db")), 0o600);
    assert_eq!(mode(env.data().join("caxton.toml")), 0o600);
}
