//! Denial, per clause: a clause that reports a claim in order to reject it counts for nothing ("some say …, but
//! that's not how it works", "a lot of people would reach for …, but I don't think any of those matter", "you'll
//! hear people talk about …, but none of that is necessary"). [`super::negation::Scope`] holds the result.

use super::negation::Clause;
use super::normalize::{is_negation, Token};

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
    &["common", "claim"],
    &["common", "belief"],
    &["common", "assumpt"],
    &["popular", "belief"],
    &["widespread", "belief"],
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

/// Whether a token denies: a negation cue ("not", "hardly"), or a word of doubt ("I doubt", "I disagree").
fn denies(t: &Token) -> bool {
    is_negation(t) || matches!(t.raw.as_str(), "doubt" | "disagree")
}

/// People (stems) whose habits a clause can report ("people sometimes fit …", "many teams often …").
const PEOPLE: &[&str] = &[
    "peopl",
    "folk",
    "team",
    "engin",
    "practition",
    "candid",
    "everyon",
    "everybodi",
];
/// Words of habit: "people sometimes fit …" reports what others do, as a reporting verb reports what they say.
const HABITS: &[&str] = &[
    "sometim", "often", "usual", "typic", "common", "tend", "routin", "regular",
];

/// A clause that reports a claim: who ("people", "some explanations", "you'll hear") and a reporting verb, or who
/// at the start of the clause and a word of habit ("people sometimes fit the map on the test set").
fn reports(toks: &[&Token]) -> bool {
    toks.iter().enumerate().any(|(i, t)| {
        REPORTERS.contains(&t.stem.as_str())
            && (toks[i + 1..]
                .iter()
                .take(5)
                .any(|v| REPORT_VERBS.iter().any(|r| v.stem.starts_with(r)))
                || (i < 3
                    && PEOPLE.contains(&t.stem.as_str())
                    && toks[i + 1..]
                        .iter()
                        .take(2)
                        .any(|v| HABITS.iter().any(|h| v.stem.starts_with(h)))))
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
    // "without" negates its object, not the predicate ("it will handle 'a person without a hard hat' correctly").
    // Nor does an idiom that affirms ("it runs at least once no matter what the condition is").
    let idiom =
        |i: usize| super::negation::affirms(&toks[i].raw, toks.get(i + 1).map(|n| n.raw.as_str()));
    let Some(neg) =
        (0..toks.len()).position(|i| denies(toks[i]) && toks[i].raw != "without" && !idiom(i))
    else {
        return false;
    };
    toks[..a].iter().all(|t| FRAME.contains(&t.raw.as_str()))
        && toks[neg.max(a)..]
            .iter()
            .any(|t| RELEVANCE.iter().any(|r| t.raw.starts_with(r)))
}

/// Whether a clause calls what it follows false ("that's not true", "is a myth", "I disagree").
fn refutes(c: &Clause) -> bool {
    REFUTE_CUES.iter().any(|cue| c.has_seq(cue))
}

/// The clauses after clause `k` in its sentence.
fn same_sentence_after<'c, 't>(
    clauses: &'c [Clause<'t>],
    k: usize,
) -> impl Iterator<Item = &'c Clause<'t>> {
    let s = clauses[k].sent;
    clauses.iter().skip(k + 1).take_while(move |x| x.sent == s)
}

/// Whether a general report at clause `k` (who and how, no specific cue) is rejected: by a contrast later in its
/// sentence ("people often say X, but …": the candidate sets themselves against it) or at the start of the next
/// one.
fn rejected_soon(clauses: &[Clause], k: usize) -> bool {
    let s = clauses[k].sent;
    same_sentence_after(clauses, k).any(|x| x.starts_contrast() || rejects_previous(&x.tokens))
        || clauses
            .iter()
            .skip(k + 1)
            .find(|x| x.sent != s)
            .map(|x| rejects_previous(&x.tokens))
            .unwrap_or(false)
}

/// The clause, in one of the [`REPORT_REACH`] sentences after the report at clause `k`, that rejects it.
fn later_rejection(clauses: &[Clause], k: usize) -> Option<usize> {
    let s = clauses[k].sent;
    clauses
        .iter()
        .enumerate()
        .skip(k + 1)
        .take_while(|(_, x)| x.sent <= s + REPORT_REACH)
        .filter(|(_, x)| x.sent != s)
        .find(|(_, x)| rejects_previous(&x.tokens) || refutes(x))
        .map(|(r, _)| r)
}

/// Deny a report at clause `k` and what it reports.
fn deny_report(clauses: &[Clause], k: usize, denied: &mut [bool]) {
    let toks = &clauses[k].tokens;
    let specific = REPORT_CUES.iter().any(|cue| clauses[k].has_seq(cue));
    let reported = reports(toks);
    if specific || reported {
        // A report rejected a few sentences later ("People will tell you A. And B. But honestly none of that
        // matters.") denies everything in between.
        if let Some(r) = later_rejection(clauses, k) {
            for c in &clauses[k..=r] {
                denied[c.id as usize] = true;
            }
        }
    }
    // A general report needs a rejection later in the sentence or at the start of the next one.
    if specific || (reported && rejected_soon(clauses, k)) {
        // The reported claim runs on over commas until a contrast word ("…, but …") or the sentence end.
        denied[clauses[k].id as usize] = true;
        for c in same_sentence_after(clauses, k) {
            if c.starts_contrast() {
                break;
            }
            denied[c.id as usize] = true;
        }
    }
}

/// "…, but that's not true" / "…, but I don't think any of those matter" at clause `k` rejects what came before
/// it in the sentence.
fn deny_refuted(clauses: &[Clause], k: usize, denied: &mut [bool]) {
    let c = &clauses[k];
    let points_back = k > 0 && clauses[k - 1].sent == c.sent && rejects_previous(&c.tokens);
    if refutes(c) || points_back {
        denied[c.id as usize] = true;
        for before in clauses[..k].iter().rev().take_while(|x| x.sent == c.sent) {
            denied[before.id as usize] = true;
        }
    }
}

/// Per clause id (`n` of them): whether the clause reports a claim to reject it, or is rejected.
pub(super) fn denied_clauses(clauses: &[Clause], n: usize) -> Vec<bool> {
    let mut denied = vec![false; n];
    for k in 0..clauses.len() {
        deny_report(clauses, k, &mut denied);
        deny_refuted(clauses, k, &mut denied);
    }
    denied
}
