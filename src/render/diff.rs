//! Rendering of `mizan diff`: text, Markdown (a review comment) and JSON,
//! in the reader's language. Percentages follow each version's
//! `precision`, as `mizan eval` prints them; JSON numbers are exact.

use std::fmt::Write;

use comfy_table::{presets, CellAlignment, Table};
use rust_decimal::Decimal;
use serde::Serialize;

use super::json::Num;
use super::Lang;
use crate::answers::printable;
use crate::diff::{Change, Class, Diff, EntityImpact, Extreme, Impact, NewCriteria, NodeInfo};
use crate::model::{Labels, Model, Precision, Unit};

/// What `mizan diff` renders: both versions, their diff, and the impact
/// on answer sets when asked for.
pub struct Review<'a> {
    /// The old version.
    pub old: &'a Model,
    /// The new version.
    pub new: &'a Model,
    /// What changed.
    pub diff: &'a Diff,
    /// Whose score moves (`--answers`).
    pub impact: Option<&'a Impact>,
    /// The reader's language.
    pub lang: Lang,
}

/// A kind of change in the reader's language.
fn kind_word(kind: &str, lang: Lang) -> String {
    let (en, ar) = match kind {
        "rubric title" => ("rubric title", "عنوان المؤشر"),
        "rubric description" => ("rubric description", "وصف المؤشر"),
        "precision" => ("precision", "الدقة العشرية"),
        "level added" => ("level added", "مستوى مضاف"),
        "level removed" => ("level removed", "مستوى محذوف"),
        "level label" => ("level label", "تسمية المستوى"),
        "scale added" => ("scale added", "مقياس مضاف"),
        "scale removed" => ("scale removed", "مقياس محذوف"),
        "scale label" => ("scale label", "تسمية المقياس"),
        "band threshold" => ("band threshold", "حد الفئة"),
        "band added" => ("band added", "فئة مضافة"),
        "band removed" => ("band removed", "فئة محذوفة"),
        "band label" => ("band label", "تسمية الفئة"),
        "bands removed" => ("bands removed", "مجموعة فئات محذوفة"),
        "profile field added" => ("profile field added", "حقل ملف تعريف مضاف"),
        "profile field type" => ("profile field type", "نوع حقل ملف التعريف"),
        "profile field removed" => ("profile field removed", "حقل ملف تعريف محذوف"),
        "profile field label" => ("profile field label", "تسمية حقل ملف التعريف"),
        "profile value label" => ("profile value label", "تسمية قيمة حقل ملف التعريف"),
        "let" => ("let", "قيمة مسماة"),
        "node renamed" => ("node renamed", "تغيير المعرّف"),
        "node added" => ("node added", "عقدة مضافة"),
        "node removed" => ("node removed", "عقدة محذوفة"),
        "node moved" => ("node moved", "عقدة منقولة"),
        "title" => ("title", "العنوان"),
        "description" => ("description", "الوصف"),
        "weight" => ("weight", "الوزن"),
        "constraints" => ("constraints", "القيود"),
        "N/A policy" => ("N/A policy", "سياسة عدم الانطباق"),
        "missing policy" => ("missing policy", "سياسة الإجابة الناقصة"),
        "applicability" => ("applicability", "الانطباق"),
        "gate" => ("gate", "الشرط"),
        "bands" => ("bands", "الفئات"),
        "instance keys" => ("instance keys", "معرّفات النسخ المطلوبة"),
        "formula" => ("formula", "الصيغة"),
        "answer kind" => ("answer kind", "نوع الإجابة"),
        "option added" => ("option added", "خيار مضاف"),
        "option weight" => ("option weight", "وزن الخيار"),
        "option removed" => ("option removed", "خيار محذوف"),
        "option label" => ("option label", "تسمية الخيار"),
        "baseline" => ("baseline", "خط الأساس"),
        "target" => ("target", "المستهدف"),
        "node kind" => ("node kind", "نوع العقدة"),
        "population" => ("population", "المستوى الإجمالي"),
        other => return other.to_string(),
    };
    lang.t(en, ar).to_string()
}

/// A node's kind as a reader names it: its level (`criterion`,
/// `initiative`; in Arabic the level's label), else `criterion`/`group`.
fn node_kind_word(n: &NodeInfo, lang: Lang) -> String {
    match lang {
        Lang::En => n.level.clone().unwrap_or_else(|| n.kind.to_string()),
        Lang::Ar => n.level_label.get("ar").cloned().unwrap_or_else(|| {
            lang.t(
                "",
                if n.kind == "group" {
                    "مجموعة"
                } else {
                    "معيار"
                },
            )
            .to_string()
        }),
    }
}

/// A title in quotes, in the reader's language (empty when none).
fn quoted(title: &Labels, lang: Lang) -> String {
    match lang.pick(title) {
        None => String::new(),
        Some(t) => match lang {
            Lang::En => format!(" “{t}”"),
            Lang::Ar => format!(" «{}»", lang.auto(t)),
        },
    }
}

/// `criterion removed q67 “Title” in parent` (the node's kind and title),
/// `criterion added q99 “Title” in parent: choice yes_no`.
fn node_line(c: &Change, n: &NodeInfo, lang: Lang, code: bool) -> String {
    let id = if code {
        format!("`{}`", c.subject)
    } else {
        lang.ltr(&c.subject).into_owned()
    };
    let parent = n
        .parent
        .as_ref()
        .map(|p| {
            let p = if code {
                format!("`{p}`")
            } else {
                lang.ltr(p).into_owned()
            };
            format!(" {} {p}", lang.t("in", "ضمن"))
        })
        .unwrap_or_default();
    let answer = c
        .after
        .as_deref()
        .and_then(|a| a.rsplit_once(": "))
        .map(|(_, k)| {
            let k = if code {
                format!("`{k}`")
            } else {
                lang.ltr(k).into_owned()
            };
            format!(": {k}")
        })
        .unwrap_or_default();
    let kind = node_kind_word(n, lang);
    let title = quoted(&n.title, lang);
    if code {
        // A Markdown cell: the change column names the kind already.
        return format!("{}{parent}{answer}", title.trim_start())
            .trim()
            .to_string();
    }
    match (lang, c.kind) {
        (Lang::En, "node added") => format!("{kind} added {id}{title}{parent}{answer}"),
        (Lang::En, _) => format!("{kind} removed {id}{title}{parent}"),
        (Lang::Ar, "node added") => format!("إضافة {kind} {id}{title}{parent}{answer}"),
        (Lang::Ar, _) => format!("حذف {kind} {id}{title}{parent}"),
    }
}

/// One change as a line of text.
fn change_line(c: &Change, lang: Lang) -> String {
    if let Some(n) = &c.node {
        return node_line(c, n, lang, false);
    }
    let k = kind_word(c.kind, lang);
    let s = lang.ltr(&c.subject);
    let v = |x: &str| lang.auto(x).into_owned();
    match (&c.before, &c.after) {
        (None, Some(a)) => format!("{k} {s}: {}", v(a)),
        (Some(b), None) => format!("{k} {s} ({} {})", lang.t("was", "كان"), v(b)),
        (Some(b), Some(a)) => format!("{k} {s}: {} → {}", v(b), v(a)),
        (None, None) => format!("{k} {s}"),
    }
}

/// The unit of node `id` in `m` (percent when it has no such node).
fn node_unit(m: &Model, id: &str) -> Unit {
    m.by_id.get(id).map_or(Unit::Percent, |&ix| super::unit_of(m, ix))
}

/// A delta of values with the precision of eval: in percentage points for
/// `percent` (`+0.60 pts`), in points for `points` (`+3.0 points`), as a
/// plain number otherwise (`+0.4`).
fn delta(d: Option<Decimal>, precision: Precision, unit: Unit, lang: Lang) -> String {
    if unit != Unit::Percent {
        return match d {
            None => "—".into(),
            Some(d) => {
                let d = precision.round(d);
                let sign = if d > Decimal::ZERO { "+" } else { "" };
                let n = match unit {
                    Unit::Number => format!("{sign}{}", d.normalize()),
                    _ => format!("{sign}{:.*}", precision.width(), d),
                };
                match unit {
                    Unit::Points(_) => format!("{} {}", lang.ltr(&n), lang.t("points", "نقاط")),
                    _ => lang.ltr(&n).into_owned(),
                }
            }
        };
    }
    match d.and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED)) {
        None => "—".into(),
        Some(p) => {
            let p = precision.round(p);
            let sign = if p > Decimal::ZERO { "+" } else { "" };
            let n = format!("{sign}{:.*}", precision.width(), p);
            format!("{} {}", lang.ltr(&n), lang.t("pts", "نقطة"))
        }
    }
}

/// An entity's score as eval prints it under `m` (in its rubric's unit),
/// `N/A` in the reader's language.
fn score(s: Option<Decimal>, m: &Model, lang: Lang) -> String {
    super::value_cell_in(lang, m.root().unit, s, m.precision)
}

fn rank(r: Option<usize>, lang: Lang) -> String {
    r.map_or("—".into(), |r| lang.ltr(&r.to_string()).into_owned())
}

/// A band by its label in the reader's language (else its id).
fn band(id: Option<&str>, label: &Labels, lang: Lang) -> String {
    match (id, lang.pick(label)) {
        (None, _) => lang.t("none", "بلا فئة").to_string(),
        (Some(_), Some(l)) => lang.auto(l).into_owned(),
        (Some(id), None) => lang.ltr(id).into_owned(),
    }
}

/// `the old version`, `the new version`, `both versions`.
fn by(rejected_by: &str, lang: Lang) -> &'static str {
    match rejected_by {
        "both" => lang.t("both versions", "الإصداران كلاهما"),
        "old" => lang.t("the old version", "الإصدار القديم"),
        _ => lang.t("the new version", "الإصدار الجديد"),
    }
}

/// What the policy means, for the header.
fn policy_text(p: NewCriteria, lang: Lang) -> String {
    let what = match p {
        NewCriteria::Missing => lang.t(
            "each criterion's own missing policy; `missing error` counted as worst",
            "سياسة الإجابة الناقصة لكل معيار؛ وتُحسب missing error كأسوأ إجابة",
        ),
        NewCriteria::Na => lang.t("not applicable", "لا ينطبق"),
        NewCriteria::Worst => lang.t("the worst answer", "أسوأ إجابة"),
        NewCriteria::Best => lang.t("the best answer", "أفضل إجابة"),
    };
    format!("{} ({what})", lang.ltr(p.name()))
}

fn extreme(e: Option<&Extreme>, precision: Precision, unit: Unit, lang: Lang, code: bool) -> String {
    match e {
        None => "—".into(),
        Some(e) => {
            let id = printable(&e.entity);
            let id = if code {
                format!("`{id}`")
            } else {
                lang.ltr(&id).into_owned()
            };
            format!("{id} {}", delta(Some(e.delta), precision, unit, lang))
        }
    }
}

/// The title of a node of the new version, in the reader's language.
fn node_title<'a>(m: &'a Model, id: &str, lang: Lang) -> &'a str {
    m.by_id
        .get(id)
        .and_then(|&i| m.nodes.get(i))
        .and_then(|n| lang.pick(&n.title))
        .unwrap_or("")
}

impl Review<'_> {
    /// The precision of deltas: the finer of the two versions' places,
    /// rounded in the new version's mode.
    fn precision(&self) -> Precision {
        Precision {
            places: self.old.precision.places.max(self.new.precision.places),
            mode: self.new.precision.mode,
        }
    }

    fn header_counts(&self) -> String {
        let (l, d) = (self.lang, self.diff);
        let n = d.changes.len();
        let (m, w) = (d.count(Class::Meaning), d.count(Class::Wording));
        match l {
            Lang::En => {
                let mut s = format!("{n} change{}", if n == 1 { "" } else { "s" });
                if w > 0 {
                    let _ = write!(s, " (meaning: {m}, wording: {w})");
                }
                s
            }
            Lang::Ar => {
                let mut s = format!("التغييرات: {}", l.ltr(&n.to_string()));
                if w > 0 {
                    let _ = write!(
                        s,
                        " (في المعنى: {}، في الصياغة: {})",
                        l.ltr(&m.to_string()),
                        l.ltr(&w.to_string())
                    );
                }
                s
            }
        }
    }

    /// The lines of the answer moves, once for the batch.
    fn moves_lines(&self, i: &Impact, code: bool) -> Vec<String> {
        let l = self.lang;
        let id = |s: &str| {
            if code {
                format!("`{s}`")
            } else {
                l.ltr(s).into_owned()
            }
        };
        let num = |n: usize| l.ltr(&n.to_string()).into_owned();
        let mut out = vec![format!(
            "{}: {}",
            l.t("new criteria", "المعايير الجديدة"),
            policy_text(i.new_criteria, l)
        )];
        for r in &i.moves.renamed {
            out.push(format!(
                "{}: {} → {}: {}",
                l.t("answers carried by a rename", "إجابات نُقلت بتغيير المعرّف"),
                id(&r.from),
                id(&r.to),
                num(r.answers)
            ));
        }
        for r in &i.moves.removed {
            out.push(format!(
                "{}: {}: {}",
                l.t(
                    "answers to a removed criterion, dropped",
                    "إجابات لمعيار محذوف، أُسقطت"
                ),
                id(&r.criterion),
                num(r.answers)
            ));
        }
        for s in &i.moves.supplied {
            let why = if s.reason == "added" {
                l.t("added", "معيار مضاف").to_string()
            } else {
                format!(
                    "{}: {}",
                    l.t("refused by the new version", "رفضها الإصدار الجديد"),
                    l.ltr(&printable(&s.reason))
                )
            };
            let how = match s.policy {
                "missing" => l.t("left unanswered", "تُرك بلا إجابة").to_string(),
                p => l.ltr(p).into_owned(),
            };
            out.push(format!(
                "{}: {} ({why}): {how} ({}): {}",
                l.t("answers supplied", "إجابات مفترضة"),
                id(&s.criterion),
                l.ltr(&format!("missing {}", s.missing)),
                num(s.answers)
            ));
        }
        out
    }

    fn summary_line(&self, i: &Impact, code: bool) -> String {
        let (l, p, s) = (self.lang, self.precision(), &i.summary);
        let num = |n: usize| l.ltr(&n.to_string()).into_owned();
        let (c, sc) = (l.t(", ", "، "), l.t("; ", "؛ "));
        format!(
            "{}: {}{c}{}: {}{c}{}: {}{c}{}: {}{sc}{}: {}{sc}{}: {}",
            l.t("entities", "الجهات"),
            num(s.entities),
            l.t("score moved", "تغيّرت درجتها"),
            num(s.moved),
            l.t("band changed", "تغيّرت فئتها"),
            num(s.band_changed),
            l.t("rank changed", "تغيّر ترتيبها"),
            num(s.rank_changed),
            l.t("largest rise", "أكبر ارتفاع"),
            extreme(s.largest_rise.as_ref(), p, self.new.root().unit, l, code),
            l.t("largest fall", "أكبر انخفاض"),
            extreme(s.largest_fall.as_ref(), p, self.new.root().unit, l, code),
        )
    }

    fn population_line(&self, i: &Impact) -> String {
        let l = self.lang;
        format!(
            "{}: {} → {} ({})",
            l.t("population", "المستوى الإجمالي"),
            score(i.population_before, self.old, l),
            score(i.population_after, self.new, l),
            delta(
                i.population_before.zip(i.population_after).map(|(b, a)| a - b),
                self.precision(),
                self.new.root().unit,
                l
            )
        )
    }

    fn band_cell(&self, e: &EntityImpact) -> (String, bool) {
        let l = self.lang;
        let b = band(e.band_before.as_deref(), &e.band_before_label, l);
        let a = band(e.band_after.as_deref(), &e.band_after_label, l);
        if e.band_before == e.band_after {
            (a, false)
        } else {
            (format!("{b} → {a}"), true)
        }
    }

    fn rank_cell(&self, e: &EntityImpact) -> (String, bool) {
        let l = self.lang;
        if e.rank_before == e.rank_after {
            (rank(e.rank_after, l), false)
        } else {
            (
                format!("{} → {}", rank(e.rank_before, l), rank(e.rank_after, l)),
                true,
            )
        }
    }

    fn rejected_line(&self, v: &crate::diff::Validity, code: bool) -> String {
        let l = self.lang;
        let e = printable(&v.entity);
        let e = if code {
            format!("`{e}`")
        } else {
            l.ltr(&e).into_owned()
        };
        format!(
            "{e}: {} {}: {}",
            l.t("rejected by", "رفضه"),
            by(v.rejected_by, l),
            l.ltr(&printable(&v.reasons.join("; ")))
        )
    }
}

/// A title cut to 40 characters for a terminal table.
fn short(t: &str) -> String {
    if t.chars().count() <= 40 {
        t.to_string()
    } else {
        let mut s: String = t.chars().take(39).collect();
        s.push('…');
        s
    }
}

/// A table without borders, each line indented by two spaces.
fn plain_table(header: Vec<String>, rows: Vec<Vec<String>>, right: &[usize]) -> String {
    let mut t = Table::new();
    t.load_preset(presets::NOTHING);
    t.set_header(header);
    for r in rows {
        t.add_row(r);
    }
    for (i, col) in t.column_iter_mut().enumerate() {
        if right.contains(&i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = String::new();
    for line in t.to_string().lines() {
        let _ = writeln!(out, " {}", line.trim_end());
    }
    out
}

/// Plain text.
pub fn text(r: &Review<'_>) -> String {
    let (d, l) = (r.diff, r.lang);
    let mut s = format!(
        "{} → {}: {}\n",
        l.ltr(&format!(
            "{} {} ({})",
            d.old.id,
            d.old.version,
            d.old.sha256.get(..12).unwrap_or("")
        )),
        l.ltr(&format!(
            "{} {} ({})",
            d.new.id,
            d.new.version,
            d.new.sha256.get(..12).unwrap_or("")
        )),
        r.header_counts()
    );
    for c in d.changes.iter().filter(|c| c.class == Class::Meaning) {
        let _ = writeln!(s, "  {}", change_line(c, l));
    }
    if d.count(Class::Wording) > 0 {
        let _ = writeln!(
            s,
            "{}:",
            l.t(
                "wording (titles, descriptions, labels; no score moves)",
                "الصياغة (العناوين والأوصاف والتسميات؛ لا تتغير أي درجة)"
            )
        );
        for c in d.changes.iter().filter(|c| c.class == Class::Wording) {
            let _ = writeln!(s, "  {}", change_line(c, l));
        }
    }
    if let Some(i) = r.impact {
        let p = r.precision();
        let _ = writeln!(
            s,
            "\n{}: {}",
            l.t(
                "impact on answer sets written for",
                "الأثر على مجموعات الإجابات المكتوبة للإصدار"
            ),
            l.ltr(&format!("{} {}", d.old.id, d.old.version)),
        );
        let _ = writeln!(
            s,
            "  {}: {}",
            l.t(
                "answer sets moved to the new version",
                "مجموعات الإجابات المنقولة إلى الإصدار الجديد"
            ),
            l.ltr(&i.moves.answer_sets.to_string())
        );
        for line in r.moves_lines(i, false) {
            let _ = writeln!(s, "  {line}");
        }
        let _ = writeln!(s, "  {}", r.population_line(i));
        let _ = writeln!(s, "  {}", r.summary_line(i, false));
        if !i.nodes.is_empty() {
            let _ = writeln!(
                s,
                "\n{}:",
                l.t("nodes whose score moved", "العقد التي تغيّرت درجتها")
            );
            let rows = i
                .nodes
                .iter()
                .map(|n| {
                    vec![
                        l.ltr(&n.node).into_owned(),
                        l.auto(&short(node_title(r.new, &n.node, l))).into_owned(),
                        l.ltr(&n.moved.to_string()).into_owned(),
                        extreme(n.largest_rise.as_ref(), p, node_unit(r.new, &n.node), l, false),
                        extreme(n.largest_fall.as_ref(), p, node_unit(r.new, &n.node), l, false),
                    ]
                })
                .collect();
            s.push_str(&plain_table(
                vec![
                    l.t("node", "العقدة").into(),
                    l.t("title", "العنوان").into(),
                    l.t("entities moved", "الجهات المتأثرة").into(),
                    l.t("largest rise", "أكبر ارتفاع").into(),
                    l.t("largest fall", "أكبر انخفاض").into(),
                ],
                rows,
                &[2],
            ));
        }
        if !i.entities.is_empty() {
            let _ = writeln!(s, "\n{}:", l.t("entities", "الجهات"));
            let rows = i
                .entities
                .iter()
                .map(|e| {
                    vec![
                        l.ltr(&printable(&e.entity)).into_owned(),
                        score(e.before, r.old, l),
                        score(e.after, r.new, l),
                        delta(e.delta, p, r.new.root().unit, l),
                        r.band_cell(e).0,
                        r.rank_cell(e).0,
                    ]
                })
                .collect();
            s.push_str(&plain_table(
                vec![
                    l.t("entity", "الجهة").into(),
                    l.t("before", "قبل").into(),
                    l.t("after", "بعد").into(),
                    "Δ".into(),
                    l.t("band", "الفئة").into(),
                    l.t("rank", "الترتيب").into(),
                ],
                rows,
                &[1, 2, 3, 5],
            ));
        }
        for v in &i.validity {
            let _ = writeln!(s, "  {}", r.rejected_line(v, false));
        }
    }
    l.lines(&s)
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Markdown, ready to paste as a review comment.
pub fn markdown(r: &Review<'_>) -> String {
    let (d, l) = (r.diff, r.lang);
    let mut s = format!(
        "### `{}` {} → {}\n\n{} ({} `{}` → `{}`).\n\n",
        d.new.id,
        d.old.version,
        d.new.version,
        r.header_counts(),
        l.t("rules sha256", "بصمة القواعد sha256"),
        d.old.sha256.get(..12).unwrap_or(""),
        d.new.sha256.get(..12).unwrap_or("")
    );
    let table = |s: &mut String, class: Class| {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |\n|---|---|---|---|",
            l.t("change", "التغيير"),
            l.t("what", "الموضوع"),
            l.t("before", "قبل"),
            l.t("after", "بعد")
        );
        for c in d.changes.iter().filter(|c| c.class == class) {
            let code = |x: &str| format!("`{}`", cell(x));
            let (before, after) = match &c.node {
                Some(n) => {
                    let line = cell(&node_line(c, n, l, true));
                    if c.kind == "node added" {
                        ("—".to_string(), line)
                    } else {
                        (line, "—".to_string())
                    }
                }
                None => (
                    c.before.as_deref().map_or("—".into(), code),
                    c.after.as_deref().map_or("—".into(), code),
                ),
            };
            let what = match (&c.node, l, c.kind == "node added") {
                (Some(n), Lang::En, true) => format!("{} added", node_kind_word(n, l)),
                (Some(n), Lang::En, false) => format!("{} removed", node_kind_word(n, l)),
                (Some(n), Lang::Ar, true) => format!("إضافة {}", node_kind_word(n, l)),
                (Some(n), Lang::Ar, false) => format!("حذف {}", node_kind_word(n, l)),
                (None, ..) => kind_word(c.kind, l),
            };
            let _ = writeln!(s, "| {what} | `{}` | {before} | {after} |", cell(&c.subject));
        }
    };
    if d.count(Class::Meaning) > 0 {
        table(&mut s, Class::Meaning);
    }
    if d.count(Class::Wording) > 0 {
        let _ = writeln!(
            s,
            "\n**{}**\n",
            l.t(
                "Wording (titles, descriptions, labels: no score moves)",
                "الصياغة (العناوين والأوصاف والتسميات: لا تتغير أي درجة)"
            )
        );
        table(&mut s, Class::Wording);
    }
    if let Some(i) = r.impact {
        let p = r.precision();
        let _ = write!(
            s,
            "\n#### {}\n\n{}: **{}**.\n\n",
            l.t("Score impact", "الأثر على الدرجات"),
            l.t(
                "Answer sets moved to the new version",
                "مجموعات الإجابات المنقولة إلى الإصدار الجديد"
            ),
            i.moves.answer_sets
        );
        for line in r.moves_lines(i, true) {
            let _ = writeln!(s, "- {line}");
        }
        let _ = write!(
            s,
            "\n{}: **{} → {}** ({}).\n\n{}.\n",
            l.t("Population", "المستوى الإجمالي"),
            score(i.population_before, r.old, l),
            score(i.population_after, r.new, l),
            delta(
                i.population_before.zip(i.population_after).map(|(b, a)| a - b),
                p,
                r.new.root().unit,
                l
            ),
            r.summary_line(i, true)
        );
        if !i.nodes.is_empty() {
            let _ = writeln!(
                s,
                "\n**{}**\n\n| {} | {} | {} | {} | {} |\n|---|---|--:|---|---|",
                l.t("Nodes whose score moved", "العقد التي تغيّرت درجتها"),
                l.t("node", "العقدة"),
                l.t("title", "العنوان"),
                l.t("entities moved", "الجهات المتأثرة"),
                l.t("largest rise", "أكبر ارتفاع"),
                l.t("largest fall", "أكبر انخفاض"),
            );
            for n in &i.nodes {
                let _ = writeln!(
                    s,
                    "| `{}` | {} | {} | {} | {} |",
                    cell(&n.node),
                    cell(node_title(r.new, &n.node, l)),
                    n.moved,
                    extreme(n.largest_rise.as_ref(), p, node_unit(r.new, &n.node), l, true),
                    extreme(n.largest_fall.as_ref(), p, node_unit(r.new, &n.node), l, true),
                );
            }
        }
        if !i.entities.is_empty() {
            let _ = writeln!(
                s,
                "\n| {} | {} | {} | Δ | {} | {} |\n|---|--:|--:|--:|---|---|",
                l.t("entity", "الجهة"),
                l.t("before", "قبل"),
                l.t("after", "بعد"),
                l.t("band", "الفئة"),
                l.t("rank", "الترتيب"),
            );
            for e in &i.entities {
                let bold = |(c, changed): (String, bool)| {
                    if changed {
                        format!("**{}**", cell(&c))
                    } else {
                        cell(&c)
                    }
                };
                let _ = writeln!(
                    s,
                    "| `{}` | {} | {} | {} | {} | {} |",
                    cell(&printable(&e.entity)),
                    score(e.before, r.old, l),
                    score(e.after, r.new, l),
                    delta(e.delta, p, r.new.root().unit, l),
                    bold(r.band_cell(e)),
                    bold(r.rank_cell(e)),
                );
            }
        }
        if !i.validity.is_empty() {
            let _ = writeln!(
                s,
                "\n**{}:**\n",
                l.t(
                    "Answer sets rejected (by either version)",
                    "مجموعات إجابات مرفوضة (من أي من الإصدارين)"
                )
            );
            for v in &i.validity {
                let _ = writeln!(s, "- {}", cell(&r.rejected_line(v, true)));
            }
        }
    }
    l.markdown(&s)
}

/// A change in JSON.
#[derive(Serialize)]
struct ChangeOut<'a> {
    kind: &'static str,
    class: Class,
    subject: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    before: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<NodeOut<'a>>,
}

#[derive(Serialize)]
struct NodeOut<'a> {
    kind: &'static str,
    level: Option<&'a str>,
    level_label: Option<&'a str>,
    title: Option<&'a str>,
    parent: Option<&'a str>,
}

#[derive(Serialize)]
struct Counts {
    meaning: usize,
    wording: usize,
}

#[derive(Serialize)]
struct ExtremeOut<'a> {
    entity: &'a str,
    delta: Num,
}

#[derive(Serialize)]
struct SummaryOut<'a> {
    entities: usize,
    moved: usize,
    band_changed: usize,
    rank_changed: usize,
    largest_rise: Option<ExtremeOut<'a>>,
    largest_fall: Option<ExtremeOut<'a>>,
}

#[derive(Serialize)]
struct NodeImpactOut<'a> {
    node: &'a str,
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    renamed_from: Option<&'a str>,
    moved: usize,
    largest_rise: Option<ExtremeOut<'a>>,
    largest_fall: Option<ExtremeOut<'a>>,
}

#[derive(Serialize)]
struct NodeMoveOut<'a> {
    node: &'a str,
    before: Option<Num>,
    after: Option<Num>,
    delta: Option<Num>,
}

#[derive(Serialize)]
struct EntityOut<'a> {
    entity: &'a str,
    before: Option<Num>,
    after: Option<Num>,
    delta: Option<Num>,
    band_before: Option<&'a str>,
    band_before_label: Option<&'a str>,
    band_after: Option<&'a str>,
    band_after_label: Option<&'a str>,
    rank_before: Option<usize>,
    rank_after: Option<usize>,
    nodes: Vec<NodeMoveOut<'a>>,
}

#[derive(Serialize)]
struct ImpactOut<'a> {
    new_criteria: NewCriteria,
    answer_sets: usize,
    renamed: &'a [crate::diff::Carried],
    removed: &'a [crate::diff::Dropped],
    supplied: &'a [crate::diff::Supplied],
    population_before: Option<Num>,
    population_after: Option<Num>,
    population_delta: Option<Num>,
    summary: SummaryOut<'a>,
    nodes: Vec<NodeImpactOut<'a>>,
    entities: Vec<EntityOut<'a>>,
    validity: &'a [crate::diff::Validity],
}

#[derive(Serialize)]
struct DiffOut<'a> {
    old: &'a crate::diff::Provenance,
    new: &'a crate::diff::Provenance,
    lang: &'static str,
    counts: Counts,
    changes: Vec<ChangeOut<'a>>,
    impact: Option<ImpactOut<'a>>,
    mizan: &'static str,
}

fn num(d: Option<Decimal>) -> Option<Num> {
    d.map(|d| Num(d.normalize()))
}

fn extreme_out(e: Option<&Extreme>) -> Option<ExtremeOut<'_>> {
    e.map(|e| ExtremeOut {
        entity: &e.entity,
        delta: Num(e.delta.normalize()),
    })
}

/// JSON (labels and titles in the reader's language; scores as exact JSON
/// numbers, as in `mizan eval --format json`).
pub fn json(r: &Review<'_>) -> String {
    let (d, l) = (r.diff, r.lang);
    let impact = r.impact.map(|i| ImpactOut {
        new_criteria: i.new_criteria,
        answer_sets: i.moves.answer_sets,
        renamed: &i.moves.renamed,
        removed: &i.moves.removed,
        supplied: &i.moves.supplied,
        population_before: num(i.population_before),
        population_after: num(i.population_after),
        population_delta: num(i.population_before.zip(i.population_after).map(|(b, a)| a - b)),
        summary: SummaryOut {
            entities: i.summary.entities,
            moved: i.summary.moved,
            band_changed: i.summary.band_changed,
            rank_changed: i.summary.rank_changed,
            largest_rise: extreme_out(i.summary.largest_rise.as_ref()),
            largest_fall: extreme_out(i.summary.largest_fall.as_ref()),
        },
        nodes: i
            .nodes
            .iter()
            .map(|n| NodeImpactOut {
                node: &n.node,
                title: Some(node_title(r.new, &n.node, l)).filter(|t| !t.is_empty()),
                renamed_from: n.renamed_from.as_deref(),
                moved: n.moved,
                largest_rise: extreme_out(n.largest_rise.as_ref()),
                largest_fall: extreme_out(n.largest_fall.as_ref()),
            })
            .collect(),
        entities: i
            .entities
            .iter()
            .map(|e| EntityOut {
                entity: &e.entity,
                before: num(e.before),
                after: num(e.after),
                delta: num(e.delta),
                band_before: e.band_before.as_deref(),
                band_before_label: e.band_before.as_ref().and(l.pick(&e.band_before_label)),
                band_after: e.band_after.as_deref(),
                band_after_label: e.band_after.as_ref().and(l.pick(&e.band_after_label)),
                rank_before: e.rank_before,
                rank_after: e.rank_after,
                nodes: e
                    .nodes
                    .iter()
                    .map(|m| NodeMoveOut {
                        node: &m.node,
                        before: num(m.before),
                        after: num(m.after),
                        delta: num(m.delta),
                    })
                    .collect(),
            })
            .collect(),
        validity: &i.validity,
    });
    let doc = DiffOut {
        old: &d.old,
        new: &d.new,
        lang: l.tag(),
        counts: Counts {
            meaning: d.count(Class::Meaning),
            wording: d.count(Class::Wording),
        },
        changes: d
            .changes
            .iter()
            .map(|c| ChangeOut {
                kind: c.kind,
                class: c.class,
                subject: &c.subject,
                before: c.before.as_deref(),
                after: c.after.as_deref(),
                node: c.node.as_ref().map(|n| NodeOut {
                    kind: n.kind,
                    level: n.level.as_deref(),
                    level_label: l.pick(&n.level_label),
                    title: l.pick(&n.title),
                    parent: n.parent.as_deref(),
                }),
            })
            .collect(),
        impact,
        mizan: env!("CARGO_PKG_VERSION"),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
