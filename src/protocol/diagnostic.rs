//! Problems in a person's own files — protocols and the settings — worded
//! for whoever wrote them: where (`file:line:col`), what, and what to write
//! instead, with "did you mean" for a misspelt name.
//!
//! Both kinds of file are read one way, [`read_source`]: through
//! [`crate::files::read_regular`] (never a FIFO or a device, never more than
//! [`MAX_FILE_BYTES`]), a UTF-8 byte order mark ignored, a file in another
//! encoding reported at its first bad byte, and binary data or a file of
//! another kind (JSON, the settings where a protocol belongs) named as such
//! rather than as a syntax error at some odd place.
//!
//! A [`FileError`] prints the way rustc reports errors — the message,
//! `file:line:col`, the source line with the problem underlined, the hint —
//! and that report is its `Display`, so an error handed on as a string (a
//! resumed session's protocol, a refused start) keeps it.
//! [`FileError::headline`] is the one line for lists. Whatever came from
//! the file is sanitized before it is shown (an escape sequence in a name
//! must not reach the terminal), and the source line is cut around the
//! problem to one screen line, by display width.

use std::fmt::{self, Write as _};
use std::path::Path;
use std::sync::Arc;

use unicode_segmentation::UnicodeSegmentation;

use crate::files::ReadError;
use crate::text;

/// Starts a cross-field error raised once a whole struct has been read; the
/// word after it names the field the error should point at.
pub(crate) const FIELD_MARK: &str = "\u{1}field=";

/// The most a protocol or settings file may hold: far more than any real
/// one (the longest bundled protocol is a few kilobytes), little enough
/// that a wrong file — a recording, a disk image, `/dev/zero` behind a link
/// — is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The width a report is laid out for: one line of a standard terminal.
pub const REPORT_COLUMNS: usize = 80;

/// Which kind of file a problem is in; messages and hints speak of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A session protocol (`Protocol(...)`).
    Protocol,
    /// The settings file (`Config(...)`).
    Settings,
}

impl FileKind {
    /// The kind in words: "protocol file".
    pub fn noun(self) -> &'static str {
        match self {
            FileKind::Protocol => "protocol file",
            FileKind::Settings => "settings file",
        }
    }

    /// The name its one value starts with.
    fn struct_name(self) -> &'static str {
        match self {
            FileKind::Protocol => "Protocol",
            FileKind::Settings => "Config",
        }
    }

    /// The other kind.
    fn other(self) -> FileKind {
        match self {
            FileKind::Protocol => FileKind::Settings,
            FileKind::Settings => FileKind::Protocol,
        }
    }

    /// What such a file looks like and how to get a good one.
    fn start_hint(self) -> &'static str {
        match self {
            FileKind::Protocol => {
                "a protocol is a text file that starts with `Protocol(`; `stillpoint new NAME` \
                 writes one to start from (the format is in sessions/README.md)"
            }
            FileKind::Settings => {
                "the settings file is a text file that starts with `Config(`; `stillpoint config \
                 --init` writes a commented one"
            }
        }
    }

    /// Where to look for the format.
    fn reference(self) -> &'static str {
        match self {
            FileKind::Protocol => "see the format reference in sessions/README.md",
            FileKind::Settings => {
                "see the settings in the README, or the commented file `stillpoint config \
                 --init` writes"
            }
        }
    }

    /// What to do when the file is not where it was looked for.
    fn missing_hint(self) -> &'static str {
        match self {
            FileKind::Protocol => {
                "check the path; `stillpoint list` shows the protocols found by name"
            }
            FileKind::Settings => {
                "check STILLPOINT_CONFIG, or write one with `stillpoint config --init`"
            }
        }
    }
}

/// A problem in a user's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file (or the name of a bundled protocol). Boxed to keep the
    /// error small on every system (a Windows `PathBuf` is larger).
    pub file: Box<Path>,
    /// 1-based line, 0 when the problem is with the file as a whole.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// How many characters the problem spans (at least 1).
    pub len: usize,
    /// What is wrong, quoting the bad value (sanitized, one line).
    pub message: String,
    /// What to write instead (sanitized, one line). Boxed, like the note:
    /// the error is returned by value everywhere, and clippy holds it under
    /// 128 bytes.
    pub hint: Box<str>,
    /// What was found, when seeing it helps (the first bytes of a binary
    /// file), already made safe to print.
    pub note: Option<Box<str>>,
    /// The file's text, for showing the line.
    pub text: Option<Arc<str>>,
}

/// A message or hint made safe and short: one line, no control
/// characters, and no more than a few lines' worth however long the value
/// it quotes.
fn one_line(s: &str, columns: usize) -> String {
    text::truncate(&text::sanitize_line(s), columns)
}

/// A value from a file as a message quotes it: one safe line, cut to a
/// length a reader can take in (`"xxxxxxxx…"`, not 600 kB of it).
pub fn shown(value: &str) -> String {
    one_line(value, 40)
}

impl FileError {
    /// A problem at byte `offset` of `text`, spanning `len` characters.
    pub fn at(
        file: &Path,
        text: &str,
        offset: usize,
        len: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> FileError {
        let offset = floor_boundary(text, offset);
        let (line, col) = line_col(text, offset);
        FileError {
            file: file.into(),
            line,
            col,
            len: len.max(1),
            message: one_line(&message.into(), 240),
            hint: one_line(&hint.into(), 640).into(),
            note: None,
            text: Some(Arc::from(text)),
        }
    }

    /// A problem with the file as a whole, with no line to show.
    fn whole(file: &Path, message: impl Into<String>, hint: impl Into<String>) -> FileError {
        FileError {
            file: file.into(),
            line: 0,
            col: 0,
            len: 1,
            message: one_line(&message.into(), 240),
            hint: one_line(&hint.into(), 640).into(),
            note: None,
            text: None,
        }
    }

    /// A problem with the field `field:` (its first use as a field name).
    pub fn at_field(
        file: &Path,
        text: &str,
        field: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> FileError {
        let offset = position_of_field(text, field);
        let len = if offset == 0 && !text.starts_with(field) {
            1
        } else {
            field.chars().count()
        };
        FileError::at(file, text, offset, len, message, hint)
    }

    /// A file that could not be read at all: missing, not a regular file
    /// (a FIFO or a device, named as such), too large, or refused.
    pub fn unreadable(file: &Path, kind: FileKind, e: &ReadError) -> FileError {
        match e {
            ReadError::NotFound => FileError::whole(
                file,
                "cannot read the file: there is no such file",
                kind.missing_hint(),
            ),
            ReadError::NotRegular(what) => FileError::whole(
                file,
                format!("cannot read the file: it is {what}, not a regular file"),
                format!(
                    "name the {} itself; stillpoint reads only regular files, as a FIFO or a \
                     device might never end",
                    kind.noun()
                ),
            ),
            ReadError::TooLarge { size, cap } => FileError::whole(
                file,
                format!(
                    "cannot read the file: it is {}, more than the {} a {} may be",
                    bytes(*size),
                    bytes(*cap),
                    kind.noun()
                ),
                format!(
                    "is this the right file? a {} is a small text file",
                    kind.noun()
                ),
            ),
            ReadError::Io(e) => FileError::whole(
                file,
                format!("cannot read the file: {e}"),
                "check that the file is readable (its permissions, the disk)",
            ),
        }
    }

    /// Turns ron's error into one worded for the file's author, pointing at
    /// the value or field at fault — or, when the file is not of `kind` at
    /// all (binary data, JSON, the other kind of file, nothing), says that
    /// instead.
    pub fn from_ron(
        file: &Path,
        kind: FileKind,
        text: &str,
        e: &ron::error::SpannedError,
    ) -> FileError {
        if let Some(wrong) = not_of_kind(file, kind, text) {
            return wrong;
        }
        let described = describe_ron_error(&e.code, kind);
        let mut message = described.message;
        let mut at = offset_of(text, e.span.start.line, e.span.start.col);
        let mut len = described.len;
        if let Some(rest) = message.strip_prefix(FIELD_MARK) {
            // Checks across a struct's fields run when its `)` is read;
            // point back at the field the message is about instead.
            let (field, msg) = rest.split_once(' ').unwrap_or((rest, ""));
            at = previous_field(text, at, field).unwrap_or(at);
            len = Some(field.chars().count());
            message = msg.to_owned();
        } else if matches!(e.code, ron::Error::MissingStructField { .. }) {
            // ron notices a missing field at the closing `)`; the start of
            // the struct is a better place to look.
            at = opening_of_struct(text, at).unwrap_or(at);
            len = Some(token_len(&text[at..]));
        } else if matches!(e.code, ron::Error::ExpectedArray) {
            // ron notices the missing `[` after reading the value; point at
            // the value itself.
            at = start_of_previous_token(text, at);
        }
        if text[..at].ends_with('"') {
            // Point at a bad text value's opening quote.
            at -= 1;
        } else {
            // Point at the value itself, not the whitespace before it.
            while text[at..].starts_with([' ', '\t']) {
                at += 1;
            }
        }
        let len = len.unwrap_or_else(|| token_len(&text[at..]));
        FileError::at(file, text, at, len, message, described.hint)
    }

    /// The problem on one line, `file:line:col: message` (or `file:
    /// message` for the file as a whole), for lists; the hint is
    /// [`FileError::hint`].
    pub fn headline(&self) -> String {
        let file = text::sanitize_line(&self.file.to_string_lossy()).into_owned();
        if self.line == 0 {
            format!("{file}: {}", self.message)
        } else {
            format!("{file}:{}:{}: {}", self.line, self.col, self.message)
        }
    }

    /// The problem the way rustc shows errors, laid out for
    /// [`REPORT_COLUMNS`]: the message, `file:line:col`, the source line
    /// with the problem underlined, and the hint.
    pub fn render(&self, color: bool) -> String {
        self.render_width(color, REPORT_COLUMNS)
    }

    /// [`FileError::render`] for a terminal `columns` wide: the source line
    /// is cut around the problem to fit, and the hint wrapped.
    pub fn render_width(&self, color: bool, columns: usize) -> String {
        let excerpt = self.excerpt(columns);
        let digits = if excerpt.is_some() {
            self.line.to_string().len()
        } else {
            1
        };
        let frame = Frame::new(Paint(color), digits);
        let mut out = String::new();
        self.render_heading(&mut out, &frame);
        if let Some(x) = &excerpt {
            self.render_excerpt(&mut out, &frame, x);
        }
        self.render_notes(&mut out, &frame, columns, excerpt.is_some());
        let _ = writeln!(
            out,
            "{}",
            frame.paint.margin(&format!("{}╯", "─".repeat(digits + 2)))
        );
        out
    }

    /// The message, then `╭─[ file:line:col ]` and the margin under it.
    fn render_heading(&self, out: &mut String, frame: &Frame) {
        let paint = &frame.paint;
        let gutter = " ".repeat(frame.digits + 2);
        let file = text::sanitize_line(&self.file.to_string_lossy()).into_owned();
        let location = if self.line > 0 {
            format!("{file}:{}:{}", self.line, self.col)
        } else {
            file
        };
        let _ = writeln!(out, "{} {}", paint.error("Error:"), self.message);
        let _ = writeln!(
            out,
            "{gutter}{} {location} {}",
            paint.margin("╭─["),
            paint.margin("]")
        );
        let _ = writeln!(out, "{gutter}{}", frame.bar);
    }

    /// The numbered source line, the problem underlined, and `╰── here`.
    fn render_excerpt(&self, out: &mut String, frame: &Frame, x: &Excerpt) {
        let (paint, digits, side) = (&frame.paint, frame.digits, &frame.side);
        let number = paint.margin(&format!("{:>digits$} │", self.line));
        let _ = writeln!(out, " {number} {}", x.line);
        let n = x.width;
        let under = format!("{}┬{}", "─".repeat(n / 2), "─".repeat(n - n / 2 - 1));
        let _ = writeln!(
            out,
            "{side}{}{}  ",
            " ".repeat(x.start),
            paint.error(&under)
        );
        let arrow = format!("╰{} here", "─".repeat(n - n / 2 + 1));
        let _ = writeln!(
            out,
            "{side}{}{}",
            " ".repeat(x.start + n / 2),
            paint.error(&arrow)
        );
    }

    /// The note (if any) and the help, each wrapped to fit `columns` and
    /// set off by a blank margin row.
    fn render_notes(&self, out: &mut String, frame: &Frame, columns: usize, after_excerpt: bool) {
        let side = &frame.side;
        for (i, (label, body)) in [("Note", self.note.as_deref()), ("Help", Some(&*self.hint))]
            .into_iter()
            .enumerate()
        {
            let Some(body) = body else { continue };
            // A blank row between sections, and after the source line.
            if after_excerpt || (i > 0 && self.note.is_some()) {
                let _ = writeln!(out, "{side}");
            }
            let room = columns
                .saturating_sub(frame.digits + 4 + label.len() + 2)
                .max(24);
            for (i, line) in text::wrap(body, room).iter().enumerate() {
                if i == 0 {
                    let _ = writeln!(out, "{side}{}: {line}", frame.paint.note(label));
                } else {
                    let _ = writeln!(out, "{side}{}{line}", " ".repeat(label.len() + 2));
                }
            }
        }
    }

    /// The problem's source line, made safe and cut to fit `columns`, with
    /// where the problem is in it.
    fn excerpt(&self, columns: usize) -> Option<Excerpt> {
        let text = self.text.as_deref()?;
        let raw = text.split('\n').nth(self.line.checked_sub(1)?)?;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let shown = ShownLine::of(raw);
        let first = self.col.saturating_sub(1);
        let start = shown.column_of(first);
        let end = shown.column_of(first + self.len).max(start + 1);
        let budget = columns
            .saturating_sub(self.line.to_string().len() + 4)
            .max(24);
        if shown.total <= budget && end + MARKER_TAIL <= budget {
            return Some(Excerpt {
                line: shown.cells.into_iter().map(|c| c.shown).collect(),
                start,
                width: end - start,
            });
        }
        let (from, to) = window(start, end, shown.total, budget);
        Some(shown.cut(from, to, start, end))
    }
}

/// Tab stops in a shown source line.
const TAB: usize = 4;
/// Columns the marker row takes after the problem's end (`──` and
/// ` here`).
const MARKER_TAIL: usize = 7;

/// One grapheme of a source line as a report shows it.
struct ShownCell {
    /// What is printed for it.
    shown: String,
    /// Its width in columns.
    width: usize,
    /// The column it starts at.
    column: usize,
}

/// A source line as a report shows it, grapheme by grapheme: a tab as
/// spaces to the next stop, a control or bidi character as `�` (so the
/// marker stays under the right place and nothing reaches the terminal),
/// the rest as is.
struct ShownLine {
    cells: Vec<ShownCell>,
    /// The column each `char` of the raw line starts at.
    column_of_char: Vec<usize>,
    /// The line's width in columns.
    total: usize,
}

impl ShownLine {
    fn of(raw: &str) -> ShownLine {
        let mut cells = Vec::new();
        let mut column_of_char = Vec::new();
        let mut at = 0;
        for g in raw.graphemes(true) {
            let (shown, width) = if g == "\t" {
                let w = TAB - at % TAB;
                (" ".repeat(w), w)
            } else if g
                .chars()
                .any(|c| c.is_control() || text::is_bidi_control(c))
            {
                (text::REPLACEMENT.to_string(), 1)
            } else {
                (g.to_owned(), text::width(g))
            };
            column_of_char.extend(std::iter::repeat_n(at, g.chars().count()));
            cells.push(ShownCell {
                shown,
                width,
                column: at,
            });
            at += width;
        }
        ShownLine {
            cells,
            column_of_char,
            total: at,
        }
    }

    /// The column the `char` at index `i` starts at (the line's end past it).
    fn column_of(&self, i: usize) -> usize {
        self.column_of_char.get(i).copied().unwrap_or(self.total)
    }

    /// The columns `from..to` of the line, with `…` where it was cut, and
    /// the problem (`start..end`) moved to match.
    fn cut(&self, from: usize, to: usize, start: usize, end: usize) -> Excerpt {
        let kept: Vec<&ShownCell> = self
            .cells
            .iter()
            .filter(|c| c.column >= from && c.column + c.width <= to)
            .collect();
        let first_kept = kept.first().map_or(from, |c| c.column);
        let last_end = kept.last().map_or(from, |c| c.column + c.width);
        let mut line = String::new();
        let lead = usize::from(first_kept > 0);
        if lead > 0 {
            line.push(text::ELLIPSIS);
        }
        for c in &kept {
            line.push_str(&c.shown);
        }
        if last_end < self.total {
            line.push(text::ELLIPSIS);
        }
        let start_in = start.saturating_sub(first_kept) + lead;
        let end_in = end.min(last_end).saturating_sub(first_kept) + lead;
        Excerpt {
            line,
            start: start_in,
            width: end_in.saturating_sub(start_in).max(1),
        }
    }
}

/// The columns of a line `total` wide to keep in `budget` so the problem
/// (`start..end`) shows with its marker: the line's start if the problem
/// and its marker fit with it, else a third of the room before the problem
/// — and always enough after it for the marker (plus one column for the
/// `…` in front).
fn window(start: usize, end: usize, total: usize, budget: usize) -> (usize, usize) {
    let from = if end + MARKER_TAIL < budget {
        0
    } else {
        start
            .saturating_sub(budget / 3)
            .min(total.saturating_sub(budget - 1))
            .max((end + MARKER_TAIL + 1).saturating_sub(budget))
    };
    let mut to = from + budget - usize::from(from > 0);
    if to < total {
        to -= 1;
    }
    (from, to)
}

/// A source line as a report shows it.
struct Excerpt {
    /// The line, safe to print, within the report's width.
    line: String,
    /// The display column the problem starts at.
    start: usize,
    /// How many columns to underline.
    width: usize,
}

/// Colours for a report on a terminal, and none elsewhere.
struct Paint(bool);

impl Paint {
    fn with(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\u{1b}[{code}m{s}\u{1b}[0m")
        } else {
            s.to_owned()
        }
    }
    fn error(&self, s: &str) -> String {
        self.with("31", s)
    }
    fn margin(&self, s: &str) -> String {
        self.with("38;5;246", s)
    }
    fn note(&self, s: &str) -> String {
        self.with("38;5;115", s)
    }
}

/// The left margin every row of a report shares: the colours, how many
/// digits the line number takes, and the bar drawn in it.
struct Frame {
    paint: Paint,
    digits: usize,
    /// The bar, coloured.
    bar: String,
    /// The margin of every row that is not the source line.
    side: String,
}

impl Frame {
    fn new(paint: Paint, digits: usize) -> Frame {
        let bar = paint.margin("│");
        let side = format!(" {}{bar} ", " ".repeat(digits + 1));
        Frame {
            paint,
            digits,
            bar,
            side,
        }
    }
}

impl fmt::Display for FileError {
    /// The full report without colour (see [`FileError::render`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl std::error::Error for FileError {}

/// A size in the units people read.
fn bytes(n: u64) -> String {
    const KB: u64 = 1024;
    match n {
        n if n >= KB * KB * KB => format!("{:.1} GB", n as f64 / (KB * KB * KB) as f64),
        n if n >= KB * KB => format!("{:.1} MB", n as f64 / (KB * KB) as f64),
        n if n >= KB => format!("{} KB", n / KB),
        n => format!("{n} bytes"),
    }
}

/// The largest char boundary at or before `offset`.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Reads a protocol or settings file as text: a regular file of at most
/// [`MAX_FILE_BYTES`] (see [`crate::files::read_regular`]), decoded by
/// [`decode`].
pub fn read_source(path: &Path, kind: FileKind) -> Result<String, FileError> {
    let bytes = crate::files::read_regular(path, MAX_FILE_BYTES)
        .map_err(|e| FileError::unreadable(path, kind, &e))?;
    decode(path, kind, bytes)
}

/// A file's bytes as text. A UTF-8 byte order mark is dropped (some Windows
/// editors write one); UTF-16, binary data and bytes that are not UTF-8 are
/// errors — the last at the line and column of the first bad byte.
pub fn decode(file: &Path, kind: FileKind, mut bytes: Vec<u8>) -> Result<String, FileError> {
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    }
    if is_utf16(&bytes) {
        let mut e = FileError::whole(
            file,
            "the file is saved as UTF-16; stillpoint reads UTF-8",
            "save it as UTF-8 (in most editors: Save As…, then Encoding: UTF-8)",
        );
        e.line = 1;
        e.col = 1;
        return Err(e);
    }
    if has_nul(&bytes) {
        return Err(binary(file, kind, &bytes));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        // Not UTF-8 and full of control codes: not text in any encoding.
        if mostly_controls(&bytes) {
            return binary(file, kind, &bytes);
        }
        let bad = bytes.get(valid).copied().unwrap_or(0);
        let lossy = String::from_utf8_lossy(&bytes);
        FileError::at(
            file,
            &lossy,
            valid,
            1,
            format!("the file is not UTF-8 text: byte 0x{bad:02X} here is not a character"),
            "save the file as UTF-8 (in most editors: Save As…, then Encoding: UTF-8); it may \
             be in Latin-1 or Windows-1252 now",
        )
    })
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A UTF-16 byte order mark, or ASCII text with a zero byte after (or
/// before) each character.
fn is_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return true;
    }
    match bytes {
        [a, 0, b, 0, ..] | [0, a, 0, b, ..] => *a != 0 && *b != 0,
        _ => false,
    }
}

/// The start of a file, enough to tell what it holds.
fn sample(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len().min(8192)]
}

/// A zero byte: no text file has one (UTF-16 is caught before).
fn has_nul(bytes: &[u8]) -> bool {
    sample(bytes).contains(&0)
}

/// More than one byte in twenty a control code that text never has — so
/// bytes that are not UTF-8 are binary data rather than text in another
/// encoding. (Valid UTF-8 with a stray escape character is still text: it
/// is sanitized where it is shown.)
fn mostly_controls(bytes: &[u8]) -> bool {
    let sample = sample(bytes);
    let controls = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F)
        .count();
    controls >= 2 && controls * 20 > sample.len()
}

/// "This is not a protocol file", with the first bytes shown safely: as
/// a Rust byte string, escaped, as much as fits one line of the report.
fn binary(file: &Path, kind: FileKind, bytes: &[u8]) -> FileError {
    const SHOWN: usize = 44;
    let mut begins = String::new();
    let mut taken = 0;
    for &b in bytes {
        let escaped: String = std::ascii::escape_default(b).map(char::from).collect();
        if begins.len() + escaped.len() > SHOWN {
            break;
        }
        begins.push_str(&escaped);
        taken += 1;
    }
    if taken < bytes.len() {
        begins.push(text::ELLIPSIS);
    }
    let mut e = FileError::whole(
        file,
        format!(
            "this is not a {}: it holds binary data, not text",
            kind.noun()
        ),
        kind.start_hint(),
    );
    e.line = 1;
    e.col = 1;
    e.note = Some(format!("the file begins b\"{begins}\"").into());
    e
}

/// The first thing in a file that is not blank, a comment or a ron
/// attribute (`#![enable(...)]`): its byte offset and text (a word, or one
/// character).
fn first_token(text: &str) -> Option<(usize, &str)> {
    let mut at = 0;
    loop {
        let rest = &text[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            at += trimmed.find('\n').unwrap_or(trimmed.len());
        } else if let Some(body) = trimmed.strip_prefix("/*") {
            at += 2 + body.find("*/").map_or(body.len(), |i| i + 2);
        } else if trimmed.starts_with("#!") {
            at += trimmed.find(']').map_or(trimmed.len(), |i| i + 1);
        } else {
            break;
        }
    }
    let rest = &text[at..];
    let word = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let len = if word > 0 {
        word
    } else {
        rest.chars().next()?.len_utf8()
    };
    Some((at, &rest[..len]))
}

/// When `text` is not a file of `kind` at all, the error that says so:
/// binary data, nothing, JSON or another format, the other kind of file, a
/// protocol's fields without `Protocol(` around them.
fn not_of_kind(file: &Path, kind: FileKind, text: &str) -> Option<FileError> {
    if has_nul(text.as_bytes()) {
        return Some(binary(file, kind, text.as_bytes()));
    }
    let Some((at, token)) = first_token(text) else {
        let mut e = FileError::whole(file, "the file is empty", kind.start_hint());
        e.line = 1;
        e.col = 1;
        return Some(e);
    };
    let name = kind.struct_name();
    if token == "(" || token == name {
        return None;
    }
    let len = token.chars().count();
    if token == kind.other().struct_name() {
        return Some(other_kind(file, kind, text, at, len));
    }
    let is_word = token.starts_with(|c: char| c.is_alphanumeric() || c == '_');
    if is_word && did_you_mean(token, &[name]).is_some() {
        // A misspelt `Protocol`: ron's own error says which.
        return None;
    }
    if is_word && text[at + token.len()..].trim_start().starts_with(':') {
        return Some(FileError::at(
            file,
            text,
            at,
            len,
            format!("expected `{name}(` before the first field"),
            format!("start the file with `{name}(` and end it with `)`"),
        ));
    }
    Some(FileError::at(
        file,
        text,
        at,
        len,
        format!(
            "this is not a {}{}",
            kind.noun(),
            looks_like(token, &text[at..])
        ),
        kind.start_hint(),
    ))
}

/// A settings file given as a protocol, or the other way round, from its
/// first token at `at` (`len` characters).
fn other_kind(file: &Path, kind: FileKind, text: &str, at: usize, len: usize) -> FileError {
    let other = kind.other();
    FileError::at(
        file,
        text,
        at,
        len,
        format!("this is a {}, not a {}", other.noun(), kind.noun()),
        match kind {
            FileKind::Protocol => {
                "check the settings with `stillpoint config`; a protocol starts with \
                 `Protocol(`"
            }
            FileKind::Settings => {
                "protocols go in a sessions folder and `stillpoint validate` checks them; \
                 the settings file starts with `Config(`"
            }
        },
    )
}

/// What a file whose first token is `token` (and `rest` from there on)
/// looks like instead: ` (it looks like JSON)`, or nothing.
fn looks_like(token: &str, rest: &str) -> &'static str {
    match token {
        "{" | "[" => " (it looks like JSON)",
        "<" => " (it looks like XML or HTML)",
        "-" if rest.starts_with("---") => " (it looks like YAML)",
        _ => "",
    }
}

/// The closest of `names` to a misspelt `found`, if one is close enough to
/// be what was meant.
pub fn did_you_mean<'a>(found: &str, names: &[&'a str]) -> Option<&'a str> {
    let lower = found.to_lowercase();
    names
        .iter()
        .map(|n| (strsim::jaro_winkler(&lower, &n.to_lowercase()), *n))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// The start of the token that ends just before `offset` (skipping the
/// whitespace between), or `offset` itself if there is none.
fn start_of_previous_token(text: &str, offset: usize) -> usize {
    let before = text[..offset.min(text.len())].trim_end_matches([' ', '\t']);
    if let Some(inner) = before.strip_suffix('"') {
        return inner.rfind('"').unwrap_or(offset);
    }
    let word = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i);
    word.unwrap_or(offset)
}

/// How long the token at the start of `text` is, in characters: a quoted
/// string with its quotes, or a word.
fn token_len(text: &str) -> usize {
    if let Some(rest) = text.strip_prefix('"') {
        let mut escaped = false;
        for (i, c) in rest.chars().enumerate() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => return i + 2,
                '\n' => return i + 1,
                _ => {}
            }
        }
        return rest.chars().count() + 1;
    }
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .count()
        .max(1)
}

/// The byte offset of a 1-based line and column (columns count characters).
pub(crate) fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

/// The 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Where `field:` is first written as a field name (not inside quoted text or
/// a comment, and not as part of a longer word), as a byte offset; the start
/// of the file if nowhere.
pub(crate) fn position_of_field(text: &str, field: &str) -> usize {
    let mut in_string = false;
    let mut escaped = false;
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '/' && text[i..].starts_with("//") {
            // Skip the comment to the end of the line.
            while chars.peek().is_some_and(|(_, c)| *c != '\n') {
                chars.next();
            }
        } else if text[i..].starts_with(field)
            && !prev.is_some_and(|p| p.is_alphanumeric() || p == '_')
            && text[i + field.len()..].trim_start().starts_with(':')
        {
            return i;
        }
        prev = Some(c);
    }
    0
}

/// Where `field:` was last written before `offset`.
fn previous_field(text: &str, offset: usize, field: &str) -> Option<usize> {
    let before = &text[..offset.min(text.len())];
    let mut end = before.len();
    while let Some(i) = before[..end].rfind(field) {
        let starts_word = !before[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if starts_word && before[i + field.len()..].trim_start().starts_with(':') {
            return Some(i);
        }
        end = i;
    }
    None
}

/// The start of the name of the struct whose `)` is at `offset`
/// (`Hold(...)` → the `H`), skipping over quoted text.
fn opening_of_struct(text: &str, offset: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    let mut i = offset.min(bytes.len().saturating_sub(1));
    let mut in_string = false;
    loop {
        match bytes[i] {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => in_string = !in_string,
            b')' if !in_string => depth += 1,
            b'(' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    let name_end = i;
                    let name_start = text[..name_end]
                        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .map_or(0, |j| j + 1);
                    return Some(name_start);
                }
            }
            _ => {}
        }
        if i == 0 {
            return None;
        }
        i -= 1;
    }
}

/// ron's error in the author's words.
struct Described {
    message: String,
    hint: String,
    /// How much to underline, when the error knows.
    len: Option<usize>,
}

impl Described {
    /// A message and a hint, the underline left to the caller.
    fn plain(message: impl Into<String>, hint: impl Into<String>) -> Described {
        Described {
            message: message.into(),
            hint: hint.into(),
            len: None,
        }
    }

    /// A message and a hint about a name `found` in the file, underlined
    /// whole.
    fn about(message: String, hint: String, found: &str) -> Described {
        Described {
            message,
            hint,
            len: Some(found.chars().count()),
        }
    }
}

/// Turns ron's error into a sentence and a hint for the author of a file of
/// `kind` (a settings file gets settings examples, not protocol ones).
fn describe_ron_error(code: &ron::Error, kind: FileKind) -> Described {
    misnamed(code, kind)
        .or_else(|| unexpected(code, kind == FileKind::Settings))
        .unwrap_or_else(|| unbalanced(code, kind == FileKind::Settings))
}

/// Errors about a name: a message of our own (from a `Deserialize` impl),
/// an unknown, missing or doubled field, an unknown variant or struct name.
fn misnamed(code: &ron::Error, kind: FileKind) -> Option<Described> {
    use ron::Error as E;
    Some(match code {
        E::Message(m) => match m.split_once("; hint: ") {
            Some((msg, hint)) => Described::plain(msg, hint),
            None => Described::plain(m.clone(), kind.reference()),
        },
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => Described::about(
            format!("unknown field `{}`{}", shown(found), in_outer(outer)),
            suggestion(found, expected, "the fields here are"),
            found,
        ),
        E::MissingStructField { field, outer } => Described::plain(
            format!("missing field `{field}`{}", in_outer(outer)),
            format!("add `{field}: ...,`"),
        ),
        E::DuplicateStructField { field, .. } => Described::about(
            format!("the field `{field}` is written twice"),
            "keep one of them".into(),
            field,
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => Described::about(
            format!(
                "unknown {} `{}`",
                variant_noun(outer.as_deref()),
                shown(found)
            ),
            suggestion(found, expected, "write one of"),
            found,
        ),
        E::ExpectedDifferentStructName { expected, found } => Described::about(
            format!("expected `{expected}(`, found `{}(`", shown(found)),
            format!("did you mean `{expected}`?"),
            found,
        ),
        _ => return None,
    })
}

/// ` in `Hold``: the struct a field error is in, when ron says.
fn in_outer(outer: &Option<String>) -> String {
    outer
        .as_ref()
        .map(|o| format!(" in `{}`", shown(o)))
        .unwrap_or_default()
}

/// "did you mean `x`?" when a name is close to `found`, else the list of
/// `expected` names after `lead`.
fn suggestion(found: &str, expected: &[&str], lead: &str) -> String {
    match did_you_mean(found, expected) {
        Some(name) => format!("did you mean `{name}`?"),
        None => format!("{lead}: {}", backticked(expected)),
    }
}

/// What an enum of ours is called in the author's words.
fn variant_noun(outer: Option<&str>) -> &'static str {
    match outer {
        Some("Region") => "region",
        Some("Advance") => "advance",
        Some("Step") => "step kind",
        Some("ThemeName") => "theme",
        _ => "value",
    }
}

/// The settings' hint or the protocol's, as the file is one or the other.
fn for_kind(settings: bool, settings_hint: &str, protocol_hint: &str) -> String {
    if settings {
        settings_hint
    } else {
        protocol_hint
    }
    .to_owned()
}

/// Errors about a value of the wrong shape: text, a number, a list, a comma
/// where something else was written.
fn unexpected(code: &ron::Error, settings: bool) -> Option<Described> {
    use ron::Error as E;
    Some(match code {
        E::ExpectedString | E::ExpectedStringEnd => Described::plain(
            "expected text in double quotes",
            for_kind(
                settings,
                "write it like \"surf\" or, for times, \"10s\"",
                "write it like \"Occipital base release\" or, for times, \"2m30s\"",
            ),
        ),
        E::ExpectedInteger => Described::plain(
            "expected a whole number",
            for_kind(
                settings,
                "write numbers without quotes, e.g. `volume: 4,`",
                "write numbers without quotes, e.g. `version: 1,`",
            ),
        ),
        E::InvalidValueForType { .. } => Described::plain(
            code.to_string(),
            for_kind(
                settings,
                "check the value's type against the settings in the README",
                "check the value's type against the format reference",
            ),
        ),
        E::ExpectedArray => Described::plain(
            "expected a list in square brackets",
            for_kind(
                settings,
                "write a list like `[\"F5\", \"PageDown\"]`, even for one key",
                "write a list like `[Legs]` or `[Legs, Feet]`, even for one item",
            ),
        ),
        E::ExpectedComma => Described::plain(
            "expected a comma",
            "separate fields and list items with commas",
        ),
        _ => return None,
    })
}

/// Errors about the file's brackets and ends, and anything else ron
/// reports, in its own words with a pointer to an example.
fn unbalanced(code: &ron::Error, settings: bool) -> Described {
    use ron::Error as E;
    match code {
        E::TrailingCharacters => Described::plain(
            "there is text after the end of the file's value",
            "the file should end with the `)` that closes the first `(`",
        ),
        E::Eof => Described::plain(
            "the file ends too early",
            "a bracket or parenthesis is probably not closed",
        ),
        E::UnclosedBlockComment => Described::plain(
            "a `/*` comment is never closed",
            "end it with `*/`, or use `//` comments",
        ),
        other => Described::plain(
            other.to_string(),
            for_kind(
                settings,
                "compare with the commented file `stillpoint config --init` writes",
                "compare with a bundled protocol (`stillpoint list`) or the format reference",
            ),
        ),
    }
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_misspellings_are_suggested_and_far_ones_are_not() {
        let fields = ["name", "region", "hands", "intent", "duration", "notice"];
        assert_eq!(did_you_mean("duraton", &fields), Some("duration"));
        assert_eq!(did_you_mean("Duration", &fields), Some("duration"));
        assert_eq!(did_you_mean("hnads", &fields), Some("hands"));
        assert_eq!(did_you_mean("colour", &fields), None);
        let regions = ["Occiput", "Sacrum", "Frontal"];
        assert_eq!(did_you_mean("Ocipput", &regions), Some("Occiput"));
    }

    #[test]
    fn tokens_are_measured_for_underlining() {
        assert_eq!(token_len("\"2 minutes\", x"), 11);
        assert_eq!(token_len("Occiptal, x"), 8);
        assert_eq!(token_len(")"), 1);
    }

    #[test]
    fn renders_like_rustc_with_the_line_and_an_underline() {
        let text = "Protocol(\n    nmae: \"x\",\n)\n";
        let e = FileError::at(
            Path::new("a.ron"),
            text,
            14,
            4,
            "unknown field `nmae`",
            "did you mean `name`?",
        );
        assert_eq!(e.headline(), "a.ron:2:5: unknown field `nmae`");
        assert_eq!(e.to_string(), e.render(false));
        let shown = e.render(false);
        assert!(shown.contains("a.ron:2:5"), "{shown}");
        assert!(shown.contains("    nmae: \"x\","), "{shown}");
        assert!(shown.contains("──┬─"), "{shown}");
        assert!(shown.contains("did you mean `name`?"), "{shown}");
    }

    #[test]
    fn escapes_in_a_small_text_file_do_not_make_it_binary() {
        let text = "Protocol(version: 1, name: \"\u{1b}]0;x\u{7}\u{1b}[2J\u{1b}[2J\", summary: \"\", steps: [])";
        let decoded = decode(
            Path::new("a.ron"),
            FileKind::Protocol,
            text.as_bytes().to_vec(),
        );
        assert_eq!(decoded.as_deref(), Ok(text));
        // Not UTF-8 and full of control codes, without a zero byte: binary.
        let noise: Vec<u8> = (0u8..200)
            .map(|i| [0x1b, 0x9f, 0x02, 0xfe][usize::from(i % 4)])
            .collect();
        let e = decode(Path::new("a.ron"), FileKind::Protocol, noise).unwrap_err();
        assert!(e.message.contains("binary data"), "{e}");
        // Not UTF-8, but text: an encoding problem at its place.
        let e = decode(
            Path::new("a.ron"),
            FileKind::Settings,
            b"Config(\n  x: \"\xe9\")".to_vec(),
        )
        .unwrap_err();
        assert_eq!((e.line, e.col), (2, 7), "{e}");
    }

    #[test]
    fn the_first_token_skips_comments_and_attributes() {
        let text = "// a note\n/* a block\n */ #![enable(implicit_some)]\n  Protocol(";
        assert_eq!(first_token(text).map(|(_, t)| t), Some("Protocol"));
        assert_eq!(first_token("  {\"a\": 1}").map(|(_, t)| t), Some("{"));
        assert_eq!(first_token("// only a comment\n\n"), None);
    }

    #[test]
    fn tabs_and_controls_keep_the_marker_under_the_problem() {
        let text = "Protocol(\n\t\tnmae: \"x\u{7}\",\n)";
        let e = FileError::at(
            Path::new("t.ron"),
            text,
            12,
            4,
            "unknown field `nmae`",
            "name",
        );
        let shown = e.render(false);
        assert!(shown.contains(" 2 │         nmae: \"x�\","), "{shown}");
        assert!(shown.contains("│         ──┬─"), "{shown}");
        assert!(!shown.contains('\u{7}'), "{shown}");
    }
}
