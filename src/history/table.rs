//! The history table: one aligned row per session, oldest first, and a
//! footer with the count and the time in all.

use std::time::Duration;

use ratatui::text::Span;

use super::Listed;
use crate::session::report::State;
use crate::text::clock_text;

/// Widest a client reference or a protocol name is shown; longer ones end
/// in `…`.
const CLIENT_MAX: usize = 14;
const PROTOCOL_MAX: usize = 26;

/// How wide `s` shows in a terminal (an accent is one column, most CJK two).
fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// `s` cut to `w` columns (ending in `…` if cut) and padded to exactly `w`.
fn fit(s: &str, w: usize) -> String {
    let mut t = String::new();
    if width(s) <= w {
        t.push_str(s);
    } else {
        let mut used = 0;
        for c in s.chars() {
            let cw = width(c.encode_utf8(&mut [0; 4]));
            if used + cw + 1 > w {
                break;
            }
            used += cw;
            t.push(c);
        }
        t.push('…');
    }
    let pad = w.saturating_sub(width(&t));
    t.extend(std::iter::repeat_n(' ', pad));
    t
}

/// `s` right-aligned in `w` columns.
fn right(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

/// "1 session", "6 sessions".
pub fn count(n: usize) -> String {
    format!("{n} session{}", if n == 1 { "" } else { "s" })
}

/// The client column: the reference, `—` for none, and practice marked.
fn client(s: &Listed) -> String {
    match (&s.summary.client, s.summary.practice) {
        (_, true) => "(practice)".to_owned(),
        (Some(c), false) if !c.trim().is_empty() => c.trim().to_owned(),
        _ => "—".to_owned(),
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
        id.to_owned(),
        s.date_time(),
        client(s),
        if m.protocol.is_empty() {
            "?".to_owned()
        } else {
            m.protocol.clone()
        },
        clock_text(m.active),
        s.status.word().to_owned(),
        m.pain().to_string(),
        m.stress().to_string(),
    ]
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
            l.push_str(&if i == 4 { right(cell, w) } else { fit(cell, w) });
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
    for status in [State::Interrupted, State::SetAside, State::Damaged] {
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
    let ids: Vec<&str> = listed.iter().map(|l| l.id.as_str()).collect();
    let id_width = ids.iter().map(|id| width(id)).max().unwrap_or(0);
    let who = |l: &Listed| fit(&client(l), CLIENT_MAX).trim_end().to_owned();
    let who_width = listed.iter().map(|l| width(&who(l))).max().unwrap_or(0);
    let mut t = String::new();
    for l in listed {
        let line = format!(
            "\n  {}  {}  {}  {}",
            fit(&l.id, id_width),
            l.date_time(),
            fit(&who(l), who_width),
            fit(&l.summary.protocol, 28)
        );
        t.push_str(line.trim_end());
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_and_padded_by_columns_not_bytes() {
        assert_eq!(fit("AB", 4), "AB  ");
        assert_eq!(fit("Élodie", 6), "Élodie");
        assert_eq!(fit("Still point, 10 minutes", 10), "Still poi…");
        assert_eq!(fit("日本語テキスト", 6), "日本… ");
        assert_eq!(right("9:05", 7), "   9:05");
    }
}
