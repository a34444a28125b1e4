//! A compact, fully parenthesised prefix form of expressions, used in
//! snapshots and `--explain`: `a + b * 2` prints as `(+ a (* b 2))`.

use std::fmt;

use super::{Expr, ExprKind, UnOp};

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Number(n) => write!(f, "{}", n.normalize()),
            ExprKind::Str(s) => write!(f, "{s:?}"),
            ExprKind::Path(p) => f.write_str(p),
            ExprKind::List(items) => {
                f.write_str("[")?;
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{e}")?;
                }
                f.write_str("]")
            }
            ExprKind::Call(name, args) => {
                write!(f, "({}", name.node)?;
                for a in args {
                    write!(f, " {a}")?;
                }
                f.write_str(")")
            }
            ExprKind::Unary(UnOp::Neg, e) => write!(f, "(- {e})"),
            ExprKind::Unary(UnOp::Not, e) => write!(f, "(not {e})"),
            ExprKind::Binary(op, a, b) => write!(f, "({} {a} {b})", op.symbol()),
            ExprKind::If(c, a, b) => write!(f, "(if {c} {a} {b})"),
            ExprKind::Where(a, c) => write!(f, "(where {a} {c})"),
        }
    }
}
