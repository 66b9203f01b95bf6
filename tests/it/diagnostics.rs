//! The broken-file corpus: every file in `tests/invalid/` (protocols) and
//! `tests/invalid-config/` (settings) fails with the location written on its
//! first line (`// expect: file:line:col…`), and its full report — the
//! message, the line with the problem marked, the hint — is a stable
//! snapshot, exactly as `stillpoint validate` and a refused start print it.

use std::path::{Path, PathBuf};

use stillpoint::protocol::Protocol;
use stillpoint::protocol::diagnostic::FileError;
use stillpoint::settings::Config;

fn files(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("folder exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    files
}

fn check(dir: &str, parse: impl Fn(&str, &Path) -> Result<(), FileError>) -> usize {
    let all = files(dir);
    for file in &all {
        let text = std::fs::read_to_string(file).expect("readable");
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("// expect: "))
            .unwrap_or_else(|| panic!("{} lacks an expect line", file.display()));
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let shown = Path::new(dir).join(&name);
        let e = match parse(&text, &shown) {
            Ok(()) => panic!("{name} parsed; it should not"),
            Err(e) => e,
        };
        let one_line = e.to_string();
        assert!(
            one_line.starts_with(expect),
            "{name}:\n  expected {expect}\n  got      {one_line}"
        );
        assert!(one_line.contains("\n  hint: "), "{one_line}");
        let snapshot = format!("{dir}__{}", name.trim_end_matches(".ron"));
        insta::assert_snapshot!(snapshot.replace(['/', '-'], "_"), e.render(false));
    }
    all.len()
}

#[test]
fn every_broken_protocol_and_settings_file_reports_where_what_and_how_to_fix_it() {
    let protocols = check("tests/invalid", |text, path| {
        Protocol::parse(text, path).map(|_| ())
    });
    let settings = check("tests/invalid-config", |text, path| {
        Config::parse(text, path).map(|_| ())
    });
    assert!(
        protocols + settings >= 25,
        "the corpus has {protocols} protocol and {settings} settings files"
    );
}

#[test]
fn a_misspelling_gets_a_did_you_mean() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid/misspelt-region.ron"),
    )
    .expect("readable");
    let e = Protocol::parse(&text, Path::new("x.ron")).expect_err("broken");
    assert_eq!(e.hint, "did you mean `Occiput`?");
    let e = Config::parse("Config(keys: (next: [\"PgDown\"]))", Path::new("c.ron"))
        .expect_err("broken");
    assert!(
        e.message.contains("did you mean \"PageDown\"?") || e.hint.contains("PageDown"),
        "{e}"
    );
}
