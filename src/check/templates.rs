//! Templates, instance lists and functions with parameters, expanded into
//! ordinary declarations before the rest of the checker runs.
//!
//! ```text
//! instances category { pop en "Population" { group: social } … }
//! template element for category {
//!   group $ { criterion $.ind { … }  criterion $.y5 { score min(value, ind) } }
//! }
//! formula share(k, n) = k / n
//! ```
//!
//! The expansion is a rewrite of the syntax tree:
//!
//! * each `template NAME for LIST` is replaced, where it stands, by one copy
//!   of its nodes per instance of LIST, `$` in a node id becoming the
//!   instance id (`$.ind` → `pop.ind`);
//! * inside a copy, a name that is a node id of the template relative to `$`
//!   (`ind`) means this instance's node (`pop.ind`): a sibling wins over a
//!   node of the same name elsewhere; an instance field (`group`) is the
//!   instance's value, and a comparison of a word field (`group == social`)
//!   is decided here, to `true` or `false`;
//! * anywhere in the rubric, a function argument `LIST.REL` lists the node
//!   REL of every instance (`mean(category.ind)` is `mean(pop.ind, edu.ind)`),
//!   and `LIST.REL where COND` those whose fields satisfy COND, decided here;
//! * a call of a function with parameters is replaced by its body, each
//!   parameter by the argument's expression (a function never calls itself,
//!   directly or not: M0235).
//!
//! The checker then sees only ordinary nodes and expressions, so planning,
//! evaluation and the answer readers need no change; [`Origin`] records, for
//! each node a template made, the template and the instance, and
//! diagnostics found in such a node name them.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use miette::{Diagnostic, LabeledSpan, SourceCode, SourceSpan};
use rust_decimal::Decimal;
use thiserror::Error;

use crate::ast::{self, BinOp, Expr, ExprKind, InstanceValue, Item, UnOp};
use crate::diag::{did_you_mean, Diag, Diagnostics, Src};
use crate::model::{Func, Origin};

/// Most nodes templates may make in one rubric (M0239).
pub const MAX_TEMPLATE_NODES: usize = crate::syntax::MAX_NODES;

/// A problem with a template, an instance list or a function.
#[derive(Debug, Error, Diagnostic)]
#[non_exhaustive]
pub enum TemplateError {
    /// `criterion $.x { … }` outside a template, or `criterion x { … }`
    /// inside one.
    #[error("{what}")]
    #[diagnostic(code(M0231), url("docs/diagnostics.md#m0231"))]
    TemplateId {
        /// What is wrong.
        what: String,
        /// File.
        #[source_code]
        src: Src,
        /// The node id.
        #[label("here")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// `template t for categry { … }` where no `instances categry` exists.
    #[error("unknown instance list `{name}`")]
    #[diagnostic(code(M0232), url("docs/diagnostics.md#m0232"))]
    UnknownList {
        /// The name.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// Reference.
        #[label("no `instances {name}` is declared")]
        span: SourceSpan,
        /// Suggestion.
        #[help]
        help: String,
    },

    /// `pop { group: social }` and `edu { weight: 2 }` in one list.
    #[error("{what}")]
    #[diagnostic(
        code(M0233),
        url("docs/diagnostics.md#m0233"),
        help("every instance of a list gives the same fields, each a number, `true`/`false` or a word in every instance")
    )]
    InstanceField {
        /// What is wrong.
        what: String,
        /// File.
        #[source_code]
        src: Src,
        /// The instance or field.
        #[label("here")]
        span: SourceSpan,
    },

    /// `mean(category.ind where score > 1)`: a selection across instances
    /// that the instance fields do not decide.
    #[error("{what}")]
    #[diagnostic(code(M0234), url("docs/diagnostics.md#m0234"))]
    Selection {
        /// What is wrong.
        what: String,
        /// File.
        #[source_code]
        src: Src,
        /// The selection.
        #[label("here")]
        span: SourceSpan,
        /// How to fix it.
        #[help]
        help: String,
    },

    /// `formula f(x) = g(x)` and `formula g(x) = f(x)`.
    #[error("functions call each other in a cycle: {cycle}")]
    #[diagnostic(
        code(M0235),
        url("docs/diagnostics.md#m0235"),
        help("a function is copied where it is called, so it cannot call itself, directly or through others: compute the repeated part with `let` values or a group")
    )]
    Recursion {
        /// `f -> g -> f`.
        cycle: String,
        /// File.
        #[source_code]
        src: Src,
        /// The call that closes the cycle.
        #[label("this call closes the cycle")]
        span: SourceSpan,
    },

    /// `share(a)` where `formula share(k, n) = …`.
    #[error("`{name}` takes {want} argument{s}, {got} given", s = if *want == 1 { "" } else { "s" })]
    #[diagnostic(code(M0236), url("docs/diagnostics.md#m0236"))]
    Arity {
        /// The function.
        name: String,
        /// Parameters.
        want: usize,
        /// Arguments.
        got: usize,
        /// File.
        #[source_code]
        src: Src,
        /// The call.
        #[label("called here")]
        span: SourceSpan,
        /// The declaration.
        #[help]
        help: String,
    },

    /// `formula f(total) = …` where a node, `let` or formula is `total`.
    #[error("parameter `{name}` has the name of {what}")]
    #[diagnostic(
        code(M0237),
        url("docs/diagnostics.md#m0237"),
        help("a parameter would hide it inside the function body: give the parameter another name")
    )]
    ParamClash {
        /// The parameter.
        name: String,
        /// "a node", "a named value"…
        what: &'static str,
        /// File.
        #[source_code]
        src: Src,
        /// The parameter.
        #[label("parameter")]
        span: SourceSpan,
    },

    /// `score group * 2` inside a template where `group` is a word field.
    #[error("instance field `{name}` is a word, not a value")]
    #[diagnostic(
        code(M0238),
        url("docs/diagnostics.md#m0238"),
        help("compare a word field: `{name} == social`, `{name} in [social, economic]`")
    )]
    WordField {
        /// The field.
        name: String,
        /// File.
        #[source_code]
        src: Src,
        /// The use.
        #[label("used as a value")]
        span: SourceSpan,
    },

    /// 30 templates over a list of 10,000 instances.
    #[error("templates make more than {max} nodes")]
    #[diagnostic(
        code(M0239),
        url("docs/diagnostics.md#m0239"),
        help("each template is copied once per instance of its list: split the rubric")
    )]
    TooManyNodes {
        /// The limit.
        max: usize,
        /// File.
        #[source_code]
        src: Src,
        /// The template that passes it.
        #[label("the limit is passed expanding this")]
        span: SourceSpan,
    },
}

/// A diagnostic found in a node a template made, with the template and the
/// instance it comes from named in its help.
#[derive(Debug)]
struct InInstance {
    inner: Diag,
    note: String,
}

impl std::fmt::Display for InInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for InInstance {}

impl Diagnostic for InInstance {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(match self.inner.help() {
            Some(h) => format!("{}; {h}", self.note),
            None => self.note.clone(),
        }))
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.inner.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.inner.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        self.inner.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }
}

/// Where the diagnostics lists stood: (errors, warnings).
pub(crate) fn mark(d: &Diagnostics) -> (usize, usize) {
    (d.errors.len(), d.warnings.len())
}

/// Names the instance in every diagnostic filed since `from`.
pub(crate) fn note_since(d: &mut Diagnostics, from: (usize, usize), origin: Option<&Origin>) {
    let Some(o) = origin else { return };
    let note = format!("in instance `{}` of template `{}`", o.instance, o.template);
    for list in [(&mut d.errors, from.0), (&mut d.warnings, from.1)] {
        let (v, start) = list;
        for slot in v.iter_mut().skip(start) {
            let inner = std::mem::replace(slot, Box::new(Placeholder));
            *slot = Box::new(InInstance {
                inner,
                note: note.clone(),
            });
        }
    }
}

/// Stands in a list for the moment a diagnostic is wrapped.
#[derive(Debug, Error, Diagnostic)]
#[error("")]
struct Placeholder;

/// The kind of an instance field, from its values.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Number,
    Bool,
    Word,
}

/// A field value of one instance.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Num(Decimal),
    Bool(bool),
    Word(String),
}

fn value(v: &InstanceValue) -> Val {
    match v {
        InstanceValue::Number(n) => Val::Num(n.node),
        InstanceValue::Word(w) if w.node == "true" => Val::Bool(true),
        InstanceValue::Word(w) if w.node == "false" => Val::Bool(false),
        InstanceValue::Word(w) => Val::Word(w.node.clone()),
    }
}

fn kind(v: &Val) -> Kind {
    match v {
        Val::Num(_) => Kind::Number,
        Val::Bool(_) => Kind::Bool,
        Val::Word(_) => Kind::Word,
    }
}

struct List<'f> {
    decl: &'f ast::InstanceList,
    fields: IndexMap<String, Kind>,
    /// Node ids of the templates over this list, relative to `$`.
    rels: HashSet<String>,
}

/// The instance a template is being copied for.
struct Ctx<'l> {
    template: String,
    list: &'l str,
    instance: &'l ast::Instance,
    values: HashMap<String, Val>,
    rels: &'l HashSet<String>,
}

/// True when the file uses templates, instance lists or functions with
/// parameters (or writes `$` in a node id): only then is it rewritten.
fn uses_templates(items: &[Item]) -> bool {
    items.iter().any(|i| match i {
        Item::Template(_) | Item::Instances(_) | Item::Function(_) => true,
        Item::Node(n) => n.id.node.contains('$') || uses_templates(&n.items),
        Item::Population(p, _) => uses_templates(p),
        _ => false,
    })
}

/// The rubric with its templates and functions expanded, and the origin of
/// every node a template made; `None` when the file uses neither.
pub(crate) fn expand(
    file: &ast::File,
    diags: &mut Diagnostics,
) -> Option<(ast::File, IndexMap<String, Origin>)> {
    if !uses_templates(&file.rubric.items) {
        return None;
    }
    let src = file.rubric.loc.src.clone();
    // Functions first: a call inside a template may pass a sibling (`ind`),
    // and a function body may list instances (`mean(category.ind)`).
    let mut items = file.rubric.items.clone();
    functions(&src, &mut items, diags);
    let mut x = Expander {
        src: src.clone(),
        diags,
        lists: IndexMap::new(),
        origins: IndexMap::new(),
        made: 0,
        too_many: false,
    };
    x.lists(&items);
    let items = x.items(&items, None);
    let origins = std::mem::take(&mut x.origins);
    let mut out = file.clone();
    out.rubric.items = items;
    Some((out, origins))
}

struct Expander<'f, 'd> {
    src: Src,
    diags: &'d mut Diagnostics,
    lists: IndexMap<String, List<'f>>,
    origins: IndexMap<String, Origin>,
    made: usize,
    too_many: bool,
}

fn rel_ids(nodes: &[ast::Node], out: &mut HashSet<String>) {
    for n in nodes {
        if let Some(r) = n.id.node.strip_prefix("$.") {
            out.insert(r.to_string());
        }
        let kids: Vec<ast::Node> = n
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Node(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        rel_ids(&kids, out);
    }
}

fn templates_in<'f>(items: &'f [Item], out: &mut Vec<&'f ast::Template>) {
    for i in items {
        match i {
            Item::Template(t) => out.push(t),
            Item::Node(n) => templates_in(&n.items, out),
            _ => {}
        }
    }
}

impl<'f> Expander<'f, '_> {
    fn lists(&mut self, items: &'f [Item]) {
        for i in items {
            let Item::Instances(l) = i else { continue };
            if let Some(first) = self.lists.get(&l.name.node) {
                self.diags.push(super::CheckError::Duplicate {
                    what: "instance list",
                    name: l.name.node.clone(),
                    src: self.src.clone(),
                    span: l.name.loc.span,
                    first: first.decl.name.loc.span,
                });
                continue;
            }
            let mut fields: IndexMap<String, Kind> = IndexMap::new();
            let mut ids: HashMap<&str, &ast::Name> = HashMap::new();
            for inst in &l.instances {
                if let Some(first) = ids.insert(&inst.id.node, &inst.id) {
                    self.diags.push(super::CheckError::Duplicate {
                        what: "instance",
                        name: inst.id.node.clone(),
                        src: self.src.clone(),
                        span: inst.id.loc.span,
                        first: first.loc.span,
                    });
                }
                let mut seen: HashSet<&str> = HashSet::new();
                for (n, v) in &inst.fields {
                    if !seen.insert(&n.node) {
                        self.diags.push(TemplateError::InstanceField {
                            what: format!("instance `{}` gives field `{}` twice", inst.id.node, n.node),
                            src: self.src.clone(),
                            span: n.loc.span,
                        });
                        continue;
                    }
                    let k = kind(&value(v));
                    match fields.get(&n.node) {
                        Some(prev) if *prev != k => self.diags.push(TemplateError::InstanceField {
                            what: format!(
                                "field `{}` of instance `{}` is a {}, and a {} in the instances before it",
                                n.node,
                                inst.id.node,
                                kind_word(&k),
                                kind_word(prev)
                            ),
                            src: self.src.clone(),
                            span: n.loc.span,
                        }),
                        Some(_) => {}
                        None => {
                            fields.insert(n.node.clone(), k);
                        }
                    }
                }
            }
            for inst in &l.instances {
                for f in fields.keys() {
                    if !inst.fields.iter().any(|(n, _)| &n.node == f) {
                        self.diags.push(TemplateError::InstanceField {
                            what: format!("instance `{}` does not give field `{f}`", inst.id.node),
                            src: self.src.clone(),
                            span: inst.id.loc.span,
                        });
                    }
                }
            }
            self.lists.insert(
                l.name.node.clone(),
                List {
                    decl: l,
                    fields,
                    rels: HashSet::new(),
                },
            );
        }
        let mut ts = Vec::new();
        templates_in(items, &mut ts);
        let mut names: HashMap<&str, &ast::Name> = HashMap::new();
        for t in ts {
            if let Some(first) = names.insert(&t.name.node, &t.name) {
                self.diags.push(super::CheckError::Duplicate {
                    what: "template",
                    name: t.name.node.clone(),
                    src: self.src.clone(),
                    span: t.name.loc.span,
                    first: first.loc.span,
                });
            }
            if let Some(l) = self.lists.get_mut(&t.over.node) {
                rel_ids(&t.nodes, &mut l.rels);
            } else {
                let help = did_you_mean(&t.over.node, self.lists.keys().map(String::as_str))
                    .unwrap_or_else(|| "declare the list: `instances NAME { ID en \"Title\" … }`".into());
                self.diags.push(TemplateError::UnknownList {
                    name: t.over.node.clone(),
                    src: self.src.clone(),
                    span: t.over.loc.span,
                    help,
                });
            }
        }
    }

    fn items(&mut self, items: &[Item], ctx: Option<&Ctx<'_>>) -> Vec<Item> {
        let mut out = Vec::with_capacity(items.len());
        for i in items {
            match i {
                Item::Instances(_) => {}
                Item::Template(t) => self.template(t, ctx, &mut out),
                Item::Node(n) => {
                    if let Some(n) = self.node(n, ctx) {
                        out.push(Item::Node(n));
                    }
                }
                other => out.push(self.item(other, ctx)),
            }
        }
        out
    }

    fn template(&mut self, t: &ast::Template, ctx: Option<&Ctx<'_>>, out: &mut Vec<Item>) {
        if ctx.is_some() {
            self.diags.push(TemplateError::TemplateId {
                what: format!("template `{}` is inside another template", t.name.node),
                src: self.src.clone(),
                span: t.name.loc.span,
                help: "write the template beside the other one; a node of one template may read another's nodes by their ids".into(),
            });
            return;
        }
        let Some(list) = self.lists.get(&t.over.node) else {
            return;
        };
        let (decl, fields, rels) = (list.decl, list.fields.clone(), list.rels.clone());
        for inst in &decl.instances {
            let values = inst
                .fields
                .iter()
                .map(|(n, v)| (n.node.clone(), value(v)))
                .filter(|(n, _)| fields.contains_key(n))
                .collect();
            let c = Ctx {
                template: t.name.node.clone(),
                list: &t.over.node,
                instance: inst,
                values,
                rels: &rels,
            };
            for n in &t.nodes {
                if let Some(n) = self.node(n, Some(&c)) {
                    out.push(Item::Node(n));
                }
            }
        }
    }

    fn node(&mut self, n: &ast::Node, ctx: Option<&Ctx<'_>>) -> Option<ast::Node> {
        let mut id = n.id.clone();
        match ctx {
            None if n.id.node.split('.').any(|s| s == "$") => {
                self.diags.push(TemplateError::TemplateId {
                    what: format!("node id `{}` is built from `$` outside a template", n.id.node),
                    src: self.src.clone(),
                    span: n.id.loc.span,
                    help: "`$` stands for the instance id inside `template NAME for LIST { … }`".into(),
                });
                return None;
            }
            None => {}
            Some(c) => {
                if !n.id.node.split('.').any(|s| s == "$") {
                    self.diags.push(TemplateError::TemplateId {
                        what: format!(
                            "node `{}` of template `{}` has the same id in every instance",
                            n.id.node, c.template
                        ),
                        src: self.src.clone(),
                        span: n.id.loc.span,
                        help: format!("build the id from the instance id: `$.{}`", n.id.node),
                    });
                    return None;
                }
                id.node = with_instance(&n.id.node, &c.instance.id.node);
                self.made += 1;
                if self.made > MAX_TEMPLATE_NODES {
                    if !self.too_many {
                        self.too_many = true;
                        self.diags.push(TemplateError::TooManyNodes {
                            max: MAX_TEMPLATE_NODES,
                            src: self.src.clone(),
                            span: n.loc.span,
                        });
                    }
                    return None;
                }
                self.origins.insert(
                    id.node.clone(),
                    Origin {
                        template: c.template.clone(),
                        list: c.list.to_string(),
                        instance: c.instance.id.node.clone(),
                    },
                );
            }
        }
        let mut items = self.items(&n.items, ctx);
        if let Some(c) = ctx {
            for i in &mut items {
                if let Item::Title(t) | Item::Description(t) = i {
                    interpolate(t, c.instance);
                }
            }
            if n.id.node == "$" && !items.iter().any(|i| matches!(i, Item::Title(_))) {
                if let Some(t) = &c.instance.label {
                    items.insert(0, Item::Title(t.clone()));
                }
            }
        }
        Some(ast::Node {
            level: n.level.clone(),
            id,
            items,
            loc: n.loc.clone(),
        })
    }

    fn item(&mut self, i: &Item, ctx: Option<&Ctx<'_>>) -> Item {
        match i {
            Item::Let(n, e) => Item::Let(n.clone(), self.expr(e, ctx)),
            Item::Formula(n, e) => Item::Formula(n.clone(), self.expr(e, ctx)),
            Item::Function(f) => Item::Function(ast::Function {
                name: f.name.clone(),
                params: f.params.clone(),
                body: self.expr(&f.body, None),
            }),
            Item::Score(e) => Item::Score(self.expr(e, ctx)),
            Item::Applies(e) => Item::Applies(self.expr(e, ctx)),
            Item::Requires(e) => Item::Requires(self.expr(e, ctx)),
            Item::UseBands(n, on) => Item::UseBands(n.clone(), on.as_ref().map(|e| self.expr(e, ctx))),
            Item::Rank(c, l) => Item::Rank(c.as_ref().map(|e| self.expr(e, ctx)), l.clone()),
            Item::Repeated(r, l) => Item::Repeated(
                ast::Repeated {
                    rule: r.rule.clone(),
                    switch: r.switch.as_ref().map(|(e, n)| (self.expr(e, ctx), n.clone())),
                    keys: r.keys.clone(),
                },
                l.clone(),
            ),
            Item::Population(p, l) => Item::Population(self.items(p, ctx), l.clone()),
            Item::Constraint(c) => Item::Constraint(ast::Constraint {
                expr: self.expr(&c.expr, ctx),
                level: c.level.clone(),
                message: c.message.clone(),
            }),
            other => other.clone(),
        }
    }

    fn field(&self, p: &str, ctx: Option<&Ctx<'_>>) -> Option<Val> {
        let c = ctx?;
        if c.rels.contains(p) {
            return None;
        }
        c.values.get(p).cloned()
    }

    /// A word on the other side of a comparison with a word field: a bare
    /// name that is no sibling and no field.
    fn word<'e>(&self, e: &'e Expr, ctx: Option<&Ctx<'_>>) -> Option<&'e str> {
        match &e.kind {
            ExprKind::Path(p) if self.field(p, ctx).is_none() && !ctx.is_some_and(|c| c.rels.contains(p)) => {
                Some(p)
            }
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// `group == social` and the like inside a template, decided now.
    fn fold(&self, e: &Expr, ctx: Option<&Ctx<'_>>) -> Option<bool> {
        let ExprKind::Binary(op, a, b) = &e.kind else {
            return None;
        };
        let fa = match &a.kind {
            ExprKind::Path(p) => self.field(p, ctx),
            _ => None,
        };
        let fb = match &b.kind {
            ExprKind::Path(p) => self.field(p, ctx),
            _ => None,
        };
        match (op, fa, fb) {
            (BinOp::Eq | BinOp::Ne, Some(Val::Word(x)), Some(Val::Word(y))) => {
                Some((x == y) == (*op == BinOp::Eq))
            }
            (BinOp::Eq | BinOp::Ne, Some(Val::Word(x)), None) => {
                let y = self.word(b, ctx)?;
                Some((x == y) == (*op == BinOp::Eq))
            }
            (BinOp::Eq | BinOp::Ne, None, Some(Val::Word(y))) => {
                let x = self.word(a, ctx)?;
                Some((x == y) == (*op == BinOp::Eq))
            }
            (BinOp::In, Some(Val::Word(x)), None) => {
                let ExprKind::List(items) = &b.kind else {
                    return None;
                };
                let words: Option<Vec<&str>> = items.iter().map(|i| self.word(i, ctx)).collect();
                Some(words?.contains(&x.as_str()))
            }
            _ => None,
        }
    }

    fn expr(&mut self, e: &Expr, ctx: Option<&Ctx<'_>>) -> Expr {
        let mk = |kind| Expr {
            kind,
            loc: e.loc.clone(),
        };
        if ctx.is_some() {
            if let Some(b) = self.fold(e, ctx) {
                return mk(ExprKind::Path(b.to_string()));
            }
        }
        match &e.kind {
            ExprKind::Path(p) if p.split('.').any(|s| s == "$") => match ctx {
                Some(c) => mk(ExprKind::Path(with_instance(p, &c.instance.id.node))),
                None => {
                    self.diags.push(TemplateError::TemplateId {
                        what: format!("`{p}` is built from `$` outside a template"),
                        src: self.src.clone(),
                        span: e.loc.span,
                        help: "`$` stands for the instance id inside `template NAME for LIST { … }`".into(),
                    });
                    e.clone()
                }
            },
            ExprKind::Path(p) => {
                if let Some(c) = ctx {
                    if c.rels.contains(p) {
                        return mk(ExprKind::Path(format!("{}.{p}", c.instance.id.node)));
                    }
                    match self.field(p, ctx) {
                        Some(Val::Num(n)) => return mk(ExprKind::Number(n)),
                        Some(Val::Bool(b)) => return mk(ExprKind::Path(b.to_string())),
                        Some(Val::Word(_)) => {
                            self.diags.push(TemplateError::WordField {
                                name: p.clone(),
                                src: self.src.clone(),
                                span: e.loc.span,
                            });
                            // Reported once: no "unknown name" after it.
                            return mk(ExprKind::Number(Decimal::ONE));
                        }
                        None => {}
                    }
                }
                if self.list_path(p).is_some() {
                    self.diags.push(TemplateError::Selection {
                        what: format!(
                            "`{p}` lists a node of every instance, and is read only as a function argument"
                        ),
                        src: self.src.clone(),
                        span: e.loc.span,
                        help: format!("pass it to a function: `mean({p})`"),
                    });
                }
                e.clone()
            }
            ExprKind::Number(_) | ExprKind::Str(_) => e.clone(),
            ExprKind::List(v) => mk(ExprKind::List(v.iter().map(|x| self.expr(x, ctx)).collect())),
            ExprKind::Call(name, args) => {
                let mut out = Vec::with_capacity(args.len());
                for a in args {
                    match self.selection(a) {
                        Some(list) => out.extend(list),
                        None => out.push(self.expr(a, ctx)),
                    }
                }
                mk(ExprKind::Call(name.clone(), out))
            }
            ExprKind::Unary(op, a) => mk(ExprKind::Unary(*op, Box::new(self.expr(a, ctx)))),
            ExprKind::Binary(op, a, b) => mk(ExprKind::Binary(
                *op,
                Box::new(self.expr(a, ctx)),
                Box::new(self.expr(b, ctx)),
            )),
            ExprKind::If(c, a, b) => mk(ExprKind::If(
                Box::new(self.expr(c, ctx)),
                Box::new(self.expr(a, ctx)),
                Box::new(self.expr(b, ctx)),
            )),
            // The condition reads the repeated node's fields, not this
            // instance's.
            ExprKind::Where(p, c) => mk(ExprKind::Where(Box::new(self.expr(p, ctx)), c.clone())),
        }
    }

    /// `LIST.REL` → (list, REL) when LIST is an instance list and REL a node
    /// of a template over it.
    fn list_path(&self, p: &str) -> Option<(&List<'f>, String)> {
        let (l, rel) = p.split_once('.')?;
        let list = self.lists.get(l)?;
        list.rels.contains(rel).then(|| (list, rel.to_string()))
    }

    /// A function argument `LIST.REL [where COND]`: the node REL of each
    /// instance (that satisfies COND).
    fn selection(&mut self, a: &Expr) -> Option<Vec<Expr>> {
        let (p, cond) = match &a.kind {
            ExprKind::Path(p) => (p, None),
            ExprKind::Where(p, c) => match &p.kind {
                ExprKind::Path(p) => (p, Some(c.as_ref())),
                _ => return None,
            },
            _ => return None,
        };
        let (list, rel) = self.list_path(p)?;
        let mut out = Vec::new();
        let mut problem = None;
        for inst in &list.decl.instances {
            let values: HashMap<String, Val> = inst
                .fields
                .iter()
                .map(|(n, v)| (n.node.clone(), value(v)))
                .collect();
            let keep = match cond {
                None => true,
                Some(c) => match decide(c, &values) {
                    Ok(b) => b,
                    Err(at) => {
                        problem = Some(at);
                        break;
                    }
                },
            };
            if keep {
                out.push(Expr {
                    kind: ExprKind::Path(format!("{}.{rel}", inst.id.node)),
                    loc: a.loc.clone(),
                });
            }
        }
        let fields: Vec<String> = list.fields.keys().cloned().collect();
        if let Some(at) = problem {
            self.diags.push(TemplateError::Selection {
                what: "a selection across instances reads only the instance fields".into(),
                src: self.src.clone(),
                span: at.span,
                help: format!(
                    "the fields of `{}`: {}; compare them with words, numbers, `true`/`false`, with `==`, `!=`, `<`, `<=`, `>`, `>=`, `in`, `and`, `or`, `not`",
                    list.decl.name.node,
                    if fields.is_empty() { "none".to_string() } else { fields.join(", ") }
                ),
            });
            return Some(vec![a.clone()]);
        }
        if out.is_empty() {
            self.diags.push(TemplateError::Selection {
                what: format!("`{p}` selects no instance"),
                src: self.src.clone(),
                span: a.loc.span,
                help: "check the condition against the instance fields".into(),
            });
            return Some(vec![a.clone()]);
        }
        Some(out)
    }
}

/// `biennial.$` for the instance `i11`: `biennial.i11`.
fn with_instance(id: &str, instance: &str) -> String {
    id.split('.')
        .map(|s| if s == "$" { instance } else { s })
        .collect::<Vec<_>>()
        .join(".")
}

/// `{title}` in a title or description of a template node: the instance's
/// title in the same language (else its first title, else its id); `{id}`:
/// the instance id.
fn interpolate(t: &mut ast::Text, inst: &ast::Instance) {
    for (lang, s) in &mut t.entries {
        if !s.node.contains('{') {
            continue;
        }
        let title = inst
            .label
            .as_ref()
            .and_then(|l| {
                l.entries
                    .iter()
                    .find(|(x, _)| x.node == lang.node)
                    .or_else(|| l.entries.first())
            })
            .map_or(inst.id.node.as_str(), |(_, v)| v.node.as_str());
        s.node = s.node.replace("{title}", title).replace("{id}", &inst.id.node);
    }
}

fn kind_word(k: &Kind) -> &'static str {
    match k {
        Kind::Number => "number",
        Kind::Bool => "true/false",
        Kind::Word => "word",
    }
}

/// A condition on an instance's fields, decided; `Err` at the part that is
/// not about them.
fn decide(e: &Expr, v: &HashMap<String, Val>) -> Result<bool, crate::diag::Loc> {
    match eval(e, v)? {
        Val::Bool(b) => Ok(b),
        _ => Err(e.loc.clone()),
    }
}

fn eval(e: &Expr, v: &HashMap<String, Val>) -> Result<Val, crate::diag::Loc> {
    let err = || e.loc.clone();
    Ok(match &e.kind {
        ExprKind::Number(n) => Val::Num(*n),
        ExprKind::Str(s) => Val::Word(s.clone()),
        ExprKind::Path(p) if p == "true" || p == "false" => Val::Bool(p == "true"),
        ExprKind::Path(p) => v.get(p).cloned().unwrap_or_else(|| Val::Word(p.clone())),
        ExprKind::Unary(UnOp::Not, a) => Val::Bool(!decide(a, v)?),
        ExprKind::Unary(UnOp::Neg, a) => match eval(a, v)? {
            Val::Num(n) => Val::Num(-n),
            _ => return Err(err()),
        },
        ExprKind::Binary(op, a, b) => match op {
            BinOp::And => Val::Bool(decide(a, v)? && decide(b, v)?),
            BinOp::Or => Val::Bool(decide(a, v)? || decide(b, v)?),
            BinOp::In => {
                let x = eval(a, v)?;
                let ExprKind::List(items) = &b.kind else {
                    return Err(err());
                };
                let mut found = false;
                for i in items {
                    found |= eval(i, v)? == x;
                }
                Val::Bool(found)
            }
            BinOp::Eq | BinOp::Ne => {
                let (x, y) = (eval(a, v)?, eval(b, v)?);
                Val::Bool((x == y) == (*op == BinOp::Eq))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => match (eval(a, v)?, eval(b, v)?) {
                (Val::Num(x), Val::Num(y)) => Val::Bool(match op {
                    BinOp::Lt => x < y,
                    BinOp::Le => x <= y,
                    BinOp::Gt => x > y,
                    _ => x >= y,
                }),
                _ => return Err(err()),
            },
            _ => return Err(err()),
        },
        _ => return Err(err()),
    })
}

// ---------------------------------------------------------- functions --

struct Functions<'d> {
    src: Src,
    diags: &'d mut Diagnostics,
    decls: IndexMap<String, ast::Function>,
    stack: Vec<String>,
    /// Cycles reported, by their smallest member.
    cyclic: HashSet<String>,
    made: usize,
    depth: usize,
    too_large: bool,
}

fn node_ids(items: &[Item], out: &mut HashSet<String>) {
    for i in items {
        match i {
            Item::Node(n) => {
                out.insert(n.id.node.clone());
                node_ids(&n.items, out);
            }
            Item::Template(t) => {
                for n in &t.nodes {
                    if let Some(r) = n.id.node.strip_prefix("$.") {
                        out.insert(r.to_string());
                    }
                    node_ids(&n.items, out);
                }
            }
            Item::Population(p, _) => node_ids(p, out),
            _ => {}
        }
    }
}

/// Expands every call of a function with parameters, and drops the
/// function declarations.
fn functions(src: &Src, items: &mut Vec<Item>, diags: &mut Diagnostics) {
    let mut decls: IndexMap<String, ast::Function> = IndexMap::new();
    let mut named: HashMap<String, &'static str> = HashMap::new();
    for i in items.iter() {
        match i {
            Item::Let(n, _) => {
                named.insert(n.node.clone(), "a named value");
            }
            Item::Formula(n, _) => {
                named.insert(n.node.clone(), "a formula");
            }
            _ => {}
        }
    }
    let mut ids = HashSet::new();
    node_ids(items, &mut ids);
    for i in items.iter() {
        let Item::Function(f) = i else { continue };
        let first = decls.get(&f.name.node).map(|d| d.name.loc.span);
        let other = items.iter().find_map(|o| match o {
            Item::Let(n, _) | Item::Formula(n, _) if n.node == f.name.node => Some(n.loc.span),
            _ => None,
        });
        if let Some(first) = first.or(other) {
            diags.push(super::CheckError::Duplicate {
                what: "named value or formula",
                name: f.name.node.clone(),
                src: src.clone(),
                span: f.name.loc.span,
                first,
            });
            continue;
        }
        if Func::ALL.iter().any(|(n, _, _)| *n == f.name.node) {
            diags.push(TemplateError::ParamClash {
                name: f.name.node.clone(),
                what: "a built-in function (the function itself)",
                src: src.clone(),
                span: f.name.loc.span,
            });
            continue;
        }
        let mut seen: HashMap<&str, &ast::Name> = HashMap::new();
        for p in &f.params {
            if let Some(first) = seen.insert(&p.node, p) {
                diags.push(super::CheckError::Duplicate {
                    what: "parameter",
                    name: p.node.clone(),
                    src: src.clone(),
                    span: p.loc.span,
                    first: first.loc.span,
                });
            }
            let what = if ids.contains(&p.node) {
                Some("a node")
            } else if let Some(w) = named.get(&p.node) {
                Some(*w)
            } else if items
                .iter()
                .any(|o| matches!(o, Item::Function(g) if g.name.node == p.node))
            {
                Some("a function")
            } else {
                None
            };
            if let Some(what) = what {
                diags.push(TemplateError::ParamClash {
                    name: p.node.clone(),
                    what,
                    src: src.clone(),
                    span: p.loc.span,
                });
            }
        }
        decls.insert(f.name.node.clone(), f.clone());
    }
    items.retain(|i| !matches!(i, Item::Function(_)));
    if decls.is_empty() {
        return;
    }
    let mut f = Functions {
        src: src.clone(),
        diags,
        decls,
        stack: Vec::new(),
        cyclic: HashSet::new(),
        made: 0,
        depth: 0,
        too_large: false,
    };
    f.items(items);
}

impl Functions<'_> {
    fn items(&mut self, items: &mut [Item]) {
        for i in items.iter_mut() {
            match i {
                Item::Let(_, e)
                | Item::Formula(_, e)
                | Item::Score(e)
                | Item::Applies(e)
                | Item::Requires(e) => {
                    *e = self.expr(e);
                }
                Item::UseBands(_, Some(e)) | Item::Rank(Some(e), _) => *e = self.expr(e),
                Item::Constraint(c) => c.expr = self.expr(&c.expr),
                Item::Repeated(r, _) => {
                    if let Some((e, _)) = &mut r.switch {
                        *e = self.expr(e);
                    }
                }
                Item::Node(n) => self.items(&mut n.items),
                Item::Template(t) => {
                    for n in &mut t.nodes {
                        self.items(&mut n.items);
                    }
                }
                Item::Population(p, _) => self.items(p),
                _ => {}
            }
        }
    }

    fn expr(&mut self, e: &Expr) -> Expr {
        let placeholder = || Expr {
            kind: ExprKind::Number(Decimal::ZERO),
            loc: e.loc.clone(),
        };
        if self.too_large {
            return placeholder();
        }
        self.made += 1;
        if self.made > super::MAX_EXPANDED_NODES || self.depth > super::MAX_EXPANDED_DEPTH {
            self.too_large = true;
            let chain = if self.stack.is_empty() {
                String::new()
            } else {
                format!(" (expanding {})", self.stack.join(" -> "))
            };
            if self.depth > super::MAX_EXPANDED_DEPTH {
                self.diags.push(super::CheckError::ExpandedTooDeep {
                    what: "this expression",
                    max: super::MAX_EXPANDED_DEPTH,
                    chain,
                    src: self.src.clone(),
                    span: e.loc.span,
                });
            } else {
                self.diags.push(super::CheckError::ExpandedTooLarge {
                    max: super::MAX_EXPANDED_NODES,
                    chain,
                    src: self.src.clone(),
                    span: e.loc.span,
                });
            }
            return placeholder();
        }
        self.depth += 1;
        let out = self.expr_at(e);
        self.depth -= 1;
        out
    }

    fn expr_at(&mut self, e: &Expr) -> Expr {
        let mk = |kind| Expr {
            kind,
            loc: e.loc.clone(),
        };
        match &e.kind {
            ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Path(_) => e.clone(),
            ExprKind::List(v) => mk(ExprKind::List(v.iter().map(|x| self.expr(x)).collect())),
            ExprKind::Unary(op, a) => mk(ExprKind::Unary(*op, Box::new(self.expr(a)))),
            ExprKind::Binary(op, a, b) => mk(ExprKind::Binary(
                *op,
                Box::new(self.expr(a)),
                Box::new(self.expr(b)),
            )),
            ExprKind::If(c, a, b) => mk(ExprKind::If(
                Box::new(self.expr(c)),
                Box::new(self.expr(a)),
                Box::new(self.expr(b)),
            )),
            ExprKind::Where(p, c) => mk(ExprKind::Where(Box::new(self.expr(p)), Box::new(self.expr(c)))),
            ExprKind::Call(name, args) => {
                let args: Vec<Expr> = args.iter().map(|a| self.expr(a)).collect();
                let Some(f) = self.decls.get(&name.node).cloned() else {
                    return mk(ExprKind::Call(name.clone(), args));
                };
                if f.params.len() != args.len() {
                    self.diags.push(TemplateError::Arity {
                        name: name.node.clone(),
                        want: f.params.len(),
                        got: args.len(),
                        src: self.src.clone(),
                        span: e.loc.span,
                        help: format!(
                            "declared as `formula {}({})`",
                            f.name.node,
                            f.params
                                .iter()
                                .map(|p| p.node.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                    return mk(ExprKind::Number(Decimal::ZERO));
                }
                if let Some(at) = self.stack.iter().position(|s| *s == name.node) {
                    let mut cycle: Vec<String> = self.stack.get(at..).unwrap_or_default().to_vec();
                    cycle.push(name.node.clone());
                    let key = cycle.iter().min().cloned().unwrap_or_default();
                    if self.cyclic.insert(key) {
                        self.diags.push(TemplateError::Recursion {
                            cycle: cycle.join(" -> "),
                            src: self.src.clone(),
                            span: e.loc.span,
                        });
                    }
                    return mk(ExprKind::Number(Decimal::ZERO));
                }
                let map: HashMap<&str, &Expr> = f
                    .params
                    .iter()
                    .map(|p| p.node.as_str())
                    .zip(args.iter())
                    .collect();
                let body = subst(&f.body, &map);
                self.stack.push(name.node.clone());
                let mut out = self.expr(&body);
                self.stack.pop();
                // Explain and diagnostics about the whole result show the
                // call as written.
                out.loc = e.loc.clone();
                out
            }
        }
    }
}

/// `body` with each parameter replaced by its argument.
fn subst(e: &Expr, map: &HashMap<&str, &Expr>) -> Expr {
    let mk = |kind| Expr {
        kind,
        loc: e.loc.clone(),
    };
    match &e.kind {
        ExprKind::Path(p) => match map.get(p.as_str()) {
            Some(a) => (*a).clone(),
            None => e.clone(),
        },
        ExprKind::Number(_) | ExprKind::Str(_) => e.clone(),
        ExprKind::List(v) => mk(ExprKind::List(v.iter().map(|x| subst(x, map)).collect())),
        ExprKind::Call(n, args) => mk(ExprKind::Call(
            n.clone(),
            args.iter().map(|x| subst(x, map)).collect(),
        )),
        ExprKind::Unary(op, a) => mk(ExprKind::Unary(*op, Box::new(subst(a, map)))),
        ExprKind::Binary(op, a, b) => mk(ExprKind::Binary(
            *op,
            Box::new(subst(a, map)),
            Box::new(subst(b, map)),
        )),
        ExprKind::If(c, a, b) => mk(ExprKind::If(
            Box::new(subst(c, map)),
            Box::new(subst(a, map)),
            Box::new(subst(b, map)),
        )),
        // The condition reads the repeated node's fields: parameters are
        // replaced there too (a parameter may be a value to compare with).
        ExprKind::Where(p, c) => mk(ExprKind::Where(Box::new(subst(p, map)), Box::new(subst(c, map)))),
    }
}
