//! Rounding modes: `round(x, places, MODE)`, `floor`/`ceil`/`trunc`, the
//! display `precision N MODE` and `bands SET on round(score, N, MODE)`.
//! Every mode rounds the exact decimal value (see docs/semantics.md,
//! "Rounding modes", for how this compares with Excel, Python, Go and R).

use rust_decimal::{Decimal, RoundingStrategy};

/// How a value is rounded to a number of decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RoundMode {
    /// Ties away from zero (Excel `ROUND`): 2.5 → 3, -2.5 → -3. The default.
    #[default]
    HalfUp,
    /// Ties to the even neighbour (banker's rounding): 2.5 → 2, 3.5 → 4.
    HalfEven,
    /// Ties towards zero: 2.5 → 2, -2.5 → -2.
    HalfDown,
    /// Towards zero (truncation): 2.9 → 2, -2.9 → -2.
    Down,
    /// Away from zero: 2.1 → 3, -2.1 → -3.
    Up,
    /// Towards negative infinity: 2.9 → 2, -2.1 → -3.
    Floor,
    /// Towards positive infinity: 2.1 → 3, -2.9 → -2.
    Ceiling,
}

impl RoundMode {
    /// Every mode with its name as written.
    pub const ALL: [(&'static str, RoundMode); 7] = [
        ("half_up", RoundMode::HalfUp),
        ("half_even", RoundMode::HalfEven),
        ("half_down", RoundMode::HalfDown),
        ("down", RoundMode::Down),
        ("up", RoundMode::Up),
        ("floor", RoundMode::Floor),
        ("ceiling", RoundMode::Ceiling),
    ];

    /// The mode a name denotes.
    pub fn from_name(name: &str) -> Option<RoundMode> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, m)| *m)
    }

    /// The name as written.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map_or("half_up", |(n, _)| n)
    }

    /// The `rust_decimal` strategy that implements the mode.
    pub fn strategy(self) -> RoundingStrategy {
        match self {
            RoundMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundMode::HalfEven => RoundingStrategy::MidpointNearestEven,
            RoundMode::HalfDown => RoundingStrategy::MidpointTowardZero,
            RoundMode::Down => RoundingStrategy::ToZero,
            RoundMode::Up => RoundingStrategy::AwayFromZero,
            RoundMode::Floor => RoundingStrategy::ToNegativeInfinity,
            RoundMode::Ceiling => RoundingStrategy::ToPositiveInfinity,
        }
    }

    /// `x` rounded to `places` decimal places in this mode (exactly).
    pub fn round(self, x: Decimal, places: u32) -> Decimal {
        x.round_dp_with_strategy(places, self.strategy())
    }
}

/// How scores are shown: `precision N [MODE]` (decimal places of
/// percentages and the rounding mode of display).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Precision {
    /// Decimal places.
    pub places: u32,
    /// Rounding mode of display.
    pub mode: RoundMode,
}

impl Default for Precision {
    fn default() -> Self {
        Precision {
            places: 1,
            mode: RoundMode::HalfUp,
        }
    }
}

impl Precision {
    /// `x` rounded for display.
    pub fn round(self, x: Decimal) -> Decimal {
        self.mode.round(x, self.places)
    }

    /// Decimal places as a `usize` (for `format!`).
    pub fn width(self) -> usize {
        self.places as usize
    }
}

impl std::fmt::Display for Precision {
    /// As written in a rule file: `1`, `1 half_even`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.mode {
            RoundMode::HalfUp => write!(f, "{}", self.places),
            m => write!(f, "{} {}", self.places, m.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn modes_on_ties_and_non_ties() {
        let cases = [
            (
                "2.5",
                [
                    ("half_up", "3"),
                    ("half_even", "2"),
                    ("half_down", "2"),
                    ("down", "2"),
                    ("up", "3"),
                    ("floor", "2"),
                    ("ceiling", "3"),
                ],
            ),
            (
                "-2.5",
                [
                    ("half_up", "-3"),
                    ("half_even", "-2"),
                    ("half_down", "-2"),
                    ("down", "-2"),
                    ("up", "-3"),
                    ("floor", "-3"),
                    ("ceiling", "-2"),
                ],
            ),
            (
                "3.5",
                [
                    ("half_up", "4"),
                    ("half_even", "4"),
                    ("half_down", "3"),
                    ("down", "3"),
                    ("up", "4"),
                    ("floor", "3"),
                    ("ceiling", "4"),
                ],
            ),
            (
                "2.1",
                [
                    ("half_up", "2"),
                    ("half_even", "2"),
                    ("half_down", "2"),
                    ("down", "2"),
                    ("up", "3"),
                    ("floor", "2"),
                    ("ceiling", "3"),
                ],
            ),
        ];
        for (x, modes) in cases {
            for (m, want) in modes {
                let mode = RoundMode::from_name(m).unwrap_or_default();
                assert_eq!(mode.round(d(x), 0), d(want), "{m}({x})");
                assert_eq!(mode.name(), m);
            }
        }
    }
}
