//! The outcome of a signal: its evidence, or why it could not be gathered.

use serde::{Deserialize, Serialize};

/// Evidence of a signal, or why it could not be gathered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Outcome<T> {
    /// The signal ran.
    Analysed(T),
    /// The signal does not apply to this file, with the reason.
    NotApplicable {
        /// Why, in plain words.
        reason: String,
    },
}

impl<T> Outcome<T> {
    /// A `NotApplicable` outcome.
    pub(crate) fn not_applicable(reason: impl Into<String>) -> Self {
        Outcome::NotApplicable {
            reason: reason.into(),
        }
    }

    /// The evidence, if the signal ran.
    pub fn evidence(&self) -> Option<&T> {
        match self {
            Outcome::Analysed(t) => Some(t),
            Outcome::NotApplicable { .. } => None,
        }
    }
}
