//! Every name a document declares or uses, with its byte span, found by
//! walking the library's AST (no second parser): the basis of hover, go to
//! definition, references, rename and document symbols.

use mizan::ast::{self, CaseItem, Document, Expect, ExprKind, Item, Options, TestValue};
use mizan::diag::Loc;

/// What a name names; names of different kinds never refer to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ns {
    /// Nodes, lets, formulas, functions, profile fields: the names a
    /// formula can use.
    Value,
    /// Answer scales.
    Scale,
    /// Band sets.
    Band,
    /// Levels.
    Level,
    /// An option of a scale or of an inline option list (declarations only).
    Option,
}

/// What a declaration declares (for hover and the outline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DefKind {
    /// A group or criterion, with its level word.
    Node(String),
    /// `let`.
    Let,
    /// `formula`.
    Formula,
    /// `function`.
    Function,
    /// A profile or instance field.
    Field,
    /// `scale`.
    Scale,
    /// `bands`.
    Band,
    /// A level.
    Level,
    /// An option; the scale's name, or the criterion's id for inline ones.
    Option(String),
}

/// One occurrence of a name.
#[derive(Clone, Debug)]
pub struct Occ {
    /// The name as written.
    pub name: String,
    /// Its kind.
    pub ns: Ns,
    /// Byte span of the name.
    pub start: usize,
    /// End of the span.
    pub end: usize,
    /// `Some` for a declaration.
    pub def: Option<DefKind>,
    /// For a node declaration, the span of the whole declaration and the
    /// index of its parent declaration (for the outline).
    pub body: Option<(usize, usize, Option<usize>)>,
}

/// The names of one document, in source order.
#[derive(Default)]
pub struct Index {
    /// Every occurrence.
    pub occs: Vec<Occ>,
}

fn span(l: &Loc) -> (usize, usize) {
    (l.span.offset(), l.span.offset() + l.span.len())
}

impl Index {
    /// Indexes a parsed rule or test file.
    pub fn new(doc: &Document) -> Self {
        let mut ix = Index::default();
        match doc {
            Document::Rubric(f) => ix.items(&f.rubric.items, None),
            Document::Tests(t) => ix.tests(t),
        }
        ix
    }

    fn push(&mut self, n: &ast::Name, ns: Ns, def: Option<DefKind>) -> usize {
        let (start, end) = span(&n.loc);
        self.occs.push(Occ {
            name: n.node.clone(),
            ns,
            start,
            end,
            def,
            body: None,
        });
        self.occs.len() - 1
    }

    fn items(&mut self, items: &[Item], parent: Option<usize>) {
        for it in items {
            self.item(it, parent);
        }
    }

    fn item(&mut self, it: &Item, parent: Option<usize>) {
        match it {
            Item::Levels(ls, _) => {
                for l in ls {
                    self.push(&l.name, Ns::Level, Some(DefKind::Level));
                }
            }
            Item::Profile(fs, _) | Item::Fields(fs, _) => {
                for f in fs {
                    self.push(&f.name, Ns::Value, Some(DefKind::Field));
                }
            }
            Item::Scale(s) => {
                self.push(&s.name, Ns::Scale, Some(DefKind::Scale));
                for o in &s.options {
                    self.push(&o.id, Ns::Option, Some(DefKind::Option(s.name.node.clone())));
                }
            }
            Item::Bands(b) => {
                self.push(&b.name, Ns::Band, Some(DefKind::Band));
            }
            Item::Let(n, e) => {
                self.push(n, Ns::Value, Some(DefKind::Let));
                self.expr(e);
            }
            Item::Formula(n, e) => {
                self.push(n, Ns::Value, Some(DefKind::Formula));
                self.expr(e);
            }
            Item::Function(f) => {
                self.push(&f.name, Ns::Value, Some(DefKind::Function));
                self.expr(&f.body);
            }
            Item::Population(items, _) => self.items(items, parent),
            Item::Score(e) | Item::Applies(e) | Item::Requires(e) => self.expr(e),
            Item::Constraint(c) => self.expr(&c.expr),
            Item::Rank(Some(e), _) => self.expr(e),
            Item::UseBands(n, e) => {
                self.push(n, Ns::Band, None);
                if let Some(e) = e {
                    self.expr(e);
                }
            }
            Item::Choice(o) | Item::Multi(o, _) => match o {
                Options::Scale(n) => {
                    self.push(n, Ns::Scale, None);
                }
                Options::Inline(os, _) => {
                    let owner = parent
                        .and_then(|p| self.occs.get(p))
                        .map(|o| o.name.clone())
                        .unwrap_or_default();
                    for o in os {
                        self.push(&o.id, Ns::Option, Some(DefKind::Option(owner.clone())));
                    }
                }
            },
            Item::Repeated(r, _) => {
                if let Some((e, _)) = &r.switch {
                    self.expr(e);
                }
            }
            Item::Renamed(_, new) => {
                self.push(new, Ns::Value, None);
            }
            Item::Headline(ns, _) => {
                for n in ns {
                    self.push(n, Ns::Value, None);
                }
            }
            Item::Node(n) => self.node(n, parent),
            Item::Template(t) => {
                for n in &t.nodes {
                    self.node(n, parent);
                }
            }
            _ => {}
        }
    }

    fn node(&mut self, n: &ast::Node, parent: Option<usize>) {
        self.push(&n.level, Ns::Level, None);
        let me = self.push(&n.id, Ns::Value, Some(DefKind::Node(n.level.node.clone())));
        let (s, e) = span(&n.loc);
        if let Some(o) = self.occs.get_mut(me) {
            o.body = Some((s, e, parent));
        }
        self.items(&n.items, Some(me));
    }

    fn expr(&mut self, e: &ast::Expr) {
        match &e.kind {
            ExprKind::Path(p) => {
                let (start, end) = span(&e.loc);
                // `a.b` of an instance field: the whole path when it names
                // something, else its first part (resolved later).
                self.occs.push(Occ {
                    name: p.clone(),
                    ns: Ns::Value,
                    start,
                    end,
                    def: None,
                    body: None,
                });
            }
            ExprKind::List(es) => es.iter().for_each(|e| self.expr(e)),
            ExprKind::Call(n, args) => {
                self.push(n, Ns::Value, None);
                args.iter().for_each(|e| self.expr(e));
            }
            ExprKind::Unary(_, a) => self.expr(a),
            ExprKind::Binary(_, a, b) | ExprKind::Where(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::If(a, b, c) => {
                self.expr(a);
                self.expr(b);
                self.expr(c);
            }
            ExprKind::Number(_) | ExprKind::Str(_) => {}
        }
    }

    fn tests(&mut self, t: &ast::TestFile) {
        for c in &t.cases {
            for it in &c.items {
                match it {
                    CaseItem::Answer(n, v) => {
                        self.push(n, Ns::Value, None);
                        if let TestValue::Word(w) = v {
                            self.push(w, Ns::Option, None);
                        }
                    }
                    CaseItem::Profile(fs, _) => {
                        for (n, _) in fs {
                            self.push(n, Ns::Value, None);
                        }
                    }
                    CaseItem::Expect(Expect::Band { node, set, .. }) => {
                        if let Some(n) = node {
                            self.push(n, Ns::Value, None);
                        }
                        if let Some(s) = set {
                            self.push(s, Ns::Band, None);
                        }
                    }
                    CaseItem::Expect(Expect::Value { node, .. }) => {
                        self.push(node, Ns::Value, None);
                    }
                    _ => {}
                }
            }
        }
    }

    /// The occurrence under byte offset `at` (a cursor just after a name
    /// counts as on it).
    pub fn at(&self, at: usize) -> Option<&Occ> {
        self.occs
            .iter()
            .filter(|o| o.start <= at && at <= o.end)
            .min_by_key(|o| o.end - o.start)
    }

    /// The declaration a name of kind `ns` refers to.
    pub fn def(&self, name: &str, ns: Ns) -> Option<&Occ> {
        let find = |n: &str| {
            self.occs
                .iter()
                .find(|o| o.def.is_some() && o.ns == ns && o.name == n)
        };
        find(name).or_else(|| name.split_once('.').and_then(|(a, _)| find(a)))
    }

    /// Every occurrence of the declaration `name` of kind `ns`.
    pub fn refs<'a>(&'a self, name: &'a str, ns: Ns) -> impl Iterator<Item = &'a Occ> + 'a {
        self.occs.iter().filter(move |o| o.ns == ns && o.name == name)
    }
}
