//! `mizan doc`: the rubric as a published guide (one HTML page). Every
//! shipped rubric renders in both languages with every criterion in it;
//! the UAE 2018 guide says what the rule file says (option weights,
//! applicability in words, aggregation in notation); every string from a
//! rule file is escaped; the output is byte-identical from run to run;
//! the demo rubric's guide is kept as a snapshot in both languages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    reason = "a test fails by panicking"
)]

mod support;

use std::fs;
use std::path::Path;

use mizan::render::guide::guide;
use mizan::render::Lang;
use support::{files_under, load_clean, mizan, stderr, stdout};

const UAE: &str = "rules/uae/integration/2018.mizan";
const DEMO: &str = "examples/demo/digital-readiness.mizan";

/// Every shipped rubric under rules/ and examples/ (test files and the
/// deliberately invalid examples left out).
fn shipped() -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["rules", "examples"] {
        files_under(Path::new(dir), &["mizan"], &mut files);
    }
    files.sort();
    files
        .iter()
        .filter(|f| !mizan::testing::is_test_file(f))
        .map(|f| f.display().to_string())
        .filter(|f| !f.contains("/invalid/"))
        .collect()
}

/// The HTML of one node's section: from its opening tag to the next section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let open = format!("<section id=\"n-{id}\"");
    let start = html
        .find(&open)
        .unwrap_or_else(|| panic!("no section for `{id}`"));
    let rest = &html[start..];
    let end = rest[1..].find("<section").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

fn count(html: &str, s: &str) -> usize {
    html.matches(s).count()
}

/// Well-formed enough: the document's frame, balanced blocks, nothing
/// fetched from anywhere, no script.
fn assert_page(html: &str, lang: Lang, what: &str) {
    assert!(html.starts_with("<!DOCTYPE html>\n"), "{what}: doctype");
    assert!(
        html.ends_with("</html>\n"),
        "{what}: ends with </html> and a newline"
    );
    let root = match lang {
        Lang::Ar => "<html lang=\"ar\" dir=\"rtl\">",
        Lang::En => "<html lang=\"en\" dir=\"ltr\">",
    };
    assert!(html.contains(root), "{what}: {root}");
    for tag in [
        "section", "table", "dl", "main", "nav", "header", "footer", "style", "code", "bdi", "tr",
    ] {
        assert_eq!(
            count(html, &format!("<{tag}>")) + count(html, &format!("<{tag} ")),
            count(html, &format!("</{tag}>")),
            "{what}: <{tag}> opened and closed as often"
        );
    }
    for h in 1..=6 {
        assert_eq!(
            count(html, &format!("<h{h}")),
            count(html, &format!("</h{h}>")),
            "{what}: <h{h}>"
        );
    }
    assert_eq!(count(html, "<h1"), 1, "{what}: one title");
    assert!(!html.contains("<script"), "{what}: no script");
    assert!(!html.contains("src=\""), "{what}: nothing loaded");
    assert!(!html.contains("href=\"http"), "{what}: no external link");
    assert!(
        !html.contains("url("),
        "{what}: no external resource in the style"
    );
    assert!(!html.contains("@import"), "{what}: no imported style");
}

#[test]
fn every_shipped_rubric_renders_in_both_languages_with_every_criterion() {
    let files = shipped();
    assert!(files.len() >= 8, "{files:?}");
    for f in &files {
        let text = fs::read_to_string(f).unwrap();
        let (r, d) = mizan::load(f, &text);
        assert!(d.errors.is_empty(), "{f} does not check");
        let r = r.unwrap();
        let m = r.model();
        for lang in [Lang::En, Lang::Ar] {
            let html = guide(m, lang).unwrap();
            let what = format!("{f} ({lang})");
            assert_page(&html, lang, &what);
            for (_, n, _) in m.criteria() {
                assert!(
                    html.contains(&format!("<section id=\"n-{}\"", n.id)),
                    "{what}: criterion `{}` has no section",
                    n.id
                );
                assert!(
                    html.contains(&format!("<code class=\"id\" dir=\"ltr\">{}</code>", n.id)),
                    "{what}: criterion `{}` has no heading",
                    n.id
                );
            }
            for &top in m.top_level() {
                let id = &m.nodes[top].id;
                assert!(
                    html.contains(&format!("<a href=\"#n-{id}\">")),
                    "{what}: `{id}` not in the contents"
                );
            }
            assert!(html.contains(&m.sha256), "{what}: provenance");
        }
    }
}

#[test]
fn the_cli_prints_or_writes_the_same_guide() {
    let dir = tempfile::tempdir().unwrap();
    for lang in ["en", "ar"] {
        let printed = mizan(&["--lang", lang, "doc", UAE]);
        assert_eq!(printed.status.code(), Some(0), "{}", stderr(&printed));
        let path = dir.path().join(format!("guide-{lang}.html"));
        let written = mizan(&["--lang", lang, "doc", UAE, "-o", path.to_str().unwrap()]);
        assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
        assert!(written.stdout.is_empty(), "nothing on standard output with -o");
        let file = fs::read_to_string(&path).unwrap();
        assert_eq!(
            file,
            stdout(&printed),
            "-o writes what standard output shows ({lang})"
        );
        let lib = guide(load_clean(UAE).model(), lang.parse().unwrap()).unwrap();
        assert_eq!(file, lib, "the CLI writes the library's guide ({lang})");
    }
    // The language follows MIZAN_LANG when --lang is not given, as elsewhere.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(["doc", DEMO])
        .env("MIZAN_LANG", "ar")
        .output()
        .unwrap();
    assert!(stdout(&o).contains("dir=\"rtl\""));
    // Usage errors: no rule file, an unknown flag, a workbook format.
    for args in [
        &["doc"][..],
        &["doc", DEMO, "--bogus"][..],
        &["--format", "xlsx", "doc", DEMO][..],
    ] {
        assert_eq!(mizan(args).status.code(), Some(64), "{args:?}");
    }
    // A rule file with errors writes no guide.
    let bad = dir.path().join("bad.mizan");
    fs::write(
        &bad,
        "mizan 1\nrubric x { version \"1\" criterion a { choice nope } }\n",
    )
    .unwrap();
    let out = dir.path().join("bad.html");
    let o = mizan(&["doc", bad.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!out.exists());
}

#[test]
fn uae_2018_guide_says_what_the_rule_file_says() {
    let m = load_clean(UAE);
    let en = guide(m.model(), Lang::En).unwrap();
    let ar = guide(m.model(), Lang::Ar).unwrap();

    // Title block: the title in each language, id, version, description.
    assert!(en.contains("<h1>E-services&#x2f;Smart Services Integration Ratio</h1>"));
    assert!(ar.contains("<h1>نسبة تكامل الخدمات الإلكترونية&#x2f;الذكية</h1>"));
    assert!(en.contains("<code dir=\"ltr\">uae.integration</code>"));
    assert!(en.contains("<bdi dir=\"ltr\">2018</bdi>"));
    assert!(en.contains("The indicator aims to enable federal entities"));
    assert!(en.contains("<bdi dir=\"ltr\">66</bdi>"), "66 criteria");

    // fednet.1.2: printed without an N/A option; weights 1, 0.5, 0.
    let s = section(&en, "fednet.1.2");
    assert!(s.contains("<tr><td><bdi>Yes</bdi></td><td><code dir=\"ltr\">yes</code></td><td class=\"num\"><bdi dir=\"ltr\">1</bdi></td></tr>"), "{s}");
    assert!(s.contains("<tr><td><bdi>Yes (partial)</bdi></td><td><code dir=\"ltr\">partial</code></td><td class=\"num\"><bdi dir=\"ltr\">0.5</bdi></td></tr>"), "{s}");
    assert!(s.contains("<tr><td><bdi>No</bdi></td><td><code dir=\"ltr\">no</code></td><td class=\"num\"><bdi dir=\"ltr\">0</bdi></td></tr>"), "{s}");
    assert!(s.contains("N&#x2f;A may not be answered."), "{s}");
    assert!(!s.contains("<code dir=\"ltr\">na</code>"), "{s}");

    // fednet.1.1: the shared scale, with its N/A option and what N/A does.
    let s = section(&en, "fednet.1.1");
    assert!(
        s.contains("Scale <code dir=\"ltr\">yes_partial_no_na</code>"),
        "{s}"
    );
    assert!(s.contains("<tr><td><bdi>Not applicable</bdi></td><td><code dir=\"ltr\">na</code></td><td class=\"num\"><span class=\"na\">N&#x2f;A</span></td></tr>"), "{s}");
    assert!(s.contains("N&#x2f;A may be answered; it is then left out of its group&#x27;s achieved and target (excluded from the denominator)."), "{s}");
    assert!(
        s.contains("It must be answered: an answer set without it is rejected."),
        "{s}"
    );

    // smartpass.1.1: the scale launched_na, weights 1, 0.5, 0, N/A.
    let s = section(&en, "smartpass.1.1");
    for (label, id, w) in [
        ("Integration launched and fully working", "launched_working", "1"),
        (
            "Integration launched, with some technical problems",
            "launched_issues",
            "0.5",
        ),
        ("Integration not completed", "not_completed", "0"),
    ] {
        assert!(s.contains(&format!("<tr><td><bdi>{label}</bdi></td><td><code dir=\"ltr\">{id}</code></td><td class=\"num\"><bdi dir=\"ltr\">{w}</bdi></td></tr>")), "{label}: {s}");
    }
    let s = section(&ar, "smartpass.1.1");
    assert!(s.contains("<tr><td><bdi>تم إطلاق الربط وهناك بعض المشاكل التقنية</bdi></td><td><code dir=\"ltr\">launched_issues</code></td><td class=\"num\"><bdi dir=\"ltr\">0.5</bdi></td></tr>"), "{s}");

    // Applicability in plain words, in both languages, and as written.
    let s = section(&en, "gsb.3.1");
    assert!(s.contains("Applies only to entities whose profile field <code dir=\"ltr\">role</code> (<bdi>Entity role</bdi>) is not <code dir=\"ltr\">data_provider</code>."), "{s}");
    assert!(s.contains("<code class=\"written\" dir=\"ltr\" title=\"as written\">applies when role != data_provider</code>"), "{s}");
    let s = section(&en, "gsb.3.2");
    assert!(s.contains("Applies only to entities whose profile field <code dir=\"ltr\">role</code> (<bdi>Entity role</bdi>) is <code dir=\"ltr\">data_provider</code> or <code dir=\"ltr\">both</code>."), "{s}");
    let s = section(&ar, "gsb.3.2");
    assert!(s.contains("ينطبق فقط على الجهات التي يكون فيها حقل الملف <code dir=\"ltr\">role</code> (<bdi>دور الجهة</bdi>) يساوي <code dir=\"ltr\">data_provider</code> أو <code dir=\"ltr\">both</code>"), "{s}");
    assert!(!section(&en, "gsb.3.3").contains("Applies only"));

    // Aggregation: in words and in notation, at every level.
    let s = section(&en, "fednet");
    assert!(s.contains("Achieved over target: the sum of the scores of every criterion below it (each counted once) divided by the number of them counted."), "{s}");
    assert!(
        s.contains("<code class=\"math\" dir=\"ltr\" title=\"notation\">achieved &#x2f; target</code>"),
        "{s}"
    );
    assert!(s.contains("aggregate ratio over criteria</code>"), "{s}");
    assert!(section(&en, "fednet.1").contains("aggregate ratio</code>"));
    let s = section(&ar, "fednet");
    assert!(s.contains("المحقق إلى المستهدف"), "{s}");
    assert!(
        s.contains("تُستبعد المدخلات غير المنطبقة من المحقق والمستهدف معاً (لا تدخل في المقام)."),
        "{s}"
    );
    assert!(en.contains("The mean of the scores of its direct children. <code class=\"math\" dir=\"ltr\" title=\"notation\">Σ sᵢ &#x2f; n</code> <code class=\"written\" dir=\"ltr\" title=\"as written\">aggregate mean</code>"));
    assert!(ar.contains("متوسط نتائج عناصره المباشرة."));

    // Levels named by the rubric's level labels; contents lists the six initiatives.
    assert!(en.contains("<span class=\"level\">Initiative</span>"));
    assert!(ar.contains("<span class=\"level\">المبادرة</span>"));
    assert_eq!(count(&en, "<li class=\"lvl\">"), 6);
    assert_eq!(count(&en, "class=\"node group top"), 6);

    // Population, precision, profile.
    let pop = &en[en.find("<section id=\"population\"").unwrap()..];
    assert!(
        pop.contains("The mean of the scores of the entities that have a score."),
        "{pop}"
    );
    assert!(en.contains("decimal places: <bdi dir=\"ltr\">2</bdi>; rounding: halves away from zero."));
    assert!(en.contains("precision 2 half_up</code>"));
    assert!(en.contains("<tr><td><code dir=\"ltr\">role</code></td><td><bdi>Entity role</bdi></td><td>one of <code dir=\"ltr\">data_provider</code>, <code dir=\"ltr\">data_consumer</code>, <code dir=\"ltr\">both</code></td><td>the entity</td></tr>"));

    // Arabic page: Arabic headings, words of both directions isolated.
    assert!(ar.contains("<h2 id=\"toc-h\">المحتويات</h2>"));
    assert!(ar.contains("(المعايير: <bdi dir=\"ltr\">4</bdi>)"));
    assert!(!ar.contains("Aggregation"), "no English label on the Arabic page");
    assert!(
        !en.contains("طريقة التجميع"),
        "no Arabic label on the English page"
    );
}

#[test]
fn kpis_bands_weights_and_formulas_of_the_demo() {
    let m = load_clean(DEMO);
    let en = guide(m.model(), Lang::En).unwrap();
    let s = section(&en, "data.share");
    assert!(
        s.contains("Baseline <bdi dir=\"ltr\">40</bdi>; target <bdi dir=\"ltr\">80</bdi>; higher is better."),
        "{s}"
    );
    assert!(s.contains("A number (<code dir=\"ltr\">percent</code>) between <bdi dir=\"ltr\">0</bdi> and <bdi dir=\"ltr\">100</bdi>."), "{s}");
    // A named formula is shown with its body.
    assert!(
        s.contains("higher_is_better = clamp(value &#x2f; target, 0, 1)"),
        "{s}"
    );
    let s = section(&en, "data.rank");
    assert!(s.contains("lower is better"), "{s}");
    assert!(
        s.contains("clamp((baseline - value) &#x2f; (baseline - target), 0, 1)"),
        "{s}"
    );
    // Weights under a weighted mean, with their share.
    let s = section(&en, "services");
    assert!(
        s.contains("<bdi dir=\"ltr\">2</bdi> (<bdi dir=\"ltr\">66.67%</bdi> of its group&#x27;s weights)"),
        "{s}"
    );
    // Bands, thresholds as percentages.
    assert!(en.contains("<tr><td><bdi>Excellent</bdi></td><td><code dir=\"ltr\">excellent</code></td><td class=\"num\"><bdi dir=\"ltr\">≥ 90%</bdi></td></tr>"));
    // N/A counted as zero in the data pillar; missing answers.
    let s = section(&en, "data.open");
    assert!(
        s.contains("N&#x2f;A may be answered; it then counts as zero in its group."),
        "{s}"
    );
    assert!(s.contains("Left unanswered, it counts as N&#x2f;A."), "{s}");
    assert!(
        s.contains("profile field <code dir=\"ltr\">federal</code> is yes"),
        "{s}"
    );
    assert!(section(&en, "services.2.2")
        .contains("Left unanswered, it gets the worst answer: a score of <bdi dir=\"ltr\">0</bdi>."));
    assert!(section(&en, "services.2.1").contains("capped at 1"));
}

#[test]
fn every_string_from_the_rule_file_is_escaped() {
    let src = r#"mizan 1
rubric x.esc {
  version "1<2>"
  title en "<script>alert('t')</script>" ar "<b>عنوان</b>"
  description en "a & b \"quoted\""
  levels { group en "<i>Group</i>" criterion en "<i>Crit</i>" }
  profile { kind: one of a, b en "<img src=x onerror=alert(1)>" }
  bands g { top >= 0.5 en "<u>Top</u>" low >= 0 en "Low" }
  bands g
  group g1 {
    title en "</section><script>alert(2)</script>"
    criterion c1 {
      title en "<svg onload=alert(3)>"
      description en "x < y > z"
      applies when kind == a
      choice { yes 1 en "<script>yes</script>" no 0 en "No & never" }
    }
  }
}
"#;
    let (r, d) = mizan::load("esc.mizan", src);
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    let r = r.unwrap();
    for lang in [Lang::En, Lang::Ar] {
        let html = guide(r.model(), lang).unwrap();
        assert_page(&html, lang, "escaping");
        match lang {
            Lang::En => {
                assert!(html.contains("<h1>&lt;script&gt;alert(&#x27;t&#x27;)&lt;&#x2f;script&gt;</h1>"))
            }
            Lang::Ar => assert!(html.contains("<h1>&lt;b&gt;عنوان&lt;&#x2f;b&gt;</h1>")),
        }
        assert!(html.contains("&lt;&#x2f;section&gt;&lt;script&gt;alert(2)"));
        assert!(html.contains("&lt;svg onload=alert(3)&gt;"));
        assert!(html.contains("&lt;script&gt;yes&lt;&#x2f;script&gt;"));
        assert!(html.contains("No &amp; never"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("1&lt;2&gt;"));
        assert!(
            !html.contains("<svg")
                && !html.contains("<img")
                && !html.contains("<u>")
                && !html.contains("<b>")
        );
    }
}

#[test]
fn the_guide_is_deterministic() {
    let m = load_clean(UAE);
    for lang in [Lang::En, Lang::Ar] {
        assert_eq!(guide(m.model(), lang).unwrap(), guide(m.model(), lang).unwrap());
    }
    let a = mizan(&["--lang", "ar", "doc", DEMO]);
    let b = mizan(&["--lang", "ar", "doc", DEMO]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn demo_guide_snapshots() {
    let m = load_clean(DEMO);
    for lang in [Lang::En, Lang::Ar] {
        let html = guide(m.model(), lang).unwrap();
        // insta ignores trailing whitespace: the final newline is checked here.
        assert!(html.ends_with("</html>\n"));
        insta::assert_snapshot!(format!("guide_demo_{lang}"), html);
    }
}
