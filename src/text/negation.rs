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
/// Auxiliaries and modals whose negation scopes over a whole verb phrase.
const MODALS: &[&str] = &[
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
/// Words that may stand before the demonstrative of a rejection ("but honestly I don't think any of those …").
const FRAME: &[&str] = &[
    "but",
    "however",
    "yet",
    "though",
    "and",
    "honestly",
    "frankly",
    "really",
    "personally",
    "i",
    "we",
    "do",
    "does",
    "did",
    "not",
    "think",
    "believe",
    "feel",
    "would",
    "say",
    "all",
    "any",
    "of",
    "none",
    "neither",
    "either",
    "in",
    "my",
    "opinion",
    "practice",
    "also",
    "just",
    "still",
    "actually",
    "the",
    "so",
    "truth",
    "to",
    "be",
    "fair",
    "that",
    "said",
];

/// Clause cues (stem sequences) that report a claim in order to reject it, on their own.
const REPORT_CUES: &[&[&str]] = &[
    &["some", "say"],
    &["some", "peopl"],
    &["peopl", "think"],
    &["peopl", "say"],
    &["peopl", "claim"],
    &["peopl", "believ"],
    &["mani", "believ"],
    &["often", "said"],
    &["myth"],
    &["misconcept"],
    &["mistak"],
    &["trap"],
    &["default", "to"],
    &["tempt"],
    &["naiv"],
];
/// Who reports a claim (stems) …
const REPORTERS: &[&str] = &[
    "peopl",
    "some",
    "mani",
    "most",
    "everyon",
    "everybodi",
    "folk",
    "other",
    "explan",
    "textbook",
    "tutori",
    "blog",
    "paper",
    "guid",
    "advic",
    "wisdom",
    "convent",
    "usual",
    "obvious",
    "standard",
    "typic",
    "popular",
    "you",
    "candid",
    "team",
    "engin",
    "practition",
];
/// … and how (stems); together they report a claim that a later rejection denies.
const REPORT_VERBS: &[&str] = &[
    "say",
    "said",
    "think",
    "thought",
    "frame",
    "reach",
    "suggest",
    "recommend",
    "claim",
    "argu",
    "blame",
    "talk",
    "mention",
    "believ",
    "tell",
    "told",
    "assum",
    "default",
    "advis",
    "propos",
    "insist",
    "jump",
    "grab",
    "hear",
    "answer",
    "prescrib",
    "push",
];
/// Clause cues that refute the clause before them.
const REFUTE_CUES: &[&[&str]] = &[
    &["not", "how"],
    &["is", "wrong"],
    &["is", "fals"],
    &["not", "true"],
    // "… is incorrect", not "defined incorrectly" (an adverb describes, it does not refute).
    &["is", "incorrect"],
    &["are", "incorrect"],
    &["s", "incorrect"],
    &["is", "a", "myth"],
    &["not", "correct"],
    &["is", "overr"],
    &["disagre"],
    &["miss", "the", "point"],
];
/// How many sentences after a report its rejection may come.
const REPORT_REACH: u32 = 3;
/// Demonstratives that point back at what came before ("any of those", "that").
const ANAPHORS: &[&str] = &[
    "those", "these", "that", "this", "it", "them", "either", "neither", "none",
];
/// Predicates (raw prefixes) a rejection denies of what it points back to: "… don't matter", "none of that is
/// necessary", "… isn't the real issue". Transitive verbs of need or use are not here: "it needs no loss
/// scaling" and "it doesn't need flow" say something about their object, not about what came before.
const RELEVANCE: &[&str] = &[
    "matter",
    "address",
    "help",
    "necessar",
    "needed",
    "worth",
    "relevan",
    "important",
    "decid",
    "decisive",
    "fix",
    "solv",
    "work",
    "differen",
    "issue",
    "point",
    "problem",
    "answer",
    "true",
    "right",
    "correct",
    "factor",
    "key",
    "worr",
    "bother",
    "useful",
];

fn has_seq(toks: &[&Token], cue: &[&str]) -> bool {
    toks.windows(cue.len())
        .any(|w| w.iter().zip(cue).all(|(t, c)| t.stem == *c))
}

fn starts_contrast(toks: &[&Token]) -> bool {
    toks.first()
        .map(|t| CLAUSE_WORDS.contains(&t.raw.as_str()))
        .unwrap_or(false)
}

fn negated_clause(toks: &[&Token]) -> bool {
    toks.iter().any(|t| {
        is_negation(t) || matches!(t.raw.as_str(), "hardly" | "barely" | "doubt" | "disagree")
    })
}

/// A clause that reports a claim: who ("people", "some explanations", "you'll hear") and a reporting verb.
fn reports(toks: &[&Token]) -> bool {
    toks.iter().enumerate().any(|(i, t)| {
        REPORTERS.contains(&t.stem.as_str())
            && toks[i + 1..]
                .iter()
                .take(5)
                .any(|v| REPORT_VERBS.iter().any(|r| v.stem.starts_with(r)))
    })
}

/// A rejection of what came before: negation, a demonstrative pointing back, a predicate of relevance
/// ("I don't think any of those matter", "none of that is necessary").
fn rejects_previous(toks: &[&Token]) -> bool {
    // The demonstrative must be the subject: only framing words before it ("alpha alone doesn't fix it" is not
    // a rejection of what came before).
    let Some(a) = toks.iter().position(|t| ANAPHORS.contains(&t.raw.as_str())) else {
        return false;
    };
    // The negation must come before the predicate it denies ("don't matter", not "needs no scaling").
    let Some(neg) = toks.iter().position(|t| {
        is_negation(t) || matches!(t.raw.as_str(), "hardly" | "barely" | "doubt" | "disagree")
    }) else {
        return false;
    };
    toks[..a].iter().all(|t| FRAME.contains(&t.raw.as_str()))
        && toks[neg.max(a)..]
            .iter()
            .any(|t| RELEVANCE.iter().any(|r| t.raw.starts_with(r)))
}

/// Negation and denial facts of one analysed text.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Per clause id: the clause reports a claim to reject it.
    denied: Vec<bool>,
    /// Per clause id: a short list item that continues the clause before it.
    list_cont: Vec<bool>,
}

impl Scope {
    /// Analyse the clauses of `tokens`.
    pub fn new(tokens: &[Token]) -> Scope {
        let n = tokens.last().map(|t| t.clause as usize + 1).unwrap_or(0);
        let mut clauses: Vec<(u32, u32, Vec<&Token>)> = Vec::new();
        for t in tokens {
            match clauses.last_mut() {
                Some((c, _, v)) if *c == t.clause => v.push(t),
                _ => clauses.push((t.clause, t.sent, vec![t])),
            }
        }
        let mut denied = vec![false; n];
        for (k, (c, s, toks)) in clauses.iter().enumerate() {
            let same_sentence_after = || clauses.iter().skip(k + 1).take_while(|x| x.1 == *s);
            let specific = REPORT_CUES.iter().any(|cue| has_seq(toks, cue));
            // A general report needs a rejection later in the sentence ("…, but I don't think so") or at the
            // start of the next one.
            let general = !specific
                && reports(toks)
                && (same_sentence_after().any(|x| {
                    (starts_contrast(&x.2) && negated_clause(&x.2)) || rejects_previous(&x.2)
                }) || clauses
                    .iter()
                    .skip(k + 1)
                    .find(|x| x.1 != *s)
                    .map(|x| rejects_previous(&x.2))
                    .unwrap_or(false));
            if specific || reports(toks) {
                // A report rejected a few sentences later ("People will tell you A. And B. But honestly none of
                // that matters.") denies everything in between.
                let within = clauses
                    .iter()
                    .enumerate()
                    .skip(k + 1)
                    .take_while(|(_, x)| x.1 <= *s + REPORT_REACH);
                let rejection = within
                    .filter(|(_, x)| x.1 != *s)
                    .find(|(_, x)| {
                        rejects_previous(&x.2) || REFUTE_CUES.iter().any(|cue| has_seq(&x.2, cue))
                    })
                    .map(|(r, _)| r);
                if let Some(r) = rejection {
                    for (c2, _, _) in &clauses[k..=r] {
                        denied[*c2 as usize] = true;
                    }
                }
            }
            if specific || general {
                // The reported claim runs on over commas until a contrast word ("…, but …") or the sentence end.
                denied[*c as usize] = true;
                for (c2, _, t2) in same_sentence_after() {
                    if starts_contrast(t2) {
                        break;
                    }
                    denied[*c2 as usize] = true;
                }
            }
            let refutes = REFUTE_CUES.iter().any(|cue| has_seq(toks, cue));
            let points_back = k > 0 && clauses[k - 1].1 == *s && rejects_previous(toks);
            if refutes || points_back {
                // "…, but that's not true" / "…, but I don't think any of those matter" rejects what came
                // before it in the sentence.
                denied[*c as usize] = true;
                for (c2, s2, _) in clauses[..k].iter().rev() {
                    if s2 != s {
                        break;
                    }
                    denied[*c2 as usize] = true;
                }
            }
        }
        // Short comma-separated list items ("not A, B or C") continue the clause before them.
        let mut list_cont = vec![false; n];
        for (c, _, t) in &clauses {
            if t.len() <= 6
                && !starts_contrast(t)
                && t.iter()
                    .any(|x| matches!(x.raw.as_str(), "or" | "and" | "nor"))
                && !t.iter().any(|x| CLAUSE_OPENERS.contains(&x.raw.as_str()))
            {
                list_cont[*c as usize] = true;
            }
        }
        Scope { denied, list_cont }
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
        let next = tokens
            .get(q + 1)
            .filter(|n| n.sent == t.sent)
            .map(|n| n.raw.as_str());
        match t.raw.as_str() {
            "instead" => next == Some("of"),
            "rather" => next == Some("than"),
            // "pick SlowFast over Two-Stream": what comes after "over" is the option rejected.
            "over" => tokens[q.saturating_sub(4)..q]
                .iter()
                .any(|x| x.clause == t.clause && PREFER_VERBS.contains(&x.stem.as_str())),
            "not" => !matches!(next, Some("only") | Some("just") | Some("merely")),
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
        after.windows(3).any(|w| {
            BE.contains(&w[0].raw.as_str())
                && matches!(w[1].raw.as_str(), "not" | "never")
                && USELESS.iter().any(|u| w[2].stem.starts_with(u))
        }) || after.windows(2).any(|w| {
            BE.contains(&w[0].raw.as_str()) && DISMISS.iter().any(|u| w[1].stem.starts_with(u))
        })
    }
}
