//! Field errors for forms that are re-rendered with what the user typed.

use std::collections::BTreeMap;

/// Messages keyed by field name, shown next to each field. Empty means the form is valid.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field`, keeping the first message if there already is one.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// Every field's message, by field name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds every error of `other` (keeping messages already recorded).
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, message) in other.0 {
            self.add(field, message);
        }
    }

    /// Records the error of a parse result and returns its value, if any.
    pub fn take<T, E: Into<String>>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }
}

/// One line of a form's error summary: a link to the field, its label and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLink {
    /// `#` and the field's id.
    pub href: String,
    pub label: String,
    pub message: String,
}
