//! Value parsers shared by every command's flags, so a duration or a size
//! is written the same way everywhere and a mistake gets the same hint.

use std::time::Duration;

/// `30s`, `500ms`, `24h`, `7d` (see [`crate::human::parse_duration`]).
pub fn duration(s: &str) -> Result<Duration, String> {
    crate::human::parse_duration(s)
}

/// A duration in whole milliseconds, for limits stored as `*_ms`.
pub fn duration_ms(s: &str) -> Result<u64, String> {
    duration(s).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `10MiB`, `16MB`, `1048576`.
pub fn size(s: &str) -> Result<u64, String> {
    s.trim()
        .parse::<bytesize::ByteSize>()
        .map(|b| b.as_u64())
        .map_err(|e| format!("{e} (write e.g. 10MiB, 16MB or 1048576)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mistakes_get_a_hint() {
        assert_eq!(duration(" 1m ").unwrap(), Duration::from_secs(60));
        assert_eq!(duration_ms("1500ms").unwrap(), 1500);
        assert!(duration("soon").unwrap_err().contains("write e.g."));
        assert_eq!(size("1KiB").unwrap(), 1024);
        assert!(size("lots").unwrap_err().contains("write e.g."));
    }
}
