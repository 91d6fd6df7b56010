//! Rounding where numbers leave the program. The signals compute and the
//! decision compares at full precision; a record rounds its numbers only
//! as it is serialised (`#[serde(serialize_with = "rounding::three")]`),
//! and sentences only as they are formatted.

use serde::{Serialize, Serializer};

/// `v` rounded to `decimals` decimals (half away from zero), in `f32`.
pub(crate) fn to(v: f32, decimals: i32) -> f32 {
    let k = 10f32.powi(decimals);
    (v * k).round() / k
}

/// `v` rounded to `decimals` decimals (half away from zero), in `f64`.
pub(crate) fn to_f64(v: f64, decimals: i32) -> f64 {
    let k = 10f64.powi(decimals);
    (v * k).round() / k
}

/// A value whose numbers can be rounded for serialising.
pub(crate) trait Round {
    /// The same shape, rounded.
    type Rounded: Serialize;
    /// A copy with every number rounded to `decimals` decimals.
    fn rounded(&self, decimals: i32) -> Self::Rounded;
}

impl Round for f32 {
    type Rounded = f32;
    fn rounded(&self, decimals: i32) -> f32 {
        to(*self, decimals)
    }
}

impl Round for f64 {
    type Rounded = f64;
    fn rounded(&self, decimals: i32) -> f64 {
        to_f64(*self, decimals)
    }
}

impl<T: Round> Round for Option<T> {
    type Rounded = Option<T::Rounded>;
    fn rounded(&self, decimals: i32) -> Self::Rounded {
        self.as_ref().map(|v| v.rounded(decimals))
    }
}

impl<T: Round> Round for Vec<T> {
    type Rounded = Vec<T::Rounded>;
    fn rounded(&self, decimals: i32) -> Self::Rounded {
        self.iter().map(|v| v.rounded(decimals)).collect()
    }
}

impl<T: Round, const N: usize> Round for [T; N] {
    type Rounded = Vec<T::Rounded>;
    fn rounded(&self, decimals: i32) -> Self::Rounded {
        self.iter().map(|v| v.rounded(decimals)).collect()
    }
}

impl<A: Round, B: Round> Round for (A, B) {
    type Rounded = (A::Rounded, B::Rounded);
    fn rounded(&self, decimals: i32) -> Self::Rounded {
        (self.0.rounded(decimals), self.1.rounded(decimals))
    }
}

/// Serialises `v` rounded to 2 decimals.
pub(crate) fn two<T: Round, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    v.rounded(2).serialize(s)
}

/// Serialises `v` rounded to 3 decimals.
pub(crate) fn three<T: Round, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    v.rounded(3).serialize(s)
}

/// Serialises `v` rounded to 4 decimals.
pub(crate) fn four<T: Round, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    v.rounded(4).serialize(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialising_rounds_every_number_of_the_shape() {
        let nlf = vec![(0.123_456_f32, 2.000_49_f32)];
        let json = |v: serde_json::Value| v.to_string();
        let mut out = Vec::new();
        three(&nlf, &mut serde_json::Serializer::new(&mut out)).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "[[0.123,2.0]]");
        let mut out = Vec::new();
        four(
            &Some(0.987_65_f64),
            &mut serde_json::Serializer::new(&mut out),
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            json(serde_json::json!(0.9877))
        );
        assert_eq!([0.5f32, -0.25].rounded(1), vec![0.5, -0.3]);
        assert_eq!(None::<f32>.rounded(3), None);
    }
}
