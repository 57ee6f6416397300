//! Negation scope and denial: which phrases of an answer are stated, and which are named only to be rejected.
//!
//! Two mechanisms, both computed once per answer:
//!
//! - **Negation scope** (per phrase): a cue (not, no, never, without, instead of, rather than, avoid…) before a
//!   phrase in the same clause negates it. A negated modal verb of choice ("I wouldn't bother with", "don't use",
//!   "wouldn't pick") scopes over the rest of its clause, across a short list ("not A, B or C"), up to a word
//!   that starts a new proposition ("because", "which", "so"…). "X is not needed", "X is nothing for a GPU"
//!   negate X from behind.
//! - **Denial** (per clause): a clause that reports a claim in order to reject it counts for nothing: "some say …,
//!   but that's not how it works", "a lot of people would reach for …, but I don't think any of those matter",
//!   "you'll hear people talk about …, but none of that is necessary".
//!
//! This module holds the negation scope and the clauses both analyses read; denial is in `denial.rs`.

use super::normalize::{is_negation, Token, CLAUSE_WORDS};

/// How far before a phrase a negation cue scopes (tokens), unless a negated verb of choice widens it.
pub const NEG_SCOPE: usize = 6;
/// How far a negated verb of choice ("wouldn't bother with …") scopes.
pub const WIDE_SCOPE: usize = 14;

/// Words that open a clause of their own (a list item never holds them).
const CLAUSE_OPENERS: &[&str] = &[
    "i", "we", "you", "it", "they", "this", "that", "which", "is", "are", "was", "were", "will",
    "would", "can", "could", "should", "do", "does", "did", "has", "have", "had", "so", "because",
    "since", "then",
];
/// Auxiliaries and modals whose negation scopes over a whole verb phrase.
pub(super) const MODALS: &[&str] = &[
    "would", "do", "does", "did", "will", "should", "could", "can", "need", "must", "shall",
    "might",
];
/// Verbs of choice (stems) that, negated, reject everything they take as object.
const CHOICE_VERBS: &[&str] = &[
    "bother",
    "worri",
    "care",
    "use",
    "pick",
    "choos",
    "do",
    "run",
    "add",
    "tri",
    "recommend",
    "go",
    "touch",
    "reli",
    "think",
    "consid",
    "appli",
    "includ",
    "spend",
    "wast",
    "start",
    "reach",
    "train",
    "want",
    "suggest",
    "need",
    "bet",
    "trust",
    "fiddl",
    "mess",
    "tune",
    "chang",
    "swap",
    "switch",
];
/// Verbs of preference (stems) after which "over" introduces the rejected option.
const PREFER_VERBS: &[&str] = &[
    "pick", "prefer", "choos", "chose", "favour", "favor", "select", "take",
];
/// Words that start a new proposition inside a clause and end a wide negation scope.
const SCOPE_BREAKS: &[&str] = &[
    "because",
    "since",
    "so",
    "which",
    "who",
    "where",
    "when",
    "while",
    "whereas",
    "although",
    "though",
    "but",
    "yet",
    "as",
    "until",
    "unless",
    "if",
    "than",
    "then",
    "therefore",
    "hence",
    "thus",
    "that",
];
/// Forms of "to be" for "X is not needed".
const BE: &[&str] = &["is", "are", "was", "were", "be", "been", "being"];
/// Predicates that deny usefulness after "is not" (stems).
const USELESS: &[&str] = &[
    "need",
    "necessari",
    "requir",
    "use",
    "help",
    "import",
    "relev",
    "worth",
    "good",
    "suitabl",
    "appropri",
    "enough",
    "suffici",
];
/// Predicates that dismiss something after "is" (stems): "20M parameters is nothing for a GPU".
const DISMISS: &[&str] = &[
    "noth",
    "neglig",
    "irrelev",
    "trivial",
    "overr",
    "pointless",
    "useless",
    "unnecessari",
];

/// Whether a stem dismisses what it is said of ("useless", "negligible").
pub fn dismisses(stem: &str) -> bool {
    DISMISS.iter().any(|u| stem.starts_with(u))
}

/// One clause of an analysed text: its id, its sentence and its tokens.
pub(super) struct Clause<'t> {
    pub id: u32,
    pub sent: u32,
    pub tokens: Vec<&'t Token>,
}

impl Clause<'_> {
    /// Whether the clause holds the stem sequence `cue`.
    pub fn has_seq(&self, cue: &[&str]) -> bool {
        self.tokens
            .windows(cue.len())
            .any(|w| w.iter().zip(cue).all(|(t, c)| t.stem == *c))
    }

    /// Whether the clause starts with a contrast word ("but", "however", …).
    pub fn starts_contrast(&self) -> bool {
        self.tokens
            .first()
            .map(|t| CLAUSE_WORDS.contains(&t.raw.as_str()))
            .unwrap_or(false)
    }
}

/// The clauses of `tokens`, in text order.
fn clauses(tokens: &[Token]) -> Vec<Clause<'_>> {
    let mut out: Vec<Clause> = Vec::new();
    for t in tokens {
        match out.last_mut() {
            Some(c) if c.id == t.clause => c.tokens.push(t),
            _ => out.push(Clause {
                id: t.clause,
                sent: t.sent,
                tokens: vec![t],
            }),
        }
    }
    out
}

/// Per clause id (`n` of them): a short comma-separated list item ("not A, B or C") that continues the clause
/// before it.
fn list_continuations(clauses: &[Clause], n: usize) -> Vec<bool> {
    let mut list_cont = vec![false; n];
    for c in clauses {
        let t = &c.tokens;
        if t.len() <= 6
            && !c.starts_contrast()
            && t.iter()
                .any(|x| matches!(x.raw.as_str(), "or" | "and" | "nor"))
            && !t.iter().any(|x| CLAUSE_OPENERS.contains(&x.raw.as_str()))
        {
            list_cont[c.id as usize] = true;
        }
    }
    list_cont
}

/// Negation and denial facts of one analysed text.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Per clause id: the clause reports a claim to reject it.
    denied: Vec<bool>,
    /// Per clause id: a short list item that continues the clause before it.
    list_cont: Vec<bool>,
}

/// The word after token `q` in its sentence.
fn next_raw(tokens: &[Token], q: usize) -> Option<&str> {
    tokens
        .get(q + 1)
        .filter(|n| n.sent == tokens[q].sent)
        .map(|n| n.raw.as_str())
}

/// Whether a negation word followed by `next` opens an idiom that affirms: "not only/just/merely …" (… but also),
/// "no matter what/how …" (regardless), "no doubt", "nothing but …" (only). "It runs at least once no matter what
/// the condition is" says that it runs.
pub fn affirms(word: &str, next: Option<&str>) -> bool {
    matches!(
        (word, next),
        ("not", Some("only" | "just" | "merely"))
            | ("no", Some("matter" | "doubt"))
            | ("nothing", Some("but"))
    )
}

/// [`affirms`] for token `q`.
pub fn affirming_idiom(tokens: &[Token], q: usize) -> bool {
    affirms(&tokens[q].raw, next_raw(tokens, q))
}

impl Scope {
    /// Analyse the clauses of `tokens`.
    pub fn new(tokens: &[Token]) -> Scope {
        let n = tokens.last().map(|t| t.clause as usize + 1).unwrap_or(0);
        let clauses = clauses(tokens);
        Scope {
            denied: super::denial::denied_clauses(&clauses, n),
            list_cont: list_continuations(&clauses, n),
        }
    }

    /// Whether the clause holding token `i` reports a claim to reject it.
    pub fn denied(&self, tokens: &[Token], i: usize) -> bool {
        self.denied
            .get(tokens[i].clause as usize)
            .copied()
            .unwrap_or(false)
    }

    fn list_cont(&self, clause: u32) -> bool {
        self.list_cont
            .get(clause as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Whether token `q` is a negation cue in context.
    pub fn is_cue(tokens: &[Token], q: usize) -> bool {
        let t = &tokens[q];
        let next = next_raw(tokens, q);
        match t.raw.as_str() {
            "instead" => next == Some("of"),
            "rather" => next == Some("than"),
            // "pick SlowFast over Two-Stream": what comes after "over" is the option rejected.
            "over" => tokens[q.saturating_sub(4)..q]
                .iter()
                .any(|x| x.clause == t.clause && PREFER_VERBS.contains(&x.stem.as_str())),
            "not" | "no" | "nothing" => !affirming_idiom(tokens, q),
            // "is far from negligible", "anything but free".
            "from" => {
                q >= 2
                    && tokens[q - 1].raw == "far"
                    && BE.contains(&tokens[q - 2].raw.as_str())
                    && tokens[q - 2].sent == t.sent
            }
            "but" => q >= 1 && tokens[q - 1].raw == "anything" && tokens[q - 1].sent == t.sent,
            _ => is_negation(t),
        }
    }

    /// A negated verb of choice at `q` ("would not bother", "don't use", "never pick"): it scopes wide.
    fn wide_cue(tokens: &[Token], q: usize) -> bool {
        let t = &tokens[q];
        if !matches!(t.raw.as_str(), "not" | "never") {
            return false;
        }
        let modal_before =
            q > 0 && MODALS.contains(&tokens[q - 1].raw.as_str()) && tokens[q - 1].sent == t.sent;
        let verb_after = tokens[q + 1..]
            .iter()
            .take(2)
            .take_while(|x| x.clause == t.clause)
            .any(|x| CHOICE_VERBS.contains(&x.stem.as_str()));
        (modal_before || t.raw == "never") && verb_after
    }

    /// Whether the phrase at tokens `first..=last` is negated: a cue before it (same clause, or across a short
    /// list; further for a negated verb of choice), a cue inside it, or "… is not needed" after it.
    pub fn negated(&self, tokens: &[Token], first: usize, last: usize) -> bool {
        self.negated_except(tokens, first, last, &|_| false)
    }

    /// [`Scope::negated`], ignoring cues at positions `own` accepts (a pattern's own negation words, matched by
    /// another of its groups: "no overlap … zero gradient").
    pub fn negated_except(
        &self,
        tokens: &[Token],
        first: usize,
        last: usize,
        own: &dyn Fn(usize) -> bool,
    ) -> bool {
        let t0 = &tokens[first];
        let mut clause = t0.clause;
        let lo = first.saturating_sub(WIDE_SCOPE);
        let mut broken = false;
        for q in (lo..first).rev() {
            let t = &tokens[q];
            if t.sent != t0.sent {
                break;
            }
            if t.clause != clause {
                if !self.list_cont(clause) {
                    break;
                }
                clause = t.clause;
            }
            if Self::is_cue(tokens, q) && !own(q) {
                if !broken && (first - q <= NEG_SCOPE || Self::wide_cue(tokens, q)) {
                    return true;
                }
                continue;
            }
            // A new proposition ("because …", "which …") ends the scope; "rather than" is the cue itself.
            if SCOPE_BREAKS.contains(&t.raw.as_str()) && !(q > 0 && Self::is_cue(tokens, q - 1)) {
                broken = true;
            }
        }
        if (first + 1..last).any(|q| Self::is_cue(tokens, q) && !own(q)) {
            return true;
        }
        // "YOLACT is not needed", "20M parameters is nothing for a modern GPU".
        let tl = &tokens[last];
        let after: Vec<&Token> = tokens[last + 1..]
            .iter()
            .take(5)
            .take_while(|t| t.clause == tl.clause)
            .collect();
        // A dismissal the pattern itself matched is its claim ("ImageNet weights are useless for scans").
        let at = |k: usize| last + 1 + k;
        (0..after.len().saturating_sub(2)).any(|k| {
            let w = &after[k..k + 3];
            BE.contains(&w[0].raw.as_str())
                && matches!(w[1].raw.as_str(), "not" | "never")
                && USELESS.iter().any(|u| w[2].stem.starts_with(u))
                && !own(at(k + 1))
        }) || (0..after.len().saturating_sub(1)).any(|k| {
            BE.contains(&after[k].raw.as_str()) && dismisses(&after[k + 1].stem) && !own(at(k + 1))
        })
    }
}

/// The verb of a negative contraction typed without its apostrophe ("doesnt" -> "does"), for the closed list of
/// such forms; None for any other word.
pub fn bare_negative(w: &str) -> Option<&'static str> {
    Some(match w {
        "dont" => "do",
        "doesnt" => "does",
        "didnt" => "did",
        "isnt" => "is",
        "arent" => "are",
        "wasnt" => "was",
        "werent" => "were",
        "cant" => "can",
        "couldnt" => "could",
        "shouldnt" => "should",
        "wouldnt" => "would",
        "wont" => "will",
        "hasnt" => "has",
        "havent" => "have",
        "hadnt" => "had",
        "mustnt" => "must",
        "neednt" => "need",
        _ => return None,
    })
}
