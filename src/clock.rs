//! Wall-clock time as the store records it: milliseconds since the Unix
//! epoch. A leaf module, so every layer can stamp rows without importing
//! the layer that happened to define the helper first.

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
