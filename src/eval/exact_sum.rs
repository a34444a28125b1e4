//! An exact, order-independent sum of decimals, for the population level.
//!
//! Decimal addition rounds when the exact sum does not fit 96 bits of
//! mantissa, so folding the same scores in two orders can differ in the
//! last digit. Here every score is added exactly, as an integer count of
//! 10⁻²⁸ in 256 bits (a score is below 2⁹⁶ × 10²⁸ < 2¹⁹⁰ of them, so 2⁶⁴
//! scores cannot overflow), and the total is rounded once, at the end, to
//! the nearest decimal (ties to even). The result depends only on the
//! multiset of scores: not on their order, nor on how a stream is chunked.

use rust_decimal::Decimal;

/// A non-negative integer below 2²⁵⁶, in little-endian 64-bit limbs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Wide([u64; 4]);

/// 2⁹⁶: a decimal's mantissa is below it.
const MANTISSA_END: Wide = Wide([0, 1 << 32, 0, 0]);

impl Wide {
    fn from_u128(x: u128) -> Self {
        Wide([x as u64, (x >> 64) as u64, 0, 0])
    }

    /// `self × k`; `false` when it overflows 256 bits.
    fn mul_small(&mut self, k: u64) -> bool {
        let mut carry = 0u128;
        for limb in &mut self.0 {
            let p = u128::from(*limb) * u128::from(k) + carry;
            *limb = p as u64;
            carry = p >> 64;
        }
        carry == 0
    }

    /// `self + o`; `false` when it overflows 256 bits.
    fn add(&mut self, o: &Wide) -> bool {
        let mut carry = false;
        for (a, b) in self.0.iter_mut().zip(o.0) {
            let (s, c1) = a.overflowing_add(b);
            let (s, c2) = s.overflowing_add(u64::from(carry));
            *a = s;
            carry = c1 || c2;
        }
        !carry
    }

    /// `self - o`, for `self >= o`.
    fn sub(&mut self, o: &Wide) {
        let mut borrow = false;
        for (a, b) in self.0.iter_mut().zip(o.0) {
            let (d, b1) = a.overflowing_sub(b);
            let (d, b2) = d.overflowing_sub(u64::from(borrow));
            *a = d;
            borrow = b1 || b2;
        }
    }

    /// `self / d`, returning the remainder.
    fn div_small(&mut self, d: u64) -> u64 {
        let mut rem = 0u128;
        for limb in self.0.iter_mut().rev() {
            let cur = (rem << 64) | u128::from(*limb);
            *limb = (cur / u128::from(d)) as u64;
            rem = cur % u128::from(d);
        }
        rem as u64
    }

    fn is_odd(&self) -> bool {
        self.0.first().is_some_and(|l| l & 1 == 1)
    }

    fn to_u128(self) -> Option<u128> {
        match self.0 {
            [lo, hi, 0, 0] => Some(u128::from(lo) | (u128::from(hi) << 64)),
            _ => None,
        }
    }
}

impl PartialOrd for Wide {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Wide {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

/// The largest scale of a decimal.
const MAX_SCALE: u32 = 28;

/// 10^k for k ≤ 19 (fits 64 bits).
fn pow10(k: u32) -> u64 {
    10u64.pow(k.min(19))
}

/// An exact running sum of decimals (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct ExactSum {
    /// Sum of the positive addends, in units of 10⁻²⁸.
    pos: Wide,
    /// Sum of the magnitudes of the negative addends, in units of 10⁻²⁸.
    neg: Wide,
    /// Largest scale of a non-zero addend.
    scale: u32,
    /// Largest scale of any addend (the scale of a zero total).
    zero_scale: u32,
    /// Set when 256 bits were not enough (more than 2⁶⁴ addends).
    overflow: bool,
}

impl ExactSum {
    /// Adds `d` exactly.
    pub fn add(&mut self, d: Decimal) {
        let s = d.scale().min(MAX_SCALE);
        self.zero_scale = self.zero_scale.max(s);
        if d.is_zero() {
            return;
        }
        self.scale = self.scale.max(s);
        let mut w = Wide::from_u128(d.mantissa().unsigned_abs());
        let k = MAX_SCALE - s;
        let ok = w.mul_small(pow10(k.min(19))) && (k <= 19 || w.mul_small(pow10(k - 19)));
        let ok = ok
            && if d.is_sign_negative() {
                self.neg.add(&w)
            } else {
                self.pos.add(&w)
            };
        self.overflow |= !ok;
    }

    /// The sum, rounded once to the nearest decimal (ties to even) at the
    /// largest scale of a non-zero addend or fewer places; `None` when its
    /// integer part does not fit a decimal.
    pub fn get(&self) -> Option<Decimal> {
        if self.overflow {
            return None;
        }
        let (mut mag, negative) = if self.pos >= self.neg {
            let mut m = self.pos;
            m.sub(&self.neg);
            (m, false)
        } else {
            let mut m = self.neg;
            m.sub(&self.pos);
            (m, true)
        };
        if mag == Wide::default() {
            return Some(Decimal::new(0, self.zero_scale));
        }
        // Exact at the largest scale of an addend: every addend is a whole
        // number of 10^-scale.
        let mut scale = self.scale;
        let k = MAX_SCALE - scale;
        mag.div_small(pow10(k.min(19)));
        if k > 19 {
            mag.div_small(pow10(k - 19));
        }
        // Fewer places until the mantissa fits, rounding once.
        while mag >= MANTISSA_END {
            if scale == 0 {
                return None;
            }
            let mut sticky = false;
            let mut last = 0;
            while mag >= MANTISSA_END && scale > 0 {
                sticky |= last != 0;
                last = mag.div_small(10);
                scale -= 1;
            }
            if last > 5 || (last == 5 && (sticky || mag.is_odd())) {
                mag.add(&Wide::from_u128(1));
            }
        }
        let m = i128::try_from(mag.to_u128()?).ok()?;
        Decimal::try_from_i128_with_scale(if negative { -m } else { m }, scale).ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a test fails by panicking")]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn sum(ds: &[&str]) -> Option<Decimal> {
        let mut s = ExactSum::default();
        for d in ds {
            s.add(Decimal::from_str(d).unwrap());
        }
        s.get()
    }

    #[test]
    fn exact_when_the_fold_is_exact() {
        assert_eq!(sum(&["0.1", "0.2"]).unwrap().to_string(), "0.3");
        assert_eq!(sum(&["0.50", "1"]).unwrap().to_string(), "1.50");
        assert_eq!(sum(&["1", "-0.25"]).unwrap().to_string(), "0.75");
        assert_eq!(sum(&["-1", "-0.25"]).unwrap().to_string(), "-1.25");
        assert_eq!(sum(&[]).unwrap().to_string(), "0");
        assert_eq!(sum(&["0.00", "0"]).unwrap().to_string(), "0.00");
    }

    #[test]
    fn rounds_once_whatever_the_order() {
        let a = "0.3333333333333333333333333333";
        let b = "0.6666666666666666666666666667";
        let c = "7.0000000000000000000000000001";
        let orders = [[a, b, c], [c, b, a], [b, c, a], [a, c, b]];
        let sums: Vec<_> = orders.iter().map(|o| sum(o).unwrap()).collect();
        // 8.0000000000000000000000000001 exactly, which needs 29 digits: one
        // rounding, to even, gives 8.000000000000000000000000000.
        assert!(sums.iter().all(|s| *s == sums[0]), "{sums:?}");
        assert_eq!(
            sums[0],
            Decimal::from_str("8.000000000000000000000000000").unwrap()
        );
        // Ties go to even.
        assert_eq!(
            sum(&["4.0000000000000000000000000002", "4.0000000000000000000000000003"]),
            Decimal::from_str("8.000000000000000000000000000").ok()
        );
        assert_eq!(
            sum(&["4.0000000000000000000000000002", "4.0000000000000000000000000013"]),
            Decimal::from_str("8.000000000000000000000000002").ok()
        );
    }

    #[test]
    fn refuses_what_no_decimal_holds() {
        assert_eq!(sum(&["79228162514264337593543950335", "1"]), None);
        assert!(sum(&["79228162514264337593543950335", "-1"]).is_some());
    }
}
