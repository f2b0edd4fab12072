//! Dates for Jekyll's date filters: what a value means as a date, and the
//! `date_to_*` formats.

use liquid_core::{Error, Result, Value, ValueView};

use super::condition::text;

/// Singapore time, where Isomer sites are published: dates without an
/// offset are in it, and every date Gazette shows is.
pub(crate) fn singapore() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
}

/// A date from a value: a timestamp, `YYYY-MM-DD`, a date and time with or
/// without an offset, or `now`/`today`.
pub(super) fn to_date(value: &dyn ValueView) -> Option<jiff::ZonedDateTime> {
    if let Some(seconds) = value
        .as_scalar()
        .and_then(|s| matches!(value.type_name(), "whole number").then(|| s.to_integer())?)
    {
        return jiff::Timestamp::from_second(seconds)
            .ok()
            .map(|t| t.to_zoned_datetime(singapore()));
    }
    let raw = text(value);
    let raw = raw.trim();
    if raw == "now" || raw == "today" {
        return Some(jiff::Timestamp::now().to_zoned_datetime(singapore()));
    }
    if let Ok(timestamp) = raw.parse::<jiff::Timestamp>() {
        return Some(timestamp.to_zoned_datetime(singapore()));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M:%S %:z",
        "%Y-%m-%d %H:%M %z",
    ] {
        if let Ok(zoned) =
            jiff::fmt::strtime::parse(format, raw).and_then(|t| t.to_zoned_datetime())
        {
            return Some(zoned);
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(time) = jiff::civil::DateTime::strptime(format, raw) {
            return time.to_zoned_datetime(singapore()).ok();
        }
    }
    // Ruby's `Time.parse` also reads dates as people write them.
    [
        "%Y-%m-%d",
        "%d %b %Y",
        "%d %B %Y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%b %d %Y",
        "%B %d %Y",
        "%d/%m/%Y",
        "%Y/%m/%d",
    ]
    .iter()
    .find_map(|format| jiff::civil::Date::strptime(format, raw).ok())
    .and_then(|date| date.to_zoned_datetime(singapore()).ok())
}

pub(super) fn date_format(input: &dyn ValueView, format: &str) -> Result<Value> {
    // Jekyll: nil or an empty string is returned as it is.
    if input.is_nil() || input.to_kstr().is_empty() {
        return Ok(input.to_value());
    }
    match to_date(input) {
        Some(date) => Ok(Value::scalar(date.strftime(format).to_string())),
        None => Err(Error::with_msg(format!(
            "invalid date `{}`",
            input.to_kstr()
        ))),
    }
}

/// `date_to_string` and `date_to_long_string`, with Jekyll's `"ordinal"`
/// and `"US"` styles.
pub(super) fn date_string(
    input: &dyn ValueView,
    args: &[Value],
    format: &str,
    month: &str,
) -> Result<Value> {
    let ordinal = args.first().is_some_and(|a| text(a) == "ordinal");
    if !ordinal {
        return date_format(input, format);
    }
    if input.is_nil() || input.to_kstr().is_empty() {
        return Ok(input.to_value());
    }
    let date = to_date(input)
        .ok_or_else(|| Error::with_msg(format!("invalid date `{}`", input.to_kstr())))?;
    let day = date.day();
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    let month = date.strftime(month).to_string();
    let year = date.year();
    let us = args.get(1).is_some_and(|a| text(a) == "US");
    Ok(Value::scalar(if us {
        format!("{month} {day}{suffix}, {year}")
    } else {
        format!("{day}{suffix} {month} {year}")
    }))
}
