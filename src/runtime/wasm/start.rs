//! Start sections, run under the execution's limits.
//!
//! wasmi runs a module's `start` function inside instantiation with a plain
//! (not resumable) call, so neither the CPU budget nor the wall-clock
//! deadline could stop it between fuel slices. Compilers emit start sections
//! for static initialisers, so instead of refusing them Caxton moves the
//! start function to an export ([`EXPORT`]) before compiling and calls it
//! itself, in fuel slices like any other call, right after instantiation —
//! the point where the start function would have run (after the data and
//! element segments are written). The engine still refuses start sections,
//! so a module this rewrite missed can never run unmetered code.

/// The export the start function is moved to.
pub const EXPORT: &str = "__caxton_start";

const START: u8 = 8;
const EXPORT_SECTION: u8 = 7;
/// Export kind of a function.
const FUNC: u8 = 0;

/// If `bytes` (a module starting with the magic and version) has a start
/// section, the same module without it and with the start function exported
/// as [`EXPORT`], plus the function's index. A module whose sections cannot
/// be walked is returned as `None`: wasmi's validation then reports exactly
/// what is wrong (and refuses any start section). `Err` is a module that
/// already exports [`EXPORT`].
pub fn lift(bytes: &[u8]) -> Result<Option<(Vec<u8>, u32)>, String> {
    let mut sections = Vec::new();
    let mut at = 8;
    // Every iteration consumes at least 2 bytes, so this ends.
    while at < bytes.len() {
        let id = bytes[at];
        let Some((size, n)) = leb_u32(bytes, at + 1) else {
            return Ok(None);
        };
        let body = at + 1 + n;
        let Some(end) = body
            .checked_add(size as usize)
            .filter(|&e| e <= bytes.len())
        else {
            return Ok(None);
        };
        sections.push((id, at, body, end));
        at = end;
    }
    let Some(&(_, _, s_body, s_end)) = sections.iter().find(|s| s.0 == START) else {
        return Ok(None);
    };
    let Some((func, _)) = leb_u32(bytes, s_body).filter(|&(_, n)| s_body + n == s_end) else {
        return Ok(None);
    };
    let mut entry = leb(EXPORT.len() as u32);
    entry.extend_from_slice(EXPORT.as_bytes());
    entry.push(FUNC);
    entry.extend(leb(func));
    let mut out = Vec::with_capacity(bytes.len() + entry.len() + 8);
    out.extend_from_slice(&bytes[..8]);
    let mut exported = false;
    for &(id, at, body, end) in &sections {
        if id == EXPORT_SECTION {
            let Some((count, n)) = leb_u32(bytes, body) else {
                return Ok(None);
            };
            let Some(names) = exports(bytes, body + n, end, count) else {
                return Ok(None);
            };
            if names.contains(&EXPORT.as_bytes()) {
                return Err(format!(
                    "the module exports `{EXPORT}`, a name Caxton reserves for its start function"
                ));
            }
            let Some(count) = count.checked_add(1) else {
                return Ok(None);
            };
            let mut payload = leb(count);
            payload.extend_from_slice(&bytes[body + n..end]);
            payload.extend_from_slice(&entry);
            section(&mut out, EXPORT_SECTION, &payload);
            exported = true;
        } else if id == START {
            // Export comes right before start in section order, so a module
            // without exports gets its export section here.
            if !exported {
                let mut payload = leb(1);
                payload.extend_from_slice(&entry);
                section(&mut out, EXPORT_SECTION, &payload);
            }
        } else {
            out.extend_from_slice(&bytes[at..end]);
        }
    }
    Ok(Some((out, func)))
}

/// The names of the `count` exports in `bytes[at..end]`; `None` if they do
/// not fit. Every entry takes at least 3 bytes, so `count` is bounded by
/// the section's size.
fn exports(bytes: &[u8], mut at: usize, end: usize, count: u32) -> Option<Vec<&[u8]>> {
    let mut names = Vec::new();
    for _ in 0..count {
        let (len, n) = leb_u32(bytes, at)?;
        let name_end = (at + n).checked_add(len as usize).filter(|&e| e < end)?;
        names.push(&bytes[at + n..name_end]);
        // the kind byte, then the index
        let (_, m) = leb_u32(bytes, name_end + 1)?;
        at = name_end + 1 + m;
        if at > end {
            return None;
        }
    }
    Some(names)
}

fn section(out: &mut Vec<u8>, id: u8, payload: &[u8]) {
    out.push(id);
    out.extend(leb(payload.len() as u32));
    out.extend_from_slice(payload);
}

/// An unsigned LEB128 `u32` at `at`: the value and its length in bytes.
fn leb_u32(bytes: &[u8], at: usize) -> Option<(u32, usize)> {
    let mut value: u64 = 0;
    for i in 0..5 {
        let b = *bytes.get(at + i)?;
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return u32::try_from(value).ok().map(|v| (v, i + 1));
        }
    }
    None
}

fn leb(mut v: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(5);
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifted(wat_text: &str) -> (Vec<u8>, u32) {
        lift(&wat::parse_str(wat_text).unwrap())
            .unwrap()
            .expect("has a start section")
    }

    #[test]
    fn the_start_function_becomes_an_export() {
        let engine = wasmi::Engine::new(wasmi::Config::default().allow_start_fn(false));
        for text in [
            // no export section at all
            "(module (func $s) (start $s))",
            // exports before, elements and code after the start section
            r#"(module (memory (export "memory") 1) (table 1 funcref) (func $a) (func $s (export "s")) (start $s) (elem (i32.const 0) $a) (data (i32.const 0) "x"))"#,
        ] {
            let (bytes, func) = lifted(text);
            let module = wasmi::Module::new(&engine, &bytes).expect("valid after the rewrite");
            assert!(
                matches!(module.get_export(EXPORT), Some(wasmi::ExternType::Func(_))),
                "{text}"
            );
            assert!(func <= 1);
        }
        assert_eq!(
            lift(&wat::parse_str("(module (func))").unwrap()).unwrap(),
            None
        );
    }

    #[test]
    fn malformed_or_clashing_modules_are_refused() {
        let clash = wat::parse_str(format!(
            r#"(module (func $s (export "{EXPORT}")) (start $s))"#
        ))
        .unwrap();
        assert!(lift(&clash).unwrap_err().contains("reserves"));
        // Left to wasmi's validation, which refuses its start section.
        let mut cut = wat::parse_str("(module (func $s) (start $s))").unwrap();
        cut.truncate(cut.len() - 3);
        assert_eq!(lift(&cut).unwrap(), None);
    }
}
