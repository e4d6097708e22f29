//! Durations as people read them in messages: `24 s`, `1.2 s`, `350 ms`,
//! `2 min 5 s`, never humantime's `23s 797ms 21us 572ns`; and as people
//! write them, in one parser for flags, agent files, tool settings and
//! request bodies, so a mistake gets the same hint everywhere.

use std::time::Duration;

/// `d` rounded to what a reader needs: milliseconds below a second, one
/// decimal below ten seconds (none for whole seconds), whole seconds below
/// a minute, then minutes
/// and seconds, then hours and minutes.
pub fn duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        return format!("{ms} ms");
    }
    let secs = d.as_secs_f64();
    if secs < 9.95 && d.subsec_millis() != 0 {
        return format!("{secs:.1} s");
    }
    let whole = d.as_secs() + u64::from(d.subsec_millis() >= 500);
    match whole {
        0..60 => format!("{whole} s"),
        60..3600 => match (whole / 60, whole % 60) {
            (m, 0) => format!("{m} min"),
            (m, s) => format!("{m} min {s} s"),
        },
        _ => match (whole / 3600, whole % 3600 / 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
    }
}

/// A duration as people write it: `30s`, `500ms`, `2m`, `24h`, `7d`, or a
/// plain number of seconds (`30`, `0.5`). The error says how to write one.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    if let Ok(secs) = t.parse::<f64>() {
        return Duration::try_from_secs_f64(secs)
            .map_err(|_| format!("{t} is not a valid number of seconds"));
    }
    humantime::parse_duration(t).map_err(|e| format!("{t:?}: {e} (write e.g. 30s, 500ms or 24h)"))
}

/// A duration in JSON: a string as [`parse_duration`] reads it, or a
/// number of seconds.
pub fn duration_value(v: &serde_json::Value) -> Result<Duration, String> {
    match v {
        serde_json::Value::String(s) => parse_duration(s),
        serde_json::Value::Number(n) => n
            .as_f64()
            .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
            .ok_or_else(|| format!("{n} is not a valid number of seconds")),
        other => Err(format!("expected a duration like \"30s\", got {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_person_wrote_them() {
        let cases = [
            (Duration::from_nanos(23_797_021_572), "24 s"),
            (Duration::from_millis(1_234), "1.2 s"),
            (Duration::from_secs(1), "1 s"),
            (Duration::from_millis(350), "350 ms"),
            (Duration::ZERO, "0 ms"),
            (Duration::from_millis(9_960), "10 s"),
            (Duration::from_secs(30), "30 s"),
            (Duration::from_secs(60), "1 min"),
            (Duration::from_secs(125), "2 min 5 s"),
            (Duration::from_secs(7_260), "2 h 1 min"),
        ];
        for (d, want) in cases {
            assert_eq!(duration(d), want, "{d:?}");
        }
    }

    #[test]
    fn durations_are_read_one_way_everywhere() {
        assert_eq!(parse_duration(" 1m ").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("0.5").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("soon").unwrap_err().contains("write e.g."));
        assert!(parse_duration("-1").is_err());
        let v = |j: &str| duration_value(&serde_json::from_str(j).unwrap());
        assert_eq!(v(r#""2s""#).unwrap(), Duration::from_secs(2));
        assert_eq!(v("1.5").unwrap(), Duration::from_millis(1500));
        assert!(v("true").unwrap_err().contains("like \"30s\""));
        assert!(v("-3").is_err());
    }
}
