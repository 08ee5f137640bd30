//! RFC 3339 instants as the server writes them, read without a clock crate:
//! ages for the queue ("3 h") and short dates for the history.

/// Seconds since the Unix epoch of an RFC 3339 instant
/// (`2026-11-30T10:17:14Z`, `…14.123+01:00`); None when it is not one.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let p = s.get(r)?;
        p.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| p.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = frac.get(digits..)?;
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let o = rest.as_bytes();
            if o.len() != 6 || o[3] != b':' {
                return None;
            }
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// How long ago, short: "just now", "12 min", "3 h", "2 d", "5 wk".
pub fn age_text(now: i64, then: i64) -> String {
    let secs = (now - then).max(0);
    match secs {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => format!("{} h", secs / 3600),
        86_400..1_209_600 => format!("{} d", secs / 86_400),
        _ => format!("{} wk", secs / 604_800),
    }
}

/// The age of an RFC 3339 instant, or "—" when it cannot be read.
pub fn age_of(now: i64, rfc3339: &str) -> String {
    parse_rfc3339(rfc3339).map_or_else(|| "—".to_owned(), |t| age_text(now, t))
}

/// "30 Nov 2026, 10:17 UTC" (the history and the audit log).
pub fn short_datetime(rfc3339: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let Some(t) = parse_rfc3339(rfc3339) else {
        return rfc3339.to_owned();
    };
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    let month = usize::try_from(m - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .unwrap_or(&"?");
    format!("{d} {month} {y}, {:02}:{:02} UTC", s / 3600, s % 3600 / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_with_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-11-30T10:17:14Z"), Some(1_796_033_834));
        assert_eq!(
            parse_rfc3339("2026-11-30T11:17:14.123456+01:00"),
            parse_rfc3339("2026-11-30T10:17:14Z")
        );
        assert_eq!(
            parse_rfc3339("2000-02-29T23:59:59-00:30"),
            Some(951_868_799 + 1800)
        );
        for bad in [
            "",
            "2026-11-30",
            "2026-13-01T00:00:00Z",
            "2026-11-30T10:17:14",
            "2026-11-30T10:17:14.Z",
            "2026-11-30T1a:17:14Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn ages_are_short_and_never_negative() {
        assert_eq!(age_text(100, 100), "just now");
        assert_eq!(age_text(100, 500), "just now");
        assert_eq!(age_text(3599, 0), "59 min");
        assert_eq!(age_text(3 * 3600 + 59, 0), "3 h");
        assert_eq!(age_text(2 * 86_400, 0), "2 d");
        assert_eq!(age_text(35 * 86_400, 0), "5 wk");
        assert_eq!(age_of(1_796_033_834 + 7200, "2026-11-30T10:17:14Z"), "2 h");
        assert_eq!(age_of(0, "yesterday"), "—");
    }

    #[test]
    fn short_dates() {
        assert_eq!(
            short_datetime("2026-11-30T10:17:14Z"),
            "30 Nov 2026, 10:17 UTC"
        );
        assert_eq!(
            short_datetime("2024-02-29T00:05:00+01:00"),
            "28 Feb 2024, 23:05 UTC"
        );
        assert_eq!(short_datetime("not a date"), "not a date");
    }
}
