//! The history table: one aligned row per session, oldest first, and a
//! footer with the count and the time in all.
//!
//! Cells are laid out by display width, so a Japanese client reference or
//! an emoji in a protocol name keeps the columns after it in line; every
//! cell that came from a record (an id from a file name, a client
//! reference, a protocol name) is sanitized first, so none can move the
//! cursor, clear the screen or retitle the window.

use std::time::Duration;

use super::Listed;
use crate::session::report::State;
use crate::text::{clock_text, fit, pad_left, sanitize_line, width};

/// Widest a client reference or a protocol name is shown; longer ones end
/// in `…`.
const CLIENT_MAX: usize = 14;
const PROTOCOL_MAX: usize = 26;

/// "1 session", "6 sessions".
pub fn count(n: usize) -> String {
    format!("{n} session{}", if n == 1 { "" } else { "s" })
}

/// The client column: the reference (made safe to print), `—` for none,
/// and practice marked.
fn client(s: &Listed) -> String {
    match (&s.summary.client, s.summary.practice) {
        (_, true) => "(practice)".to_owned(),
        (Some(c), false) if !c.trim().is_empty() => sanitize_line(c.trim()).trim().to_owned(),
        _ => "—".to_owned(),
    }
}

/// The protocol column: its name made safe to print, `?` when unknown.
fn protocol(s: &Listed) -> String {
    let name = sanitize_line(&s.summary.protocol);
    if name.trim().is_empty() {
        "?".to_owned()
    } else {
        name.into_owned()
    }
}

/// The table's columns.
const HEAD: [&str; 8] = [
    "ID", "DATE", "CLIENT", "PROTOCOL", "TIME", "STATUS", "PAIN", "STRESS",
];

/// One record's cells, in the order of [`HEAD`].
fn cells(s: &Listed, id: &str) -> [String; 8] {
    let m = &s.summary;
    [
        sanitize_line(id).into_owned(),
        s.date_time(),
        client(s),
        protocol(s),
        clock_text(m.active),
        status(s),
        m.pain().to_string(),
        m.stress().to_string(),
    ]
}

/// The status column: how the record stands, amended records and
/// rehearsals marked.
fn status(s: &Listed) -> String {
    let m = &s.summary;
    let mut word = s.status.word().to_owned();
    if m.addenda > 0 {
        word.push_str(", amended");
    }
    if m.speed != 1.0 {
        // A rehearsal's time is not a session's: say so in every row.
        word.push_str(&format!(" (rehearsal ×{})", m.speed));
    }
    word
}

/// The table for `rows` (each record with the id to show for it).
pub fn table(rows: &[(&Listed, &str)]) -> String {
    let body: Vec<[String; 8]> = rows.iter().map(|(s, id)| cells(s, id)).collect();
    let mut widths = HEAD.map(width);
    for row in &body {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    widths[2] = widths[2].min(CLIENT_MAX);
    widths[3] = widths[3].min(PROTOCOL_MAX);
    let line = |cells: [&str; 8]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            // Times line up on the right, like numbers in a ledger.
            l.push_str(&if i == 4 {
                pad_left(cell, w)
            } else {
                fit(cell, w)
            });
        }
        l.truncate(l.trim_end().len());
        l.push('\n');
        l
    };
    // Built whole and written once: thousands of rows, one write.
    let mut text = String::with_capacity((body.len() + 3) * 120);
    text.push_str(&line(HEAD));
    for row in &body {
        text.push_str(&line(row.each_ref().map(String::as_str)));
    }
    text.push_str(&footer(rows));
    text
}

/// How many sessions, how many need attention, and the time in all.
fn footer(rows: &[(&Listed, &str)]) -> String {
    let total: Duration = rows.iter().map(|(s, _)| s.summary.active).sum();
    let mut notes = Vec::new();
    for status in [
        State::Interrupted,
        State::SetAside,
        State::Damaged,
        State::Altered,
    ] {
        let n = rows.iter().filter(|(s, _)| s.status == status).count();
        if n > 0 {
            notes.push(format!("{n} {}", status.word()));
        }
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    format!(
        "\n{}{notes}, {} of active time in all.\n`stillpoint show ID` prints one in full.\n",
        count(rows.len()),
        clock_text(total),
    )
}

/// Records as lines of an error message, lined up: id, date, who, protocol.
pub fn candidates(listed: &[&Listed]) -> String {
    let ids: Vec<String> = listed
        .iter()
        .map(|l| sanitize_line(&l.id).into_owned())
        .collect();
    let id_width = ids.iter().map(|id| width(id)).max().unwrap_or(0);
    let who = |l: &Listed| fit(&client(l), CLIENT_MAX).trim_end().to_owned();
    let who_width = listed.iter().map(|l| width(&who(l))).max().unwrap_or(0);
    let mut t = String::new();
    for (l, id) in listed.iter().zip(&ids) {
        let line = format!(
            "\n  {}  {}  {}  {}",
            fit(id, id_width),
            l.date_time(),
            fit(&who(l), who_width),
            fit(&sanitize_line(&l.summary.protocol), 28)
        );
        t.push_str(line.trim_end());
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::record::Summary;

    fn listed(client: &str, protocol: &str) -> Listed {
        Listed::new(
            "20261102-093000-x".to_owned(),
            "x.jsonl".into(),
            Summary {
                opened: crate::session::record::Stamp::parse("2026-11-02T09:30:00+01:00"),
                client: Some(client.to_owned()),
                protocol: protocol.to_owned(),
                ..Summary::default()
            },
            None,
        )
    }

    #[test]
    fn cells_are_made_safe_and_laid_out_by_columns() {
        let wide = listed("頭蓋", "\u{1B}]0;pwned\u{7}Still point");
        let plain = listed("AB", "Still point");
        let text = table(&[(&wide, "20261102-093000"), (&plain, "20261102-093000")]);
        assert!(
            !text.contains('\u{1B}') && !text.contains('\u{7}'),
            "{text}"
        );
        let rows: Vec<&str> = text.lines().take(3).collect();
        // The time column ends at the same display column in every row.
        let end_of_time = |row: &str| width(&row[..row.find("0:00").expect("a time") + 4]);
        assert_eq!(end_of_time(rows[1]), end_of_time(rows[2]), "{text}");
        assert_eq!(
            end_of_time(rows[1]),
            width(&rows[0][..rows[0].find("TIME").expect("TIME") + 4])
        );
        let blank = listed("\u{1B}[2J", "\u{7}");
        assert_eq!(client(&blank), "\u{FFFD}");
        assert_eq!(protocol(&blank), "\u{FFFD}");
        assert_eq!(protocol(&listed("AB", "")), "?");
    }
}
