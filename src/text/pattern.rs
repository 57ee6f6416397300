//! Concept patterns: compiled from the rubric language (see docs/rubric-format.md) and matched against a [`Doc`].

use super::fasthash::intern;
use super::negation::Scope;
use super::normalize::{tokenize_with, Lexicon, Token};

/// Largest distance, in tokens, between the groups of one pattern.
pub const WINDOW: usize = 30;
/// Other tokens allowed between consecutive words of a phrase.
pub const GAP: usize = 2;

#[derive(Debug, Clone, PartialEq)]
enum Item {
    /// An interned stem (see [`intern`]).
    Word(u32),
    /// An interned stem of a [`super::normalize::CASED_WORDS`] word and the sense the pattern means (true: the
    /// acronym).
    Cased(u32, bool),
    Prefix(String),
    Num(f64, f64),
}

/// A compiled concept pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written in the rubric.
    pub source: String,
    /// Each group: alternative flattened item sequences.
    groups: Vec<Vec<Vec<Item>>>,
    /// Per group: the group itself speaks of negation ("do not overlap"), so negation scoping is off for its
    /// matches (and only for them: the other groups are still checked).
    negation_in_group: Vec<bool>,
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

fn perr(p: &str, msg: impl Into<String>) -> PatternError {
    PatternError {
        pattern: p.to_string(),
        msg: msg.into(),
    }
}

/// Split at `sep` characters that are not inside parentheses.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut last = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if c == sep && depth == 0 => {
                out.push(&s[last..i]);
                last = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&s[last..]);
    out
}

fn parse_number(p: &str, s: &str) -> Result<Item, PatternError> {
    let bad = || perr(p, format!("bad number item '#{s}' (use #9 or #0.05..0.2)"));
    if let Some((a, b)) = s.split_once("..") {
        let lo: f64 = a.parse().map_err(|_| bad())?;
        let hi: f64 = b.parse().map_err(|_| bad())?;
        if lo > hi {
            return Err(perr(p, format!("number range #{s} has low > high")));
        }
        Ok(Item::Num(lo, hi))
    } else {
        let v: f64 = s.parse().map_err(|_| bad())?;
        Ok(Item::Num(v, v))
    }
}

/// Normalise a run of plain words into items (lexicon applied).
fn words_to_items(run: &str, lex: &Lexicon) -> Vec<Item> {
    tokenize_with(run, lex)
        .into_iter()
        .map(|t| match t.num {
            Some(v) => Item::Num(v, v),
            None => {
                let id = intern::intern(&t.stem);
                match super::normalize::case_sense(&run[t.start..t.end]) {
                    Some(acronym) => Item::Cased(id, acronym),
                    None => Item::Word(id),
                }
            }
        })
        .collect()
}

/// Parse one alternative (a sequence of words, special items and parenthesised slots) into flattened sequences.
fn parse_seq(p: &str, s: &str, lex: &Lexicon) -> Result<Vec<Vec<Item>>, PatternError> {
    // Each slot: a list of alternative item sequences.
    let mut slots: Vec<Vec<Vec<Item>>> = Vec::new();
    let mut run = String::new();
    let flush = |run: &mut String, slots: &mut Vec<Vec<Vec<Item>>>| {
        if !run.trim().is_empty() {
            for it in words_to_items(run, lex) {
                slots.push(vec![vec![it]]);
            }
        }
        run.clear();
    };
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '(' {
            flush(&mut run, &mut slots);
            let mut depth = 1;
            let mut j = i + 1;
            while j < chars.len() && depth > 0 {
                match chars[j] {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            if depth != 0 {
                return Err(perr(p, "unbalanced parentheses"));
            }
            let inner: String = chars[i + 1..j - 1].iter().collect();
            let mut alts = Vec::new();
            for a in split_top(&inner, '|') {
                if a.trim().is_empty() {
                    return Err(perr(p, "empty alternative inside ( )"));
                }
                alts.extend(parse_seq(p, a, lex)?);
            }
            // "(…)?" makes the slot optional.
            if j < chars.len() && chars[j] == '?' {
                alts.push(Vec::new());
                j += 1;
            }
            slots.push(alts);
            i = j;
        } else if c == ')' {
            return Err(perr(p, "unbalanced parentheses"));
        } else if c.is_whitespace() {
            run.push(' ');
            i += 1;
        } else {
            // Read one whitespace-delimited word to see whether it is special.
            let mut j = i;
            while j < chars.len() && !chars[j].is_whitespace() && chars[j] != '(' && chars[j] != ')'
            {
                j += 1;
            }
            let w: String = chars[i..j].iter().collect();
            if let Some(num) = w.strip_prefix('#') {
                flush(&mut run, &mut slots);
                slots.push(vec![vec![parse_number(p, num)?]]);
            } else if let Some(pre) = w.strip_suffix('*') {
                flush(&mut run, &mut slots);
                let pre = super::normalize::americanize_prefix(&pre.to_lowercase());
                if pre.len() < 2 || !pre.chars().all(|c| c.is_alphanumeric()) {
                    return Err(perr(
                        p,
                        format!("prefix '{w}' needs at least two letters or digits before '*'"),
                    ));
                }
                slots.push(vec![vec![Item::Prefix(pre)]]);
            } else {
                run.push_str(&w);
            }
            i = j;
        }
    }
    flush(&mut run, &mut slots);
    if slots.is_empty() {
        return Err(perr(p, "empty phrase"));
    }
    // Cartesian product of slot alternatives, flattened.
    let mut seqs: Vec<Vec<Item>> = vec![Vec::new()];
    for slot in slots {
        let mut next = Vec::new();
        for prefix in &seqs {
            for alt in &slot {
                let mut s = prefix.clone();
                s.extend(alt.iter().cloned());
                next.push(s);
            }
        }
        if next.len() > 512 {
            return Err(perr(
                p,
                "too many combinations (over 512); split it into several patterns",
            ));
        }
        seqs = next;
    }
    Ok(seqs)
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
            let mut alts = Vec::new();
            for a in split_top(g, '|') {
                if a.trim().is_empty() {
                    return Err(perr(src, "empty alternative (check '|' and '+')"));
                }
                alts.extend(parse_seq(src, a, lex)?);
            }
            groups.push(alts);
        }
        let negation_in_group = groups
            .iter()
            .map(|g| {
                g.iter().flatten().any(|it| match it {
                    Item::Word(w) => super::normalize::NEGATION_CUES
                        .iter()
                        .any(|c| intern::intern(c) == *w),
                    Item::Prefix(p) => ["avoid", "without", "instead", "rather", "remov", "drop"]
                        .iter()
                        .any(|c| c.starts_with(p.as_str()) || p.starts_with(c)),
                    _ => false,
                })
            })
            .collect();
        Ok(Pattern {
            source: src.to_string(),
            groups,
            negation_in_group,
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
        // The pattern's own negation words ("(not|no) overlap*") negate nothing of the pattern's other groups.
        let own: Vec<Span> = if self.negation_in_group.iter().any(|&b| b) {
            let mut v = Vec::new();
            for (alts, _) in self
                .groups
                .iter()
                .zip(&self.negation_in_group)
                .filter(|(_, &b)| b)
            {
                for seq in alts {
                    doc.find_seq_into(seq, &mut v);
                }
            }
            v
        } else {
            Vec::new()
        };
        let is_own = |q: usize| own.iter().any(|s| s.first <= q && q <= s.last);
        // Groups one at a time: most patterns fail, and they fail at the first group that has no match.
        let mut per_group: Vec<Vec<Span>> = Vec::with_capacity(self.groups.len());
        for (gi, alts) in self.groups.iter().enumerate() {
            let mut v: Vec<Span> = Vec::new();
            for seq in alts {
                doc.find_seq_into(seq, &mut v);
            }
            let own_negation = self.negation_in_group[gi];
            v.retain(|sp| {
                allow(doc.tokens[sp.first].sent)
                    && match mode {
                        Scoping::Unscoped => true,
                        Scoping::Stated => {
                            !doc.denied(*sp) && (own_negation || !doc.negated(*sp, &is_own))
                        }
                        Scoping::Claimed => {
                            !doc.denied(*sp)
                                && (own_negation
                                    || !(doc.negated(*sp, &is_own)
                                        || doc.negated_after(*sp, &is_own)))
                        }
                    }
            });
            if v.is_empty() {
                return None;
            }
            v.sort_by_key(|s| s.first);
            per_group.push(v);
        }
        // Anchor on each match of the rarest group, then pick for every other group the closest match.
        let (ai, anchor) = per_group.iter().enumerate().min_by_key(|(_, g)| g.len())?;
        let window = if mode == Scoping::Claimed {
            CLAIM_WINDOW
        } else {
            WINDOW
        };
        for a in anchor {
            let sent = doc.tokens[a.first].sent;
            let mut first = a.first;
            let mut last = a.last;
            let mut ok = true;
            for (gi, g) in per_group.iter().enumerate() {
                if gi == ai {
                    continue;
                }
                let best = g
                    .iter()
                    .filter(|s| mode != Scoping::Claimed || doc.tokens[s.first].sent == sent)
                    .map(|s| (s, s.last.max(last).saturating_sub(s.first.min(first))))
                    .min_by_key(|(_, w)| *w);
                match best {
                    Some((s, w)) if w <= window => {
                        first = first.min(s.first);
                        last = last.max(s.last);
                    }
                    _ => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok && !(mode == Scoping::Claimed && doc.caveated(Span { first, last })) {
                return Some(Span { first, last });
            }
        }
        None
    }
}

/// How far after a claimed phrase a negation of its predicate reaches ("INT8 won't", "a bigger model isn't
/// enough"), in tokens.
const AFTER_SCOPE: usize = 4;
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
    "at the risk",
    "risk of",
    "guard against",
];

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
                match super::normalize::case_sense(surface) {
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

    fn starts(&self, it: &Item) -> std::borrow::Cow<'_, [usize]> {
        use std::borrow::Cow;
        match it {
            Item::Word(w) => {
                let lo = self.by_id.partition_point(|&i| self.ids[i] < *w);
                let n = self.by_id[lo..].partition_point(|&i| self.ids[i] == *w);
                Cow::Borrowed(&self.by_id[lo..lo + n])
            }
            Item::Cased(w, _) => {
                let lo = self.by_id.partition_point(|&i| self.ids[i] < *w);
                let n = self.by_id[lo..].partition_point(|&i| self.ids[i] == *w);
                Cow::Owned(
                    self.by_id[lo..lo + n]
                        .iter()
                        .copied()
                        .filter(|&i| self.item_matches(it, i))
                        .collect(),
                )
            }
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
    fn find_seq_into(&self, seq: &[Item], out: &mut Vec<Span>) {
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

    /// Whether a phrase match sits in a clause that reports a claim to reject it.
    /// Whether a span's claim is denied or negated in context (a cue before, inside or just after it, or a
    /// reported claim the sentence rejects).
    pub fn disowned(&self, sp: Span) -> bool {
        self.reports_rejection(sp) || self.negated(sp, &|_| false)
    }

    /// Whether any clause in the span reports a claim only to reject it ("some say …, but …").
    pub fn reports_rejection(&self, sp: Span) -> bool {
        (sp.first..=sp.last).any(|i| self.scope.denied(&self.tokens, i))
    }

    fn denied(&self, sp: Span) -> bool {
        self.scope.denied(&self.tokens, sp.first)
    }

    /// Whether a negation cue follows the phrase in its own clause ("INT8 won't close the gap", "a bigger model
    /// isn't enough"): for claims, where a sentence that negates its own predicate does not make the claim.
    fn negated_after(&self, sp: Span, own: &dyn Fn(usize) -> bool) -> bool {
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
    fn caveated(&self, sp: Span) -> bool {
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
        CAVEATS.iter().any(|cue| {
            let cue: Vec<&str> = cue.split(' ').collect();
            raws.windows(cue.len()).any(|w| w == cue.as_slice())
        })
    }

    /// Whether a phrase match is negated (see [`Scope::negated`]).
    fn negated(&self, sp: Span, own: &dyn Fn(usize) -> bool) -> bool {
        self.scope
            .negated_except(&self.tokens, sp.first, sp.last, own)
    }

    /// The sentence(s) of the original text around a span, verbatim, at most ~220 bytes.
    pub fn quote(&self, sp: Span) -> String {
        let a = &self.tokens[sp.first];
        let b = &self.tokens[sp.last];
        let mut start = a.start;
        let mut end = b.end;
        // Extend to the clause-or-sentence boundaries while short.
        let first_in_sent = self
            .tokens
            .iter()
            .position(|t| t.sent == a.sent)
            .unwrap_or(sp.first);
        let last_in_sent = self
            .tokens
            .iter()
            .rposition(|t| t.sent == b.sent)
            .unwrap_or(sp.last);
        let s_start = self.tokens[first_in_sent].start;
        let s_end = self.tokens[last_in_sent].end;
        if s_end - s_start <= 220 {
            start = s_start;
            end = s_end;
        } else {
            // Clause bounds instead.
            let fc = self
                .tokens
                .iter()
                .position(|t| t.clause == a.clause)
                .unwrap_or(sp.first);
            let lc = self
                .tokens
                .iter()
                .rposition(|t| t.clause == b.clause)
                .unwrap_or(sp.last);
            if self.tokens[lc].end - self.tokens[fc].start <= 220 {
                start = self.tokens[fc].start;
                end = self.tokens[lc].end;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lex() -> Lexicon {
        Lexicon::new(&[
            ("rpn".into(), vec!["region proposal network".into()]),
            ("rcnn".into(), vec!["r cnn".into()]),
        ])
    }

    fn m(p: &str, text: &str) -> bool {
        let l = lex();
        Pattern::compile(p, &l)
            .unwrap()
            .find(&Doc::new(text, &l))
            .is_some()
    }

    fn claim(p: &str, text: &str) -> bool {
        let l = lex();
        Pattern::compile(p, &l)
            .unwrap()
            .find_claim(&Doc::new(text, &l))
            .is_some()
    }

    #[test]
    fn claims_see_negation_after_the_phrase() {
        let p = "(int8|quantiz*) + (close*|fix*|solv*) + gap";
        assert!(claim(p, "Converting to INT8 will close the 10x gap."));
        assert!(!claim(
            p,
            "Simply converting to INT8 won't close a 10x gap."
        ));
        assert!(!claim(p, "INT8 alone does not close the gap."));
        // A criterion (a stated idea) keeps the old scoping: negation before the phrase.
        assert!(!m("label smooth*", "I would not use label smoothing"));
    }

    #[test]
    fn a_negation_in_one_group_does_not_switch_off_the_others() {
        // "do not overlap" is the pattern's own negation; "gives no gradient" still negates the gradient group.
        let p = "(iou|iou loss) + (gives|provides) + (gradient*|signal) + (do not|don t|never|no) overlap*";
        assert!(!claim(
            p,
            "The IoU loss gives no gradient when the boxes do not overlap."
        ));
        assert!(claim(
            p,
            "The IoU loss gives a useful gradient even when the boxes do not overlap."
        ));
        assert!(m(
            "(not|no) overlap* + gradient*",
            "no overlap means a zero gradient"
        ));
    }

    #[test]
    fn claims_are_made_in_one_sentence_and_not_as_caveats() {
        let p = "fine tun* + (whole|entire|all) (model|network|layers)";
        assert!(claim(
            p,
            "I would fine-tune the whole model on the defect images."
        ));
        assert!(!claim(
            p,
            "Fine-tune the whole model only once there is enough labelled data, and watch for forgetting."
        ));
        assert!(!claim(
            p,
            "I would fine-tune. There is a lot to say about this, and the whole model of the factory matters."
        ));
    }

    #[test]
    fn over_after_a_verb_of_preference_rejects_the_option() {
        let p = "(pick|choose|prefer) (two stream)";
        assert!(claim(p, "For the car I'd pick Two-Stream."));
        assert!(!claim(p, "For the car I'd pick SlowFast over Two-Stream."));
        // "over" elsewhere is not a negation.
        assert!(m(
            "loss + over + batch",
            "the contrastive loss over the batch"
        ));
    }

    #[test]
    fn acronyms_are_case_aware() {
        // A pattern that writes CLIP means the model; "clip" means a video clip.
        assert!(m(
            "CLIP + (encoder|embedding*)",
            "The CLIP image encoder is frozen."
        ));
        assert!(!m(
            "CLIP + (encoder|embedding*)",
            "Each clip goes to a video encoder, and each clip is 2 s."
        ));
        assert!(m("clip + frames", "Each clip has 16 frames."));
        assert!(!m("clip + frames", "CLIP never sees 16 frames."));
        assert!(m("mAP + (drop*|fall*)", "the mAP drops by 2 points"));
        assert!(!m(
            "mAP + (drop*|fall*)",
            "the feature map drops to 1/32 resolution in Stage 5"
        ));
        // An answer in lower case throughout gets both senses.
        assert!(m(
            "CLIP + (encoder|embedding*)",
            "the clip image encoder is frozen"
        ));
    }

    #[test]
    fn phrase_with_gaps_and_stems() {
        assert!(m("cosine schedule", "a cosine learning rate schedule"));
        assert!(!m("cosine schedule", "a cosine one two three schedule"));
        assert!(m(
            "anchor* + (each|every) (position|location)",
            "Anchors sit at each spatial location."
        ));
    }

    #[test]
    fn numbers_and_ranges() {
        assert!(m(
            "label smooth* + #0.05..0.2",
            "label smoothing of about 0.1"
        ));
        assert!(!m("label smooth* + #0.05..0.2", "label smoothing of 0.5"));
        assert!(m("#9 anchor*", "nine anchors per cell"));
        assert!(m("(data )?augment*", "augmentation helps"));
        assert!(m("(data )?augment*", "data augmentation helps"));
    }

    #[test]
    fn negation_and_denial() {
        assert!(!m("label smooth*", "I would not use label smoothing"));
        assert!(m("label smooth*", "Not only mixup but label smoothing"));
        assert!(!m("anchor* + (learn*|predict*)", "anchors are not learned"));
        assert!(!m(
            "#9 anchor*",
            "Some say there are 9 anchors, but that's not how it works"
        ));
        assert!(m(
            "(avoid*|without) optical flow",
            "SlowFast works without optical flow"
        ));
        assert!(!m("mask rcnn", "use YOLACT instead of Mask R-CNN"));
        assert!(m(
            "slowfast + learn* motion",
            "SlowFast instead learns motion from RGB"
        ));
        assert!(!m(
            "warmup",
            "I would not use label smoothing, warmup or a cosine classifier"
        ));
        assert!(m(
            "slowfast + learn*",
            "We do not need flow, SlowFast learns motion from frames"
        ));
        assert!(!m("yolact", "YOLACT is not needed here"));
        assert!(m("yolact", "YOLACT is not slow"));
        assert!(!m(
            "cutmix",
            "Some say mixup, CutMix, label smoothing, but that's not true"
        ));
        assert!(!m(
            "(flop*|latency) + (not|differ*)",
            "Some say FLOPs are not latency, but that's not true"
        ));
        assert!(m(
            "mAP + operating point",
            "One pitfall is that mAP ignores the operating point"
        ));
    }

    #[test]
    fn reported_then_rejected() {
        let neg = [
            ("label smooth*", "A lot of people would reach for warmup or label smoothing here, but honestly I don't think any of those address the real issue."),
            ("optical flow", "People usually frame this as Two-Stream with precomputed optical flow versus SlowFast, but I don't think that is the deciding factor."),
            ("normalis*", "I wouldn't bother with the bias initialisation or the per-positive normalisation."),
            ("sensitiv* analysis", "I wouldn't do a calibration pass or per-layer sensitivity analysis."),
            ("per channel", "You'll hear people talk about per-channel scales and KL clipping, but none of that is necessary."),
            ("#20000000 param*", "20M parameters is nothing for a modern GPU."),
        ];
        for (p, t) in neg {
            assert!(!m(p, t), "{p} should not match: {t}");
        }
        let pos = [
            (
                "focal loss",
                "Focal loss helps, but alpha alone doesn't fix it.",
            ),
            (
                "warmup",
                "Many practitioners recommend warmup, and I wouldn't skip it.",
            ),
            (
                "slowfast + raw frames",
                "It doesn't need optical flow because SlowFast learns motion from raw frames.",
            ),
            (
                "label smooth*",
                "I'd add label smoothing; people say it hurts calibration, but it usually helps.",
            ),
        ];
        for (p, t) in pos {
            assert!(m(p, t), "{p} should match: {t}");
        }
    }

    #[test]
    fn lexicon_in_patterns() {
        assert!(m(
            "region proposal network + score*",
            "the RPN scores anchors"
        ));
        assert!(m(
            "rpn + score*",
            "the region proposal network scores anchors"
        ));
    }

    #[test]
    fn window_limits_groups() {
        let far = format!("cosine {} warmup", "word ".repeat(40));
        assert!(!m("cosine + warmup", &far));
        assert!(m("cosine + warmup", "warmup then cosine"));
    }

    #[test]
    fn compile_errors() {
        let l = lex();
        assert!(Pattern::compile("(a|b", &l).is_err());
        assert!(Pattern::compile("a | ", &l).is_err());
        assert!(Pattern::compile("#x..2", &l).is_err());
        assert!(Pattern::compile("a*", &l).is_err());
    }
}
