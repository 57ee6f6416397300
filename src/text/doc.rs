//! An analysed answer ready for matching: its tokens, indexes that make a pattern's first item a lookup (by
//! interned stem, by prefix, by number), its negation and denial [`Scope`], and the context queries matching
//! asks of a phrase (negated, denied) and the quote that shows it. The rules a claim must also pass are in
//! `claim.rs`.

use super::fasthash::intern;
use super::negation::Scope;
use super::normalize::{case_sense, tokenize_with, Lexicon, Token};
use super::pattern::{Item, Span, GAP};

/// An analysed text ready for matching.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The original text.
    pub text: String,
    /// Normalised tokens.
    pub tokens: Vec<Token>,
    /// Every surface form and stem as (its first eight bytes as a big-endian number, token index with
    /// [`STEM_BIT`] set for a stem), sorted: a prefix item is a range query on integers.
    keyed: Vec<(u64, u32)>,
    /// Indices of numeric tokens.
    numbers: Vec<usize>,
    /// Interned stem of each token, and token indices sorted by it (text order within one id).
    ids: Vec<u32>,
    by_id: Vec<usize>,
    /// The distinct ids, ascending, and where each one's run starts in `by_id` (one more entry: the end).
    id_keys: Vec<u32>,
    id_runs: Vec<u32>,
    /// One bit per interned id up to the largest the text has: whether the text holds that stem.
    present: Vec<u64>,
    /// Per token: the case sense of a [`super::normalize::CASED_WORDS`] word (None: unknown or both).
    sense: Vec<Option<bool>>,
    scope: Scope,
    /// Bits set for the first one, two and three bytes of every surface form and stem: most prefix items are absent
    /// from an answer, and this says so without a search.
    initials: [u64; INITIAL_WORDS],
}

/// Marks a stem's entry in [`Doc`]'s keyed index.
const STEM_BIT: u32 = 1 << 31;

/// A word's first eight bytes as a big-endian number, zero-padded: byte order is string order, and the words
/// starting with a prefix of up to eight bytes form one range.
fn key8(w: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = w.len().min(8);
    b[..n].copy_from_slice(&w.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

/// Size of [`Doc`]'s initials filter, in 64-bit words.
const INITIAL_WORDS: usize = 256;

/// The filter bit of a word's first bytes (at most three).
fn initial_bit(w: &str) -> usize {
    let b = &w.as_bytes()[..w.len().min(3)];
    let h = b.iter().fold(b.len() as u32, |h, &c| {
        h.wrapping_mul(31).wrapping_add(u32::from(c))
    });
    (h as usize) % (INITIAL_WORDS * 64)
}

impl Doc {
    /// Analyse `text` with the lexicon.
    pub fn new(text: &str, lex: &Lexicon) -> Doc {
        let tokens = tokenize_with(text, lex);
        let mut keyed = Vec::with_capacity(tokens.len() * 2);
        for (i, t) in tokens.iter().enumerate() {
            keyed.push((key8(&t.raw), i as u32));
            if t.stem != t.raw {
                keyed.push((key8(&t.stem), i as u32 | STEM_BIT));
            }
        }
        keyed.sort_unstable();
        let numbers = (0..tokens.len())
            .filter(|&i| tokens[i].num.is_some())
            .collect();
        let ids = intern::lookup_all(tokens.iter().map(|t| t.stem.as_str()));
        let mut by_id: Vec<usize> = (0..tokens.len()).collect();
        by_id.sort_by_key(|&i| ids[i]);
        let (mut id_keys, mut id_runs) = (Vec::new(), Vec::new());
        for (k, &i) in by_id.iter().enumerate() {
            if id_keys.last() != Some(&ids[i]) {
                id_keys.push(ids[i]);
                id_runs.push(k as u32);
            }
        }
        id_runs.push(by_id.len() as u32);
        let known = || ids.iter().copied().filter(|&w| w != intern::NO_WORD);
        let mut present = vec![0u64; known().max().map_or(0, |m| m as usize / 64 + 1)];
        for w in known() {
            present[w as usize / 64] |= 1 << (w % 64);
        }
        let scope = Scope::new(&tokens);
        let mut initials = [0u64; INITIAL_WORDS];
        for t in &tokens {
            for w in [t.raw.as_str(), t.stem.as_str()] {
                for n in 1..=w.len().min(3) {
                    if w.is_char_boundary(n) {
                        let bit = initial_bit(&w[..n]);
                        initials[bit / 64] |= 1 << (bit % 64);
                    }
                }
            }
        }
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
            id_keys,
            id_runs,
            present,
            text: text.to_string(),
            tokens,
            keyed,
            numbers,
            scope,
            initials,
        }
    }

    pub(super) fn item_matches(&self, it: &Item, i: usize) -> bool {
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
        let head = (1..=p.len().min(3)).rev().find(|&n| p.is_char_boundary(n));
        if let Some(n) = head {
            let bit = initial_bit(&p[..n]);
            if self.initials[bit / 64] & (1 << (bit % 64)) == 0 {
                return Vec::new();
            }
        }
        if p.is_empty() {
            return (0..self.tokens.len()).collect();
        }
        let n = p.len().min(8);
        let lo = key8(p);
        let free = if n == 8 { 0 } else { u64::MAX >> (8 * n) };
        let hi = lo | free;
        let a = self.keyed.partition_point(|e| e.0 < lo);
        let b = a + self.keyed[a..].partition_point(|e| e.0 <= hi);
        let mut v: Vec<usize> = self.keyed[a..b]
            .iter()
            .filter(|e| {
                // The key holds the first eight bytes; a longer prefix is checked on the word itself.
                p.len() <= 8 || {
                    let t = &self.tokens[(e.1 & !STEM_BIT) as usize];
                    let w = if e.1 & STEM_BIT != 0 { &t.stem } else { &t.raw };
                    w.starts_with(p)
                }
            })
            .map(|e| (e.1 & !STEM_BIT) as usize)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Whether the text holds the interned stem `w`.
    pub(super) fn has_id(&self, w: u32) -> bool {
        self.present
            .get(w as usize / 64)
            .is_some_and(|b| b & (1 << (w % 64)) != 0)
    }

    /// Token indices holding the interned stem `w`, in text order.
    fn with_id(&self, w: u32) -> &[usize] {
        match self.id_keys.binary_search(&w) {
            Ok(k) => &self.by_id[self.id_runs[k] as usize..self.id_runs[k + 1] as usize],
            Err(_) => &[],
        }
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
        self.find_seq_with(seq, out, false);
    }

    /// [`Doc::find_seq_into`] for a claim: an item may not be the second conjunct of a coordination the gap
    /// skipped ("panoptic is essentially semantic and instance segmentation unified" does not say "panoptic is
    /// essentially instance").
    pub(super) fn find_claim_seq_into(&self, seq: &[Item], out: &mut Vec<Span>) {
        self.find_seq_with(seq, out, true);
    }

    fn find_seq_with(&self, seq: &[Item], out: &mut Vec<Span>, claim: bool) {
        let Some((head, tail)) = seq.split_first() else {
            return;
        };
        let starts = self.starts(head);
        if starts.is_empty() {
            return;
        }
        // Where each later item occurs; a phrase with an item the text never has cannot match.
        let mut at = Vec::with_capacity(tail.len());
        for it in tail {
            let v = self.starts(it);
            if v.is_empty() {
                return;
            }
            at.push(v);
        }
        let last = self.tokens.len().saturating_sub(1);
        for &s in starts.iter() {
            let mut pos = s;
            let mut ok = true;
            for list in &at {
                // The first occurrence after `pos`, if it is in the same sentence and within the gap (a
                // sentence's tokens are contiguous, so no later one can be).
                let next = list.get(list.partition_point(|&j| j <= pos)).copied();
                let found = next.filter(|&j| {
                    j <= (pos + 1 + GAP).min(last) && self.tokens[j].sent == self.tokens[pos].sent
                });
                // For a claim, a gap may not skip to a second conjunct ("semantic and instance") or skip a
                // multiplier ("about three times as much" is not "about as much").
                let conjunct = |j: usize| {
                    j > pos + 1
                        && (matches!(self.tokens[j - 1].raw.as_str(), "and" | "or" | "nor")
                            || self.tokens[pos + 1..j].windows(2).any(|w| {
                                w[0].num.is_some()
                                    && matches!(w[1].raw.as_str(), "times" | "x" | "fold")
                            }))
                };
                match found {
                    Some(j) if !(claim && conjunct(j)) => pos = j,
                    _ => {
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
