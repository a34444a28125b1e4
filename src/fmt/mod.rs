//! `mizan fmt`: one canonical layout for rule files and test files.
//!
//! The printer walks the AST and takes every literal (strings, numbers,
//! expressions) from the source as written, so Arabic text and numbers are
//! never altered; it decides only the layout: two-space indentation, one
//! declaration per line in a canonical order, aligned option, band, level
//! and field tables, long bilingual labels broken one language per line,
//! single blank lines kept where the author put them. Comments stay with the
//! declaration they precede (or trail on its line); an expression that holds
//! a comment keeps its lines and its comments; a comment anywhere else inside
//! a declaration printed on one line goes on a line of its own before it.
//!
//! Guarantees, property-tested with comments at every place the grammar
//! allows one (`tests/fmt.rs`): `format(format(x)) == format(x)`, every
//! comment is printed exactly once, and the AST of `format(x)` equals that of
//! `x` up to the order of attributes.

use crate::ast::{self, CaseItem, Document, Expect, FieldType, Item, Options, TestValue};
use crate::diag::{Diagnostics, Loc, Src};

/// Lines longer than this are broken where the layout allows.
pub const WIDTH: usize = 100;

/// Formats a rule or test file. Files with syntax errors are not formatted.
pub fn format(name: &str, text: &str) -> Result<String, Diagnostics> {
    let src = Src::new(name, text);
    let (doc, diags) = crate::syntax::parse_document(&src);
    let Some(doc) = doc.filter(|_| !diags.has_errors()) else {
        return Err(diags);
    };
    let comments = comments(text);
    let mut p = Printer {
        text,
        limit: comments.len(),
        comments,
        next: 0,
        out: String::new(),
        indent: 0,
        inline: None,
    };
    match &doc {
        Document::Rubric(f) => p.rubric_file(f),
        Document::Tests(t) => p.test_file(t),
    }
    p.flush_before(usize::MAX);
    let mut out = p.out.trim_end().to_string();
    out.push('\n');
    // Never hand back a file that means something else: the output must
    // parse to the same document (up to declaration order).
    let (again, _) = crate::syntax::parse_document(&Src::new(name, out.as_str()));
    let mut before = doc;
    canonical(&mut before);
    match again {
        Some(mut after) => {
            canonical(&mut after);
            if after != before {
                return Err(formatter_bug(
                    name,
                    "the formatted file would mean something else",
                ));
            }
        }
        None => return Err(formatter_bug(name, "the formatted file would not parse")),
    }
    Ok(out)
}

/// A formatter bug, reported instead of writing a wrong file.
fn formatter_bug(name: &str, why: &str) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(crate::syntax::SyntaxError::Unexpected {
        message: format!("mizan fmt cannot format {name} safely: {why}"),
        src: Src::new(name, ""),
        span: (0..0).into(),
        label: "here".into(),
        help: Some("the file is left untouched; please report this file".into()),
    });
    d
}

/// Puts the declarations of every block of `doc` in the formatter's order
/// (a stable sort: same-kind declarations keep their order). Two files
/// whose documents are equal after this have the same meaning; `fmt`
/// guarantees it of its input and output.
pub fn canonical(doc: &mut Document) {
    fn items(list: &mut [Item]) {
        list.sort_by_key(rank);
        for it in list.iter_mut() {
            match it {
                Item::Node(n) => items(&mut n.items),
                Item::Population(p, _) => items(p),
                Item::Template(t) => {
                    for n in &mut t.nodes {
                        items(&mut n.items);
                    }
                }
                _ => {}
            }
        }
    }
    if let Document::Rubric(f) = doc {
        items(&mut f.rubric.items);
    }
}

/// A `#` comment: byte range.
#[derive(Debug, Clone)]
struct Comment {
    start: usize,
    end: usize,
}

/// Every comment of `text` (a `#` outside strings, to the end of the line).
fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while let Some(&b) = bytes.get(i) {
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' | b'\n' | b'\r' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'#' {
            let end = text
                .get(i..)
                // Any line break the grammar knows ends a comment, a lone
                // `\r` included (found by the fuzzer).
                .and_then(|r| r.find(['\n', '\r']))
                .map_or(text.len(), |n| i + n);
            out.push(Comment { start: i, end });
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

struct Printer<'a> {
    text: &'a str,
    comments: Vec<Comment>,
    /// The next comment to print.
    next: usize,
    /// Comments from this index on belong to later constructs.
    limit: usize,
    out: String,
    indent: usize,
    /// The byte range of an expression about to be printed as written,
    /// with the comments inside it (set by `expr`, used by `line`).
    inline: Option<(usize, usize)>,
}

/// Canonical position of a declaration inside a block.
fn rank(item: &Item) -> u8 {
    match item {
        Item::Version(_) => 0,
        Item::Title(_) => 1,
        Item::Description(_) => 2,
        Item::Precision(..) => 3,
        Item::Levels(..) => 4,
        Item::Profile(..) => 5,
        Item::Scale(_) => 6,
        Item::Bands(_) => 7,
        Item::Let(..) => 8,
        Item::Formula(..) | Item::Function(_) => 9,
        Item::Instances(_) => 7,
        Item::Template(_) => 30,
        Item::Weight(_) => 10,
        Item::Repeated(..) => 11,
        Item::Fields(..) => 12,
        Item::Applies(_) => 13,
        Item::Requires(_) => 14,
        Item::Constraint(_) => 26,
        Item::Codes(..) => 17,
        Item::Missing(_) => 3,
        Item::Na(_) => 16,
        Item::Choice(_) | Item::Multi(..) | Item::Number(..) | Item::YesNo(_) => 17,
        Item::Aggregate { .. } => 18,
        Item::Score(_) => 19,
        Item::UseBands(..) => 20,
        Item::Baseline(_) => 21,
        Item::Target(_) => 22,
        Item::Direction(_) => 23,
        Item::Rank(..) => 24,
        Item::Renamed(..) => 25,
        Item::Unit(_) => 15,
        Item::Headline(..) => 26,
        Item::Node(_) => 30,
        Item::Population(..) => 40,
    }
}

/// Byte range of a declaration (from its first argument to its end),
/// possibly with trailing whitespace and comments (see `Printer::span`).
fn raw_span(item: &Item) -> (usize, usize) {
    let r = |l: &Loc| (l.span.offset(), l.span.offset() + l.span.len());
    let join = |a: (usize, usize), b: (usize, usize)| (a.0.min(b.0), a.1.max(b.1));
    match item {
        Item::Version(s) => r(&s.loc),
        Item::Title(t) | Item::Description(t) => r(&t.loc),
        Item::Precision(n, None) | Item::Weight(n) => r(&n.loc),
        Item::Precision(n, Some(m)) => join(r(&n.loc), r(&m.loc)),
        Item::Missing(n) | Item::Na(n) | Item::UseBands(n, None) | Item::Direction(n) => r(&n.loc),
        Item::UseBands(n, Some(e)) => join(r(&n.loc), r(&e.loc)),
        Item::Renamed(a, b) => join(r(&a.loc), r(&b.loc)),
        Item::Levels(_, l)
        | Item::Codes(_, l)
        | Item::Profile(_, l)
        | Item::Population(_, l)
        | Item::YesNo(l)
        | Item::Repeated(_, l)
        | Item::Fields(_, l)
        | Item::Rank(_, l)
        | Item::Number(_, _, l)
        | Item::Headline(_, l) => r(l),
        Item::Unit(u) => r(&u.loc),
        Item::Scale(s) => r(&s.loc),
        Item::Bands(b) => r(&b.loc),
        Item::Let(n, e) | Item::Formula(n, e) => join(r(&n.loc), r(&e.loc)),
        Item::Function(f) => join(r(&f.name.loc), r(&f.body.loc)),
        Item::Instances(l) => r(&l.loc),
        Item::Template(t) => r(&t.loc),
        Item::Aggregate { func, over, .. } => match over {
            Some(o) => join(r(&func.loc), r(&o.loc)),
            None => r(&func.loc),
        },
        Item::Score(e) | Item::Applies(e) | Item::Requires(e) => r(&e.loc),
        Item::Constraint(c) => join(r(&c.expr.loc), r(&c.message.loc)),
        Item::Choice(o) => r(options_loc(o)),
        Item::Multi(o, c) => match c {
            Some(c) => join(r(options_loc(o)), r(&c.loc)),
            None => r(options_loc(o)),
        },
        Item::Baseline(s) | Item::Target(s) => r(&s.loc),
        Item::Node(n) => (n.level.loc.span.offset(), n.loc.span.offset() + n.loc.span.len()),
    }
}

fn options_loc(o: &Options) -> &Loc {
    match o {
        Options::Scale(n) => &n.loc,
        Options::Inline(_, l) => l,
    }
}

impl<'a> Printer<'a> {
    /// Byte range of a declaration, without the whitespace and comments
    /// that pest includes after rules ending in a repetition.
    fn span(&self, item: &Item) -> (usize, usize) {
        let (start, mut end) = raw_span(item);
        if let Item::Aggregate {
            normalised: true,
            over: None,
            ..
        } = item
        {
            // `normalised` has no span of its own: it is the next word.
            end = self.word_after(end);
        }
        (start, self.trim_end(start, end))
    }

    /// `end` moved back over trailing whitespace and comments, never
    /// before `start` (a span that pest ends after a repetition may hold
    /// them).
    fn trim_end(&self, start: usize, mut end: usize) -> usize {
        loop {
            let trimmed = self
                .text
                .get(start..end)
                .map_or(end, |t| start + t.trim_end().len());
            match self
                .comments
                .iter()
                .find(|c| c.start >= start && c.start < trimmed && trimmed <= c.end)
            {
                Some(c) => end = c.start,
                None => return trimmed,
            }
        }
    }

    /// The end of the word that follows `pos` (after whitespace and
    /// comments).
    fn word_after(&self, mut pos: usize) -> usize {
        loop {
            let rest = self.text.get(pos..).unwrap_or("");
            let ws = rest.len() - rest.trim_start().len();
            pos += ws;
            match self.comments.iter().find(|c| c.start == pos) {
                Some(c) => pos = c.end,
                None if ws == 0 => break,
                None => {}
            }
        }
        let rest = self.text.get(pos..).unwrap_or("");
        pos + rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())
    }

    fn slice(&self, l: &Loc) -> &'a str {
        let s = l.span.offset();
        self.text.get(s..s + l.span.len()).unwrap_or("")
    }

    /// An expression as written, its whitespace collapsed. One that holds
    /// a comment keeps its lines (each trimmed, the later ones indented one
    /// level deeper than the declaration) and its comments, which the
    /// next `line` then counts as printed.
    fn expr(&mut self, e: &ast::Expr) -> String {
        let start = e.loc.span.offset();
        // Without trailing whitespace and comments (the span of a rule
        // ending in a repetition may hold them).
        let end = self.trim_end(start, start + e.loc.span.len());
        let raw = self.text.get(start..end).unwrap_or("");
        if !self.has_comment(start, end) {
            return collapse(raw);
        }
        self.inline = Some((start, end));
        let deeper = format!("{}  ", self.pad());
        let mut out = String::new();
        for (i, l) in raw.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
                out.push_str(&deeper);
                out.push_str(l.trim());
            } else {
                out.push_str(l.trim_end());
            }
        }
        out
    }

    fn has_comment(&self, start: usize, end: usize) -> bool {
        self.comments.iter().any(|c| c.start >= start && c.start < end)
    }

    fn pad(&self) -> String {
        "  ".repeat(self.indent)
    }

    /// Prints every comment that starts before `pos`, each on its own line.
    fn flush_before(&mut self, pos: usize) {
        while let Some(c) = self.comments.get(self.next).cloned() {
            if c.start >= pos || self.next >= self.limit {
                break;
            }
            let text = self.text.get(c.start..c.end).unwrap_or("").trim_end().to_string();
            let pad = self.pad();
            self.out.push_str(&format!("{pad}{text}\n"));
            self.next += 1;
        }
    }

    /// Whether the source has a blank line right before `pos` (before the
    /// comments that lead it).
    fn blank_before(&self, pos: usize) -> bool {
        let pos = self
            .text
            .get(..pos)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let own_line = |c: &&Comment| {
            let ls = self
                .text
                .get(..c.start)
                .and_then(|t| t.rfind('\n'))
                .map_or(0, |i| i + 1);
            self.text.get(ls..c.start).is_some_and(|t| t.trim().is_empty())
        };
        let lead = self
            .comments
            .iter()
            .filter(|c| c.start < pos)
            .filter(own_line)
            .rev()
            .take_while(|c| {
                self.text
                    .get(c.end..pos)
                    .is_some_and(|between| between.trim().is_empty() || self.comment_only(c.end, pos))
            })
            .last()
            .map_or(pos, |c| c.start);
        // The line `lead` is on; is the line before it blank?
        let before = self.text.get(..lead).unwrap_or("");
        let Some(line_start) = before.rfind('\n') else {
            return false;
        };
        let prev = self.text.get(..line_start).unwrap_or("");
        let prev_line = prev.rfind('\n').map_or(prev, |i| prev.get(i + 1..).unwrap_or(""));
        prev_line.trim().is_empty() && !prev.is_empty()
    }

    fn comment_only(&self, from: usize, to: usize) -> bool {
        self.text.get(from..to).is_some_and(|t| {
            t.lines().all(|l| {
                let l = l.trim();
                l.is_empty() || l.starts_with('#')
            })
        })
    }

    /// Prints one line for a construct spanning `start..end`: leading
    /// comments first, then the line, then a trailing comment on its line.
    fn line(&mut self, start: usize, end: usize, text: &str) {
        self.flush_before(start);
        self.inner(end);
        let pad = self.pad();
        self.out.push_str(&pad);
        self.out.push_str(text);
        self.trailing(end);
        self.out.push('\n');
    }

    /// The comments inside a construct that ends at `end` and is printed on
    /// one line: each on a line of its own before it (so that a second run
    /// finds them where the first put them), except those inside an
    /// expression printed as written (see `expr`), which its text holds.
    fn inner(&mut self, end: usize) {
        let end = self.tight(end);
        let inline = self.inline.take();
        while let Some(c) = self.comments.get(self.next).cloned() {
            if self.next >= self.limit || c.start >= end {
                break;
            }
            if !inline.is_some_and(|(a, b)| c.start >= a && c.start < b) {
                let text = self.text.get(c.start..c.end).unwrap_or("").trim_end().to_string();
                let pad = self.pad();
                self.out.push_str(&format!("{pad}{text}\n"));
            }
            self.next += 1;
        }
    }

    /// `end` without the whitespace and comments before it: pest's span of
    /// a rule ending in a repetition (`text`, `expr`) may run past its last
    /// token, over the whitespace and comments after it.
    fn tight(&self, end: usize) -> usize {
        let mut end = end.min(self.text.len());
        loop {
            let trimmed = self.text.get(..end).map_or(end, |t| t.trim_end().len());
            match self
                .comments
                .iter()
                .find(|c| c.start < trimmed && trimmed <= c.end)
            {
                Some(c) => end = c.start,
                None => return trimmed,
            }
        }
    }

    /// Appends a comment that starts on the same line right after `end`,
    /// with nothing but whitespace between (or the `{` of a block head just
    /// printed): a comment after a later token on that line is not this
    /// line's.
    fn trailing(&mut self, end: usize) {
        if self.next >= self.limit {
            return;
        }
        let end = self.tight(end);
        if let Some(c) = self.comments.get(self.next).cloned() {
            let between = self.text.get(end..c.start).unwrap_or("\n");
            let head = between.trim() == "{" && self.out.ends_with('{');
            if c.start >= end && !between.contains('\n') && (between.trim().is_empty() || head) {
                let text = self.text.get(c.start..c.end).unwrap_or("").trim_end();
                self.out.push_str("  ");
                self.out.push_str(text);
                self.next += 1;
            }
        }
    }

    fn text_inline(&self, t: &ast::Text) -> String {
        t.entries
            .iter()
            .map(|(lang, s)| format!("{} {}", lang.node, self.slice(&s.loc)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `KEYWORD TEXT`, one language per line when too long.
    fn labelled(&mut self, start: usize, end: usize, keyword: &str, t: &ast::Text) {
        let one = format!("{keyword} {}", self.text_inline(t));
        if self.pad().len() + one.chars().count() <= WIDTH || t.entries.len() < 2 {
            self.line(start, end, &one);
            return;
        }
        self.flush_before(start);
        self.inner(end);
        let pad = self.pad();
        self.out.push_str(&format!("{pad}{keyword}\n"));
        let n = t.entries.len();
        for (i, (lang, s)) in t.entries.iter().enumerate() {
            self.out
                .push_str(&format!("{pad}  {} {}", lang.node, self.slice(&s.loc)));
            if i + 1 == n {
                self.trailing(end);
            }
            self.out.push('\n');
        }
    }

    fn opt_text(&self, t: Option<&ast::Text>) -> String {
        t.map(|t| format!(" {}", self.text_inline(t))).unwrap_or_default()
    }

    // ----------------------------------------------------------- rubric --

    fn rubric_file(&mut self, f: &ast::File) {
        if let Some(v) = &f.lang_version {
            let s = v.loc.span.offset();
            self.line(s, s + v.loc.span.len(), &format!("mizan {}", self.slice(&v.loc)));
            self.out.push('\n');
        }
        let r = &f.rubric;
        let start = r.id.loc.span.offset();
        self.line(
            start,
            r.id.loc.span.offset() + r.id.loc.span.len(),
            &format!("rubric {} {{", r.id.node),
        );
        let end = r.loc.span.offset() + r.loc.span.len();
        let open = self.open_after(r.id.loc.span.offset() + r.id.loc.span.len());
        self.block(&r.items, open, end);
        self.close(end);
    }

    /// The items of a block, in canonical order, then the comments before
    /// its closing brace (at `end`).
    fn block(&mut self, items: &[Item], open: usize, end: usize) {
        self.indent += 1;
        // Each declaration owns the comments from the end of the one before
        // it (in the source) to the end of its own last line, so that its
        // comments move with it when the order changes; a comment after a
        // later token on that line (`weight 2  choice # c`) is the next
        // declaration's.
        let mut by_pos: Vec<(usize, &Item)> = items.iter().enumerate().collect();
        by_pos.sort_by_key(|(_, i)| self.span(i).0);
        let outer_limit = self.limit;
        let mut ranges: Vec<(usize, usize)> = vec![(0, 0); items.len()];
        // Where the declaration before each one ends (the block's `{` for
        // the first): a blank line is kept only before a declaration that
        // starts a line.
        let mut prev_end: Vec<usize> = vec![open; items.len()];
        let mut cursor = self.next;
        let mut before = open;
        for (k, item) in &by_pos {
            let (_, item_end) = self.span(item);
            let item_end = self.tight(item_end);
            let line_end = self.line_end(item_end);
            let mut hi = cursor;
            while hi < outer_limit
                && self.comments.get(hi).is_some_and(|c| {
                    c.start < item_end || (c.start < line_end && self.only_comments(item_end, c.start))
                })
            {
                hi += 1;
            }
            if let Some(r) = ranges.get_mut(*k) {
                *r = (cursor, hi);
            }
            if let Some(p) = prev_end.get_mut(*k) {
                *p = before;
            }
            before = item_end;
            cursor = hi;
        }
        let mut order: Vec<(usize, &Item)> = items.iter().enumerate().collect();
        order.sort_by_key(|(_, i)| rank(i));
        for (n, (k, item)) in order.iter().enumerate() {
            let (s, _) = self.span(item);
            let (lo, hi) = ranges.get(*k).copied().unwrap_or((cursor, cursor));
            let s = self.decl_start(item, s);
            let starts_line = self
                .text
                .get(prev_end.get(*k).copied().unwrap_or(0)..s)
                .is_some_and(|t| t.contains('\n'));
            if n > 0 && starts_line && self.blank_before(s) {
                self.out.push('\n');
            }
            self.next = lo;
            self.limit = hi;
            self.item(item);
            // Anything of its range not printed yet (a comment inside it).
            self.flush_before(usize::MAX);
        }
        self.next = cursor;
        self.limit = outer_limit;
        self.flush_before(end.saturating_sub(1));
        self.indent -= 1;
        let pad = self.pad();
        self.out.push_str(&pad);
    }

    /// Where a declaration starts: its span `s` begins at its first
    /// argument, after its keywords (`applies when`, `weight`, …) where the
    /// syntax tree keeps no position of them.
    fn decl_start(&self, item: &Item, s: usize) -> usize {
        let keywords = match item {
            Item::Applies(_) => 2,
            Item::Version(_)
            | Item::Title(_)
            | Item::Description(_)
            | Item::Precision(..)
            | Item::Weight(_)
            | Item::Missing(_)
            | Item::Na(_)
            | Item::UseBands(..)
            | Item::Direction(_)
            | Item::Baseline(_)
            | Item::Target(_)
            | Item::Score(_)
            | Item::Requires(_)
            | Item::Constraint(_)
            | Item::Let(..)
            | Item::Formula(..)
            | Item::Function(_)
            | Item::Renamed(..)
            | Item::Choice(_)
            | Item::Multi(..)
            | Item::Aggregate { .. } => 1,
            _ => 0,
        };
        let mut pos = s;
        for _ in 0..keywords {
            // Back over whitespace and comments, then over one word.
            loop {
                pos = self.text.get(..pos).map_or(pos, |t| t.trim_end().len());
                match self.comments.iter().find(|c| c.start < pos && pos <= c.end) {
                    Some(c) => pos = c.start,
                    None => break,
                }
            }
            pos = self
                .text
                .get(..pos)
                .and_then(|t| {
                    t.char_indices()
                        .rev()
                        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                })
                .map_or(0, |(i, c)| i + c.len_utf8());
        }
        pos
    }

    /// Whether `from..to` holds only whitespace and comments.
    fn only_comments(&self, from: usize, to: usize) -> bool {
        let mut pos = from;
        while pos < to {
            let rest = self.text.get(pos..to).unwrap_or("");
            let ws = rest.len() - rest.trim_start().len();
            pos += ws;
            match self.comments.iter().find(|c| c.start == pos) {
                Some(c) => pos = c.end,
                None if pos >= to => return true,
                None => return false,
            }
        }
        true
    }

    /// Just after the `{` that opens a block, the next token after `pos`.
    fn open_after(&self, pos: usize) -> usize {
        let mut pos = pos;
        loop {
            let rest = self.text.get(pos..).unwrap_or("");
            pos += rest.len() - rest.trim_start().len();
            match self.comments.iter().find(|c| c.start == pos) {
                Some(c) => pos = c.end,
                None => break,
            }
        }
        if self.text.get(pos..).is_some_and(|r| r.starts_with('{')) {
            pos + 1
        } else {
            pos
        }
    }

    /// The `}` of a block that ends at `end`, with a comment trailing it.
    fn close(&mut self, end: usize) {
        self.out.push('}');
        self.trailing(end);
        self.out.push('\n');
    }

    /// The end of the line `pos` is on (before its newline).
    fn line_end(&self, pos: usize) -> usize {
        self.text
            .get(pos..)
            .and_then(|r| r.find('\n'))
            .map_or(self.text.len(), |n| pos + n)
    }

    fn item(&mut self, item: &Item) {
        let (s, e) = self.span(item);
        match item {
            Item::Version(v) => self.line(s, e, &format!("version {}", self.slice(&v.loc))),
            Item::Title(t) => self.labelled(s, e, "title", t),
            Item::Description(t) => self.labelled(s, e, "description", t),
            Item::Precision(n, m) => {
                let mode = m.as_ref().map(|m| format!(" {}", m.node)).unwrap_or_default();
                self.line(s, e, &format!("precision {}{mode}", self.slice(&n.loc)));
            }
            Item::Missing(n) => self.line(s, e, &format!("missing {}", n.node)),
            Item::Weight(n) => self.line(s, e, &format!("weight {}", self.slice(&n.loc))),
            Item::Na(n) => self.line(s, e, &format!("na {}", n.node)),
            Item::UseBands(n, None) => self.line(s, e, &format!("bands {}", n.node)),
            Item::UseBands(n, Some(x)) => {
                let t = format!("bands {} on {}", n.node, self.expr(x));
                self.line(s, e, &t)
            }
            Item::Direction(n) => self.line(s, e, &format!("direction {}", n.node)),
            Item::YesNo(_) => self.line(s, e, "yesno"),
            Item::Let(n, x) => {
                let t = format!("let {} = {}", n.node, self.expr(x));
                self.line(s, e, &t)
            }
            Item::Formula(n, x) => {
                let t = format!("formula {} = {}", n.node, self.expr(x));
                self.line(s, e, &t)
            }
            Item::Score(x) => {
                let t = format!("score {}", self.expr(x));
                self.line(s, e, &t)
            }
            Item::Applies(x) => {
                let t = format!("applies when {}", self.expr(x));
                self.line(s, e, &t)
            }
            Item::Requires(x) => {
                let t = format!("requires {}", self.expr(x));
                self.line(s, e, &t)
            }
            Item::Codes(codes, _) => {
                let mut t = "codes {".to_string();
                for c in codes {
                    t.push_str(&format!("  {} {}", c.id.node, c.means.node));
                    if let Some(l) = &c.label {
                        t.push_str(&format!(" {}", self.text_inline(l)));
                    }
                }
                t.push_str(if codes.is_empty() { "}" } else { "  }" });
                self.line(s, e, &t)
            }
            Item::Constraint(c) => {
                let t = format!(
                    "constraint {} {} {}",
                    self.expr(&c.expr),
                    c.level.node,
                    self.text_inline(&c.message)
                );
                self.line(s, e, &t)
            }
            Item::Aggregate {
                func,
                normalised,
                over,
            } => {
                let mut t = format!("aggregate {}", func.node);
                if *normalised {
                    t.push_str(" normalised");
                }
                if let Some(o) = over {
                    t.push_str(&format!(" over {}", o.node));
                }
                self.line(s, e, &t)
            }
            Item::Number(unit, range, _) => {
                let mut t = "number".to_string();
                if let Some(u) = unit {
                    t.push_str(&format!(" {}", u.node));
                }
                if let Some(r) = range {
                    let a = r.min.as_ref().map(|m| self.slice(&m.loc)).unwrap_or("");
                    let b = r.max.as_ref().map(|m| self.slice(&m.loc)).unwrap_or("");
                    t.push_str(&format!(" {a}..{b}"));
                }
                self.line(s, e, &t)
            }
            Item::Unit(u) => {
                let mut t = format!("unit {}", u.word.node);
                if let Some(n) = &u.of {
                    t.push_str(&format!(" of {}", self.slice(&n.loc)));
                }
                if let Some(r) = &u.range {
                    let a = r.min.as_ref().map(|m| self.slice(&m.loc)).unwrap_or("");
                    let b = r.max.as_ref().map(|m| self.slice(&m.loc)).unwrap_or("");
                    t.push_str(&format!(" {a}..{b}"));
                }
                self.line(s, e, &t)
            }
            Item::Headline(names, _) => {
                let list: Vec<&str> = names.iter().map(|n| n.node.as_str()).collect();
                self.line(s, e, &format!("headline {}", list.join(", ")))
            }
            Item::Baseline(v) | Item::Target(v) => {
                let kw = if matches!(item, Item::Baseline(_)) {
                    "baseline"
                } else {
                    "target"
                };
                let t = format!("{kw} {}", self.slice(&v.loc));
                self.line(s, e, &t)
            }
            Item::Repeated(r, _) => {
                let mut t = "repeated".to_string();
                if let Some(rule) = &r.rule {
                    t.push_str(&format!(" {}", rule.node));
                }
                if let Some((c, other)) = &r.switch {
                    t.push_str(&format!(" when {} else {}", self.expr(c), other.node));
                }
                if let Some(k) = &r.keys {
                    t.push_str(&format!(" keys {}", k.node));
                }
                self.line(s, e, &t)
            }
            Item::Rank(c, _) => {
                let t = match c {
                    Some(c) => format!("rank when {}", self.expr(c)),
                    None => "rank".into(),
                };
                self.line(s, e, &t)
            }
            Item::Levels(levels, l) => {
                let w = levels
                    .iter()
                    .map(|x| x.name.node.chars().count())
                    .max()
                    .unwrap_or(0);
                let rows: Vec<(usize, usize, String)> = levels
                    .iter()
                    .map(|x| {
                        let (a, b) = (
                            x.name.loc.span.offset(),
                            x.label
                                .as_ref()
                                .map_or(x.name.loc.span.offset() + x.name.loc.span.len(), |t| {
                                    t.loc.span.offset() + t.loc.span.len()
                                }),
                        );
                        let row = match &x.label {
                            Some(t) => format!("{:w$} {}", x.name.node, self.text_inline(t)),
                            None => x.name.node.clone(),
                        };
                        (a, b, row.trim_end().to_string())
                    })
                    .collect();
                self.table(s, "levels {", rows, l, None);
            }
            Item::Profile(fields, l) => self.fields_table(s, "profile {", fields, l),
            Item::Fields(fields, l) => self.fields_table(s, "fields {", fields, l),
            Item::Scale(sc) => {
                let head = format!("scale {}{} {{", sc.name.node, self.opt_text(sc.label.as_ref()));
                let rows = self.option_rows(&sc.options);
                self.table(s, &head, rows, &sc.loc, None);
            }
            Item::Bands(b) => {
                let w = b
                    .bands
                    .iter()
                    .map(|x| x.id.node.chars().count())
                    .max()
                    .unwrap_or(0);
                let rows = b
                    .bands
                    .iter()
                    .map(|x| {
                        let end = x
                            .label
                            .as_ref()
                            .map_or(x.min.loc.span.offset() + x.min.loc.span.len(), |t| {
                                t.loc.span.offset() + t.loc.span.len()
                            });
                        let row = format!(
                            "{:w$} >= {}{}",
                            x.id.node,
                            self.slice(&x.min.loc),
                            self.opt_text(x.label.as_ref())
                        );
                        (x.id.loc.span.offset(), end, row)
                    })
                    .collect();
                self.table(s, &format!("bands {} {{", b.name.node), rows, &b.loc, None);
            }
            Item::Choice(o) | Item::Multi(o, _) => {
                let kw = if matches!(item, Item::Choice(_)) {
                    "choice"
                } else {
                    "multi"
                };
                let combine = match item {
                    Item::Multi(_, Some(c)) => format!(" combine {}", c.node),
                    _ => String::new(),
                };
                match o {
                    Options::Scale(n) => self.line(s, e, &format!("{kw} {}{combine}", n.node)),
                    Options::Inline(opts, l) => {
                        let rows = self.option_rows(opts);
                        let plain = opts.iter().all(|o| o.label.is_none());
                        let one = format!(
                            "{kw} {{ {} }}{combine}",
                            opts.iter()
                                .map(|o| format!("{} {}", o.id.node, self.slice(&o.weight.loc)))
                                .collect::<Vec<_>>()
                                .join("  ")
                        );
                        let (ls, le) = (l.span.offset(), l.span.offset() + l.span.len());
                        if plain
                            && !self.has_comment(ls, le)
                            && self.pad().len() + one.chars().count() <= WIDTH
                        {
                            self.line(s, e, &one);
                        } else {
                            let after = (!combine.is_empty()).then_some((combine.as_str(), e));
                            self.table(s, &format!("{kw} {{"), rows, l, after);
                        }
                    }
                }
            }
            Item::Node(n) => self.node(n),
            Item::Function(f) => {
                let params: Vec<&str> = f.params.iter().map(|p| p.node.as_str()).collect();
                let t = format!(
                    "formula {}({}) = {}",
                    f.name.node,
                    params.join(", "),
                    self.expr(&f.body)
                );
                self.line(s, e, &t)
            }
            Item::Instances(l) => {
                let rows = self.instance_rows(&l.instances);
                self.table(s, &format!("instances {} {{", l.name.node), rows, &l.loc, None);
            }
            Item::Template(t) => {
                let end = t.loc.span.offset() + t.loc.span.len();
                let head_end = t.over.loc.span.offset() + t.over.loc.span.len();
                self.line(
                    s,
                    head_end,
                    &format!("template {} for {} {{", t.name.node, t.over.node),
                );
                let open = self.open_after(head_end);
                let nodes: Vec<Item> = t.nodes.iter().cloned().map(Item::Node).collect();
                self.block(&nodes, open, end);
                self.close(end);
            }
            Item::Renamed(a, b) => self.line(s, e, &format!("renamed {} -> {}", a.node, b.node)),
            Item::Population(items, l) => {
                let end = l.span.offset() + l.span.len();
                if let Some(one) = self.one_line("population", items, s, end) {
                    self.line(s, end, &one);
                } else {
                    self.line(s, s, "population {");
                    let open = self.open_after(self.word_after(s));
                    self.block(items, open, end);
                    self.close(end);
                }
            }
        }
    }

    /// A node on one line (`criterion c1 { choice yn }`) when it has no
    /// children, no comments and fits.
    fn one_line(&self, head: &str, items: &[Item], start: usize, end: usize) -> Option<String> {
        if items
            .iter()
            .any(|i| matches!(i, Item::Node(_) | Item::Population(..)))
            || self.has_comment(start, end)
        {
            return None;
        }
        // One line for a criterion, or for a node with a single declaration.
        let answer = items.iter().any(|i| {
            matches!(
                i,
                Item::Choice(_) | Item::Multi(..) | Item::Number(..) | Item::YesNo(_)
            )
        });
        if !answer && items.len() > 1 {
            return None;
        }
        let mut parts = Vec::new();
        let mut order: Vec<&Item> = items.iter().collect();
        order.sort_by_key(|i| rank(i));
        for it in order {
            let mut sub = Printer {
                text: self.text,
                comments: Vec::new(),
                next: 0,
                limit: 0,
                out: String::new(),
                indent: 0,
                inline: None,
            };
            sub.item(it);
            let t = sub.out.trim_end().to_string();
            if t.contains('\n') {
                return None;
            }
            parts.push(t);
        }
        let one = if parts.is_empty() {
            format!("{head} {{ }}")
        } else {
            format!("{head} {{ {} }}", parts.join("  "))
        };
        (self.pad().len() + one.chars().count() <= WIDTH).then_some(one)
    }

    fn node(&mut self, n: &ast::Node) {
        let start = n.level.loc.span.offset();
        let end = n.loc.span.offset() + n.loc.span.len();
        let head = format!("{} {}", n.level.node, n.id.node);
        // Comments before the id go before the node's line either way.
        let id_end = n.id.loc.span.offset() + n.id.loc.span.len();
        if let Some(one) = self.one_line(&head, &n.items, id_end, end) {
            self.line(start, end, &one);
            return;
        }
        self.line(
            start,
            n.id.loc.span.offset() + n.id.loc.span.len(),
            &format!("{head} {{"),
        );
        let open = self.open_after(id_end);
        self.block(&n.items, open, end);
        self.close(end);
    }

    /// `pop  ar "…" en "…"  { group: social, weight: 2 }`, ids aligned.
    fn instance_rows(&self, instances: &[ast::Instance]) -> Vec<(usize, usize, String)> {
        let w = instances
            .iter()
            .map(|i| i.id.node.chars().count())
            .max()
            .unwrap_or(0);
        instances
            .iter()
            .map(|i| {
                let fields: Vec<String> = i
                    .fields
                    .iter()
                    .map(|(n, v)| match v {
                        ast::InstanceValue::Number(x) => format!("{}: {}", n.node, self.slice(&x.loc)),
                        ast::InstanceValue::Word(x) => format!("{}: {}", n.node, x.node),
                    })
                    .collect();
                let mut row = format!("{:w$}{}", i.id.node, self.opt_text(i.label.as_ref()));
                if !fields.is_empty() {
                    row.push_str(&format!("  {{ {} }}", fields.join(", ")));
                }
                let end = i.loc.span.offset() + i.loc.span.len();
                (i.id.loc.span.offset(), end, row.trim_end().to_string())
            })
            .collect()
    }

    /// A `profile` or `fields` block: a table of one-line fields, where a
    /// field whose values have labels is a block of its own,
    /// `NAME: one of {` with a row for each value, closed by `} TEXT`.
    fn fields_table(&mut self, start: usize, head: &str, fields: &[ast::Field], whole: &Loc) {
        if !fields.iter().any(labelled_values) {
            let rows = self.field_rows(fields);
            self.table(start, head, rows, whole, None);
            return;
        }
        let plain: Vec<ast::Field> = fields.iter().filter(|f| !labelled_values(f)).cloned().collect();
        let mut rows = align_labels(self.field_rows(&plain)).into_iter();
        let first = fields.first().map_or(start, |f| f.name.loc.span.offset());
        self.open_table(start, head, first);
        for f in fields {
            if !labelled_values(f) {
                if let Some((a, b, row)) = rows.next() {
                    self.line(a, b, &row);
                }
                continue;
            }
            let FieldType::Enum(values) = &f.ty else { continue };
            let w = values.iter().map(|v| v.node.chars().count()).max().unwrap_or(0);
            let value_rows: Vec<(usize, usize, String)> = values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let label = f.value_labels.get(i).and_then(Option::as_ref);
                    let end = label.map_or(v.loc.span.offset() + v.loc.span.len(), |t| {
                        t.loc.span.offset() + t.loc.span.len()
                    });
                    let row = format!("{:w$}{}", v.node, self.opt_text(label));
                    (v.loc.span.offset(), end, row.trim_end().to_string())
                })
                .collect();
            let last = value_rows.last().map_or(f.name.loc.span.offset(), |r| r.1);
            let close = self.word_end(last, "}");
            let field_head = format!("{}: one of {{", f.name.node);
            let label = self.opt_text(f.label.as_ref());
            let after = f
                .label
                .as_ref()
                .map(|t| (label.as_str(), t.loc.span.offset() + t.loc.span.len()));
            self.table_to(f.name.loc.span.offset(), &field_head, value_rows, close, after);
        }
        self.close_table(whole.span.offset() + whole.span.len(), None);
    }

    fn field_rows(&self, fields: &[ast::Field]) -> Vec<(usize, usize, String)> {
        let w = fields
            .iter()
            .map(|f| f.name.node.chars().count() + 1)
            .max()
            .unwrap_or(0);
        fields
            .iter()
            .map(|f| {
                let ty = match &f.ty {
                    FieldType::Enum(v) => format!(
                        "one of {}",
                        v.iter().map(|x| x.node.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                    FieldType::Number => "number".into(),
                    FieldType::Bool => "bool".into(),
                };
                let name = format!("{}:", f.name.node);
                let row = format!("{name:w$} {ty}{}", self.opt_text(f.label.as_ref()));
                // The row ends at its label, else at its type (not at its
                // name: a comment between the name and the type would be
                // taken for the row's trailing comment, and moved after the
                // type, where the next run no longer finds it trailing).
                let name_end = f.name.loc.span.offset() + f.name.loc.span.len();
                let end = match (&f.label, &f.ty) {
                    (Some(t), _) => t.loc.span.offset() + t.loc.span.len(),
                    (None, FieldType::Enum(v)) => v
                        .last()
                        .map_or(name_end, |x| x.loc.span.offset() + x.loc.span.len()),
                    (None, FieldType::Number) => self.word_end(name_end, "number"),
                    (None, FieldType::Bool) => self.word_end(name_end, "bool"),
                };
                (f.name.loc.span.offset(), end.max(f.name.loc.span.offset()), row)
            })
            .collect()
    }

    /// The end of the first `word` after `from` that is not in a comment
    /// (`from` if there is none).
    fn word_end(&self, from: usize, word: &str) -> usize {
        let mut at = from;
        while let Some(i) = self.text.get(at..).and_then(|r| r.find(word)) {
            let start = at + i;
            if !self.comments.iter().any(|c| c.start <= start && start < c.end) {
                return start + word.len();
            }
            at = start + word.len();
        }
        from
    }

    fn option_rows(&self, opts: &[ast::OptionDecl]) -> Vec<(usize, usize, String)> {
        let wi = opts.iter().map(|o| o.id.node.chars().count()).max().unwrap_or(0);
        let ww = opts
            .iter()
            .map(|o| self.slice(&o.weight.loc).chars().count())
            .max()
            .unwrap_or(0);
        opts.iter()
            .map(|o| {
                let row = match &o.label {
                    Some(t) => format!(
                        "{:wi$} {:ww$} {}",
                        o.id.node,
                        self.slice(&o.weight.loc),
                        self.text_inline(t)
                    ),
                    None => format!("{:wi$} {}", o.id.node, self.slice(&o.weight.loc)),
                };
                let end = o
                    .label
                    .as_ref()
                    .map_or(o.weight.loc.span.offset() + o.weight.loc.span.len(), |t| {
                        t.loc.span.offset() + t.loc.span.len()
                    });
                (o.id.loc.span.offset(), end, row.trim_end().to_string())
            })
            .collect()
    }

    /// `HEAD` then one row per line, then `}`.
    fn table(
        &mut self,
        start: usize,
        head: &str,
        rows: Vec<(usize, usize, String)>,
        whole: &Loc,
        after: Option<(&str, usize)>,
    ) {
        self.table_to(start, head, rows, whole.span.offset() + whole.span.len(), after);
    }

    /// [`Self::table`] of a block that ends at `end` (just after its `}`).
    fn table_to(
        &mut self,
        start: usize,
        head: &str,
        rows: Vec<(usize, usize, String)>,
        end: usize,
        after: Option<(&str, usize)>,
    ) {
        let rows = align_labels(rows);
        let first = rows.first().map_or(start, |r| r.0);
        self.open_table(start, head, first);
        for (a, b, row) in rows {
            self.line(a, b, &row);
        }
        self.close_table(end, after);
    }

    /// A block's head line (`head`, then a comment on that line before its
    /// first row at `first`).
    fn open_table(&mut self, start: usize, head: &str, first: usize) {
        self.flush_before(start);
        let pad = self.pad();
        self.out.push_str(&pad);
        self.out.push_str(head);
        self.trailing_before(start, first);
        self.out.push('\n');
        self.indent += 1;
    }

    /// A block's `}` line, for a block that ends at `end`, then `after`.
    fn close_table(&mut self, end: usize, after: Option<(&str, usize)>) {
        self.flush_before(end.saturating_sub(1));
        self.indent -= 1;
        let pad = self.pad();
        self.out.push_str(&format!("{pad}}}"));
        match after {
            // `} combine max`: the comments between `}` and the end of the
            // declaration go before the `}` line's successor, after it.
            Some((suffix, item_end)) => {
                self.out.push_str(suffix);
                self.trailing(item_end);
                self.out.push('\n');
                self.flush_in(item_end);
            }
            None => {
                self.trailing(end);
                self.out.push('\n');
            }
        }
    }

    /// Prints, each on its own line, the comments before `end` not printed
    /// yet.
    fn flush_in(&mut self, end: usize) {
        let end = self.tight(end);
        self.flush_before(end);
    }

    /// A comment on the head line of a block (`scale yn {  # …`).
    fn trailing_before(&mut self, start: usize, first: usize) {
        if self.next >= self.limit {
            return;
        }
        if let Some(c) = self.comments.get(self.next).cloned() {
            let head_line_end = self
                .text
                .get(start..)
                .and_then(|r| r.find('\n'))
                .map_or(usize::MAX, |n| start + n);
            if c.start >= start && c.start < first && c.start < head_line_end {
                let text = self.text.get(c.start..c.end).unwrap_or("").trim_end();
                self.out.push_str("  ");
                self.out.push_str(text);
                self.next += 1;
            }
        }
    }

    // ------------------------------------------------------- test files --

    fn test_file(&mut self, t: &ast::TestFile) {
        if let Some(v) = &t.lang_version {
            let s = v.loc.span.offset();
            self.line(s, s + v.loc.span.len(), &format!("mizan {}", self.slice(&v.loc)));
            self.out.push('\n');
        }
        let s = t.rubric.loc.span.offset();
        self.line(
            s,
            s + t.rubric.loc.span.len(),
            &format!("tests {} {{", t.rubric.node),
        );
        self.indent += 1;
        let mut first = true;
        if let Some(v) = &t.version {
            let vs = v.loc.span.offset();
            self.line(
                vs,
                vs + v.loc.span.len(),
                &format!("version {}", self.slice(&v.loc)),
            );
            first = false;
        }
        for c in &t.cases {
            let cs = c.name.loc.span.offset();
            if !first {
                self.out.push('\n');
            }
            first = false;
            self.line(
                cs,
                cs + c.name.loc.span.len(),
                &format!("case {} {{", self.slice(&c.name.loc)),
            );
            self.indent += 1;
            for (k, item) in c.items.iter().enumerate() {
                let (a, b, row) = self.case_item(item);
                if k > 0 && self.blank_before(a) {
                    self.out.push('\n');
                }
                self.line(a, b, &row);
            }
            let end = c.loc.span.offset() + c.loc.span.len();
            self.flush_before(end.saturating_sub(1));
            self.indent -= 1;
            let pad = self.pad();
            self.out.push_str(&format!("{pad}}}"));
            self.trailing(end);
            self.out.push('\n');
        }
        let end = t.loc.span.offset() + t.loc.span.len();
        self.flush_before(end.saturating_sub(1));
        self.indent -= 1;
        self.close(end);
    }

    fn value(&self, v: &TestValue) -> (usize, String) {
        match v {
            TestValue::Word(w) => (w.loc.span.offset() + w.loc.span.len(), w.node.clone()),
            TestValue::Number(n) => (
                n.loc.span.offset() + n.loc.span.len(),
                self.slice(&n.loc).to_string(),
            ),
            TestValue::Na(l) => (l.span.offset() + l.span.len(), "n/a".into()),
            TestValue::List(items, l) => (
                l.span.offset() + l.span.len(),
                format!(
                    "[{}]",
                    items
                        .iter()
                        .map(|i| i.node.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }

    fn case_item(&self, item: &CaseItem) -> (usize, usize, String) {
        let r = |l: &Loc| (l.span.offset(), l.span.offset() + l.span.len());
        match item {
            CaseItem::Answers(s) => {
                let (a, b) = r(&s.loc);
                (a, b, format!("answers {}", self.slice(&s.loc)))
            }
            CaseItem::Entity(s) => {
                let (a, b) = r(&s.loc);
                (a, b, format!("entity {}", self.slice(&s.loc)))
            }
            CaseItem::Profile(fields, l) => {
                let (a, b) = r(l);
                let inner: Vec<String> = fields
                    .iter()
                    .map(|(n, v)| format!("{}: {}", n.node, self.value(v).1))
                    .collect();
                (a, b, format!("profile {{ {} }}", inner.join("  ")))
            }
            CaseItem::Answer(n, v) => {
                let (end, text) = self.value(v);
                (n.loc.span.offset(), end, format!("answer {} = {text}", n.node))
            }
            CaseItem::Expect(e) => match e {
                Expect::Error(c) => {
                    let (a, b) = r(&c.loc);
                    (a, b, format!("expect error {}", c.node))
                }
                Expect::Band { node, set, band, loc } => {
                    let (a, b) = r(loc);
                    let set = set.as_ref().map(|s| format!(" {}", s.node)).unwrap_or_default();
                    let t = match node {
                        Some(n) => format!("expect {} band{set} = {}", n.node, band.node),
                        None => format!("expect band{set} = {}", band.node),
                    };
                    (a, b, t)
                }
                Expect::Value { node, value, loc } => {
                    let (a, b) = r(loc);
                    let v = match value {
                        None => "n/a".to_string(),
                        Some(x) => match &x.within {
                            Some(w) => format!("{} within {}", x.amount.text.node, w.text.node),
                            None => x.amount.text.node.clone(),
                        },
                    };
                    (a, b, format!("expect {} = {v}", node.node))
                }
            },
        }
    }
}

/// Aligns the language columns of table rows: every row whose label has
/// the same languages in the same order gets its second and later
/// languages padded into columns (widths in display columns, as a
/// terminal or an editor shows them: an Arabic vowel mark takes none).
/// A field written `one of { … }` with a label for one value or more.
fn labelled_values(f: &ast::Field) -> bool {
    f.value_labels.iter().any(Option::is_some)
}

fn align_labels(rows: Vec<(usize, usize, String)>) -> Vec<(usize, usize, String)> {
    // Split each row at the start of each `LANG "…"` entry.
    let split = |row: &str| -> Vec<String> {
        let mut parts = Vec::new();
        let mut cur = String::new();
        let mut in_string = false;
        let mut escaped = false;
        let chars: Vec<char> = row.chars().collect();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            if !in_string && c == ' ' {
                // A language tag: lowercase letters, a space, then a quote.
                let rest: String = chars.get(i + 1..).unwrap_or_default().iter().collect();
                let tag_len = rest
                    .chars()
                    .take_while(|x| x.is_ascii_lowercase() || *x == '-')
                    .count();
                if (2..=8).contains(&tag_len)
                    && rest.chars().nth(tag_len) == Some(' ')
                    && rest.chars().nth(tag_len + 1) == Some('"')
                {
                    parts.push(std::mem::take(&mut cur));
                    i += 1;
                    continue;
                }
            }
            if in_string {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_string = false;
                }
            } else if c == '"' {
                in_string = true;
            }
            cur.push(c);
            i += 1;
        }
        parts.push(cur);
        parts
    };
    let split_rows: Vec<Vec<String>> = rows.iter().map(|(_, _, r)| split(r)).collect();
    let max_parts = split_rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..max_parts)
        .map(|k| {
            split_rows
                .iter()
                .filter_map(|p| p.get(k))
                .map(|s| width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.into_iter()
        .zip(split_rows)
        .map(|((a, b, _), parts)| {
            let n = parts.len();
            let mut line = String::new();
            for (k, p) in parts.into_iter().enumerate() {
                if k > 0 {
                    line.push(' ');
                }
                if k + 1 < n {
                    let w = widths.get(k).copied().unwrap_or(0);
                    let fill = w.saturating_sub(width(&p));
                    line.push_str(&p);
                    line.push_str(&" ".repeat(fill));
                } else {
                    line.push_str(&p);
                }
            }
            (a, b, line.trim_end().to_string())
        })
        .collect()
}

/// The columns `s` takes in a monospace editor: the sum of its characters'
/// display widths, so an Arabic vowel mark (a combining mark) takes none
/// and a wide character two. Characters are measured one by one: a
/// lam-alef pair counts two columns, as editors that do not join the pair
/// into one glyph show it.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
        .sum()
}

/// Collapses runs of whitespace outside strings to one space.
fn collapse(s: &str) -> String {
    collapse_source(s, false)
}

/// Source text with runs of whitespace outside strings collapsed to one
/// space (none after `(`/`[` or before `)`/`]`/`,`), strings untouched, and
/// with `drop_comments` the `#` comments left out (a comment counts as
/// whitespace). `mizan fmt` lays out expressions with it, and `mizan diff`
/// compares them with it.
pub(crate) fn collapse_source(s: &str, drop_comments: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut comment = false;
    let mut space = false;
    for c in s.chars() {
        if comment {
            if c == '\n' || c == '\r' {
                comment = false;
                space = true;
            }
            continue;
        }
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if drop_comments && c == '#' {
            comment = true;
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() && !out.ends_with(['(', '[']) && !matches!(c, ')' | ']' | ',') {
            out.push(' ');
        }
        space = false;
        if c == '"' {
            in_string = true;
        }
        out.push(c);
    }
    out
}
