//! Concept patterns: compiled from the rubric language (see docs/rubric-format.md; the syntax is parsed in
//! `parse.rs`) and matched against a [`Doc`]: each group somewhere within a window of the others, under the
//! negation and denial scoping of a criterion, a claim or none.

use super::fasthash::intern;
use super::normalize::{Lexicon, NEGATION_CUES};

pub use super::doc::Doc;

/// Largest distance, in tokens, between the groups of one pattern.
pub const WINDOW: usize = 30;
/// Other tokens allowed between consecutive words of a phrase.
pub const GAP: usize = 2;

/// One item of a compiled phrase: what one token must be.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Item {
    /// An interned stem (see [`intern`]).
    Word(u32),
    /// An interned stem of a [`super::normalize::CASED_WORDS`] word and the sense the pattern means (true: the
    /// acronym).
    Cased(u32, bool),
    /// A prefix of the token's surface form or stem (`quantiz*`).
    Prefix(String),
    /// A number within an inclusive range (`#9`, `#0.05..0.2`).
    Num(f64, f64),
}

/// A compiled concept pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written in the rubric.
    pub source: String,
    /// Each group: alternative flattened item sequences.
    groups: Vec<Vec<Vec<Item>>>,
    /// Per group and alternative: the items that speak of negation (indexes into the alternative). An
    /// alternative with any ("do not overlap") is exempt from negation scoping for its matches, and only for them:
    /// the other groups and alternatives are still checked.
    negation_items: Vec<Vec<Vec<usize>>>,
    /// Per group: the group names a dismissal ("(useless|irrelevant)"), which is then its claim, not a negation
    /// of the other groups.
    dismissal_in_group: Vec<bool>,
    /// The stems a match needs, in one flat array read before anything else (see [`presence_filter`]).
    filter: Box<[u32]>,
}

/// Largest distance, in tokens, between the groups of a misconception pattern: a claim is made in one breath.
pub const CLAIM_WINDOW: usize = 16;

/// How a match is scoped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scoping {
    /// Criteria: negation before or inside a phrase, denial.
    Stated,
    /// Misconceptions: also negation after the phrase in its clause, one sentence, a short window, and no caveat
    /// or condition around it.
    Claimed,
    /// Whether the text names the concept at all.
    Unscoped,
}

/// Where a pattern matched, in token indices (inclusive) of the [`Doc`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First token.
    pub first: usize,
    /// Last token.
    pub last: usize,
}

/// Error from compiling a pattern.
#[derive(Debug, thiserror::Error)]
#[error("pattern {pattern:?}: {msg}")]
pub struct PatternError {
    /// The pattern text.
    pub pattern: String,
    /// What is wrong.
    pub msg: String,
}

/// A [`PatternError`] for pattern `p`.
pub(super) fn perr(p: &str, msg: impl Into<String>) -> PatternError {
    PatternError {
        pattern: p.to_string(),
        msg: msg.into(),
    }
}

impl Pattern {
    /// Compile a pattern with the given lexicon.
    pub fn compile(src: &str, lex: &Lexicon) -> Result<Pattern, PatternError> {
        if src.trim().is_empty() {
            return Err(perr(src, "empty pattern"));
        }
        super::limits::check_pattern(src).map_err(|m| perr(&super::limits::preview(src), m))?;
        let mut groups = Vec::new();
        for g in src.split(" + ") {
            let alts =
                super::parse::alternatives(src, g, lex, "empty alternative (check '|' and '+')")?;
            groups.push(alts);
        }
        let negation_items: Vec<Vec<Vec<usize>>> = groups
            .iter()
            .map(|g| {
                g.iter()
                    .map(|seq| {
                        (0..seq.len())
                            .filter(|&k| speaks_of_negation(&seq[k..=k]))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let dismissal_in_group = src.split(" + ").map(names_dismissal).collect();
        let filter = presence_filter(&groups);
        Ok(Pattern {
            source: src.to_string(),
            groups,
            negation_items,
            dismissal_in_group,
            filter,
        })
    }

    /// Find the first non-negated match in `doc`.
    pub fn find(&self, doc: &Doc) -> Option<Span> {
        self.find_where(doc, &|_| true)
    }

    /// Find the first non-negated match whose phrases all lie in sentences `allow` accepts.
    pub fn find_where(&self, doc: &Doc, allow: &dyn Fn(u32) -> bool) -> Option<Span> {
        self.find_impl(doc, allow, Scoping::Stated)
    }

    /// Find a match ignoring negation and denial: whether the answer *names* the concept at all.
    pub fn find_unscoped(&self, doc: &Doc) -> Option<Span> {
        self.find_impl(doc, &|_| true, Scoping::Unscoped)
    }

    /// Find a match that the candidate *claims*: for misconceptions. Stricter than [`Pattern::find`] in the
    /// candidate's favour: the groups lie in one sentence within [`CLAIM_WINDOW`] tokens; a negation before,
    /// inside or after the phrase in its clause ("won't close", "isn't enough") rejects it; so does a caveat or
    /// condition in the sentence ("only once there is enough data", "watch for forgetting").
    pub fn find_claim(&self, doc: &Doc) -> Option<Span> {
        self.find_impl(doc, &|_| true, Scoping::Claimed)
    }

    fn find_impl(&self, doc: &Doc, allow: &dyn Fn(u32) -> bool, mode: Scoping) -> Option<Span> {
        if !self.may_match(doc) {
            return None;
        }
        // Worked out only when a match needs its negation checked: most patterns fail before.
        let own = std::cell::OnceCell::new();
        let is_own = |q: usize| {
            own.get_or_init(|| self.own_negation_words(doc))
                .contains(&q)
        };
        // Groups one at a time: most patterns fail, and they fail at the first group that has no match.
        let mut per_group: Vec<Vec<Span>> = Vec::new();
        for gi in 0..self.groups.len() {
            let v = self.group_matches(doc, gi, allow, mode, &is_own);
            if v.is_empty() {
                return None;
            }
            per_group.push(v);
        }
        closest_combination(doc, &per_group, mode)
    }

    /// The tokens that are the pattern's own negation words ("(not|no) overlap*"), which negate nothing of its
    /// other groups: those a negation item matched ("does not drop the Kalman filter" against "deepsort drop*
    /// kalman" keeps its "not"), and a dismissal the pattern names ("… weights are useless"; "is not negligible"
    /// still negates).
    fn own_negation_words(&self, doc: &Doc) -> Vec<usize> {
        let mut v = Vec::new();
        for (gi, alts) in self.groups.iter().enumerate() {
            for (seq, items) in alts.iter().zip(&self.negation_items[gi]) {
                if !items.is_empty() {
                    matched_tokens(
                        doc,
                        seq,
                        |q| items.iter().any(|&k| doc.item_matches(&seq[k], q)),
                        &mut v,
                    );
                }
                if self.dismissal_in_group[gi] {
                    matched_tokens(
                        doc,
                        seq,
                        |q| super::negation::dismisses(&doc.tokens[q].stem),
                        &mut v,
                    );
                }
            }
        }
        v
    }

    /// The matches of group `gi` in sentences `allow` accepts that `mode` does not scope away, by first token.
    fn group_matches(
        &self,
        doc: &Doc,
        gi: usize,
        allow: &dyn Fn(u32) -> bool,
        mode: Scoping,
        is_own: &dyn Fn(usize) -> bool,
    ) -> Vec<Span> {
        let mut v: Vec<Span> = Vec::new();
        let mut own: Vec<Span> = Vec::new();
        for (seq, items) in self.groups[gi].iter().zip(&self.negation_items[gi]) {
            let out = if items.is_empty() { &mut v } else { &mut own };
            if mode == Scoping::Claimed {
                doc.find_claim_seq_into(seq, out);
            } else {
                doc.find_seq_into(seq, out);
            }
        }
        // A span an alternative with its own negation matched ("not important") is exempt; the same span matched
        // by another alternative ("irrelevant" in "is not irrelevant") is not.
        if v.is_empty() && own.is_empty() {
            return v;
        }
        let found = std::mem::take(&mut v);
        let tagged = found
            .into_iter()
            .map(|s| (s, false))
            .chain(own.into_iter().map(|s| (s, true)));
        for (sp, own_negation) in tagged {
            let keep = allow(doc.tokens[sp.first].sent)
                && match mode {
                    Scoping::Unscoped => true,
                    Scoping::Stated => {
                        !doc.denied(sp) && (own_negation || !doc.negated(sp, is_own))
                    }
                    // An alternative that speaks of negation ("no change", "cannot work") is exempt from the cues
                    // around it, but not from another cue inside its match ("does not drop" against "drop*").
                    Scoping::Claimed => {
                        !doc.denied(sp)
                            && if own_negation {
                                !doc.cue_inside(sp, is_own)
                            } else {
                                !(doc.negated(sp, is_own) || doc.negated_after(sp, is_own))
                            }
                    }
                };
            if keep && !v.contains(&sp) {
                v.push(sp);
            }
        }
        v.sort_by_key(|s| s.first);
        v
    }
}

impl Pattern {
    /// Whether every group has an alternative whose stems the text holds: a match needs that, and most patterns
    /// fail it, so it is checked first, on one flat array, before the items are read.
    fn may_match(&self, doc: &Doc) -> bool {
        let f = &self.filter;
        let mut i = 0;
        while i < f.len() {
            let alts = f[i] as usize;
            i += 1;
            let mut any = false;
            for _ in 0..alts {
                let n = f[i] as usize;
                let ids = &f[i + 1..i + 1 + n];
                i += 1 + n;
                any = any || ids.iter().all(|&w| doc.has_id(w));
            }
            if !any {
                return false;
            }
        }
        true
    }
}

/// A pattern's presence filter: per group, its number of alternatives, then per alternative the number of stems it
/// names and those stems (a word or a cased word; a prefix or a number is not checked). An alternative with no
/// stem passes any text.
fn presence_filter(groups: &[Vec<Vec<Item>>]) -> Box<[u32]> {
    let mut f = Vec::new();
    for g in groups {
        f.push(g.len() as u32);
        for seq in g {
            let ids: Vec<u32> = seq
                .iter()
                .filter_map(|it| match it {
                    Item::Word(w) | Item::Cased(w, _) => Some(*w),
                    _ => None,
                })
                .collect();
            f.push(ids.len() as u32);
            f.extend(ids);
        }
    }
    f.into_boxed_slice()
}

/// Append to `out` the tokens of `seq`'s matches that `keep` accepts.
fn matched_tokens(doc: &Doc, seq: &[Item], keep: impl Fn(usize) -> bool, out: &mut Vec<usize>) {
    let mut found = Vec::new();
    doc.find_seq_into(seq, &mut found);
    out.extend(
        found
            .iter()
            .flat_map(|sp| sp.first..=sp.last)
            .filter(|&q| keep(q)),
    );
}

/// The interned ids of the negation cues, looked up once.
fn cue_ids() -> &'static [u32] {
    static IDS: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| NEGATION_CUES.iter().map(|c| intern::intern(c)).collect())
}

/// Whether an alternative itself speaks of negation: it holds a negation cue or a prefix of one ("(not|no)
/// overlap", "avoid*").
fn speaks_of_negation(seq: &[Item]) -> bool {
    seq.iter().any(|it| match it {
        Item::Word(w) => cue_ids().contains(w),
        Item::Prefix(p) => ["avoid", "without", "instead", "rather", "remov", "drop"]
            .iter()
            .any(|c| c.starts_with(p.as_str()) || p.starts_with(c)),
        _ => false,
    })
}

/// Whether a group's text names a word of dismissal ("useless", "negligible").
fn names_dismissal(text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            let w = w.to_lowercase();
            super::negation::dismisses(&w)
                || super::negation::dismisses(&super::words::stem_word(&w))
        })
}

/// Anchor on each match of the rarest group, then pick for every other group the closest match: the first
/// anchor around which all groups fit in the window (for a claim: in one sentence, and not caveated).
fn closest_combination(doc: &Doc, per_group: &[Vec<Span>], mode: Scoping) -> Option<Span> {
    let (ai, anchor) = per_group.iter().enumerate().min_by_key(|(_, g)| g.len())?;
    let window = if mode == Scoping::Claimed {
        CLAIM_WINDOW
    } else {
        WINDOW
    };
    anchor.iter().find_map(|a| {
        let sp = span_around(doc, per_group, ai, *a, window, mode)?;
        (!(mode == Scoping::Claimed
            && (doc.caveated(sp) || doc.qualified(sp) || doc.crosses_contrast(sp))))
        .then_some(sp)
    })
}

/// The span that holds anchor `a` (of group `ai`) and every other group's closest match that shares no word with
/// the anchor or with a match already chosen, if each lies within `window` tokens.
fn span_around(
    doc: &Doc,
    per_group: &[Vec<Span>],
    ai: usize,
    a: Span,
    window: usize,
    mode: Scoping,
) -> Option<Span> {
    let sent = doc.tokens[a.first].sent;
    let mut first = a.first;
    let mut last = a.last;
    // The spans chosen so far, the anchor's first.
    let mut taken: Vec<Span> = Vec::with_capacity(per_group.len());
    taken.push(a);
    for (gi, g) in per_group.iter().enumerate() {
        if gi == ai {
            continue;
        }
        let (s, w) = g
            .iter()
            .filter(|s| mode != Scoping::Claimed || doc.tokens[s.first].sent == sent)
            // A word belongs to one group: "error, so doubling range" is not "error doubles" and "doubling range".
            .filter(|s| taken.iter().all(|t| s.last < t.first || s.first > t.last))
            .map(|s| (s, s.last.max(last).saturating_sub(s.first.min(first))))
            .min_by_key(|(_, w)| *w)?;
        if w > window {
            return None;
        }
        first = first.min(s.first);
        last = last.max(s.last);
        taken.push(*s);
    }
    Some(Span { first, last })
}

#[cfg(test)]
#[path = "pattern_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "claim_tests.rs"]
mod claim_tests;
