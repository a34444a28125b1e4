//! A table's `where` expression: which rows of a sheet to read.
//!
//! ```text
//! expr    = and ("or" and)*
//! and     = unary ("and" unary)*
//! unary   = "not" unary | "(" expr ")" | compare
//! compare = operand (op operand | "not"? "in" list)
//! list    = ("(" | "[") operand ("," operand)* (")" | "]")
//! op      = "<" | "<=" | "==" | "=" | "!=" | ">=" | ">"
//! operand = column | 'text' | "text" | number
//! column  = bare-name | `any name`
//! ```
//!
//! A bare name or a back-quoted one is a column; quoted text and numbers
//! are values. Two sides that both read as numbers compare as exact
//! decimals (`2020` equals `2020.0`); otherwise as text, trimmed and in
//! Unicode NFC (so an `é` typed either way is one letter).
//!
//! A hand parser rather than a second pest grammar or an expression crate
//! (evalexpr and the like evaluate in f64 and bring their own syntax for
//! strings and names): the language is a dozen tokens, and its errors say
//! at which character they are.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;
use unicode_normalization::UnicodeNormalization;

/// A parsed `where` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Either side holds.
    Or(Box<Expr>, Box<Expr>),
    /// Both sides hold.
    And(Box<Expr>, Box<Expr>),
    /// The inside does not hold.
    Not(Box<Expr>),
    /// A comparison.
    Compare(Operand, Op, Operand),
    /// The operand equals one of the list.
    In(Operand, Vec<Operand>),
}

/// A side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A column's cell in the row.
    Column(String),
    /// A value as written.
    Value(String),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==` (or `=`)
    Eq,
    /// `!=`
    Ne,
    /// `>=`
    Ge,
    /// `>`
    Gt,
}

/// A syntax error, at a character (0-based) of the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What was wrong.
    pub message: String,
    /// 0-based character.
    pub at: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.at + 1)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Column(String),
    Text(String),
    Number(String),
    Op(Op),
    Open(char),
    Close(char),
    Comma,
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |message: &str, at: usize| ParseError {
        message: message.into(),
        at,
    };
    while let Some(&c) = chars.get(i) {
        let start = i;
        let next = chars.get(i + 1).copied();
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' | '[' => {
                out.push((start, Tok::Open(c)));
                i += 1;
            }
            ')' | ']' => {
                out.push((start, Tok::Close(c)));
                i += 1;
            }
            ',' => {
                out.push((start, Tok::Comma));
                i += 1;
            }
            '<' | '>' | '=' | '!' => {
                let (op, len) = match (c, next) {
                    ('<', Some('=')) => (Op::Le, 2),
                    ('<', _) => (Op::Lt, 1),
                    ('>', Some('=')) => (Op::Ge, 2),
                    ('>', _) => (Op::Gt, 1),
                    ('=', Some('=')) => (Op::Eq, 2),
                    ('=', _) => (Op::Eq, 1),
                    ('!', Some('=')) => (Op::Ne, 2),
                    _ => return Err(err("`!` must be followed by `=` (write `not` to negate)", start)),
                };
                out.push((start, Tok::Op(op)));
                i += len;
            }
            '\'' | '"' | '`' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err(&format!("the quote {c} is not closed"), start)),
                        Some(&q) if q == c => {
                            if chars.get(i + 1) == Some(&c) {
                                s.push(c);
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(&x) => {
                            s.push(x);
                            i += 1;
                        }
                    }
                }
                if c == '`' {
                    if s.trim().is_empty() {
                        return Err(err("a column name is empty", start));
                    }
                    out.push((start, Tok::Column(s)));
                } else {
                    out.push((start, Tok::Text(s)));
                }
            }
            c if c.is_ascii_digit()
                || (matches!(c, '-' | '+' | '.') && next.is_some_and(|n| n.is_ascii_digit() || n == '.')) =>
            {
                let mut s = String::from(c);
                i += 1;
                while let Some(&d) = chars.get(i) {
                    if d.is_ascii_alphanumeric() || matches!(d, '.' | '_') {
                        s.push(d);
                        i += 1;
                    } else {
                        break;
                    }
                }
                if decimal(&s).is_none() {
                    return Err(err(&format!("`{s}` is not a number"), start));
                }
                out.push((start, Tok::Number(s)));
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut s = String::new();
                while let Some(&d) = chars.get(i) {
                    if d.is_alphanumeric() || matches!(d, '_' | '.' | '-') {
                        s.push(d);
                        i += 1;
                    } else {
                        break;
                    }
                }
                out.push((start, Tok::Word(s)));
            }
            c => return Err(err(&format!("unexpected `{c}`"), start)),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn at(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(a, _)| *a)
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError {
            message: message.into(),
            at: self.at(),
        })
    }

    fn keyword(&mut self, k: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.and()?;
        while self.keyword("or") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.unary()?;
        while self.keyword("and") {
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.keyword("not") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Tok::Open('(')) {
            self.pos += 1;
            let e = self.or()?;
            if self.peek() != Some(&Tok::Close(')')) {
                return self.err("expected `)`");
            }
            self.pos += 1;
            return Ok(e);
        }
        self.compare()
    }

    fn operand(&mut self) -> Result<Operand, ParseError> {
        let o = match self.peek() {
            Some(Tok::Word(w)) if is_keyword(w) => {
                return self.err(format!("expected a column or a value, found `{w}`"))
            }
            Some(Tok::Word(w) | Tok::Column(w)) => Operand::Column(w.clone()),
            Some(Tok::Text(t) | Tok::Number(t)) => Operand::Value(t.clone()),
            Some(_) => return self.err("expected a column or a value"),
            None => return self.err("expected a column or a value, found the end"),
        };
        self.pos += 1;
        Ok(o)
    }

    fn compare(&mut self) -> Result<Expr, ParseError> {
        let left = self.operand()?;
        if let Some(Tok::Op(op)) = self.peek() {
            let op = *op;
            self.pos += 1;
            let right = self.operand()?;
            return Ok(Expr::Compare(left, op, right));
        }
        let negated = self.keyword("not");
        if !self.keyword("in") {
            return self.err(if negated {
                "expected `in` after `not`"
            } else {
                "expected a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`) or `in`"
            });
        }
        let close = match self.peek() {
            Some(Tok::Open('(')) => ')',
            Some(Tok::Open('[')) => ']',
            _ => return self.err("expected a list after `in`: `('a', 'b')`"),
        };
        self.pos += 1;
        let mut list = vec![self.operand()?];
        loop {
            match self.peek() {
                Some(Tok::Comma) => {
                    self.pos += 1;
                    list.push(self.operand()?);
                }
                Some(Tok::Close(c)) if *c == close => {
                    self.pos += 1;
                    break;
                }
                _ => return self.err(format!("expected `,` or `{close}`")),
            }
        }
        let e = Expr::In(left, list);
        Ok(if negated { Expr::Not(Box::new(e)) } else { e })
    }
}

fn is_keyword(w: &str) -> bool {
    ["and", "or", "not", "in"]
        .iter()
        .any(|k| w.eq_ignore_ascii_case(k))
}

/// Parses a `where` expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        end: src.chars().count(),
    };
    if p.peek().is_none() {
        return p.err("the expression is empty");
    }
    let e = p.or()?;
    if p.peek().is_some() {
        return p.err("expected `and`, `or` or the end");
    }
    Ok(e)
}

impl Expr {
    /// The columns the expression reads, each once, in order.
    pub fn columns(&self) -> Vec<&str> {
        fn add<'e>(o: &'e Operand, out: &mut Vec<&'e str>) {
            if let Operand::Column(c) = o {
                if !out.contains(&c.as_str()) {
                    out.push(c.as_str());
                }
            }
        }
        fn walk<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
            match e {
                Expr::Or(a, b) | Expr::And(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Expr::Not(a) => walk(a, out),
                Expr::Compare(a, _, b) => {
                    add(a, out);
                    add(b, out);
                }
                Expr::In(a, l) => {
                    add(a, out);
                    for o in l {
                        add(o, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// True when the row whose cells `cell` gives (by column name, as
    /// text) passes.
    pub fn holds(&self, cell: &dyn Fn(&str) -> String) -> bool {
        let value = |o: &Operand| match o {
            Operand::Column(c) => cell(c),
            Operand::Value(v) => v.clone(),
        };
        match self {
            Expr::Or(a, b) => a.holds(cell) || b.holds(cell),
            Expr::And(a, b) => a.holds(cell) && b.holds(cell),
            Expr::Not(a) => !a.holds(cell),
            Expr::Compare(a, op, b) => {
                let o = compare(&value(a), &value(b));
                match op {
                    Op::Lt => o == Ordering::Less,
                    Op::Le => o != Ordering::Greater,
                    Op::Eq => o == Ordering::Equal,
                    Op::Ne => o != Ordering::Equal,
                    Op::Ge => o != Ordering::Less,
                    Op::Gt => o == Ordering::Greater,
                }
            }
            Expr::In(a, list) => {
                let v = value(a);
                list.iter().any(|o| compare(&v, &value(o)) == Ordering::Equal)
            }
        }
    }
}

/// A text as an exact decimal, when it is one (`.5`, `-1e3` too).
fn decimal(s: &str) -> Option<Decimal> {
    let s = s.trim().trim_start_matches('+');
    let fixed = if let Some(r) = s.strip_prefix("-.") {
        format!("-0.{r}")
    } else if s.starts_with('.') {
        format!("0{s}")
    } else {
        s.to_string()
    };
    Decimal::from_str_exact(&fixed)
        .ok()
        .or_else(|| Decimal::from_scientific(&fixed).ok())
}

/// Two cell values: as exact decimals when both are numbers, else as
/// trimmed NFC text.
fn compare(a: &str, b: &str) -> Ordering {
    match (decimal(a), decimal(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => {
            let x: String = a.trim().nfc().collect();
            let y: String = b.trim().nfc().collect();
            x.cmp(&y)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test fails by panicking")]
    use super::*;

    fn row(c: &str) -> String {
        match c {
            "Year" => "2021".into(),
            "Region" => "GCC".into(),
            "Life event" => "Cafe\u{301}".into(),
            "Score" => "0.50".into(),
            _ => String::new(),
        }
    }

    #[test]
    fn where_expressions_read_and_hold() {
        for (src, want) in [
            ("Year >= 2020", true),
            ("Year == 2021.0", true),
            ("Year < 2021", false),
            ("Region in ('GCC', 'MENA')", true),
            ("Region not in ['GCC']", false),
            ("not Region == 'GCC' or Year > 2000", true),
            ("`Life event` == 'Café'", true),
            ("Score = .5 and (Region != \"EU\")", true),
            ("Missing == ''", true),
            ("Region < 'H'", true),
        ] {
            assert_eq!(parse(src).unwrap().holds(&row), want, "{src}");
        }
    }

    #[test]
    fn where_errors_say_where() {
        for (src, at) in [
            ("Year >=", 7),
            ("Year 2020", 5),
            ("Region in 'GCC'", 10),
            ("(Year > 1", 9),
            ("Year ! 3", 5),
            ("'open", 0),
            ("", 0),
            ("and", 0),
        ] {
            let e = parse(src).unwrap_err();
            assert_eq!(e.at, at, "{src}: {e}");
        }
    }
}
