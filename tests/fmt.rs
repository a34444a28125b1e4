//! `mizan fmt`: idempotent and meaning-preserving on every shipped rule and
//! test file, on generated rubrics, and the CLI's `--check` diff and
//! in-place rewrite.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

use std::fs;
use std::path::{Path, PathBuf};

use mizan::diag::Src;
use support::mizan;

mod support;

fn mizan_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            mizan_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "mizan") {
            out.push(p);
        }
    }
}

fn document(name: &str, text: &str) -> mizan::ast::Document {
    let (doc, diags) = mizan::syntax::parse_document(&Src::new(name, text));
    assert!(!diags.has_errors(), "{name}: {diags:?}");
    let mut doc = doc.unwrap();
    mizan::fmt::canonical(&mut doc);
    doc
}

/// The `#` comments of a rule or test file (outside strings), trimmed, in
/// order: what `fmt` must keep, each exactly once.
fn comments_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' | '\n' | '\r' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            let rest = &text[i..];
            let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
            out.push(rest[..end].trim_end().to_string());
            while chars.peek().is_some_and(|(j, _)| *j < i + end) {
                chars.next();
            }
        }
    }
    out
}

/// fmt(fmt(x)) == fmt(x), x and fmt(x) mean the same, every comment is
/// kept exactly once, and a rubric that checks has no semantic change
/// (`mizan diff`) after formatting.
fn check_fmt(name: &str, text: &str) {
    let once = mizan::fmt::format(name, text).unwrap_or_else(|d| panic!("{name}: {d:?}\n{text}"));
    let twice = mizan::fmt::format(name, &once).unwrap();
    assert_eq!(
        once, twice,
        "{name}: formatting is not idempotent\n--- input\n{text}\n--- once\n{once}"
    );
    assert_eq!(
        document(name, text),
        document(name, &once),
        "{name}: formatting changed the meaning"
    );
    let mut before = comments_of(text);
    let mut after = comments_of(&once);
    before.sort();
    after.sort();
    assert_eq!(
        before, after,
        "{name}: a comment was lost or duplicated\n--- input\n{text}\n--- output\n{once}"
    );
    if let (Some(a), _) = mizan::load(name, text) {
        let (b, diags) = mizan::load(name, &once);
        let b = b.unwrap_or_else(|| panic!("{name}: the formatted file does not check: {diags:?}"));
        let d = mizan::diff::diff(a.model(), b.model());
        assert!(d.changes.is_empty(), "{name}: diff(x, fmt(x)) = {:?}", d.changes);
    }
}

/// Every `.mizan` file of the repository that parses: the shipped rules and
/// examples, and the test fixtures (corpus, review, fuzz findings, …).
fn corpus() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in ["rules", "examples", "tests"] {
        mizan_files(Path::new(dir), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|f| {
            let text = fs::read_to_string(&f).ok()?;
            let name = f.display().to_string();
            let (doc, diags) = mizan::syntax::parse_document(&Src::new(&name, text.as_str()));
            (doc.is_some() && !diags.has_errors()).then_some((name, text))
        })
        .collect()
}

#[test]
fn every_shipped_and_corpus_file_formats_idempotently_and_keeps_its_meaning() {
    let files = corpus();
    assert!(files.len() >= 40, "{}", files.len());
    for (name, text) in files {
        check_fmt(&name, &text);
    }
}

#[test]
fn formatting_never_changes_a_score() {
    let text = fs::read_to_string("rules/uae/integration/2018.mizan").unwrap();
    let formatted = mizan::fmt::format("2018.mizan", &text).unwrap();
    let (a, _) = mizan::load("a.mizan", &text);
    let (b, _) = mizan::load("b.mizan", &formatted);
    let (a, b) = (a.unwrap(), b.unwrap());
    for e in fs::read_dir("examples/uae-integration-2018").unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let answers = fs::read_to_string(&p).unwrap();
        let ra = a.evaluate_json("x", &answers).map(|r| r.outcomes);
        let rb = b.evaluate_json("x", &answers).map(|r| r.outcomes);
        assert_eq!(format!("{ra:?}"), format!("{rb:?}"), "{}", p.display());
    }
}

#[test]
fn comments_stay_with_their_declarations_and_arabic_is_untouched() {
    let text = "mizan 1\n# header comment\nrubric demo.c {\n  # the scale\n  scale yn {\n    yes 1 ar \"نعم\" en \"Yes\"   # full\n    no 0 ar \"لا\" en \"No\"\n  }\n  version \"1\" # trailing\n\n  criterion q1 { choice yn }  # one-liner\n  criterion q2 {\n    # why q2\n    choice yn\n  }\n  # before the end\n}\n";
    let out = mizan::fmt::format("c.mizan", text).unwrap();
    insta::assert_snapshot!("fmt_comments", out);
    check_fmt("c.mizan", text);
}

#[test]
fn check_prints_a_unified_diff_and_rewrite_is_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("messy.mizan");
    fs::write(
        &f,
        "rubric demo.messy {\n    criterion q1 {   choice { yes 1   no 0 } title en \"Q1\" }\nversion \"1\"\n}\n",
    )
    .unwrap();
    let o = mizan(&["fmt", "--check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let diff = String::from_utf8(o.stdout)
        .unwrap()
        .replace(dir.path().to_str().unwrap(), "DIR");
    insta::assert_snapshot!("fmt_check_diff", diff);
    let o = mizan(&["fmt", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let o = mizan(&["fmt", "--check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "formatted file passes --check");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

/// A closed cycle's rules (their sha256 in `mizan.lock`) are left byte for
/// byte as published, canonical layout or not; once changed, they are
/// formatted like any file (and `check` reports the lock, M0219).
#[test]
fn a_locked_file_is_left_as_published() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    fs::create_dir(&rules).unwrap();
    let f = rules.join("messy.mizan");
    let text = "rubric demo.messy {\n    criterion q1 {   choice { yes 1   no 0 } title en \"Q1\" }\nversion \"1\"\n}\n";
    fs::write(&f, text).unwrap();
    let sha = format!("{:x}", Sha256::digest(text.as_bytes()));
    fs::write(
        rules.join("mizan.lock"),
        format!("[[locked]]\nrubric = \"demo.messy\"\nversion = \"1\"\nsha256 = \"{sha}\"\n"),
    )
    .unwrap();
    let o = mizan(&["fmt", "--check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty(), "no diff for a locked file");
    assert!(String::from_utf8_lossy(&o.stderr).contains("is locked"));
    let o = mizan(&["fmt", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(fs::read_to_string(&f).unwrap(), text, "left byte for byte");
    // Changed, it is no longer the published file: formatted as usual.
    fs::write(&f, text.replace("Q1", "Q one")).unwrap();
    let o = mizan(&["fmt", "--check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let o = mizan(&["fmt", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_ne!(fs::read_to_string(&f).unwrap(), text.replace("Q1", "Q one"));
}

#[test]
fn a_file_with_syntax_errors_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("broken.mizan");
    let text = "rubric demo.b {\n  version \"1\"\n  criterion q1 { choice { yes 1  no } }\n}\n";
    fs::write(&f, text).unwrap();
    let o = mizan(&["fmt", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8(o.stderr).unwrap().contains("left untouched"));
    assert_eq!(fs::read_to_string(&f).unwrap(), text);
}

mod generated {
    //! Generated rubrics: random structure, attribute order, spacing,
    //! blank lines and comments. Formatting must be idempotent and keep the
    //! meaning, and never panic.

    use proptest::prelude::*;

    fn ws() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(" ".to_string()),
            Just("  ".to_string()),
            Just("\n    ".to_string()),
            Just("\t".to_string())
        ]
    }

    fn comment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just(String::new()),
            Just("# a note\n".to_string()),
            Just("# ملاحظة بالعربية\n".to_string()),
        ]
    }

    fn label() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just(" en \"Label\"".to_string()),
            Just(" ar \"المعيار\" en \"Criterion\"".to_string()),
            Just(" ar \"نص عربي طويل جدا يصف هذا المعيار بالتفصيل الكامل للجهات\" en \"A long English description of this criterion, long enough to break\"".to_string()),
        ]
    }

    /// Attributes of a criterion, in random order.
    fn criterion(id: String) -> impl Strategy<Value = String> {
        let answer = prop_oneof![
            Just("choice yn".to_string()),
            Just("choice { full 1  half 0.5  none 0 }".to_string()),
            Just("number 0..100 score value / 100".to_string()),
            Just("yesno".to_string()),
        ];
        let extras = proptest::collection::vec(
            prop_oneof![
                label().prop_map(|l| if l.is_empty() {
                    String::new()
                } else {
                    format!("title{l}")
                }),
                Just("weight 2".to_string()),
                Just("applies when role == a".to_string()),
                Just("missing worst".to_string()),
            ],
            0..3,
        );
        (answer, extras, ws(), comment()).prop_map(move |(a, mut ex, w, c)| {
            ex.retain(|e| !e.is_empty());
            ex.sort();
            ex.dedup_by(|a, b| a.split(' ').next() == b.split(' ').next());
            ex.insert(0, a);
            ex.reverse();
            format!("{c}criterion {id} {{{w}{}{w}}}\n", ex.join(&w))
        })
    }

    fn group(id: String, depth: u32) -> BoxedStrategy<String> {
        let gid = id.clone();
        let n = if depth == 0 { 1..3usize } else { 1..4usize };
        let children = proptest::collection::vec(any::<bool>(), n).prop_flat_map(move |kinds| {
            let parts: Vec<BoxedStrategy<String>> = kinds
                .iter()
                .enumerate()
                .map(|(k, nested)| {
                    let cid = format!("{id}.{k}");
                    if *nested && depth > 0 {
                        group(cid, depth - 1)
                    } else {
                        criterion(cid).boxed()
                    }
                })
                .collect();
            parts
        });
        let attrs = proptest::collection::vec(
            prop_oneof![
                Just("aggregate ratio".to_string()),
                Just("na full".to_string()),
                Just("title en \"Group\"".to_string()),
                Just("weight 3".to_string()),
            ],
            0..3,
        );
        (children, attrs, comment(), proptest::bool::ANY)
            .prop_map(move |(ch, mut at, c, blank)| {
                at.sort();
                at.dedup_by(|a, b| a.split(' ').next() == b.split(' ').next());
                let sep = if blank { "\n\n" } else { "\n" };
                format!("{c}group {gid} {{\n{}{sep}{}}}\n", at.join("\n"), ch.join(sep))
            })
            .boxed()
    }

    fn rubric() -> impl Strategy<Value = String> {
        (
            group("g".into(), 2),
            label(),
            comment(),
            proptest::bool::ANY,
            prop_oneof![
                Just("one of a, b".to_string()),
                (label(), label(), ws()).prop_map(|(la, lb, w)| format!("one of {{{w}a{la}{w}b{lb} }}")),
            ],
        )
            .prop_map(|(g, l, c, header_last, role)| {
                let header = format!(
                "  profile {{ role: {role} }}\n  scale yn {{ yes 1{l}  no 0  na n/a }}\n  {c}version \"1\"\n"
            );
                if header_last {
                    format!("mizan 1\nrubric demo.gen {{\n{g}\n{header}}}\n")
                } else {
                    format!("rubric demo.gen {{\n{header}\n{g}}}\n")
                }
            })
    }

    /// A rubric with every construct of the language: lets, formulas,
    /// calls, lists, `if`, `where`, `applies when`, `requires`, `repeated …
    /// when … else …`, fields, KPIs, inline and shared options with labels,
    /// `multi … combine`, bands, levels, profile, `renamed`, population.
    pub const RICH: &str = r#"mizan 1
rubric demo.rich {
  version "3"
  title ar "غني" en "Rich"
  description en "Every construct"
  precision 2
  missing error
  levels {
    pillar ar "ركيزة" en "Pillar"
    group
    sub en "Sub"
    criterion en "Criterion"
  }
  profile {
    role : one of a , b , both en "Role"
    tier : one of { gold ar "ذهبي" en "Gold"  silver en "Silver"
      bronze } en "Tier"
    kind2: one of {x2 en "X" y2 ar "ص"}
    size : number
    big: bool
  }
  scale yn en "Yes/No" {
    yes 1 ar "نعم" en "Yes"
    no 0 en "No"
    na n/a
    skip ignore
  }
  bands grades {
    high >= 0.75 en "High"
    low >= 0
  }
  let half = 0.5
  let third = ( 1 - half ) / 2 + max( 0 , min(1, half ) )
  formula pct = clamp(round(value * 100, 2) / 100, 0, 1)
  renamed old.q -> p1.q1
  aggregate mean
  bands grades
  na exclude
  pillar p1 {
    title en "One"
    weight 2
    applies when role in [ a , both ] and not big and tier != bronze
    aggregate weighted_mean normalised over criteria
    criterion p1.q1 {
      weight 0.25
      title en "Q1"
      choice yn
      missing worst
    }
    criterion p1.q2 {
      weight 0.25
      multi { x 0.5 en "X"  y 0.5  z 0  nope n/a } combine sum
      na allowed
    }
    criterion p1.q3 {
      weight 0.25
      number percent 0..100
      baseline 10
      target 80
      direction higher
      score if value >= 50 then pct else half * value / 100
    }
    criterion p1.q4 { yesno  weight 0.25  requires answer(p1.q1) == yes }
  }
  group g2 {
    score wmean(mean(g2.c where kind == x), 0.8, count(g2.c), 0.2)
    sub g2.r {
      fields {
        kind : one of x , y
        sort : one of { p en "P"  q } ar "نوع"
        n : number
      }
      repeated best when role == a else mean
      title en "G2"
      criterion g2.c { choice { good 1  bad 0 } }
    }
  }
  population {
    aggregate mean
    rank when size >= 3
  }
}
"#;

    /// The whitespace runs of `text` where a comment may go: outside
    /// strings and comments, between two tokens, and not inside the one
    /// atomic keyword with a space (`one of`). Char indices of run starts.
    pub fn gaps(text: &str) -> Vec<usize> {
        let chars: Vec<char> = text.chars().collect();
        let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric() || *c == '_');
        let (mut in_string, mut in_comment) = (false, false);
        let mut out = Vec::new();
        for (i, &c) in chars.iter().enumerate() {
            if in_comment {
                in_comment = c != '\n';
            } else if in_string {
                if (c == '"' && chars.get(i.wrapping_sub(1)) != Some(&'\\')) || c == '\n' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            } else if c == '#' {
                in_comment = true;
            } else if c.is_whitespace() && i > 0 && !chars[i - 1].is_whitespace() {
                let Some(end) = (i..chars.len()).find(|&j| !chars[j].is_whitespace()) else {
                    continue;
                };
                let before: String = chars[i.saturating_sub(4)..i].iter().collect();
                let after: String = chars[end..chars.len().min(end + 3)].iter().collect();
                let one_of = before.ends_with("one")
                    && !word(before.chars().rev().nth(3).as_ref())
                    && after.starts_with("of")
                    && !word(after.chars().nth(2).as_ref());
                if !one_of {
                    out.push(i);
                }
            }
        }
        out
    }

    /// Puts numbered comments (so that a lost or duplicated one shows) at
    /// the gaps `at` selects (index modulo the number of gaps): kind 1 a
    /// comment trailing the token before, kind 2 a comment on a line of its
    /// own.
    pub fn inject(text: &str, at: &[(usize, u8)]) -> String {
        let gaps = gaps(text);
        if gaps.is_empty() {
            return text.to_string();
        }
        let mut chosen: Vec<(usize, u8)> = at.iter().map(|(k, kind)| (gaps[k % gaps.len()], *kind)).collect();
        chosen.sort();
        chosen.dedup_by_key(|(i, _)| *i);
        let mut out = String::with_capacity(text.len() * 2);
        let mut next = chosen.iter().peekable();
        for (n, (i, c)) in text.chars().enumerate().enumerate() {
            while let Some((at, kind)) = next.peek() {
                if *at != i {
                    break;
                }
                match kind {
                    1 => out.push_str(&format!(" # c{n}\n")),
                    _ => out.push_str(&format!("\n# c{n}\n")),
                }
                next.next();
            }
            out.push(c);
        }
        out
    }

    /// Every gap of `text`, with alternating kinds.
    pub fn inject_everywhere(text: &str) -> String {
        let n = gaps(text).len();
        inject(text, &(0..n).map(|k| (k, 1 + (k % 2) as u8)).collect::<Vec<_>>())
    }

    fn mask() -> impl Strategy<Value = Vec<(usize, u8)>> {
        proptest::collection::vec((0..5000usize, 1..=2u8), 0..24)
    }

    #[test]
    fn the_rich_rubric_checks_and_injection_keeps_its_meaning() {
        let (r, diags) = mizan::load("rich.mizan", RICH);
        assert!(r.is_some() && diags.is_empty(), "{diags:?}");
        let all = inject_everywhere(RICH);
        assert!(all.matches("# c").count() > 250, "{}", all.matches("# c").count());
        let (r, diags) = mizan::load("rich.mizan", &all);
        assert!(r.is_some(), "{diags:?}\n{all}");
        assert_eq!(super::document("a", RICH), super::document("b", &all));
        super::check_fmt("rich.mizan", &all);
        // Every gap with a trailing comment, then every gap with a comment
        // on its own line (the alternation above gives each gap one kind):
        // a comment between a profile field's name and its `:` trailed the
        // row after one `fmt` and moved to its own line after a second.
        let n = gaps(RICH).len();
        for kind in [1, 2] {
            let all = inject(RICH, &(0..n).map(|k| (k, kind)).collect::<Vec<_>>());
            assert_eq!(super::document("a", RICH), super::document("b", &all));
            super::check_fmt("rich.mizan", &all);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn fmt_is_idempotent_and_meaning_preserving(text in rubric(), m in mask()) {
            let (r, diags) = mizan::load("gen.mizan", &text);
            prop_assert!(r.is_some(), "generated rubric does not check: {diags:?}\n{text}");
            super::check_fmt("gen.mizan", &text);
            super::check_fmt("gen.mizan", &inject(&text, &m));
        }

        #[test]
        fn comments_anywhere_in_every_construct(m in mask()) {
            super::check_fmt("rich.mizan", &inject(RICH, &m));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn comments_anywhere_in_the_corpus(k in any::<prop::sample::Index>(), m in mask()) {
            let files = super::corpus();
            let (name, text) = k.get(&files);
            super::check_fmt(name, &inject(text, &m));
        }
    }
}

#[test]
fn fuzzer_findings_stay_fixed() {
    // Each file under tests/fuzz-regressions/ once broke a property.
    for e in fs::read_dir("tests/fuzz-regressions").unwrap() {
        let p = e.unwrap().path();
        let text = String::from_utf8_lossy(&fs::read(&p).unwrap()).to_string();
        if let Ok(once) = mizan::fmt::format("f.mizan", &text) {
            let twice = mizan::fmt::format("f.mizan", &once).unwrap();
            assert_eq!(once, twice, "{}", p.display());
            assert_eq!(document("f", &text), document("f", &once), "{}", p.display());
        }
    }
}

/// `mizan fmt` then `mizan fmt --check` passes, and a second `fmt` changes
/// nothing, with comments inside expressions (`let`, `formula`, `score`,
/// `applies when`, call arguments, lists), option lists, scale bodies and
/// between a keyword and its arguments: each comment printed once.
#[test]
fn fmt_then_check_passes_with_comments_inside_declarations() {
    let text = "rubric demo.c {\n  version \"1\"\n  profile { role: one of a, b }\n  let x = 1 +  # in let\n    2\n  formula f = clamp(value,  # in call\n    0, 1)\n  scale yn {\n    yes # in row\n      1 en \"Yes\"\n    no 0  # trailing row\n  }\n  criterion c1 {\n    applies when role in [a, # in list\n      b] and x == # in applies\n      3\n    number 0..10\n    score value # in score\n      / 10\n  }\n  criterion c2 {\n    weight # between keyword and value\n      2\n    choice { y 1 # in options\n      n 0 }\n  }\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.mizan");
    fs::write(&f, text).unwrap();
    let path = f.to_str().unwrap();
    assert_eq!(mizan(&["fmt", path]).status.code(), Some(0));
    let once = fs::read_to_string(&f).unwrap();
    let o = mizan(&["fmt", "--check", path]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    assert_eq!(mizan(&["fmt", path]).status.code(), Some(0));
    assert_eq!(fs::read_to_string(&f).unwrap(), once);
    for c in [
        "# in let",
        "# in call",
        "# in row",
        "# trailing row",
        "# in list",
        "# in applies",
        "# in score",
        "# between keyword and value",
        "# in options",
    ] {
        assert_eq!(once.matches(c).count(), 1, "{c}:\n{once}");
    }
    // An expression with a comment keeps its lines; the comment stays in it.
    assert!(once.contains("  let x = 1 +  # in let\n    2\n"), "{once}");
    check_fmt("c.mizan", text);
}

/// Label columns line up by display width: an Arabic vowel mark takes no
/// column (issue 17), so `en "…"` sits at the same place on every row.
#[test]
fn label_columns_align_by_display_width() {
    let text = "rubric demo.t {\n  version \"1\"\n  scale s {\n    yes 1 ar \"نَعَمْ\" en \"Yes\"\n    no 0 ar \"كلا\" en \"No\"\n  }\n  criterion c1 { choice s }\n}\n";
    let out = mizan::fmt::format("w.mizan", text).unwrap();
    insta::assert_snapshot!("fmt_display_width", out);
    // "نَعَمْ" is three letters and three vowel marks: three columns, as
    // "كلا"; the two rows need the same padding.
    assert!(out.contains("yes 1 ar \"نَعَمْ\" en \"Yes\""), "{out}");
    assert!(out.contains("no  0 ar \"كلا\" en \"No\""), "{out}");
}
