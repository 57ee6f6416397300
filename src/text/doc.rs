//! An analysed answer ready for matching: its tokens, indexes that make a pattern's first item a lookup (by
//! interned stem, by prefix, by number), its negation and denial [`Scope`], and the context queries matching
//! asks of a phrase (negated, denied, caveated) and the quote that shows it.

use super::fasthash::intern;
use super::negation::Scope;
use super::normalize::{case_sense, is_negation, tokenize_with, Lexicon, Token};
use super::pattern::{Item, Span, GAP};

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

/// An analysed text ready for matching.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The original text.
    pub text: String,
    /// Normalised tokens.
    pub tokens: Vec<Token>,
    /// Token indices sorted by surface form, and by stem: prefix items are range queries.
    by_raw: Vec<usize>,
    by_stem: Vec<usize>,
    /// Indices of numeric tokens.
    numbers: Vec<usize>,
    /// Interned stem of each token, and token indices sorted by it (text order within one id).
    ids: Vec<u32>,
    by_id: Vec<usize>,
    /// Per token: the case sense of a [`super::normalize::CASED_WORDS`] word (None: unknown or both).
    sense: Vec<Option<bool>>,
    scope: Scope,
}

impl Doc {
    /// Analyse `text` with the lexicon.
    pub fn new(text: &str, lex: &Lexicon) -> Doc {
        let tokens = tokenize_with(text, lex);
        let mut by_raw: Vec<usize> = (0..tokens.len()).collect();
        by_raw.sort_by(|&a, &b| tokens[a].raw.cmp(&tokens[b].raw));
        let mut by_stem: Vec<usize> = (0..tokens.len()).collect();
        // Stable: equal stems stay in text order, so an exact lookup is an ascending slice.
        by_stem.sort_by(|&a, &b| tokens[a].stem.cmp(&tokens[b].stem));
        let numbers = (0..tokens.len())
            .filter(|&i| tokens[i].num.is_some())
            .collect();
        let ids = intern::lookup_all(tokens.iter().map(|t| t.stem.as_str()));
        let mut by_id: Vec<usize> = (0..tokens.len()).collect();
        by_id.sort_by_key(|&i| ids[i]);
        let scope = Scope::new(&tokens);
        // An all-lower-case answer (typed so, or a transcript) gets both senses of a cased word.
        let any_caps = text.chars().any(char::is_uppercase);
        let sense = tokens
            .iter()
            .map(|t| {
                let surface = &text[t.start..t.end];
                match case_sense(surface) {
                    Some(false) if !any_caps => None,
                    s => s,
                }
            })
            .collect();
        Doc {
            sense,
            ids,
            by_id,
            text: text.to_string(),
            tokens,
            by_raw,
            by_stem,
            numbers,
            scope,
        }
    }

    fn item_matches(&self, it: &Item, i: usize) -> bool {
        let t = &self.tokens[i];
        match it {
            Item::Word(w) => self.ids[i] == *w,
            Item::Cased(w, acronym) => self.ids[i] == *w && self.sense[i] != Some(!*acronym),
            Item::Prefix(p) => t.raw.starts_with(p.as_str()) || t.stem.starts_with(p.as_str()),
            Item::Num(lo, hi) => t
                .num
                .map(|v| v >= *lo - 1e-9 && v <= *hi + 1e-9)
                .unwrap_or(false),
        }
    }

    /// Token indices whose surface form or stem starts with `p`, ascending.
    fn prefixed(&self, p: &str) -> Vec<usize> {
        fn range<'a>(order: &[usize], key: impl Fn(usize) -> &'a str, p: &str) -> Vec<usize> {
            let lo = order.partition_point(|&i| key(i) < p);
            let hi = lo + order[lo..].partition_point(|&i| key(i).starts_with(p));
            order[lo..hi].to_vec()
        }
        let mut v = range(&self.by_raw, |i| self.tokens[i].raw.as_str(), p);
        v.extend(range(&self.by_stem, |i| self.tokens[i].stem.as_str(), p));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Token indices holding the interned stem `w`, in text order.
    fn with_id(&self, w: u32) -> &[usize] {
        let lo = self.by_id.partition_point(|&i| self.ids[i] < w);
        let n = self.by_id[lo..].partition_point(|&i| self.ids[i] == w);
        &self.by_id[lo..lo + n]
    }

    /// Token indices where item `it` matches, ascending: where a phrase starting with it may start.
    fn starts(&self, it: &Item) -> std::borrow::Cow<'_, [usize]> {
        use std::borrow::Cow;
        match it {
            Item::Word(w) => Cow::Borrowed(self.with_id(*w)),
            Item::Cased(w, _) => Cow::Owned(
                self.with_id(*w)
                    .iter()
                    .copied()
                    .filter(|&i| self.item_matches(it, i))
                    .collect(),
            ),
            Item::Prefix(p) => Cow::Owned(self.prefixed(p)),
            Item::Num(..) => Cow::Owned(
                self.numbers
                    .iter()
                    .copied()
                    .filter(|&i| self.item_matches(it, i))
                    .collect(),
            ),
        }
    }

    /// All (shortest per start) matches of a phrase, appended to `out`.
    pub(super) fn find_seq_into(&self, seq: &[Item], out: &mut Vec<Span>) {
        if seq.is_empty() {
            return;
        }
        for &s in self.starts(&seq[0]).iter() {
            let mut pos = s;
            let mut ok = true;
            for it in &seq[1..] {
                let sent = self.tokens[pos].sent;
                let found = (pos + 1..=(pos + 1 + GAP).min(self.tokens.len().saturating_sub(1)))
                    .filter(|&j| j < self.tokens.len() && self.tokens[j].sent == sent)
                    .find(|&j| self.item_matches(it, j));
                match found {
                    Some(j) => pos = j,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                out.push(Span {
                    first: s,
                    last: pos,
                });
            }
        }
    }

    /// Whether a span's claim is denied or negated in context (a cue before, inside or just after it, or a
    /// reported claim the sentence rejects).
    pub fn disowned(&self, sp: Span) -> bool {
        self.reports_rejection(sp) || self.negated(sp, &|_| false)
    }

    /// Whether any clause in the span reports a claim only to reject it ("some say …, but …").
    pub fn reports_rejection(&self, sp: Span) -> bool {
        (sp.first..=sp.last).any(|i| self.scope.denied(&self.tokens, i))
    }

    pub(super) fn denied(&self, sp: Span) -> bool {
        self.scope.denied(&self.tokens, sp.first)
    }

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
        let only_then = self.tokens[lo..sp.first]
            .iter()
            .rev()
            .take(4)
            .take_while(|t| t.clause == self.tokens[sp.first].clause)
            .any(|t| t.raw == "only")
            && self.tokens[sp.first + 1..hi]
                .iter()
                .any(|t| CONDITIONS.contains(&t.raw.as_str()));
        only_then
            || CAVEATS.iter().any(|cue| {
                let cue: Vec<&str> = cue.split(' ').collect();
                raws.windows(cue.len()).any(|w| w == cue.as_slice())
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

    /// Whether a span holds a word of negation or removal itself ("no change", "without scaling", "drop it").
    pub(super) fn holds_negation(&self, sp: Span) -> bool {
        self.tokens[sp.first..=sp.last].iter().any(|t| {
            is_negation(t)
                || ["avoid", "without", "instead", "rather", "remov", "drop"]
                    .iter()
                    .any(|p| t.stem.starts_with(p))
        })
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

    /// Whether a phrase match is negated (see [`Scope::negated`]).
    pub(super) fn negated(&self, sp: Span, own: &dyn Fn(usize) -> bool) -> bool {
        self.scope
            .negated_except(&self.tokens, sp.first, sp.last, own)
    }

    /// Byte range from the first token that shares `unit` (its sentence, its clause) with the span's first token
    /// to the last token that shares it with the span's last.
    fn unit_bounds(&self, sp: Span, unit: impl Fn(&Token) -> u32) -> (usize, usize) {
        let (a, b) = (unit(&self.tokens[sp.first]), unit(&self.tokens[sp.last]));
        let first = self
            .tokens
            .iter()
            .position(|t| unit(t) == a)
            .unwrap_or(sp.first);
        let last = self
            .tokens
            .iter()
            .rposition(|t| unit(t) == b)
            .unwrap_or(sp.last);
        (self.tokens[first].start, self.tokens[last].end)
    }

    /// The sentence(s) of the original text around a span, verbatim, at most ~220 bytes.
    pub fn quote(&self, sp: Span) -> String {
        let mut start = self.tokens[sp.first].start;
        let mut end = self.tokens[sp.last].end;
        // Extend to the clause-or-sentence boundaries while short.
        let (s_start, s_end) = self.unit_bounds(sp, |t| t.sent);
        if s_end - s_start <= 220 {
            start = s_start;
            end = s_end;
        } else {
            // Clause bounds instead.
            let (c_start, c_end) = self.unit_bounds(sp, |t| t.clause);
            if c_end - c_start <= 220 {
                start = c_start;
                end = c_end;
            }
        }
        let mut q = self.text[start..end].to_string();
        // Keep a trailing closing character that belongs to the quote, e.g. "k)".
        if let Some(c) = self.text[end..].chars().next() {
            if c == ')' && q.contains('(') {
                q.push(c);
            }
        }
        q.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}
