//! Problems in a person's own files — protocols and the settings — worded
//! for whoever wrote them: where (`file:line:col`), what, and what to write
//! instead, with "did you mean" for a misspelt name.
//!
//! A [`FileError`] prints on one line (`file:line:col: message`, then the
//! hint) where space is short, and renders the way rustc reports errors —
//! the source line with the problem underlined — through `ariadne` for
//! `stillpoint validate` and anything that refuses to start.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Starts a cross-field error raised once a whole struct has been read; the
/// word after it names the field the error should point at.
pub(crate) const FIELD_MARK: &str = "\u{1}field=";

/// A problem in a user's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file (or the name of a bundled protocol).
    pub file: PathBuf,
    /// 1-based line, 0 when the file could not be read at all.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// How many characters the problem spans (at least 1).
    pub len: usize,
    /// What is wrong, quoting the bad value.
    pub message: String,
    /// What to write instead.
    pub hint: String,
    /// The file's text, for showing the line.
    pub text: Option<Arc<str>>,
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
        let (line, col) = line_col(text, offset);
        FileError {
            file: file.to_owned(),
            line,
            col,
            len: len.max(1),
            message: message.into(),
            hint: hint.into(),
            text: Some(Arc::from(text)),
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

    /// A file that could not be read at all.
    pub fn unreadable(file: &Path, e: &std::io::Error) -> FileError {
        FileError {
            file: file.to_owned(),
            line: 0,
            col: 0,
            len: 1,
            message: format!("cannot read the file: {e}"),
            hint: "check the path and that the file is readable".into(),
            text: None,
        }
    }

    /// Turns ron's error into one worded for the file's author, pointing at
    /// the value or field at fault.
    pub fn from_ron(file: &Path, text: &str, e: &ron::error::SpannedError) -> FileError {
        let described = describe_ron_error(&e.code);
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

    /// The problem the way rustc shows errors: the message, `file:line:col`,
    /// the source line with the problem underlined, and the hint.
    pub fn render(&self, color: bool) -> String {
        use ariadne::{CharSet, Config, IndexType, Label, Report, ReportKind, Source};
        let Some(text) = self.text.as_deref().filter(|_| self.line > 0) else {
            return format!("error: {self}\n");
        };
        let name = self.file.display().to_string();
        let start = offset_of(text, self.line, self.col);
        let start = text[..start].chars().count();
        let span = start..start + self.len;
        let config = Config::default()
            .with_color(color)
            .with_char_set(CharSet::Unicode)
            .with_index_type(IndexType::Char);
        let mut out = Vec::new();
        let written = Report::build(ReportKind::Error, (name.clone(), span.clone()))
            .with_config(config)
            .with_message(&self.message)
            .with_label(Label::new((name.clone(), span)).with_message("here"))
            .with_help(&self.hint)
            .finish()
            .write((name, Source::from(text)), &mut out);
        match written {
            Ok(()) => String::from_utf8_lossy(&out).into_owned(),
            Err(_) => format!("error: {self}\n"),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.col,
                self.message
            )?;
        }
        write!(f, "\n  hint: {}", self.hint)
    }
}

impl std::error::Error for FileError {}

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

/// Turns ron's error into a sentence and a hint for a file's author.
fn describe_ron_error(code: &ron::Error) -> Described {
    use ron::Error as E;
    let plain = |message: String, hint: String| Described {
        message,
        hint,
        len: None,
    };
    let outer_text = |outer: &Option<String>| {
        outer
            .as_ref()
            .map(|o| format!(" in `{o}`"))
            .unwrap_or_default()
    };
    match code {
        E::Message(m) => match m.split_once("; hint: ") {
            Some((msg, hint)) => plain(msg.to_owned(), hint.to_owned()),
            None => plain(
                m.clone(),
                "see the format reference in sessions/README.md".into(),
            ),
        },
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => Described {
            message: format!("unknown field `{found}`{}", outer_text(outer)),
            hint: match did_you_mean(found, expected) {
                Some(name) => format!("did you mean `{name}`?"),
                None => format!("the fields here are: {}", backticked(expected)),
            },
            len: Some(found.chars().count()),
        },
        E::MissingStructField { field, outer } => plain(
            format!("missing field `{field}`{}", outer_text(outer)),
            format!("add `{field}: ...,`"),
        ),
        E::DuplicateStructField { field, .. } => Described {
            message: format!("the field `{field}` is written twice"),
            hint: "keep one of them".into(),
            len: Some(field.chars().count()),
        },
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let what = match outer.as_deref() {
                Some("Region") => "region",
                Some("Advance") => "advance",
                Some("Step") => "step kind",
                Some("ThemeName") => "theme",
                _ => "value",
            };
            Described {
                message: format!("unknown {what} `{found}`"),
                hint: match did_you_mean(found, expected) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => format!("write one of: {}", backticked(expected)),
                },
                len: Some(found.chars().count()),
            }
        }
        E::ExpectedString | E::ExpectedStringEnd => plain(
            "expected text in double quotes".into(),
            "write it like \"Occipital base release\" or, for times, \"2m30s\"".into(),
        ),
        E::ExpectedInteger => plain(
            "expected a whole number".into(),
            "write numbers without quotes, e.g. `version: 1,`".into(),
        ),
        E::InvalidValueForType { .. } => plain(
            code.to_string(),
            "check the value's type against the format reference".into(),
        ),
        E::ExpectedArray => plain(
            "expected a list in square brackets".into(),
            "write a list like `[Legs]` or `[\"F5\", \"PageDown\"]`, even for one item".into(),
        ),
        E::ExpectedComma => plain(
            "expected a comma".into(),
            "separate fields and list items with commas".into(),
        ),
        E::TrailingCharacters => plain(
            "there is text after the end of the file's value".into(),
            "the file should end with the `)` that closes the first `(`".into(),
        ),
        E::Eof => plain(
            "the file ends too early".into(),
            "a bracket or parenthesis is probably not closed".into(),
        ),
        other => plain(
            other.to_string(),
            "compare with a bundled protocol (`stillpoint list`) or the format reference".into(),
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
        assert_eq!(
            e.to_string(),
            "a.ron:2:5: unknown field `nmae`\n  hint: did you mean `name`?"
        );
        let shown = e.render(false);
        assert!(shown.contains("a.ron:2:5"), "{shown}");
        assert!(shown.contains("    nmae: \"x\","), "{shown}");
        assert!(shown.contains("──┬─"), "{shown}");
        assert!(shown.contains("did you mean `name`?"), "{shown}");
    }
}
