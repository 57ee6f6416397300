//! The claim rules a misconception's match must pass (see [`super::pattern::Pattern::find_claim`]): a negation
//! after the phrase, a caveat or condition in its sentence, a restriction denied, an absolute hedged, a cleft
//! saying it is what something prevents, a limitation, a question.

use super::doc::Doc;
use super::negation::Scope;
use super::normalize::{is_negation, Token, CLAUSE_WORDS};
use super::pattern::Span;

/// How far after a claimed phrase a negation of its predicate reaches ("INT8 won't", "a bigger model isn't
/// enough"), in tokens.
const AFTER_SCOPE: usize = 6;
/// Words that start a new proposition after a phrase and end that reach ("… even when the boxes do not overlap").
const AFTER_BREAKS: &[&str] = &[
    "when", "if", "because", "since", "which", "that", "who", "where", "while", "unless", "until",
    "so", "and", "or", "but", "even",
];

/// Caveats, conditions and warnings that qualify advice (surface forms, lower case).
const CAVEATS: &[&str] = &[
    "only if",
    "only when",
    "only once",
    "only with",
    "only after",
    "only for",
    "as long as",
    "provided that",
    "once you have",
    "once there is",
    "once there are",
    "once we have",
    "until you have",
    "watch for",
    "watch out",
    "watching for",
    "watching out",
    "careful",
    "beware",
    "caveat",
    "risk of",
    "guard against",
    "only in",
];

/// Words that equate after a copula: "panoptic is basically instance segmentation".
const EQUATES: &[&str] = &[
    "basically",
    "essentially",
    "simply",
    "just",
    "merely",
    "really",
    "the",
    "identical",
];
/// Words that name a difference after "only with": "…, only with more categories".
const DIFFERENCES: &[&str] = &[
    "more",
    "fewer",
    "less",
    "larger",
    "bigger",
    "smaller",
    "extra",
    "additional",
    "different",
    "another",
];

/// Words that make advice conditional when "only" comes before it ("only …, after …").
const CONDITIONS: &[&str] = &["after", "once", "if", "when", "until", "unless", "provided"];

/// Words that qualify an absolute ("nearly the same", "almost always"): the hedged claim is a different one.
const APPROXIMATORS: &[&str] = &[
    "nearly",
    "almost",
    "roughly",
    "approximately",
    "virtually",
    "practically",
    "largely",
    "mostly",
];
/// Absolutes an approximator can qualify (surface forms).
const ABSOLUTES: &[&str] = &[
    "same",
    "identical",
    "equal",
    "equivalent",
    "constant",
    "zero",
    "always",
    "never",
    "all",
    "every",
    "everything",
    "none",
    "unchanged",
    "free",
];
/// Restrictive words a negation right before them denies ("does not only pull pairs together", "is not just a
/// strided convolution"): the restriction is what is denied.
const RESTRICTIVES: &[&str] = &["only", "just", "merely", "simply", "solely", "purely"];
/// Verbs (stem prefixes) of a cleft that says the phrase is what something prevents ("… is what AMP avoids").
const PREVENTS: &[&str] = &[
    "avoid", "prevent", "elimin", "stop", "fix", "solv", "guard", "protect",
];
/// How far after a claimed phrase such a cleft may come, in tokens.
const CLEFT_REACH: usize = 12;

impl Doc {
    /// Whether a negation cue follows the phrase in its own clause ("INT8 won't close the gap", "a bigger model
    /// isn't enough"): for claims, where a sentence that negates its own predicate does not make the claim.
    pub(super) fn negated_after(&self, sp: Span, own: &dyn Fn(usize) -> bool) -> bool {
        let clause = self.tokens[sp.last].clause;
        self.tokens[sp.last + 1..]
            .iter()
            .enumerate()
            .take(AFTER_SCOPE)
            .take_while(|(_, t)| t.clause == clause && !AFTER_BREAKS.contains(&t.raw.as_str()))
            .any(|(k, _)| Scope::is_cue(&self.tokens, sp.last + 1 + k) && !own(sp.last + 1 + k))
    }

    /// Whether the sentence around a match hedges it with a caveat, a condition or a warning ("only once there
    /// is enough labelled data", "as long as", "watch for forgetting"): advice so qualified does not endorse the
    /// unqualified wrong idea.
    pub(super) fn caveated(&self, sp: Span) -> bool {
        let sent = self.tokens[sp.first].sent;
        let lo = self.tokens[..sp.first]
            .iter()
            .rposition(|t| t.sent != sent)
            .map_or(0, |i| i + 1);
        let hi = self.tokens[sp.last..]
            .iter()
            .position(|t| t.sent != sent)
            .map_or(self.tokens.len(), |i| sp.last + i);
        let raws: Vec<&str> = self.tokens[lo..hi].iter().map(|t| t.raw.as_str()).collect();
        // "I'd only move to a bigger backbone … after fixing the schedule": "only" just before the advice and a
        // condition later in its sentence.
        // "Only" may open the phrase itself ("I would only spend labels on random frames if …").
        let only_then = self.tokens[lo..=sp.first]
            .iter()
            .rev()
            .take(5)
            .take_while(|t| t.clause == self.tokens[sp.first].clause)
            .any(|t| t.raw == "only")
            && self.tokens[sp.first + 1..hi]
                .iter()
                .any(|t| CONDITIONS.contains(&t.raw.as_str()))
            // "I would only downscale if the vessels stayed visible, and shrinking it to 224 …", "more augmentation
            // will only help if the boxes stay correct": a conditioned verb anywhere in the sentence.
            || raws.windows(3).any(|w| {
                w[0] == "only" && w[1..].iter().any(|r| CONDITIONS.contains(r))
            });
        // A condition does not soften an absolute: "once you have skip connections, more layers always help".
        if self.tokens[sp.first..=sp.last]
            .iter()
            .any(|t| t.raw == "always")
        {
            return false;
        }
        let identity = self.identity(sp);
        only_then
            || CAVEATS.iter().any(|cue| {
                let cue: Vec<&str> = cue.split(' ').collect();
                raws.windows(cue.len()).enumerate().any(|(j, w)| {
                    w == cue.as_slice()
                        // "X is basically Y, only with more classes" names a difference, not a condition.
                        && !(identity
                            && lo + j > sp.last
                            && w[0] == "only"
                            && raws[j + cue.len()..]
                                .iter()
                                .take(3)
                                .any(|r| DIFFERENCES.contains(r)))
                })
            })
    }

    /// Whether a span equates two things: a copula and a word of equation after it ("is basically", "are just").
    fn identity(&self, sp: Span) -> bool {
        self.tokens[sp.first..sp.last].windows(2).any(|w| {
            matches!(w[0].raw.as_str(), "is" | "are") && EQUATES.contains(&w[1].raw.as_str())
        })
    }

    /// Whether a claimed match is qualified so that it no longer states the wrong idea: its restriction negated
    /// ("is not just a strided convolution", "does not only pull pairs together"), an absolute in it hedged
    /// ("nearly the same"), or a cleft after it saying it is what something prevents ("running everything in
    /// FP16 … is what AMP avoids").
    pub(super) fn qualified(&self, sp: Span) -> bool {
        let toks = &self.tokens;
        let raw = |i: usize| toks[i].raw.as_str();
        let restriction_denied = (sp.first.max(1)..=sp.last)
            .any(|i| RESTRICTIVES.contains(&raw(i)) && is_negation(&toks[i - 1]));
        let hedged = (sp.first..=sp.last).any(|i| {
            ABSOLUTES.contains(&raw(i))
                && (1..=2).any(|back| {
                    i >= back
                        && APPROXIMATORS.contains(&raw(i - back))
                        && (back == 1 || matches!(raw(i - 1), "the" | "a" | "an"))
                })
        });
        restriction_denied
            || hedged
            || self.cleft_prevents(sp)
            || self.limited(sp)
            || self.asked(sp)
    }

    /// "Taking the first N frames would only see the opening seconds": an auxiliary or modal and "only" right after
    /// the phrase say what it is limited to.
    fn limited(&self, sp: Span) -> bool {
        let after: Vec<&str> = self.tokens[sp.last + 1..]
            .iter()
            .take(3)
            .take_while(|t| t.clause == self.tokens[sp.last].clause)
            .map(|t| t.raw.as_str())
            .collect();
        after
            .windows(2)
            .any(|w| super::negation::MODALS.contains(&w[0]) && w[1] == "only")
    }

    /// Whether the phrase is in a question ("Does checkpointing come for free? No, …"): asking is not claiming.
    fn asked(&self, sp: Span) -> bool {
        let sent = self.tokens[sp.last].sent;
        let end = self.tokens[sp.last..]
            .iter()
            .take_while(|t| t.sent == sent)
            .last()
            .map_or(self.tokens[sp.last].end, |t| t.end);
        let next = self.tokens[sp.last..]
            .iter()
            .find(|t| t.sent != sent)
            .map_or(self.text.len(), |t| t.start);
        self.text[end..next].contains('?')
    }

    /// Whether a span runs into a clause opened by a contrast ("…, while NMS keeps a single one", "…, though
    /// backprop ran in floating point"): a claim is made on one side of it.
    pub(super) fn crosses_contrast(&self, sp: Span) -> bool {
        (sp.first + 1..=sp.last).any(|q| {
            let t = &self.tokens[q];
            t.clause != self.tokens[q - 1].clause && CLAUSE_WORDS.contains(&t.raw.as_str())
        })
    }

    /// Whether a negation cue inside a span is not one of the words `own` accepts (the pattern's own negation
    /// items): "DeepSORT does not drop the Kalman filter" against "deepsort drop* kalman".
    pub(super) fn cue_inside(&self, sp: Span, own: &dyn Fn(usize) -> bool) -> bool {
        (sp.first..=sp.last).any(|q| Scope::is_cue(&self.tokens, q) && !own(q))
    }

    /// "… is what AMP avoids", "… is exactly what loss scaling prevents", after the span in its sentence.
    fn cleft_prevents(&self, sp: Span) -> bool {
        let toks = &self.tokens;
        let sent = toks[sp.last].sent;
        let after: Vec<&Token> = toks[sp.last + 1..]
            .iter()
            .take(CLEFT_REACH)
            .take_while(|t| t.sent == sent)
            .collect();
        after.iter().enumerate().any(|(k, t)| {
            t.raw == "what"
                && after[..k]
                    .iter()
                    .rev()
                    .take(2)
                    .any(|b| matches!(b.raw.as_str(), "is" | "are" | "s" | "was"))
                && after[k + 1..]
                    .iter()
                    .take(3)
                    .any(|v| is_negation(v) || PREVENTS.iter().any(|p| v.stem.starts_with(p)))
        })
    }
}
