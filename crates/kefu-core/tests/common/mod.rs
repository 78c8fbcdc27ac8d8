//! Helpers shared by the integration tests.

use kefu_core::kb::{Entry, Locale};

/// An English FAQ entry with these questions and answer.
pub fn faq(id: &str, questions: &[&str], answer: &str) -> Entry {
    Entry {
        id: id.into(),
        questions: questions.iter().map(|q| q.to_string()).collect(),
        category: "faq".into(),
        locale: Locale::En,
        answer: kefu_core::kb::markdown::parse_answer(answer).0,
        ..Default::default()
    }
}
