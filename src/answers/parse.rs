//! The exact reader's JSON: a `serde_json::Value`, built by a visitor that
//! notices repeated keys.
//!
//! `serde_json` (like most JSON readers) keeps the last of two equal keys
//! in an object and says nothing, so `{"id": "moi", "id": "moh"}` would be
//! scored as `moh` by one tool and `moi` by another. This visitor builds
//! the same `Value` (the first of two equal keys is kept) and records the
//! JSON pointer of every repeated key, which the exact reader reports
//! (M0422). Nesting is bounded by `serde_json`'s own recursion limit.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::pointer_token;

/// The key `serde_json` (with `arbitrary_precision`) uses to hand a number
/// to a visitor as a one-entry map of its digits.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A JSON document and the keys repeated in it.
pub struct Json {
    /// The value (of two equal keys, the first).
    pub value: Value,
    /// Every repeated key: its JSON pointer and the key, in text order.
    pub duplicates: Vec<(String, String)>,
}

/// Parses `text` (one JSON value, nothing after it but white space).
pub fn parse(text: &str) -> Result<Json, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut st = State {
        path: String::new(),
        duplicates: Vec::new(),
    };
    let value = Seed(&mut st).deserialize(&mut de)?;
    de.end()?;
    Ok(Json {
        value,
        duplicates: st.duplicates,
    })
}

struct State {
    /// The pointer of the value being read.
    path: String,
    duplicates: Vec<(String, String)>,
}

struct Seed<'s>(&'s mut State);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let st = self.0;
        let mut items = Vec::new();
        let len = st.path.len();
        loop {
            st.path.push('/');
            st.path.push_str(&items.len().to_string());
            let item = seq.next_element_seed(Seed(&mut *st))?;
            st.path.truncate(len);
            match item {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let st = self.0;
        let mut out = Map::new();
        let len = st.path.len();
        let mut first = true;
        while let Some(key) = map.next_key::<String>()? {
            if std::mem::take(&mut first) && key == NUMBER_TOKEN {
                // A number, as its digits.
                let digits: String = map.next_value()?;
                return digits
                    .parse::<Number>()
                    .map(Value::Number)
                    .map_err(serde::de::Error::custom);
            }
            st.path.push('/');
            st.path.push_str(&pointer_token(&key));
            let v = map.next_value_seed(Seed(&mut *st))?;
            if out.contains_key(&key) {
                st.duplicates.push((st.path.clone(), key));
            } else {
                out.insert(key, v);
            }
            st.path.truncate(len);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_found_at_every_depth() {
        let j = parse(r#"{"a": 1, "b": {"c": [{"d": 1, "d": 2}], "c": 0}, "a": 2, "x/y": 1, "x/y": 1}"#)
            .ok()
            .map(|j| (j.value.to_string(), j.duplicates));
        assert_eq!(
            j,
            Some((
                r#"{"a":1,"b":{"c":[{"d":1}]},"x/y":1}"#.to_string(),
                vec![
                    ("/b/c/0/d".to_string(), "d".to_string()),
                    ("/b/c".to_string(), "c".to_string()),
                    ("/a".to_string(), "a".to_string()),
                    ("/x~1y".to_string(), "x/y".to_string()),
                ]
            ))
        );
        // Escapes are decoded before keys are compared.
        let j = parse(r#"{"id": 1, "\u0069d": 2}"#)
            .ok()
            .map(|j| j.duplicates.len());
        assert_eq!(j, Some(1));
    }

    #[test]
    fn values_are_those_of_serde_json() {
        for text in [
            r#"{"a": [1, -2, 3.50, 1e400, -0, 12345678901234567890123456789012345, true, null, "x\n"]}"#,
            "[]",
            "{}",
            r#""s""#,
            "1.0",
        ] {
            let ours = parse(text).ok().map(|j| j.value);
            let theirs = serde_json::from_str::<Value>(text).ok();
            assert_eq!(ours, theirs, "{text}");
        }
        for bad in ["{", r#"{"a": 1} x"#, "[1,]", "01"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
