//! Lowering of pest's parse tree into the AST.
//!
//! This is the only module that touches `pest::Span` and
//! `pest::error::InputLocation`: every location becomes a [`Loc`] here.
//! Operator precedence is applied with pest's [`PrattParser`].

use std::sync::LazyLock;

use miette::SourceSpan;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;

use super::names;
use super::{Rule, SyntaxError};
use crate::ast::*;
use crate::diag::{Diagnostics, Loc, Src};

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::infix(Rule::op_in, Assoc::Left))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
});

/// Turns a pest error into a plain-words [`SyntaxError`].
pub(super) fn syntax_error(src: &Src, e: pest::error::Error<Rule>) -> SyntaxError {
    let text = src.text();
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // A missing or extra `}`, or an unterminated string: said where it is.
    if matches!(e.variant, ErrorVariant::ParsingError { .. }) {
        if let Some(d) = super::braces::explain(src, pos) {
            return d;
        }
    }
    let found = names::found_at(text, pos);
    let fits = |word: &str| match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => names::keyword_fits(positives, word),
        ErrorVariant::CustomError { .. } => false,
    };
    let (expected, help) = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => names::expected(positives, found),
        // pest's own guard (the scan before parsing bounds what it nests,
        // so only a thread with a tiny stack gets here).
        ErrorVariant::CustomError { message } if message.contains("limit reached") => {
            return SyntaxError::ExprTooDeep {
                max: super::MAX_EXPR_DEPTH,
                src: src.clone(),
                span: SourceSpan::from(pos..pos),
                label: "the parser ran out of stack here".into(),
                help: "this thread's stack is too small for the file's nesting: run Mizan on a thread with a larger stack (the `mizan` command uses mizan::STACK_SIZE), or nest less deeply".into(),
            };
        }
        ErrorVariant::CustomError { message } => (message.clone(), None),
    };
    // A declaration that starts well and then does not fit (`formula
    // pct(x) x`) is reported at its keyword, which pest then leaves out of
    // the declarations that fit: say what the declaration looks like.
    let help = match (help, found) {
        (Some(h), Some(word)) if !fits(word) && names::is_declaration(word) => Some(format!(
            "`{word}` starts a declaration here, but what follows does not fit it{}; {h}",
            names::declaration_shape(word)
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        )),
        (h, _) => h,
    };
    let hint = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => names::hint(text, pos, found, positives),
        ErrorVariant::CustomError { .. } => None,
    };
    if let Some(h) = hint {
        return SyntaxError::Unexpected {
            message: h.message,
            src: src.clone(),
            span: SourceSpan::from(h.span),
            label: h.label,
            help: Some(h.help),
        };
    }
    let len = found.as_ref().map_or(0, |f| f.len());
    let found_txt = found.map_or("end of file".to_string(), |f| format!("`{f}`"));
    SyntaxError::Unexpected {
        message: format!("unexpected {found_txt}, expected {expected}"),
        src: src.clone(),
        span: SourceSpan::from(pos..pos + len),
        label: format!("expected {expected}"),
        help,
    }
}

struct Lower<'a> {
    src: &'a Src,
    diags: &'a mut Diagnostics,
    nodes: usize,
    /// Bound on the nesting depth of the expression being lowered, at the
    /// current `expr` (see [`super::MAX_EXPR_DEPTH`]).
    depth: usize,
    /// M0109 already reported for the current top-level expression.
    too_deep: bool,
}

/// Lowers a successful parse of `file`: a rubric or a test file.
pub(super) fn lower_file(src: &Src, mut pairs: Pairs<'_, Rule>, diags: &mut Diagnostics) -> Option<Document> {
    let mut l = Lower {
        src,
        diags,
        nodes: 0,
        depth: 0,
        too_deep: false,
    };
    let file = pairs.next()?;
    let mut lang_version = None;
    let mut doc = None;
    for p in file.into_inner() {
        match p.as_rule() {
            Rule::lang_version => {
                let n = p.into_inner().find(|p| p.as_rule() == Rule::number)?;
                lang_version = Some(l.number(&n));
            }
            Rule::rubric => {
                doc = Some(Document::Rubric(File {
                    lang_version: lang_version.clone(),
                    rubric: l.rubric(p),
                }))
            }
            Rule::tests => doc = l.tests(p, lang_version.clone()),
            _ => {}
        }
    }
    doc
}

impl Lower<'_> {
    fn loc(&self, p: &Pair<'_, Rule>) -> Loc {
        let s = p.as_span();
        Loc::new(self.src, s.start(), s.end())
    }

    fn name(&mut self, p: &Pair<'_, Rule>) -> Name {
        let loc = self.loc(p);
        let len = p.as_str().chars().count();
        if len > super::MAX_IDENT && matches!(p.as_rule(), Rule::ident | Rule::path) {
            self.diags.push(SyntaxError::NameTooLong {
                len,
                max: super::MAX_IDENT,
                src: self.src.clone(),
                span: loc.span,
            });
        }
        Spanned {
            node: p.as_str().to_string(),
            loc,
        }
    }

    fn number(&mut self, p: &Pair<'_, Rule>) -> Spanned<Decimal> {
        let loc = self.loc(p);
        let node = match Decimal::from_str_exact(p.as_str()) {
            Ok(d) => d,
            Err(_) => {
                self.diags.push(SyntaxError::InvalidNumber {
                    text: p.as_str().to_string(),
                    src: self.src.clone(),
                    span: loc.span,
                });
                Decimal::ZERO
            }
        };
        Spanned { node, loc }
    }

    fn string(&self, p: &Pair<'_, Rule>) -> Spanned<String> {
        let inner = p.clone().into_inner().next().map_or("", |i| i.as_str());
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(o) => out.push(o),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        Spanned {
            node: out,
            loc: self.loc(p),
        }
    }

    fn text(&mut self, p: Pair<'_, Rule>) -> Text {
        let loc = self.loc(&p);
        let mut entries = Vec::new();
        let mut inner = p.into_inner();
        while let (Some(lang), Some(s)) = (inner.next(), inner.next()) {
            entries.push((self.name(&lang), self.string(&s)));
        }
        Text { entries, loc }
    }

    fn tests(&mut self, p: Pair<'_, Rule>, lang_version: Option<Spanned<Decimal>>) -> Option<Document> {
        let loc = self.loc(&p);
        let mut inner = Self::args(p);
        let rubric = self.name(&inner.next()?);
        let mut version = None;
        let mut cases = Vec::new();
        for item in inner {
            match item.as_rule() {
                Rule::version_decl => {
                    let a = Self::args(item).next()?;
                    version = Some(match a.as_rule() {
                        Rule::string => self.string(&a),
                        _ => self.name(&a),
                    });
                }
                Rule::case_decl => cases.push(self.case(item)?),
                _ => {}
            }
        }
        Some(Document::Tests(TestFile {
            lang_version,
            rubric,
            version,
            cases,
            loc,
        }))
    }

    fn case(&mut self, p: Pair<'_, Rule>) -> Option<Case> {
        let loc = self.loc(&p);
        let mut inner = Self::args(p);
        let name = self.string(&inner.next()?);
        let mut items = Vec::new();
        for it in inner {
            let iloc = self.loc(&it);
            let rule = it.as_rule();
            let mut a = Self::args(it);
            items.push(match rule {
                Rule::answers_decl => CaseItem::Answers(self.string(&a.next()?)),
                Rule::entity_decl => CaseItem::Entity(self.string(&a.next()?)),
                Rule::profile_set => {
                    let mut fields = Vec::new();
                    while let (Some(n), Some(v)) = (a.next(), a.next()) {
                        fields.push((self.name(&n), self.test_value(v)?));
                    }
                    CaseItem::Profile(fields, iloc)
                }
                Rule::answer_set => {
                    let n = self.name(&a.next()?);
                    CaseItem::Answer(n, self.test_value(a.next()?)?)
                }
                Rule::expect_decl => {
                    let e = a.next()?;
                    let eloc = self.loc(&e);
                    let erule = e.as_rule();
                    let all: Vec<Pair<'_, Rule>> = e.into_inner().collect();
                    let parts: Vec<&Pair<'_, Rule>> =
                        all.iter().filter(|c| !names::is_keyword(c.as_rule())).collect();
                    CaseItem::Expect(match erule {
                        Rule::expect_error => Expect::Error(self.name(parts.first()?)),
                        Rule::expect_band => {
                            let (node, rest) = match parts.split_first() {
                                Some((n, rest)) if n.as_rule() == Rule::path => (Some(self.name(n)), rest),
                                _ => (None, parts.as_slice()),
                            };
                            let (set, band) = match rest {
                                [s, b] => (Some(self.name(s)), self.name(b)),
                                [b] => (None, self.name(b)),
                                _ => return None,
                            };
                            Expect::Band {
                                node,
                                set,
                                band,
                                loc: eloc,
                            }
                        }
                        _ => {
                            let node = self.name(parts.first()?);
                            let value = match parts.get(1) {
                                Some(x) if x.as_rule() == Rule::expected => {
                                    let mut amounts =
                                        (*x).clone().into_inner().filter(|c| c.as_rule() == Rule::amount);
                                    let amount = self.amount(amounts.next()?)?;
                                    let within = match amounts.next() {
                                        Some(w) => Some(self.amount(w)?),
                                        None => None,
                                    };
                                    Some(Expected { amount, within })
                                }
                                _ => None,
                            };
                            Expect::Value {
                                node,
                                value,
                                loc: eloc,
                            }
                        }
                    })
                }
                _ => continue,
            });
        }
        Some(Case { name, items, loc })
    }

    fn test_value(&mut self, p: Pair<'_, Rule>) -> Option<TestValue> {
        let loc = self.loc(&p);
        let v = p.into_inner().next()?;
        Some(match v.as_rule() {
            Rule::value_list => TestValue::List(v.into_inner().map(|i| self.name(&i)).collect(), loc),
            Rule::kw_na_weight => TestValue::Na(loc),
            Rule::number => TestValue::Number(self.number(&v)),
            _ => TestValue::Word(self.name(&v)),
        })
    }

    fn amount(&mut self, p: Pair<'_, Rule>) -> Option<Amount> {
        let text = self.name(&p);
        let nums: Vec<Pair<'_, Rule>> = p.clone().into_inner().collect();
        let num = self.number(nums.first()?).node;
        let den = match nums.get(1) {
            Some(d) => self.number(d).node,
            None if text.node.ends_with('%') => Decimal::ONE_HUNDRED,
            None => Decimal::ONE,
        };
        if den.is_zero() {
            self.diags.push(SyntaxError::InvalidNumber {
                text: text.node.clone(),
                src: self.src.clone(),
                span: text.loc.span,
            });
            return None;
        }
        Some(Amount { num, den, text })
    }

    fn rubric(&mut self, p: Pair<'_, Rule>) -> Rubric {
        let loc = self.loc(&p);
        let mut inner = p.into_inner().filter(|p| p.as_rule() != Rule::kw_rubric);
        let id = inner.next().map(|p| self.name(&p));
        let items = inner.filter_map(|p| self.item(p)).collect();
        Rubric {
            id: id.unwrap_or(Spanned {
                node: String::new(),
                loc: loc.clone(),
            }),
            items,
            loc,
        }
    }

    /// The meaningful children of a declaration: keywords dropped.
    fn args<'i>(p: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
        p.into_inner().filter(|c| !names::is_keyword(c.as_rule()))
    }

    fn item(&mut self, p: Pair<'_, Rule>) -> Option<Item> {
        let loc = self.loc(&p);
        let rule = p.as_rule();
        // `kw_*` children are kept only where they carry meaning.
        let mut all = p.clone().into_inner();
        let mut args = Self::args(p);
        Some(match rule {
            Rule::version_decl => {
                let a = args.next()?;
                let v = match a.as_rule() {
                    Rule::string => self.string(&a),
                    _ => self.name(&a),
                };
                Item::Version(v)
            }
            Rule::title_decl => Item::Title(self.text(args.next()?)),
            Rule::description_decl => Item::Description(self.text(args.next()?)),
            Rule::precision_decl => {
                let n = self.number(&args.next()?);
                Item::Precision(n, args.next().map(|m| self.name(&m)))
            }
            Rule::missing_decl => Item::Missing(self.name(&args.next()?)),
            Rule::levels_decl => Item::Levels(
                args.map(|lv| {
                    let mut i = lv.into_inner();
                    let name = i.next().map(|n| self.name(&n));
                    let label = i.next().map(|t| self.text(t));
                    name.map(|name| Level { name, label })
                })
                .collect::<Option<Vec<_>>>()?,
                loc,
            ),
            Rule::profile_decl => Item::Profile(self.fields(args)?, loc),
            Rule::fields_decl => Item::Fields(self.fields(args)?, loc),
            Rule::requires_decl => Item::Requires(self.expr(args.next()?)),
            Rule::codes_decl => Item::Codes(
                args.map(|c| {
                    let mut i = c.into_inner();
                    let id = self.name(&i.next()?);
                    let m = i.next()?;
                    let number = (m.as_rule() == Rule::number).then(|| self.number(&m));
                    let means = self.name(&m);
                    Some(crate::ast::CodeDecl {
                        id,
                        means,
                        number,
                        label: i.next().map(|t| self.text(t)),
                    })
                })
                .collect::<Option<Vec<_>>>()?,
                loc,
            ),
            Rule::constraint_decl => {
                let expr = self.expr(args.next()?);
                let level = args.next()?;
                let level = self.name(&level.into_inner().next()?);
                Item::Constraint(crate::ast::Constraint {
                    expr,
                    level,
                    message: self.text(args.next()?),
                })
            }
            Rule::rank_decl => Item::Rank(args.next().map(|e| self.expr(e)), loc),
            Rule::renamed_decl => {
                let old = self.name(&args.next()?);
                Item::Renamed(old, self.name(&args.next()?))
            }
            Rule::repeated_decl => {
                let rule_name = |l: &mut Self, r: Pair<'_, Rule>| r.into_inner().next().map(|i| l.name(&i));
                let mut args: Vec<Pair<'_, Rule>> = args.collect();
                let keys = match args.last() {
                    Some(k) if k.as_rule() == Rule::repeated_keys => {
                        let k = args.pop();
                        k.and_then(|k| k.into_inner().find(|i| i.as_rule() == Rule::ident))
                            .map(|i| self.name(&i))
                    }
                    _ => None,
                };
                let mut args = args.into_iter();
                let rule = args.next().and_then(|r| rule_name(self, r));
                let switch = match (args.next(), args.next()) {
                    (Some(c), Some(other)) => {
                        let e = self.expr(c);
                        rule_name(self, other).map(|o| (e, o))
                    }
                    _ => None,
                };
                Item::Repeated(Repeated { rule, switch, keys }, loc)
            }
            Rule::scale_decl => {
                let name = self.name(&args.next()?);
                let mut label = None;
                let mut options = Vec::new();
                for a in args {
                    match a.as_rule() {
                        Rule::text => label = Some(self.text(a)),
                        Rule::option_list => options = self.options(a),
                        _ => {}
                    }
                }
                Item::Scale(Scale {
                    name,
                    label,
                    options,
                    loc,
                })
            }
            Rule::bands_decl => {
                let name = self.name(&args.next()?);
                let mut bands = Vec::new();
                for b in args {
                    let mut i = b.into_inner();
                    let id = self.name(&i.next()?);
                    let min = self.number(&i.next()?);
                    let label = i.next().map(|t| self.text(t));
                    bands.push(Band { id, min, label });
                }
                Item::Bands(BandSet { name, bands, loc })
            }
            Rule::let_decl => Item::Let(self.name(&args.next()?), self.expr(args.next()?)),
            Rule::formula_decl => {
                let name = self.name(&args.next()?);
                let next = args.next()?;
                if next.as_rule() == Rule::params {
                    let params = next.into_inner().map(|p| self.name(&p)).collect();
                    Item::Function(Function {
                        name,
                        params,
                        body: self.expr(args.next()?),
                    })
                } else {
                    Item::Formula(name, self.expr(next))
                }
            }
            Rule::instances_decl => {
                let name = self.name(&args.next()?);
                let mut instances = Vec::new();
                for i in args {
                    let iloc = self.loc(&i);
                    let mut parts = i.into_inner();
                    let id = self.name(&parts.next()?);
                    let mut label = None;
                    let mut fields = Vec::new();
                    for part in parts {
                        match part.as_rule() {
                            Rule::text => label = Some(self.text(part)),
                            Rule::instance_fields => {
                                for f in part.into_inner() {
                                    let mut fi = f.into_inner();
                                    let fname = self.name(&fi.next()?);
                                    let v = fi.next()?;
                                    let value = if v.as_rule() == Rule::number {
                                        InstanceValue::Number(self.number(&v))
                                    } else {
                                        InstanceValue::Word(self.name(&v))
                                    };
                                    fields.push((fname, value));
                                }
                            }
                            _ => {}
                        }
                    }
                    instances.push(Instance {
                        id,
                        label,
                        fields,
                        loc: iloc,
                    });
                }
                Item::Instances(InstanceList { name, instances, loc })
            }
            Rule::template_decl => {
                let name = self.name(&args.next()?);
                let over = self.name(&args.next()?);
                let nodes = args
                    .filter_map(|n| match self.item(n) {
                        Some(Item::Node(n)) => Some(n),
                        _ => None,
                    })
                    .collect();
                Item::Template(Template {
                    name,
                    over,
                    nodes,
                    loc,
                })
            }
            Rule::population_decl => Item::Population(args.filter_map(|i| self.item(i)).collect(), loc),
            Rule::weight_decl => Item::Weight(self.number(&args.next()?)),
            Rule::aggregate_decl => {
                let normalised = all.any(|a| a.as_rule() == Rule::kw_normalised);
                let func = self.name(&args.next()?);
                let over = args
                    .next()
                    .and_then(|o| Self::args(o).next())
                    .map(|o| self.name(&o));
                Item::Aggregate {
                    func,
                    normalised,
                    over,
                }
            }
            Rule::score_decl => Item::Score(self.expr(args.next()?)),
            Rule::na_decl => Item::Na(self.name(&args.next()?)),
            Rule::applies_decl => Item::Applies(self.expr(args.next()?)),
            Rule::use_bands => {
                let name = self.name(&args.next()?);
                let on = args.find(|p| p.as_rule() == Rule::expr).map(|p| self.expr(p));
                Item::UseBands(name, on)
            }
            Rule::choice_decl => Item::Choice(self.option_source(args.next()?)),
            Rule::multi_decl => {
                let opts = self.option_source(args.next()?);
                let combine = args
                    .next()
                    .and_then(|c| Self::args(c).next())
                    .map(|c| self.name(&c));
                Item::Multi(opts, combine)
            }
            Rule::number_decl => {
                let mut unit = None;
                let mut range = None;
                for a in args {
                    match a.as_rule() {
                        Rule::unit => unit = a.into_inner().next().map(|u| self.name(&u)),
                        Rule::range => range = Some(self.range(a)),
                        _ => {}
                    }
                }
                Item::Number(unit, range, loc)
            }
            Rule::yesno_decl => Item::YesNo(loc),
            Rule::unit_decl => {
                let word = args.next()?.into_inner().next().map(|w| self.name(&w))?;
                let mut of = None;
                let mut range = None;
                for a in args {
                    match a.as_rule() {
                        Rule::number => of = Some(self.number(&a)),
                        Rule::range => range = Some(self.range(a)),
                        _ => {}
                    }
                }
                Item::Unit(UnitDecl { word, of, range, loc })
            }
            Rule::headline_decl => Item::Headline(args.map(|a| self.name(&a)).collect(), loc),
            Rule::baseline_decl | Rule::target_decl => {
                let v = all.nth(1)?;
                let val = match v.as_rule() {
                    Rule::number => Some(self.number(&v).node),
                    _ => None,
                };
                let s = Spanned {
                    node: val,
                    loc: self.loc(&v),
                };
                if rule == Rule::baseline_decl {
                    Item::Baseline(s)
                } else {
                    Item::Target(s)
                }
            }
            Rule::direction_decl => Item::Direction(self.name(&args.next()?)),
            Rule::node => {
                self.nodes += 1;
                if self.nodes == super::MAX_NODES + 1 {
                    self.diags.push(SyntaxError::TooManyNodes {
                        max: super::MAX_NODES,
                        src: self.src.clone(),
                        span: loc.span,
                    });
                }
                if self.nodes > super::MAX_NODES {
                    // Past the limit: reported once, and not built.
                    return None;
                }
                let level = self.name(&args.next()?);
                let id = self.name(&args.next()?);
                let items = args.filter_map(|i| self.item(i)).collect();
                Item::Node(Node {
                    level,
                    id,
                    items,
                    loc,
                })
            }
            _ => return None,
        })
    }

    fn fields<'i>(&mut self, args: impl Iterator<Item = Pair<'i, Rule>>) -> Option<Vec<Field>> {
        let mut fields = Vec::new();
        for f in args {
            let mut i = f.into_inner();
            let name = self.name(&i.next()?);
            let ty_pair = i.next()?.into_inner().next()?;
            let mut value_labels = Vec::new();
            let ty = match ty_pair.as_rule() {
                Rule::enum_type => {
                    let mut values = Vec::new();
                    for v in Self::args(ty_pair) {
                        if v.as_rule() == Rule::enum_block {
                            for item in v.into_inner() {
                                let mut parts = item.into_inner();
                                let Some(id) = parts.next() else { continue };
                                values.push(self.name(&id));
                                value_labels.push(parts.next().map(|t| self.text(t)));
                            }
                        } else {
                            values.push(self.name(&v));
                        }
                    }
                    FieldType::Enum(values)
                }
                Rule::kw_bool => FieldType::Bool,
                _ => FieldType::Number,
            };
            // `one of { a b }` without a label means `one of a, b`.
            if value_labels.iter().all(Option::is_none) {
                value_labels.clear();
            }
            let label = i.next().map(|t| self.text(t));
            fields.push(Field {
                name,
                ty,
                label,
                value_labels,
            });
        }
        Some(fields)
    }

    fn option_source(&mut self, p: Pair<'_, Rule>) -> Options {
        match p.as_rule() {
            Rule::option_list => {
                let loc = self.loc(&p);
                Options::Inline(self.options(p), loc)
            }
            _ => Options::Scale(self.name(&p)),
        }
    }

    fn options(&mut self, p: Pair<'_, Rule>) -> Vec<OptionDecl> {
        let mut out = Vec::new();
        for o in p.into_inner() {
            let mut i = o.into_inner();
            let (Some(id), Some(w)) = (i.next(), i.next()) else {
                continue;
            };
            let weight = match w.as_rule() {
                Rule::number => {
                    let n = self.number(&w);
                    Spanned {
                        node: Some(n.node),
                        loc: n.loc,
                    }
                }
                _ => Spanned {
                    node: None,
                    loc: self.loc(&w),
                },
            };
            let label = i.next().map(|t| self.text(t));
            out.push(OptionDecl {
                id: self.name(&id),
                ignore: w.as_rule() == Rule::kw_ignore,
                weight,
                label,
            });
        }
        out
    }

    fn range(&mut self, p: Pair<'_, Rule>) -> Range {
        let loc = self.loc(&p);
        let start = p.as_span().start();
        let dots = p.as_str().find("..").map_or(start, |d| start + d);
        let mut min = None;
        let mut max = None;
        for n in p.into_inner() {
            let v = self.number(&n);
            if n.as_span().start() < dots {
                min = Some(v);
            } else {
                max = Some(v);
            }
        }
        Range { min, max, loc }
    }

    /// The location of an `expr` or `arg` pair without the whitespace and
    /// comments pest includes after its last operand.
    fn expr_loc(&self, p: &Pair<'_, Rule>) -> Loc {
        fn end(p: &Pair<'_, Rule>) -> usize {
            match p.as_rule() {
                Rule::expr | Rule::arg | Rule::if_expr => p
                    .clone()
                    .into_inner()
                    .last()
                    .map_or(p.as_span().end(), |l| end(&l)),
                _ => p.as_span().end(),
            }
        }
        Loc::new(self.src, p.as_span().start(), end(p))
    }

    fn expr(&mut self, p: Pair<'_, Rule>) -> Expr {
        let loc = self.expr_loc(&p);
        let ops = p
            .clone()
            .into_inner()
            .filter(|q| {
                matches!(
                    q.as_rule(),
                    Rule::op_neg
                        | Rule::op_not
                        | Rule::op_add
                        | Rule::op_sub
                        | Rule::op_mul
                        | Rule::op_div
                        | Rule::op_le
                        | Rule::op_ge
                        | Rule::op_ne
                        | Rule::op_eq
                        | Rule::op_lt
                        | Rule::op_gt
                        | Rule::op_and
                        | Rule::op_or
                        | Rule::op_in
                )
            })
            .count();
        if ops > super::MAX_OPERATORS {
            self.diags.push(SyntaxError::FormulaTooLong {
                count: ops,
                max: super::MAX_OPERATORS,
                src: self.src.clone(),
                span: loc.span,
            });
            return Expr {
                kind: ExprKind::Number(Decimal::ZERO),
                loc,
            };
        }
        // Each operator may nest one level (a chain `a + b + …` nests to the
        // left), and every bracket, `if`, call or list around this
        // expression has added its own: an upper bound on the depth of the
        // tree built here, checked before the Pratt parser recurses.
        if self.depth == 0 {
            self.too_deep = false;
        }
        let depth = self.depth + ops.max(1);
        if depth > super::MAX_EXPR_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                self.diags.push(SyntaxError::ExprTooDeep {
                    max: super::MAX_EXPR_DEPTH,
                    src: self.src.clone(),
                    span: loc.span,
                    label: "nested too deeply here".into(),
                    help: "split the expression with `let` values or `formula` templates, or let a group aggregate the parts".into(),
                });
            }
            return Expr {
                kind: ExprKind::Number(Decimal::ZERO),
                loc,
            };
        }
        let outer = std::mem::replace(&mut self.depth, depth);
        let out = self.pratt(p);
        self.depth = outer;
        out
    }

    /// Folds the operands and operators of an `expr` pair by precedence.
    fn pratt(&mut self, p: Pair<'_, Rule>) -> Expr {
        let pairs = p.into_inner();
        // The Pratt closures need `&mut self`; share it through a RefCell.
        let this = std::cell::RefCell::new(self);
        let out = PRATT
            .map_primary(|prim| this.borrow_mut().primary(prim))
            .map_prefix(|op, rhs| {
                let loc = this.borrow().loc(&op).to(&rhs.loc);
                let op = if op.as_rule() == Rule::op_neg {
                    UnOp::Neg
                } else {
                    UnOp::Not
                };
                Expr {
                    kind: ExprKind::Unary(op, Box::new(rhs)),
                    loc,
                }
            })
            .map_infix(|lhs, op, rhs| {
                let loc = lhs.loc.to(&rhs.loc);
                let op = match op.as_rule() {
                    Rule::op_add => BinOp::Add,
                    Rule::op_sub => BinOp::Sub,
                    Rule::op_mul => BinOp::Mul,
                    Rule::op_div => BinOp::Div,
                    Rule::op_eq => BinOp::Eq,
                    Rule::op_ne => BinOp::Ne,
                    Rule::op_lt => BinOp::Lt,
                    Rule::op_le => BinOp::Le,
                    Rule::op_gt => BinOp::Gt,
                    Rule::op_ge => BinOp::Ge,
                    Rule::op_and => BinOp::And,
                    Rule::op_or => BinOp::Or,
                    _ => BinOp::In,
                };
                Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                    loc,
                }
            })
            .parse(pairs);
        out
    }

    /// A call argument: an expression, or `PATH where COND`.
    fn arg(&mut self, p: Pair<'_, Rule>) -> Expr {
        let loc = self.expr_loc(&p);
        let mut i = Self::args(p).map(|e| self.expr(e));
        match (i.next(), i.next()) {
            (Some(e), Some(c)) => Expr {
                kind: ExprKind::Where(Box::new(e), Box::new(c)),
                loc,
            },
            (Some(e), None) => e,
            _ => Expr {
                kind: ExprKind::Number(Decimal::ZERO),
                loc,
            },
        }
    }

    fn primary(&mut self, p: Pair<'_, Rule>) -> Expr {
        let loc = self.expr_loc(&p);
        let kind = match p.as_rule() {
            Rule::number => ExprKind::Number(self.number(&p).node),
            Rule::string => ExprKind::Str(self.string(&p).node),
            Rule::path | Rule::tpath => ExprKind::Path(p.as_str().to_string()),
            Rule::paren => {
                return match p.into_inner().next() {
                    Some(e) => {
                        let mut e = self.expr(e);
                        e.loc = loc;
                        e
                    }
                    None => Expr {
                        kind: ExprKind::Number(Decimal::ZERO),
                        loc,
                    },
                }
            }
            Rule::list => ExprKind::List(p.into_inner().map(|e| self.expr(e)).collect()),
            Rule::call => {
                let mut i = p.into_inner();
                let name = i.next().map(|n| self.name(&n)).unwrap_or(Spanned {
                    node: String::new(),
                    loc: loc.clone(),
                });
                ExprKind::Call(name, i.map(|a| self.arg(a)).collect())
            }
            Rule::if_expr => {
                let mut i = Self::args(p).map(|e| self.expr(e));
                match (i.next(), i.next(), i.next()) {
                    (Some(c), Some(a), Some(b)) => ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
                    _ => ExprKind::Number(Decimal::ZERO),
                }
            }
            _ => ExprKind::Number(Decimal::ZERO),
        };
        Expr { kind, loc }
    }
}
