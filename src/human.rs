//! Durations as people read them in messages: `24 s`, `1.2 s`, `350 ms`,
//! `2 min 5 s`, never humantime's `23s 797ms 21us 572ns`.

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
}
