//! A deny-by-default WASI preview 1 subset: stdin from the request, stdout
//! captured (capped) as the output, stderr to the agent log, clocks and
//! random. No preopened directories, no sockets, no arguments, no
//! environment. Any other preview 1 function the module imports answers
//! `ENOSYS`, so toolchains that import more than they call still link.

use wasmi::{Caller, FuncType, Linker, Val};

use super::host::{HostState, Stop, charge, in_bounds, read, write};

pub const MODULE: &str = "wasi_snapshot_preview1";

mod errno {
    pub const SUCCESS: i32 = 0;
    pub const BADF: i32 = 8;
    pub const FAULT: i32 = 21;
    pub const INVAL: i32 = 28;
    pub const NOSYS: i32 = 52;
    pub const SPIPE: i32 = 70;
    pub const NOTCAPABLE: i32 = 76;
}

/// Functions implemented here; every other import of [`MODULE`] is stubbed.
pub const PROVIDED: &[&str] = &[
    "fd_write",
    "fd_read",
    "fd_close",
    "fd_seek",
    "fd_fdstat_get",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "args_sizes_get",
    "args_get",
    "environ_sizes_get",
    "environ_get",
    "clock_time_get",
    "clock_res_get",
    "random_get",
    "proc_exit",
    "sched_yield",
    "path_open",
];

type C<'a> = Caller<'a, HostState>;

/// The `(ptr, len)` pairs of an iovec array.
fn iovecs(caller: &C, iovs: i32, n: i32) -> Option<Vec<(i32, i32)>> {
    let n = usize::try_from(n).ok().filter(|&n| n <= 1024)?;
    let raw = read(caller, iovs, (n * 8) as i32)?;
    Some(
        raw.chunks_exact(8)
            .map(|c| {
                let w = |i: usize| i32::from_le_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
                (w(0), w(4))
            })
            .collect(),
    )
}

fn put_u32(caller: &mut C, ptr: i32, v: u32) -> bool {
    write(caller, ptr, &v.to_le_bytes()).is_some()
}

/// Stdout is captured up to the output cap (beyond it the execution
/// stops); stderr goes to the log until the log is full, after which the
/// bytes are checked and counted but not copied. Each iovec is charged for
/// what it copies and the deadline is checked as it goes, so 1024 iovecs of
/// the whole memory cost what they copy, not what they name.
fn fd_write(mut caller: C, fd: i32, iovs: i32, n: i32, nwritten: i32) -> Result<i32, wasmi::Error> {
    if fd != 1 && fd != 2 {
        return Ok(errno::BADF);
    }
    let Some(vecs) = iovecs(&caller, iovs, n) else {
        return Ok(errno::FAULT);
    };
    charge(&mut caller, vecs.len() * 8)?;
    let mut total = 0usize;
    for (ptr, len) in vecs {
        if !in_bounds(&caller, ptr, len) {
            return Ok(errno::FAULT);
        }
        let len_bytes = len as u32 as usize;
        total += len_bytes;
        if fd == 1 {
            let st = caller.data();
            let used = st.stdout.len() + len_bytes;
            if used > st.max_output {
                return Err(wasmi::Error::host(Stop::Output(used as u64)));
            }
        } else if len_bytes > caller.data().log_room() {
            caller.data_mut().logs_dropped += 1;
            charge(&mut caller, 0)?;
            continue;
        }
        charge(&mut caller, len_bytes)?;
        let Some(bytes) = read(&caller, ptr, len) else {
            return Ok(errno::FAULT);
        };
        let st = caller.data_mut();
        if fd == 1 {
            st.stdout.extend_from_slice(&bytes);
        } else {
            st.log("stderr", &bytes);
        }
    }
    Ok(if put_u32(&mut caller, nwritten, total as u32) {
        errno::SUCCESS
    } else {
        errno::FAULT
    })
}

fn fd_read(mut caller: C, fd: i32, iovs: i32, n: i32, nread: i32) -> Result<i32, wasmi::Error> {
    if fd != 0 {
        return Ok(errno::BADF);
    }
    let Some(vecs) = iovecs(&caller, iovs, n) else {
        return Ok(errno::FAULT);
    };
    charge(&mut caller, vecs.len() * 8)?;
    let mut total = 0usize;
    for (ptr, len) in vecs {
        let st = caller.data();
        let rest = &st.stdin[st.stdin_pos..];
        let take = rest.len().min(len.max(0) as usize);
        let chunk = rest[..take].to_vec();
        charge(&mut caller, take)?;
        if write(&mut caller, ptr, &chunk).is_none() {
            return Ok(errno::FAULT);
        }
        caller.data_mut().stdin_pos += take;
        total += take;
        if take < len.max(0) as usize {
            break;
        }
    }
    Ok(if put_u32(&mut caller, nread, total as u32) {
        errno::SUCCESS
    } else {
        errno::FAULT
    })
}

fn std_fd(fd: i32) -> bool {
    (0..=2).contains(&fd)
}

/// Empty argument and environment lists: two zero counts.
fn zero_sizes(mut caller: C, count: i32, size: i32) -> i32 {
    if put_u32(&mut caller, count, 0) && put_u32(&mut caller, size, 0) {
        errno::SUCCESS
    } else {
        errno::FAULT
    }
}

fn clock_time_get(mut caller: C, id: i32, _precision: i64, out: i32) -> i32 {
    let nanos: u64 = match id {
        // realtime
        0 => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
        // monotonic, process and thread CPU time: monotonic since the
        // process started is all a guest needs to measure intervals.
        1..=3 => START.elapsed().as_nanos() as u64,
        _ => return errno::INVAL,
    };
    if write(&mut caller, out, &nanos.to_le_bytes()).is_some() {
        errno::SUCCESS
    } else {
        errno::FAULT
    }
}

static START: std::sync::LazyLock<std::time::Instant> =
    std::sync::LazyLock::new(std::time::Instant::now);

fn random_get(mut caller: C, buf: i32, len: i32) -> Result<i32, wasmi::Error> {
    let Ok(len) = usize::try_from(len) else {
        return Ok(errno::INVAL);
    };
    if len > super::host::MAX_HOST_PAYLOAD {
        return Ok(errno::INVAL);
    }
    // Generating a byte costs more than copying one.
    charge(&mut caller, len.saturating_mul(RANDOM_FUEL_PER_BYTE))?;
    let mut bytes = vec![0u8; len];
    if getrandom::fill(&mut bytes).is_err() {
        return Ok(errno::NOSYS);
    }
    Ok(if write(&mut caller, buf, &bytes).is_some() {
        errno::SUCCESS
    } else {
        errno::FAULT
    })
}

/// `random_get` bytes come from the kernel's CSPRNG at a few hundred MB/s.
const RANDOM_FUEL_PER_BYTE: usize = 4;

fn fd_fdstat_get(mut caller: C, fd: i32, out: i32) -> i32 {
    if !std_fd(fd) {
        return errno::BADF;
    }
    // filetype CHARACTER_DEVICE (2), no flags, read rights on stdin and
    // write rights on stdout/stderr.
    let rights: u64 = if fd == 0 { 1 << 1 } else { 1 << 6 };
    let mut stat = [0u8; 24];
    stat[0] = 2;
    stat[8..16].copy_from_slice(&rights.to_le_bytes());
    if write(&mut caller, out, &stat).is_some() {
        errno::SUCCESS
    } else {
        errno::FAULT
    }
}

/// Define the provided functions.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> Result<(), wasmi::errors::LinkerError> {
    linker.func_wrap(MODULE, "fd_write", fd_write)?;
    linker.func_wrap(MODULE, "fd_read", fd_read)?;
    linker.func_wrap(MODULE, "fd_close", |_: C, fd: i32| {
        if std_fd(fd) {
            errno::SUCCESS
        } else {
            errno::BADF
        }
    })?;
    linker.func_wrap(
        MODULE,
        "fd_seek",
        |_: C, fd: i32, _off: i64, _whence: i32, _out: i32| {
            if std_fd(fd) {
                errno::SPIPE
            } else {
                errno::BADF
            }
        },
    )?;
    linker.func_wrap(MODULE, "fd_fdstat_get", fd_fdstat_get)?;
    // No preopened directories: the guest's libc finds no filesystem.
    linker.func_wrap(MODULE, "fd_prestat_get", |_: C, _fd: i32, _out: i32| {
        errno::BADF
    })?;
    linker.func_wrap(
        MODULE,
        "fd_prestat_dir_name",
        |_: C, _fd: i32, _p: i32, _l: i32| errno::BADF,
    )?;
    linker.func_wrap(MODULE, "args_sizes_get", zero_sizes)?;
    linker.func_wrap(MODULE, "environ_sizes_get", zero_sizes)?;
    linker.func_wrap(MODULE, "args_get", |_: C, _a: i32, _b: i32| errno::SUCCESS)?;
    linker.func_wrap(MODULE, "environ_get", |_: C, _a: i32, _b: i32| {
        errno::SUCCESS
    })?;
    linker.func_wrap(MODULE, "clock_time_get", clock_time_get)?;
    linker.func_wrap(MODULE, "clock_res_get", |mut c: C, id: i32, out: i32| {
        if !(0..=3).contains(&id) {
            return errno::INVAL;
        }
        if write(&mut c, out, &1000u64.to_le_bytes()).is_some() {
            errno::SUCCESS
        } else {
            errno::FAULT
        }
    })?;
    linker.func_wrap(MODULE, "random_get", random_get)?;
    linker.func_wrap(
        MODULE,
        "proc_exit",
        |_: C, code: i32| -> Result<(), wasmi::Error> { Err(wasmi::Error::host(Stop::Exit(code))) },
    )?;
    linker.func_wrap(MODULE, "sched_yield", |_: C| errno::SUCCESS)?;
    linker.func_wrap(
        MODULE,
        "path_open",
        |_: C, _: i32, _: i32, _: i32, _: i32, _: i32, _: i64, _: i64, _: i32, _: i32| {
            errno::NOTCAPABLE
        },
    )?;
    Ok(())
}

/// Define an `ENOSYS` stub for an unprovided preview 1 import. Only
/// functions returning a single i32 (an errno) can be stubbed honestly.
pub fn stub(
    linker: &mut Linker<HostState>,
    name: &str,
    ty: FuncType,
) -> Result<bool, wasmi::errors::LinkerError> {
    if ty.results() != [wasmi::ValType::I32] {
        return Ok(false);
    }
    linker.func_new(MODULE, name, ty, |_, _, out: &mut [Val]| {
        out[0] = Val::I32(errno::NOSYS);
        Ok(())
    })?;
    Ok(true)
}
