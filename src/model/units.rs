//! Units: how a node's value reads (`unit percent`, `unit points of 100`,
//! `unit number`, `unit score 0..10`), and the range a criterion's score
//! must lie in.

use rust_decimal::Decimal;

/// How a node's value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// A score in [0, 1], shown as a percentage (the default).
    #[default]
    Percent,
    /// A points total, `of` N when declared (shown `82.5 / 100`).
    Points(Option<Decimal>),
    /// A count or plain number (shown `14`).
    Number,
    /// A bounded scale `MIN..MAX` (shown `5.2 / 10`).
    Scale(Decimal, Decimal),
}

impl Unit {
    /// The lowest and highest score a criterion of this unit may have
    /// (`None`: unbounded on that side).
    pub fn range(self) -> (Option<Decimal>, Option<Decimal>) {
        match self {
            Unit::Percent => (Some(Decimal::ZERO), Some(Decimal::ONE)),
            Unit::Points(of) => (Some(Decimal::ZERO), of),
            Unit::Number => (None, None),
            Unit::Scale(lo, hi) => (Some(lo), Some(hi)),
        }
    }

    /// Whether `d` lies in [`Unit::range`].
    pub fn contains(self, d: Decimal) -> bool {
        let (lo, hi) = self.range();
        lo.is_none_or(|lo| d >= lo) && hi.is_none_or(|hi| d <= hi)
    }

    /// Whether every number in `min..max` (either side open) lies in the
    /// unit's range.
    pub fn fits(self, min: Option<Decimal>, max: Option<Decimal>) -> bool {
        let (lo, hi) = self.range();
        let low_ok = match (lo, min) {
            (None, _) => true,
            (Some(lo), Some(m)) => m >= lo,
            (Some(_), None) => false,
        };
        let high_ok = match (hi, max) {
            (None, _) => true,
            (Some(hi), Some(m)) => m <= hi,
            (Some(_), None) => false,
        };
        low_ok && high_ok
    }

    /// The range as written in messages: `0..1`, `0..`, `0..10`, `any number`.
    pub fn range_text(self) -> String {
        match self.range() {
            (Some(lo), Some(hi)) => format!("{}..{}", lo.normalize(), hi.normalize()),
            (Some(lo), None) => format!("{}..", lo.normalize()),
            (None, Some(hi)) => format!("..{}", hi.normalize()),
            (None, None) => "any number".to_string(),
        }
    }

    /// The declaration as written: `percent`, `points of 100`, `score 0..10`.
    pub fn name(self) -> String {
        match self {
            Unit::Percent => "percent".into(),
            Unit::Points(None) => "points".into(),
            Unit::Points(Some(n)) => format!("points of {}", n.normalize()),
            Unit::Number => "number".into(),
            Unit::Scale(lo, hi) => format!("score {}..{}", lo.normalize(), hi.normalize()),
        }
    }

    /// The word of the unit, as in JSON: `percent`, `points`, `number`, `score`.
    pub fn word(self) -> &'static str {
        match self {
            Unit::Percent => "percent",
            Unit::Points(_) => "points",
            Unit::Number => "number",
            Unit::Scale(..) => "score",
        }
    }

    /// The maximum shown after a value (`/ 100`, `/ 10`), if any.
    pub fn out_of(self) -> Option<Decimal> {
        match self {
            Unit::Points(of) => of,
            Unit::Scale(_, hi) => Some(hi),
            Unit::Percent | Unit::Number => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert!(Unit::Percent.contains(d("1")) && !Unit::Percent.contains(d("1.01")));
        assert!(Unit::Points(None).contains(d("1000")) && !Unit::Points(None).contains(d("-1")));
        assert!(Unit::Number.contains(d("-5")));
        assert!(Unit::Scale(d("0"), d("10")).fits(Some(d("0")), Some(d("10"))));
        assert!(!Unit::Scale(d("0"), d("10")).fits(Some(d("0")), None));
        assert!(Unit::Number.fits(None, None));
        assert_eq!(Unit::Scale(d("0"), d("10")).name(), "score 0..10");
    }
}
