//! What the process uses, measured from /proc and statvfs: resident memory,
//! CPU share over the last sampling interval, free disk of the data dir.

use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

/// Resident set size of this process in bytes (`/proc/self/statm`).
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * page_size()
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as u64 } else { 4096 }
}

fn ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if n > 0 { n as f64 } else { 100.0 }
}

/// User + system CPU seconds this process has used (`/proc/self/stat`).
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may contain spaces) close with ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after ')'.
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    (ticks(11) + ticks(12)) as f64 / ticks_per_second()
}

/// Bytes available to this user on the filesystem holding `path`.
pub fn free_disk_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `s` a writable statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return None;
    }
    Some(s.f_bavail as u64 * s.f_frsize as u64)
}

/// CPU share between samples; the daemon samples every few seconds so a
/// health request never waits for a measurement.
pub struct Sampler {
    last: Mutex<(Instant, f64, f64)>,
}

impl Default for Sampler {
    fn default() -> Self {
        Self::new()
    }
}

impl Sampler {
    pub fn new() -> Sampler {
        Sampler {
            last: Mutex::new((Instant::now(), cpu_seconds(), 0.0)),
        }
    }

    pub fn sample(&self) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let (at, cpu, _) = *last;
        let now_cpu = cpu_seconds();
        let wall = at.elapsed().as_secs_f64();
        let percent = if wall > 0.0 {
            100.0 * (now_cpu - cpu).max(0.0) / wall
        } else {
            0.0
        };
        *last = (Instant::now(), now_cpu, percent);
    }

    /// Percent of one core over the last interval (can exceed 100 on several cores).
    pub fn cpu_percent(&self) -> f64 {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measurements_are_real() {
        assert!(rss_bytes() > 1 << 20, "a running test uses more than 1 MiB");
        let sampler = Sampler::new();
        let before = cpu_seconds();
        // Burn CPU until the counter moves (a clock tick is ~10 ms); a
        // reading stuck at a constant fails at the deadline.
        let deadline = Instant::now() + std::time::Duration::from_secs(30);
        let mut x = 0u64;
        while cpu_seconds() <= before {
            assert!(Instant::now() < deadline, "CPU time never grew");
            for i in 0..1_000_000u64 {
                x = x.wrapping_add(std::hint::black_box(i) * i);
            }
        }
        std::hint::black_box(x);
        sampler.sample();
        assert!(sampler.cpu_percent() > 0.0, "{}", sampler.cpu_percent());
        assert!(free_disk_bytes(Path::new("/")).is_some_and(|b| b > 0));
        assert!(free_disk_bytes(Path::new("/no/such/dir")).is_none());
    }
}
