//! The rubric pattern language and the text model under it: the tokenizer ([`normalize`]) with its word-level
//! normalisation ([`words`]) and the bank's synonyms ([`lexicon`]), negation scope and denial ([`negation`]),
//! compiled patterns ([`pattern`]) and the analysed answers they match ([`doc`]) with the rules a misconception's
//! claim must pass (`claim.rs`), and the limits that keep a
//! pattern cheap to compile ([`limits`]). Rubrics are compiled into patterns by the bank and matched by the
//! grader; this module depends on neither.

mod claim;
mod denial;
pub mod doc;
pub mod fasthash;
pub mod lexicon;
pub mod limits;
pub mod negation;
pub mod normalize;
mod parse;
pub mod pattern;
pub mod words;
