//! Deterministic gaming detectors: injection text, keyword stuffing, off-topic answers, copied questions.

use super::fasthash::FnvSet;
use super::normalize::{tokenize_plain, tokenize_with, Lexicon, Token};

pub use super::claims::claim_density;

/// The first injection phrase found, if any (see [`super::injection`]).
pub fn injection(answer: &str) -> Option<String> {
    super::injection::find(answer)
}

/// [`injection`], plus an answer that names two or more of the question's rubric criterion ids (as the interview
/// prints them after every answer): pasting the rubric's own labels, or a verdict per label, is talking to the
/// grader, and earns nothing.
pub fn injection_in(q: &crate::bank::Question, answer: &str) -> Option<String> {
    if let Some(hit) = injection(answer) {
        return Some(hit);
    }
    let lower = answer.to_lowercase();
    let named: Vec<(&str, bool)> = q
        .all_criteria()
        .map(|c| c.spec.id.as_str())
        .filter(|id| id.contains('-'))
        .filter_map(|id| token_at(&lower, id).map(|verdict| (id, verdict)))
        .collect();
    // Ids like "label-preserving" are also ordinary words: two of them are a label list only with a verdict
    // beside one, or when they are the rubric's own long labels ("recall-on-odd-shapes"), or four of them.
    let long = named
        .iter()
        .filter(|(id, _)| id.matches('-').count() >= 2)
        .count();
    let verdicts = named.iter().filter(|(_, v)| *v).count();
    let listed = named.len() >= 4 || long >= 2 || (named.len() >= 2 && verdicts >= 1);
    listed.then(|| {
        let ids: Vec<&str> = named.iter().map(|(id, _)| *id).collect();
        format!("names rubric criteria: {}", ids.join(", "))
    })
}

/// Whether `id` occurs in `text` as a whole token (not inside a longer hyphenated word): None when it does not,
/// else whether a verdict word follows it ("dense-anchors: met").
fn token_at(text: &str, id: &str) -> Option<bool> {
    let edge = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    let mut found = None;
    for (i, _) in text.match_indices(id) {
        let after = &text[i + id.len()..];
        if edge(text[..i].chars().next_back()) && edge(after.chars().next()) {
            let rest =
                after.trim_start_matches(|c: char| c.is_whitespace() || ":,;=|-–—>".contains(c));
            let verdict = [
                "met",
                "partial",
                "missed",
                "covered",
                "satisfied",
                "yes",
                "pass",
                "✓",
            ]
            .iter()
            .any(|v| rest.starts_with(v));
            found = Some(found.unwrap_or(false) || verdict);
        }
    }
    found
}

/// English function words; a real claim needs some of them.
pub const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "of", "to", "in", "on",
    "at", "by", "for", "with", "and", "or", "but", "so", "because", "since", "that", "this",
    "these", "those", "it", "its", "they", "them", "their", "we", "i", "you", "he", "she", "which",
    "who", "what", "when", "where", "how", "why", "if", "then", "than", "as", "from", "into",
    "per", "each", "every", "not", "no", "do", "does", "did", "would", "should", "could", "can",
    "will", "may", "might", "must", "has", "have", "had", "also", "more", "less", "most", "only",
    "both", "all", "any", "some", "there", "here", "about", "over", "under", "between", "after",
    "before", "while", "up", "down", "out", "my", "our", "your", "use", "using", "get", "gets",
    "make", "makes", "give", "gives", "need", "needs",
];

/// Whether a lower-case word is one of [`FUNCTION_WORDS`].
pub fn is_function_word(w: &str) -> bool {
    static SET: std::sync::OnceLock<FnvSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| FUNCTION_WORDS.iter().copied().collect())
        .contains(w)
}

fn is_function(t: &Token) -> bool {
    is_function_word(&t.raw)
}

/// Content tokens (not function words, not bare numbers).
pub fn content_stems(tokens: &[Token]) -> Vec<&str> {
    tokens
        .iter()
        .filter(|t| !is_function(t) && t.num.is_none() && t.raw.len() > 1)
        .map(|t| t.stem.as_str())
        .collect()
}

/// Byte ranges of lines that look like code (assignments, calls, control statements), when the answer holds a
/// block of at least three of them: code repeats its identifiers and has no function words, so it must not read
/// as keyword stuffing or jargon. A prose line that mentions `alpha = 0.25` is not code.
pub fn code_lines(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let indented = line.starts_with("    ") || line.starts_with('\t');
        let assign = t
            .split_once('=')
            .map(|(l, r)| {
                !l.is_empty()
                    && !r.starts_with('=')
                    && l.trim_end_matches(['+', '-', '*', '/', ' '])
                        .chars()
                        .all(|c| c.is_alphanumeric() || "_.[], ".contains(c))
            })
            .unwrap_or(false);
        let code = !t.is_empty()
            && !t.ends_with('.')
            && (indented
                || assign
                || [
                    "def ", "for ", "while ", "if ", "return ", "import ", "from ", "class ", "#",
                    "//", "}",
                ]
                .iter()
                .any(|k| t.starts_with(k))
                || t.ends_with('{')
                || t.ends_with(';')
                || (t.ends_with(':') && t.contains('(')));
        if code {
            out.push((start, start + line.len()));
        }
        start += line.len();
    }
    if out.len() < 3 {
        out.clear();
    }
    out
}

/// Keyword stuffing, judged on the whole answer (code lines excluded): term lists carry most of its content, or
/// the same terms come back over and over. Each sentence or line is a term list when fewer than one in twenty of
/// its words are function words (a telegraphic claim keeps its "per" or "like") and it does not relate its terms
/// (see [`relates`]); the answer is stuffed when those pieces hold at least half of its content words (and eight or
/// more). Weighing pieces by what they carry means a sign-off ("Cheers, Anna Smith") or a short list
/// after a real answer ("Speed, accuracy, memory.") cannot turn it into stuffing, and a prose sign-off cannot
/// turn a term list into an answer.
pub fn keyword_stuffing(tokens: &[Token], text: &str, notation: bool) -> bool {
    let code = code_lines(text);
    let prose: Vec<&Token> = tokens
        .iter()
        .filter(|t| !code.iter().any(|(a, b)| t.start >= *a && t.start < *b))
        .collect();
    if prose.len() < 8 {
        return false;
    }
    let is_content = |t: &Token| !is_function(t) && t.num.is_none() && t.raw.len() > 1;
    let content: Vec<&str> = prose
        .iter()
        .filter(|t| is_content(t))
        .map(|t| t.stem.as_str())
        .collect();
    let distinct: FnvSet<&str> = content.iter().copied().collect();
    let repetitive = content.len() >= 16 && (distinct.len() as f64) < 0.45 * content.len() as f64;
    // Content words in sentences (or lines) that are term lists.
    let mut list_content = 0usize;
    for piece in prose.chunk_by(|a, b| a.sent == b.sent) {
        let fw = piece.iter().filter(|t| is_function(t)).count();
        let content = piece.iter().filter(|t| is_content(t)).count();
        if fw * 20 < piece.len() && !relates(piece, text, content, notation) {
            list_content += content;
        }
    }
    let listy = list_content >= 8 && list_content * 2 >= content.len();
    repetitive || listy
}

/// A figure or a relation mark for every this many content words keeps a piece from being a term list.
const CONTENT_PER_RELATION: usize = 5;
/// So does a linking word for every this many content words (one stray verb does not make a list of forty terms a
/// claim).
const CONTENT_PER_LINK: usize = 8;

/// Whether a piece without function words still relates its terms, as expert notes do: a linking word ("domain
/// context helps"), or, in notes in the field's notation (`notation`, see [`super::claims::notation`]), relation
/// marks and figures (arrows, equals and operators, numbers that are not list markers) at least one per
/// [`CONTENT_PER_RELATION`] content words ("OS32 -> 512 px on a 16x16 grid"). A bare list of terms has none of them,
/// and arrows strung between buzzwords with no figure anywhere do not count.
fn relates(piece: &[&Token], text: &str, content: usize, notation: bool) -> bool {
    let links = piece
        .iter()
        .filter(|t| super::claims::is_link(&t.raw))
        .count()
        + usize::from(labelled(piece, text));
    if links * CONTENT_PER_LINK >= content && links > 0 {
        return true;
    }
    let (Some(first), Some(last), true) = (piece.first(), piece.last(), notation) else {
        return false;
    };
    let figures = piece
        .iter()
        .filter(|t| t.num.is_some() && !super::claims::list_marker(text, t.start, t.end))
        .count();
    let marks = super::claims::relation_marks(&text[first.start..last.end]);
    (marks + figures) * CONTENT_PER_RELATION >= content
}

/// Whether a piece opens with a short label and a colon ("Metrics: Dice, sensitivity, clDice"): the label says what
/// the rest is, as "are" would. It counts as one linking word, so a long list under a label is still a list.
fn labelled(piece: &[&Token], text: &str) -> bool {
    piece.windows(2).take(LABEL_WORDS).any(|w| {
        text.get(w[0].end..w[1].start)
            .is_some_and(|gap| gap.contains(':'))
    })
}

/// Most words a label before a colon has.
const LABEL_WORDS: usize = 4;

/// Fraction of content words (see [`content_stems`]) that belong to a vocabulary.
pub fn topical_overlap(content: &[&str], vocab: &FnvSet<String>) -> f64 {
    if content.is_empty() {
        return 0.0;
    }
    content.iter().filter(|s| vocab.contains(**s)).count() as f64 / content.len() as f64
}

/// Stems of a text's content words.
pub fn vocabulary(texts: &[&str]) -> FnvSet<String> {
    let mut v = FnvSet::default();
    for t in texts {
        for s in content_stems(&tokenize_plain(t)) {
            v.insert(s.to_string());
        }
    }
    v
}

/// Stems of all of a text's words.
pub fn stem_set(text: &str) -> FnvSet<String> {
    tokenize_plain(text).into_iter().map(|t| t.stem).collect()
}

/// Stems of all of a text's words, lexicon applied (as in a [`super::pattern::Doc`]).
pub fn stem_set_with(text: &str, lex: &Lexicon) -> FnvSet<String> {
    tokenize_with(text, lex)
        .into_iter()
        .map(|t| t.stem)
        .collect()
}

/// Sentences of the answer that copy the question: byte ranges, and the fraction of the text they make up.
/// A sentence of six or more words, 85% of them the question's (see [`stem_set`]), is copied.
pub fn copied_sentences(
    text: &str,
    tokens: &[Token],
    pv: &FnvSet<String>,
) -> (Vec<(usize, usize)>, f64) {
    let mut ranges = Vec::new();
    for sent in tokens.chunk_by(|a, b| a.sent == b.sent) {
        if sent.len() >= 6 {
            let inq =
                sent.iter().filter(|t| pv.contains(&t.stem)).count() as f64 / sent.len() as f64;
            if inq >= 0.85 {
                ranges.push((sent[0].start, sent[sent.len() - 1].end));
            }
        }
    }
    let copied: usize = ranges.iter().map(|(a, b)| b - a).sum();
    let total = text.trim().len().max(1);
    (ranges, (copied as f64 / total as f64).min(1.0))
}

/// The text with the given byte ranges blanked out (offsets stay valid).
pub fn blank(text: &str, ranges: &[(usize, usize)]) -> String {
    let mut out = text.to_string();
    for &(a, b) in ranges {
        out.replace_range(a..b, &" ".repeat(b - a));
    }
    out
}

/// Words that carry no topic of their own: an answer made of the question's words plus these says nothing new.
pub const GENERIC: &[&str] = &[
    "answer",
    "question",
    "depend",
    "compar",
    "comparison",
    "situat",
    "thing",
    "import",
    "aspect",
    "way",
    "differ",
    "differ",
    "work",
    "want",
    "need",
    "walk",
    "explain",
    "discuss",
    "consid",
    "look",
    "talk",
    "cover",
    "point",
    "case",
    "various",
    "general",
    "basic",
    "realli",
    "actual",
    "good",
    "better",
    "best",
    "lot",
    "mani",
    "much",
    "veri",
    "just",
    "first",
    "final",
    "someth",
    "everyth",
    "anyth",
    "approach",
    "issu",
    "problem",
    "option",
    "choic",
    "place",
    "time",
    "whi",
    "go",
    "see",
    "know",
    "think",
    "say",
    "like",
    "main",
    "kind",
    "sort",
    "fix",
    "diagnos",
];

/// How much of an answer only echoes the question: (fraction of content tokens that are the question's words,
/// distinct content stems that are neither the question's words nor generic).
pub fn question_echo(content: &[&str], pv: &FnvSet<String>) -> (f64, usize) {
    if content.is_empty() {
        return (0.0, 0);
    }
    let inq = content.iter().filter(|s| pv.contains(**s)).count() as f64 / content.len() as f64;
    let novel: FnvSet<&str> = content
        .iter()
        .copied()
        .filter(|s| !pv.contains(*s) && !GENERIC.contains(s))
        .collect();
    (inq, novel.len())
}

/// Sentence pieces of a text, keeping every byte (their concatenation is the text).
pub fn split_sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut last = 0;
    let b = text.as_bytes();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?' | '\n') {
            let next_is_space = b
                .get(i + 1)
                .map(|x| x.is_ascii_whitespace())
                .unwrap_or(true);
            if next_is_space {
                out.push(&text[last..=i]);
                last = i + 1;
            }
        }
    }
    if last < text.len() {
        out.push(&text[last..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuffing_and_copy() {
        let salad = tokenize_plain(
            "anchors RPN IoU NMS FPN scales ratios offsets regression objectness recall k=9 stride",
        );
        assert!(keyword_stuffing(&salad, "", false));
        let real = tokenize_plain("Each position on the feature map gets nine anchors, and the RPN regresses offsets for each of them.");
        assert!(!keyword_stuffing(&real, "", false));
        // The whole answer is judged: a sign-off or a few terms after a real answer do not make it a list, and a
        // prose sign-off does not make a list an answer.
        let answer = "Each position on the feature map gets nine anchors, three scales times three ratios. The RPN \
                      scores every anchor and regresses four offsets for it, so tall and wide objects are covered.";
        for tail in [
            "\n\nCheers,\nAnna Smith",
            " Speed, accuracy, memory.",
            "\nSpeed, accuracy, memory, recall, NMS.",
        ] {
            let t = format!("{answer}{tail}");
            assert!(
                !keyword_stuffing(&tokenize_plain(&t), &t, false),
                "{tail:?}"
            );
        }
        let signed = "anchors RPN IoU NMS FPN scales ratios offsets regression objectness recall stride proposals\n\
                      Thanks, I hope this helps you and the team.";
        assert!(keyword_stuffing(&tokenize_plain(signed), signed, false));
        let text =
            "Walk me through how anchor boxes are generated in Faster R-CNN. They are dense.";
        let (ranges, frac) = copied_sentences(
            text,
            &tokenize_plain(text),
            &stem_set(
                "Walk me through how anchor boxes are generated in Faster R-CNN and explain why",
            ),
        );
        assert!(frac > 0.5, "{frac}");
        let kept = blank(text, &ranges);
        assert!(kept.contains("They are dense."));
        assert_eq!(kept.len(), text.len());
    }
}
