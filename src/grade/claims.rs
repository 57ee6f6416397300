//! Claim density: how much of an answer makes claims (relates its terms with a verb, a preposition, a number)
//! rather than listing them. A list of buzzwords scores low; the grader reads it as jargon.

use super::detect::{blank, code_lines, is_function_word};
use super::fasthash::FnvSet;

/// Words that relate terms to each other: verbs of being and doing, modals, prepositions, conjunctions of
/// reason and order. A stretch of text without any of them (and without a number) names terms without saying
/// anything about them.
const LINKS: &[&str] = &[
    "includes",
    "include",
    "contains",
    "contain",
    "consists",
    "holds",
    "defines",
    "declares",
    "specifies",
    "executes",
    "allocates",
    "accesses",
    "passes",
    "calls",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "can",
    "could",
    "will",
    "would",
    "should",
    "must",
    "may",
    "might",
    "need",
    "needs",
    "to",
    "for",
    "by",
    "with",
    "without",
    "from",
    "into",
    "onto",
    "than",
    "then",
    "because",
    "so",
    "since",
    "per",
    "on",
    "in",
    "at",
    "over",
    "under",
    "via",
    "instead",
    "rather",
    "when",
    "if",
    "while",
    "after",
    "before",
    "until",
    "which",
    "that",
    "who",
    "where",
    "it",
    "they",
    "we",
    "i",
    "you",
    "this",
    "these",
    "those",
    "not",
    "no",
    "never",
    "times",
    "only",
    "but",
    "also",
    "whereas",
    "unless",
    "though",
    "although",
    "makes",
    "make",
    "gives",
    "give",
    "uses",
    "use",
    "using",
    "takes",
    "adds",
    "keeps",
    "lets",
    "gets",
    "helps",
    "costs",
    "runs",
    "means",
    "against",
    "between",
    "across",
    "through",
    "like",
    "vs",
    "as",
    "out",
    "up",
    "down",
    "off",
    // Verbs a technical claim is made of (third person; participles double as adjectives, "learned features").
    "predicts",
    "computes",
    "learns",
    "reduces",
    "increases",
    "improves",
    "handles",
    "removes",
    "assigns",
    "matches",
    "regresses",
    "scores",
    "samples",
    "shifts",
    "splits",
    "factorises",
    "factorizes",
    "holds",
    "fits",
    "suppresses",
    "drops",
    "keeps",
    "sorts",
    "dominates",
    "becomes",
    "stays",
    "fails",
    "breaks",
    "hurts",
    "causes",
    "maps",
    "outputs",
    "trains",
    "converts",
    "stores",
    "measures",
    "captures",
    "recovers",
    "avoids",
    "requires",
    "depends",
    "applies",
    "inserts",
    "replaces",
    "returns",
    "yields",
    "means",
    "divides",
    "multiplies",
    "clamps",
    "rescales",
];

/// Fraction of an answer's words that sit in stretches making a claim (see [`LINKS`]); a comma-separated
/// list of buzzwords scores low, a telegraphic but specific answer ("warmup then cosine, label smoothing 0.1")
/// high. Stretches are split at , ; : . ! ? ( ) and dashes.
pub fn claim_density(text: &str) -> f64 {
    let code = code_lines(text);
    if !code.is_empty() {
        return claim_density(&blank(text, &code));
    }
    static SET: std::sync::OnceLock<FnvSet<&'static str>> = std::sync::OnceLock::new();
    let links = SET.get_or_init(|| LINKS.iter().copied().collect());
    let (mut claim, mut total) = (0usize, 0usize);
    let mut buf = String::new();
    for seg in text.split([
        ',', ';', ':', '.', '!', '?', '(', ')', '\n', '\u{2014}', '\u{2013}',
    ]) {
        let mut words = 0;
        let mut numbers = 0;
        let mut says = false;
        // Only content words are weighed: "it's a question of A and B" is a claim about little.
        for w in seg
            .split_whitespace()
            .flat_map(|w| w.split(['\'', '\u{2019}', '/']))
        {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if w.is_empty() {
                continue;
            }
            buf.clear();
            buf.extend(w.chars().flat_map(char::to_lowercase));
            let link = links.contains(buf.as_str());
            if !link && !is_function_word(&buf) && buf.len() > 1 {
                words += 1;
            }
            numbers += buf.starts_with(|c: char| c.is_ascii_digit()) as usize;
            says = says || link || buf == "s" || buf == "t";
        }
        // A number says something about the words next to it ("label smoothing 0.1"), not on its own.
        says = says || (numbers > 0 && words > numbers);
        total += words;
        if says {
            claim += words;
        }
    }
    if total == 0 {
        0.0
    } else {
        claim as f64 / total as f64
    }
}
