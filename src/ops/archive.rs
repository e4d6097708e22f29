//! The backup archive format and its verification. A backup is a tar
//! (optionally gzip or zstd compressed) holding `manifest.json` first, then
//! `data/caxton.db` (a `VACUUM INTO` snapshot), `data/models.json`,
//! `agents/...` and `config/<file>`. The manifest lists the size and blake3
//! of every other file, the schema version and the row count of every table,
//! so `verify` can prove the archive is complete and restorable.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::agent::validate::{self, Context};
use crate::error::{Error, Result};

/// Bumped when the layout changes incompatibly; verify refuses newer ones.
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
pub const DB_ENTRY: &str = "data/caxton.db";
pub const MODELS_ENTRY: &str = "data/models.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    Tar,
    Gzip,
    Zstd,
}

impl Codec {
    /// The name `--json` output and trace attributes use.
    pub fn as_str(self) -> &'static str {
        match self {
            Codec::Tar => "tar",
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
        }
    }

    /// The codec an output name asks for: `.gz`/`.tgz` gzip, `.zst`/`.tzst`
    /// zstd, anything else plain tar, or zstd when `compress` is set. The
    /// second value is true when `compress` chose zstd for a name without a
    /// compression suffix (the caller says so).
    pub fn for_output(path: &Path, compress: bool) -> (Codec, bool) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if name.ends_with(".gz") || name.ends_with(".tgz") {
            (Codec::Gzip, false)
        } else if name.ends_with(".zst") || name.ends_with(".tzst") {
            (Codec::Zstd, false)
        } else if compress {
            (Codec::Zstd, true)
        } else {
            (Codec::Tar, false)
        }
    }

    /// Recognise a codec by its magic bytes, whatever the file is called.
    fn sniff(head: &[u8]) -> Codec {
        match head {
            [0x1f, 0x8b, ..] => Codec::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Codec::Zstd,
            _ => Codec::Tar,
        }
    }
}

/// Compressing writer for one codec; `finish` flushes the trailer.
pub enum Encoder<W: Write> {
    Tar(W),
    Gzip(flate2::write::GzEncoder<W>),
    Zstd(zstd::Encoder<'static, W>),
}

impl<W: Write> Encoder<W> {
    pub fn new(codec: Codec, w: W) -> std::io::Result<Encoder<W>> {
        Ok(match codec {
            Codec::Tar => Encoder::Tar(w),
            // Level 1: gzip exists for interoperability (the runbook's
            // .tar.gz); higher levels cost 5x the time for ~3% smaller files.
            Codec::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::fast(),
            )),
            Codec::Zstd => {
                let mut e = zstd::Encoder::new(w, ZSTD_LEVEL)?;
                e.include_checksum(true)?;
                let workers = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
                e.multithread(workers)?;
                Encoder::Zstd(e)
            }
        })
    }

    pub fn finish(self) -> std::io::Result<W> {
        match self {
            Encoder::Tar(w) => Ok(w),
            Encoder::Gzip(e) => e.finish(),
            Encoder::Zstd(e) => e.finish(),
        }
    }
}

/// zstd level 1: on a store of embeddings (random-looking f32) level 3 costs
/// 3x the CPU for the same size (docs/performance.md, "Backup").
const ZSTD_LEVEL: i32 = 1;

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Encoder::Tar(w) => w.write(buf),
            Encoder::Gzip(e) => e.write(buf),
            Encoder::Zstd(e) => e.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Encoder::Tar(w) => w.flush(),
            Encoder::Gzip(e) => e.flush(),
            Encoder::Zstd(e) => e.flush(),
        }
    }
}

/// Open an archive for reading, decompressing by magic bytes.
pub fn open(file: &Path) -> Result<(Codec, Box<dyn Read>)> {
    let f = File::open(file).map_err(|e| Error::io("read", file, e))?;
    let mut r = BufReader::with_capacity(1 << 20, f);
    let head = {
        use std::io::BufRead;
        r.fill_buf()
            .map_err(|e| Error::io("read", file, e))?
            .to_vec()
    };
    let codec = Codec::sniff(&head);
    let reader: Box<dyn Read> = match codec {
        Codec::Tar => Box::new(r),
        Codec::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(r)),
        Codec::Zstd => {
            Box::new(zstd::Decoder::with_buffer(r).map_err(|e| Error::io("decompress", file, e))?)
        }
    };
    Ok((codec, reader))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub blake3: String,
}

/// Where the backed-up data came from, so a restore can put the config back
/// where it belongs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Origin {
    pub data_dir: PathBuf,
    pub agents_dir: PathBuf,
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    pub caxton_version: String,
    pub schema_version: i64,
    pub sqlite_version: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub model: String,
    pub row_counts: BTreeMap<String, i64>,
    pub files: Vec<FileEntry>,
    pub origin: Origin,
}

impl Manifest {
    pub fn created_unix(&self) -> Option<i64> {
        humantime::parse_rfc3339(&self.created_at)
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64)
    }
}

/// The largest manifest read. A real one lists a few bytes of JSON per file
/// (~200 bytes); 16 MiB is tens of thousands of agent files, and a larger
/// one is refused before it is read into memory.
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// Read only the manifest (the first entry): cheap, for listing and pruning.
/// `None` when the file is not a Caxton backup.
pub fn read_manifest(file: &Path) -> Option<Manifest> {
    let (_, reader) = open(file).ok()?;
    let mut ar = tar::Archive::new(reader);
    let entry = ar.entries().ok()?.next()?.ok()?;
    if entry.path().ok()?.as_os_str() != MANIFEST {
        return None;
    }
    read_manifest_entry(entry).ok()
}

/// Parse the manifest entry, refusing one over [`MAX_MANIFEST_BYTES`] before
/// reading it (the header's size) and while reading it (a lying header).
fn read_manifest_entry(entry: impl Read) -> std::result::Result<Manifest, String> {
    let mut text = Vec::new();
    entry
        .take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|e| e.to_string())?;
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(format!(
            "larger than {} bytes: not a Caxton manifest",
            MAX_MANIFEST_BYTES
        ));
    }
    let m: Manifest = serde_json::from_slice(&text).map_err(|e| e.to_string())?;
    // Caxton writes canonical names; anything else is not its manifest.
    if let Some(bad) = m
        .files
        .iter()
        .find(|f| canonical_name(&f.path).as_deref() != Ok(f.path.as_str()))
    {
        return Err(format!(
            "lists {:?}, which is not a canonical relative path inside the archive",
            bad.path
        ));
    }
    // A name that is also another's directory could never be extracted:
    // refused here rather than met as an I/O error half-way through.
    let names: BTreeSet<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
    if names.len() != m.files.len() {
        return Err("lists the same path twice".into());
    }
    if let Some(dir) = m.files.iter().find_map(|f| {
        let mut prefix = f.path.as_str();
        while let Some((parent, _)) = prefix.rsplit_once('/') {
            if names.contains(parent) {
                return Some((parent, f.path.as_str()));
            }
            prefix = parent;
        }
        None
    }) {
        return Err(format!(
            "lists {:?} both as a file and as the directory of {:?}",
            dir.0, dir.1
        ));
    }
    Ok(m)
}

/// The outcome of verifying an archive; `problems` is empty when it passed.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub file: PathBuf,
    pub codec: Codec,
    pub manifest: Option<Manifest>,
    pub files_checked: usize,
    pub integrity: String,
    pub agents_checked: usize,
    pub problems: Vec<String>,
}

impl Verification {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn into_result(self) -> Result<Verification> {
        if self.passed() {
            Ok(self)
        } else {
            Err(Error::BackupInvalid {
                file: self.file,
                problems: self.problems,
            })
        }
    }
}

/// Archive paths must stay inside the staging directory.
fn safe_relative(p: &Path) -> bool {
    p.components().all(|c| matches!(c, Component::Normal(_))) && p.components().next().is_some()
}

/// The canonical form of an archive entry name: `.` segments and repeated
/// `/` dropped (`data/./x`, `data//x` are `data/x`), so the name compared
/// with the manifest is the path that would be written. Refused, with why:
/// an empty name, an absolute one, `..`, a backslash, a NUL, or a trailing
/// `/` (a file entry named like a directory).
fn canonical_name(raw: &str) -> std::result::Result<String, &'static str> {
    if raw.starts_with('/') {
        return Err("an absolute path");
    }
    if raw.contains('\\') || raw.contains('\0') {
        return Err("contains a backslash or NUL");
    }
    if raw.ends_with('/') {
        return Err("ends in '/', which names a directory, not a file");
    }
    let mut parts = Vec::new();
    for part in raw.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("climbs out with '..'"),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err("names no file");
    }
    Ok(parts.join("/"))
}

/// One plain path component: a file name that cannot climb or descend.
pub(crate) fn single_component(name: &str) -> bool {
    let p = Path::new(name);
    safe_relative(p) && p.components().count() == 1 && !name.contains('\\')
}

/// A writer that hashes and counts what passes through.
struct Hashing<W> {
    inner: W,
    hasher: blake3::Hasher,
    size: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Unpack `file` into `stage` (which must exist and be empty) and check
/// everything: the manifest, every size and hash, that nothing is missing or
/// extra, the snapshot's `integrity_check`, schema version and row counts,
/// and that every agent file validates. `progress(done, total)` reports
/// unpacked bytes against the manifest's total.
pub fn verify_into(
    file: &Path,
    stage: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Verification> {
    let (codec, reader) = open(file)?;
    let mut v = Verification {
        file: file.to_path_buf(),
        codec,
        manifest: None,
        files_checked: 0,
        integrity: "not checked".into(),
        agents_checked: 0,
        problems: Vec::new(),
    };
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut listed_sizes: BTreeMap<String, u64> = BTreeMap::new();
    let mut ar = tar::Archive::new(reader);
    let mut done = 0u64;
    let mut total = 0u64;
    let mut last = String::from("the start");
    let entries = match ar.entries() {
        Ok(e) => e,
        Err(e) => {
            v.problems.push(format!("not a readable tar archive: {e}"));
            return Ok(v);
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                v.problems
                    .push(format!("archive is damaged after {last}: {e}"));
                break;
            }
        };
        let path = match entry.path() {
            Ok(p) => p.into_owned(),
            Err(e) => {
                v.problems
                    .push(format!("unreadable entry name after {last}: {e}"));
                break;
            }
        };
        let raw = path.to_string_lossy().into_owned();
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            v.problems.push(format!(
                "{raw}: unexpected entry (not a plain file inside the archive)"
            ));
            continue;
        }
        let name = match canonical_name(&raw) {
            Ok(name) => name,
            Err(why) => {
                v.problems
                    .push(format!("{raw:?}: malformed entry name: {why}"));
                break;
            }
        };
        if name == MANIFEST && v.manifest.is_none() {
            if entry.header().size().unwrap_or(u64::MAX) > MAX_MANIFEST_BYTES {
                v.problems.push(format!(
                    "{MANIFEST}: larger than {MAX_MANIFEST_BYTES} bytes: not a Caxton manifest"
                ));
                break;
            }
            match read_manifest_entry(&mut entry) {
                Ok(m) => {
                    total = m.files.iter().map(|f| f.size).sum();
                    listed_sizes = m.files.iter().map(|f| (f.path.clone(), f.size)).collect();
                    v.manifest = Some(m);
                }
                Err(e) => {
                    v.problems.push(format!("{MANIFEST}: unreadable: {e}"));
                    break;
                }
            }
            last = name;
            continue;
        }
        // Nothing is extracted unless the manifest (the first entry) lists
        // it at no smaller a size: an unlisted, repeated or oversized entry
        // (a decompression bomb) stops the verification before one byte of it
        // is written or even decompressed.
        let Some(&listed) = listed_sizes.get(&name) else {
            v.problems.push(match v.manifest {
                None => format!("{name}: comes before {MANIFEST} (it must be the first entry)"),
                Some(_) => format!("{name}: in the archive but not in {MANIFEST}"),
            });
            break;
        };
        if seen.contains_key(&name) {
            v.problems
                .push(format!("{name}: appears twice in the archive"));
            break;
        }
        let size = entry.header().size().unwrap_or(u64::MAX);
        if size > listed {
            v.problems.push(format!(
                "{name}: {size} bytes in the archive, manifest says {listed}: refused before extracting"
            ));
            break;
        }
        let dest = stage.join(&name);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        }
        // Owner-only: the snapshot becomes the live database on restore.
        let out = {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&dest)
                .map_err(|e| Error::io("write", &dest, e))?
        };
        let mut w = Hashing {
            inner: std::io::BufWriter::with_capacity(1 << 20, out),
            hasher: blake3::Hasher::new(),
            size: 0,
        };
        let mut buf = vec![0u8; 1 << 20];
        let copied: std::io::Result<()> = loop {
            match entry.read(&mut buf) {
                Ok(0) => break w.flush(),
                Ok(n) => {
                    if let Err(e) = w.write_all(&buf[..n]) {
                        return Err(Error::io("write", &dest, e));
                    }
                    done += n as u64;
                    progress(done, total);
                }
                Err(e) => break Err(e),
            }
        };
        if let Err(e) = copied {
            v.problems
                .push(format!("{name}: archive is damaged inside this file: {e}"));
            break;
        }
        seen.insert(
            name.clone(),
            (w.size, w.hasher.finalize().to_hex().to_string()),
        );
        last = name;
    }
    // The tar end marker is not the end of the file: the gzip CRC-32 and the
    // zstd checksum sit in the trailer, and a flipped byte can leave every
    // entry's bytes the same (a back-reference into a run of zeros moved) so
    // only they catch it.
    if v.problems.is_empty()
        && let Err(e) = read_trailer(ar.into_inner())
    {
        v.problems
            .push(format!("archive is damaged after {last}: {e}"));
    }
    let Some(manifest) = v.manifest.clone() else {
        if !v.problems.iter().any(|p| p.starts_with(MANIFEST)) {
            v.problems.push(format!(
                "{MANIFEST} is missing: this is not a Caxton backup, or its start is damaged"
            ));
        }
        return Ok(v);
    };
    if manifest.format_version > FORMAT_VERSION {
        v.problems.push(format!(
            "{MANIFEST}: format version {} is newer than this build reads ({FORMAT_VERSION}); upgrade caxton",
            manifest.format_version
        ));
        return Ok(v);
    }
    check_files(&manifest, &seen, &mut v);
    if seen.contains_key(DB_ENTRY) {
        check_database(&stage.join(DB_ENTRY), &manifest, &mut v);
    }
    check_agents(stage, &manifest, &mut v);
    Ok(v)
}

/// What may follow the tar end marker: writers pad to a record (10 KiB
/// for GNU tar); anything longer is not a Caxton backup, and the bound keeps a
/// decompression bomb hidden there from being read.
const MAX_TRAILER_BYTES: u64 = 1 << 20;

/// Read the stream after the last entry to its end, so the decompressor checks
/// its trailer.
fn read_trailer(rest: impl Read) -> std::io::Result<()> {
    let n = std::io::copy(&mut rest.take(MAX_TRAILER_BYTES + 1), &mut std::io::sink())?;
    if n > MAX_TRAILER_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("more than {MAX_TRAILER_BYTES} bytes follow the end of the tar archive"),
        ));
    }
    Ok(())
}

fn check_files(manifest: &Manifest, seen: &BTreeMap<String, (u64, String)>, v: &mut Verification) {
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    if !listed.contains(DB_ENTRY) {
        v.problems.push(format!(
            "{MANIFEST} does not list {DB_ENTRY}: the backup has no database"
        ));
    }
    for f in &manifest.files {
        match seen.get(&f.path) {
            None => v
                .problems
                .push(format!("{}: missing from the archive", f.path)),
            Some((size, _)) if *size != f.size => v.problems.push(format!(
                "{}: size {size} bytes, manifest says {}",
                f.path, f.size
            )),
            Some((_, hash)) if *hash != f.blake3 => v.problems.push(format!(
                "{}: blake3 {hash} does not match the manifest ({})",
                f.path, f.blake3
            )),
            Some(_) => v.files_checked += 1,
        }
    }
}

fn check_database(db: &Path, manifest: &Manifest, v: &mut Verification) {
    let conn = match super::open_read_only(db) {
        Ok(c) => c,
        Err(e) => {
            v.problems.push(format!("{DB_ENTRY}: cannot open: {e}"));
            return;
        }
    };
    match super::integrity(&conn, "integrity_check") {
        Ok(msgs) if msgs == ["ok"] => v.integrity = "ok".into(),
        Ok(msgs) => {
            v.integrity = msgs.join("; ");
            v.problems
                .push(format!("{DB_ENTRY}: integrity_check: {}", v.integrity));
        }
        Err(e) => v
            .problems
            .push(format!("{DB_ENTRY}: integrity_check failed: {e}")),
    }
    match conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)) {
        Ok(s) if s != manifest.schema_version => v.problems.push(format!(
            "{DB_ENTRY}: schema version {s}, manifest says {}",
            manifest.schema_version
        )),
        Ok(_) => {}
        Err(e) => v
            .problems
            .push(format!("{DB_ENTRY}: cannot read the schema version: {e}")),
    }
    match super::table_counts(&conn) {
        Ok(counts) => {
            for (table, want) in &manifest.row_counts {
                match counts.get(table) {
                    Some(n) if n == want => {}
                    Some(n) => v.problems.push(format!(
                        "{DB_ENTRY}: table {table} has {n} rows, manifest says {want}"
                    )),
                    None => v
                        .problems
                        .push(format!("{DB_ENTRY}: table {table} is missing")),
                }
            }
        }
        Err(e) => v
            .problems
            .push(format!("{DB_ENTRY}: cannot count rows: {e}")),
    }
}

/// Every `agents/*.toml` must validate, with the MCP servers of the backed-up
/// config (not this machine's) as context.
fn check_agents(stage: &Path, manifest: &Manifest, v: &mut Verification) {
    let config = manifest
        .files
        .iter()
        .find(|f| f.path.starts_with("config/"))
        .map(|f| stage.join(&f.path));
    let ctx = Context {
        mcp_servers: config.as_deref().map(mcp_servers).unwrap_or_default(),
        // A backup is verified offline: no server of it is started.
        mcp: None,
    };
    for f in &manifest.files {
        if !(f.path.starts_with("agents/") && f.path.ends_with(".toml")) {
            continue;
        }
        let Ok(bytes) = std::fs::read(stage.join(&f.path)) else {
            continue; // already reported as missing
        };
        let report = validate::validate_bytes(Path::new(&f.path), bytes, &ctx);
        v.agents_checked += 1;
        if let Some(d) = report.errors().next() {
            v.problems.push(format!(
                "{}: agent file does not validate: {}{}",
                f.path,
                d.message,
                match report.errors().count() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                }
            ));
        }
    }
}

/// Names of `[mcp.servers.*]` in a TOML or YAML server config.
fn mcp_servers(config: &Path) -> BTreeSet<String> {
    let Ok(text) = std::fs::read_to_string(config) else {
        return BTreeSet::new();
    };
    let yaml = config
        .extension()
        .is_some_and(|e| e == "yaml" || e == "yml");
    let value: Option<serde_json::Value> = if yaml {
        serde_norway::from_str(&text).ok()
    } else {
        toml::from_str::<toml::Table>(&text)
            .ok()
            .and_then(|t| serde_json::to_value(t).ok())
    };
    value
        .as_ref()
        .and_then(|v| v.pointer("/mcp/servers"))
        .and_then(|s| s.as_object())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codec_from_name_and_flag() {
        let c = |n: &str, z| Codec::for_output(Path::new(n), z);
        assert_eq!(c("b.tar.gz", false), (Codec::Gzip, false));
        assert_eq!(c("b.tgz", true), (Codec::Gzip, false));
        assert_eq!(c("b.tar.zst", false), (Codec::Zstd, false));
        assert_eq!(c("b.tar", false), (Codec::Tar, false));
        assert_eq!(c("b.tar", true), (Codec::Zstd, true));
        assert_eq!(Codec::sniff(&[0x1f, 0x8b, 8]), Codec::Gzip);
        assert_eq!(Codec::sniff(&[0x28, 0xb5, 0x2f, 0xfd]), Codec::Zstd);
        assert_eq!(Codec::sniff(b"data/"), Codec::Tar);
    }

    #[test]
    fn unsafe_paths_are_refused() {
        assert!(safe_relative(Path::new("agents/a.toml")));
        assert!(!safe_relative(Path::new("../etc/passwd")));
        assert!(!safe_relative(Path::new("/etc/passwd")));
        assert!(!safe_relative(Path::new("agents/../../x")));
    }

    #[test]
    fn entry_names_are_canonicalised_and_malformed_ones_named() {
        assert_eq!(canonical_name("data/./x").as_deref(), Ok("data/x"));
        assert_eq!(canonical_name("./data//x").as_deref(), Ok("data/x"));
        for bad in ["data////", "data/", "/etc/x", "a/../b", ".", "a\\b", ""] {
            assert!(canonical_name(bad).is_err(), "{bad}");
        }
        let dir = tempfile::tempdir().unwrap();
        let run = |entries: &[(String, Vec<u8>, Option<i64>)]| {
            let file = dir.path().join("b.tar");
            std::fs::write(&file, tar_of(entries, true)).unwrap();
            let stage = tempfile::tempdir_in(dir.path()).unwrap();
            let v = verify_into(&file, stage.path(), &mut |_, _| {}).unwrap();
            (v.problems, walk(stage.path()).len())
        };
        // `data////` names a directory: an invalid backup, not an I/O error.
        let (problems, written) = run(&[("data////".into(), b"x".to_vec(), None)]);
        assert_eq!(written, 0);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("\"data////\": malformed entry name: ends in '/'")),
            "{problems:?}"
        );
        // A manifest listing a non-canonical name, or a file that is also a
        // directory, is refused before anything is extracted.
        let (problems, written) = run(&[("data/./x".into(), b"x".to_vec(), Some(0))]);
        assert_eq!(written, 0);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("not a canonical relative path")),
            "{problems:?}"
        );
        let (problems, written) = run(&[
            ("data".into(), b"x".to_vec(), Some(0)),
            ("data/x".into(), b"y".to_vec(), Some(0)),
        ]);
        assert_eq!(written, 0);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("both as a file and as the directory")),
            "{problems:?}"
        );
    }

    #[test]
    fn an_entry_is_checked_and_written_under_its_canonical_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("b.tar");
        // The manifest lists `a/b`; the entry is spelled `a/./b`.
        let mut b = tar::Builder::new(Vec::new());
        let manifest_tar = tar_of(&[("a/b".into(), b"hello".to_vec(), Some(0))], true);
        let mut ar = tar::Archive::new(&manifest_tar[..]);
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            let name = if name == "a/b" {
                "a/./b".to_string()
            } else {
                name
            };
            h.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            b.append(&h, &bytes[..]).unwrap();
        }
        std::fs::write(&file, b.into_inner().unwrap()).unwrap();
        let stage = dir.path().join("stage");
        std::fs::create_dir(&stage).unwrap();
        let v = verify_into(&file, &stage, &mut |_, _| {}).unwrap();
        assert_eq!(std::fs::read(stage.join("a/b")).unwrap(), b"hello");
        assert!(
            !v.problems
                .iter()
                .any(|p| p.contains("a/b") || p.contains("a/./b")),
            "{:?}",
            v.problems
        );
    }

    /// A gzip or zstd backup whose entries decompress intact but whose
    /// trailer checksum disagrees is damaged: the tar end marker is not where
    /// reading stops.
    #[test]
    fn a_bad_trailer_checksum_is_damage_even_when_every_entry_reads_intact() {
        let dir = tempfile::tempdir().unwrap();
        let tar = tar_of(&[("a/b".into(), vec![0u8; 4096], Some(0))], true);
        for codec in [Codec::Gzip, Codec::Zstd] {
            let mut e = Encoder::new(codec, Vec::new()).unwrap();
            e.write_all(&tar).unwrap();
            let mut bytes = e.finish().unwrap();
            let file = dir.path().join(format!("{codec:?}"));
            let check = |bytes: &[u8]| {
                std::fs::write(&file, bytes).unwrap();
                let stage = tempfile::tempdir_in(dir.path()).unwrap();
                verify_into(&file, stage.path(), &mut |_, _| {})
                    .unwrap()
                    .problems
            };
            assert!(
                !check(&bytes).iter().any(|p| p.contains("damaged")),
                "{codec:?}"
            );
            // gzip: CRC-32 then size; zstd: the 4-byte content checksum.
            let at = bytes.len() - if codec == Codec::Gzip { 8 } else { 1 };
            bytes[at] ^= 0xff;
            let problems = check(&bytes);
            assert!(
                problems.iter().any(|p| p.contains("archive is damaged")),
                "{codec:?}: {problems:?}"
            );
        }
    }

    use proptest::prelude::*;

    /// Cases per property: `PROPTEST_CASES` (scripts/fuzz raises it).
    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(64)
    }

    /// An archive entry: a name from a small alphabet that includes `..`,
    /// `/` and `.`, its bytes, and what the manifest says about it.
    fn entry() -> impl Strategy<Value = (String, Vec<u8>, Option<i64>)> {
        (
            prop::collection::vec(
                prop::sample::select(vec![
                    "a",
                    "b",
                    "..",
                    ".",
                    "data",
                    "caxton.db",
                    "/",
                    "agents",
                ]),
                1..5,
            ),
            prop::collection::vec(any::<u8>(), 0..64),
            prop::option::of(-4i64..4),
        )
            .prop_map(|(parts, bytes, listed)| (parts.join("/"), bytes, listed))
    }

    fn tar_of(entries: &[(String, Vec<u8>, Option<i64>)], manifest_first: bool) -> Vec<u8> {
        let files: Vec<serde_json::Value> = entries
            .iter()
            .filter_map(|(name, bytes, listed)| {
                listed.map(|delta| {
                    serde_json::json!({
                        "path": name,
                        "size": (bytes.len() as i64 + delta).max(0),
                        "blake3": blake3::hash(bytes).to_hex().to_string(),
                    })
                })
            })
            .collect();
        let manifest = serde_json::json!({
            "format_version": 1, "caxton_version": "0", "schema_version": 1,
            "sqlite_version": "3", "created_at": "2026-01-01T00:00:00Z", "model": "m",
            "row_counts": {}, "files": files,
            "origin": {"data_dir": "/d", "agents_dir": "/d/agents", "config": null},
        });
        let mut b = tar::Builder::new(Vec::new());
        let mut add = |name: &str, bytes: &[u8]| {
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            // Names the tar crate refuses to write (absolute, `..`) go in raw.
            let raw = name.as_bytes();
            let n = raw.len().min(99);
            if let Some(gnu) = h.as_gnu_mut() {
                gnu.name[..n].copy_from_slice(&raw[..n]);
            }
            h.set_cksum();
            b.append(&h, bytes).unwrap();
        };
        let manifest = serde_json::to_vec(&manifest).unwrap();
        if manifest_first {
            add(MANIFEST, &manifest);
        }
        for (name, bytes, _) in entries {
            add(name, bytes);
        }
        if !manifest_first {
            add(MANIFEST, &manifest);
        }
        b.into_inner().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        /// Whatever the archive holds, verification answers (never panics),
        /// writes only inside the staging directory, and only entries the
        /// manifest lists at no smaller a size.
        #[test]
        fn proptest_verify_extracts_only_listed_entries_inside_the_stage(
            entries in prop::collection::vec(entry(), 0..6),
            manifest_first in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("b.tar");
            std::fs::write(&file, tar_of(&entries, manifest_first)).unwrap();
            let stage = dir.path().join("stage");
            std::fs::create_dir(&stage).unwrap();
            // An answer: a report of what is wrong (an invalid backup), never
            // an I/O error from a hostile name, never a panic.
            let v = verify_into(&file, &stage, &mut |_, _| {});
            prop_assert!(v.is_ok(), "{:?}", v.as_ref().err());
            // Only the archive and the stage exist in the temp dir.
            let mut top: Vec<_> = std::fs::read_dir(dir.path()).unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
            top.sort();
            prop_assert_eq!(top, vec!["b.tar".to_string(), "stage".to_string()]);
            for written in walk(&stage) {
                let rel = written.strip_prefix(&stage).unwrap().to_string_lossy().replace('\\', "/");
                let size = std::fs::metadata(&written).unwrap().len() as i64;
                let listed = entries.iter().find(|(n, _, l)| *n == rel && l.is_some());
                prop_assert!(listed.is_some(), "{} extracted but not listed", rel);
                let (_, bytes, delta) = listed.unwrap();
                // The size the manifest lists, clamped at 0 as `tar_of` writes it.
                let listed_size = (bytes.len() as i64 + delta.unwrap()).max(0);
                prop_assert!(size <= listed_size, "{} larger than listed", rel);
            }
            if let Ok(v) = &v && !manifest_first && !entries.is_empty() {
                prop_assert!(!v.passed());
            }
        }

        /// Random bytes are never a panic either.
        #[test]
        fn proptest_verify_survives_random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("b.tar");
            std::fs::write(&file, &bytes).unwrap();
            let stage = dir.path().join("stage");
            std::fs::create_dir(&stage).unwrap();
            let _ = verify_into(&file, &stage, &mut |_, _| {});
            let _ = read_manifest(&file);
        }
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
        out
    }
}
