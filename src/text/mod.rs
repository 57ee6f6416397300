//! The rubric pattern language and the text model under it: tokens with stems and the lexicon's synonyms
//! ([`normalize`]), negation scopes ([`negation`]), compiled patterns and the documents they match ([`pattern`]),
//! and the limits that keep a pattern cheap to compile ([`limits`]). Rubrics are compiled into patterns by the bank
//! and matched by the grader; this module depends on neither.

pub mod fasthash;
pub mod limits;
pub mod negation;
pub mod normalize;
pub mod pattern;
