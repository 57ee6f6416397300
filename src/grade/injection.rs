//! Injection detection: text that addresses the grader instead of answering the question.
//!
//! The detector is deliberately general. It does not look for known attack strings; it looks for the things every
//! attempt to steer a grader needs, in any wording:
//!
//! - **hidden or structural text**: HTML/XML comments and tags, bracketed control markers (`[SYSTEM]`,
//!   `[[OVERRIDE]]`, `<|im_start|>`), invisible characters, fake conversation turns (`Interviewer: …`,
//!   `Evaluator: …` at the start of a line);
//! - **instructions addressed to a grader**: a grader, evaluator, examiner or model named as the addressee together
//!   with an order, a grading word or a top mark;
//! - **claims about the grading of this answer**: "this answer deserves full marks", "every criterion is met",
//!   "score = 100", fake JSON or key=value grading output, a hijacked step-by-step grading procedure;
//! - **appeals**: pleading for a mark or for leniency.
//!
//! Each sentence is described by a few features and a sentence fires on a combination of them, so a single
//! domain word ("score", "points", "model") never fires on its own.

use super::fasthash::FnvMap;
use super::regexes::{fast, first_match, set};
use regex::{Regex, RegexSet, SetMatches};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Characters that render as nothing and can hide text from a human reader.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{E0000}'..='\u{E007F}')
}

/// Compatibility-normalise (full-width letters become ASCII), drop invisible characters and count them.
fn clean(answer: &str) -> (String, usize) {
    if answer.is_ascii() {
        return (answer.to_string(), 0);
    }
    let mut hidden = 0;
    let mut out = String::with_capacity(answer.len());
    let chars: Vec<char> = answer.nfkc().collect();
    for (i, &c) in chars.iter().enumerate() {
        if is_invisible(c) {
            // A byte-order mark at the very start is an artefact of editors, and a soft hyphen between two
            // letters is typography (word processors and PDFs insert them): neither is hiding.
            let in_word = c == '\u{AD}'
                && i > 0
                && chars[i - 1].is_alphabetic()
                && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
            if !(in_word || (i == 0 && c == '\u{FEFF}')) {
                hidden += 1;
            }
            continue;
        }
        out.push(c);
    }
    (out, hidden)
}

/// Structural markers: each one alone is an injection.
fn structural() -> &'static (RegexSet, Vec<(Regex, &'static str)>) {
    type Structural = (RegexSet, Vec<(Regex, &'static str)>);
    static R: OnceLock<Structural> = OnceLock::new();
    R.get_or_init(|| {
        let roles = "system|assistant|user|human|ai|interviewer|evaluator|grader|examiner|judge|reviewer|scorer|rater|marker|assessor|admin|administrator|developer|moderator|instructor|hiring manager|panel|proctor|operator|rubric|answer key|marking scheme|scoring guide|grading note";
        let meta = "answer|candidate|system|rubric|user|assistant|instructions?|grad\\w*|eval\\w*|scor\\w*|prompt|admin|hidden|hide|context|response|output|input|data|untrusted|note|meta|override|judge|examiner|reviewer|verdict|criteri\\w*|policy|secret|inst|result|grade|mark|points|question|transcript";
        let list = [
            (r"<!--".to_string(), "hidden comment"),
            (format!(r"</?\s*[a-z_:-]*({meta})[a-z0-9_:-]*(\s[^<>]{{0,80}})?/?>"), "markup tag"),
            (r#"<[a-z]+[^<>]*(display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|\bhidden\b|opacity\s*:\s*0)"#.to_string(), "hidden markup"),
            (format!(r"\[\[?\s*/?\s*([a-z_-]+\s){{0,3}}[a-z_-]*({meta}|sys)[a-z0-9_-]*(\s+[a-z_-]+){{0,3}}\s*([:=][^\]]{{0,80}})?\]\]?"), "bracketed marker"),
            (r"\{\{[^}]{0,80}(scor|grad|mark|rubric|criteri|verdict|instruct|system)[^}]{0,80}\}\}".to_string(), "template marker"),
            (r"<\|[a-z_]{2,20}\|>|\[/?inst\]|<<\s*/?sys\s*>>".to_string(), "chat-template token"),
            (r"(^|\n)\s*#{1,6}\s*(instruction|system|response|grader|grading|evaluat|rubric|note to)".to_string(), "markdown heading"),
            (r"(^|\n)\s*\[[^\]\n]{0,20}\]\s*:\s*(#|<>)".to_string(), "markdown comment"),
            (format!(r"(^|\n)[\s>*_\[(]*({roles})('s|s)?(\s+(note|notes|comment|comments|feedback|remark|remarks|summary|decision|verdict|output|response|reply|message|instructions?))?\s*(\([^)]{{0,30}}\))?[\s*_\])]*:"), "fake turn"),
            (r"(^|\n|[.!?]\s+)[\[(*]*(system\s+|admin\s+|grader\s+|grading\s+)?override[\])*]*\s*:".to_string(), "override marker"),
            (r"[.!?]\s+[\[(*]*(system|assistant|interviewer|evaluator|grader|examiner|judge|reviewer|scorer|rater|assessor|moderator)[\])*]*\s*:\s".to_string(), "fake turn"),
        ]
        .into_iter()
        .map(|(p, what)| (fast(&p), what))
        .collect::<Vec<_>>();
        let set = set(list.iter().map(|(p, _)| p)).expect("valid structural regexes");
        let each = list
            .iter()
            .map(|(p, what)| (Regex::new(p).expect("valid structural regex"), *what))
            .collect();
        (set, each)
    })
}

/// Phrases that are injections on their own, whatever surrounds them (compiled by [`direct`]).
///
/// A data table: one regex a line, grouped by what the phrase does; it is longer than a function may be.
const DIRECT: &[&str] = &[
    // Overriding instructions.
    r"\b(ignore|disregard|forget|override|bypass|set\s+aside)\b[^.!?\n]{0,40}\b(instructions?|rubrics?|rules|criteria|criterion|prompt|guidelines?|grading|scoring|evaluation|system\s+message|(everything|all|anything)\s+(above|before|else|previous|prior)|(previous|prior|above|earlier|original|preceding|former)\s+(\w+\s+)?(instructions?|text|messages?|context|rules|prompts?|directions|guidance|directives?))\b",
    r"\b(skip|drop|discard|suspend|turn\s+off)\s+(the\s+|your\s+|all\s+)?(rubric|grading|scoring|evaluation|instructions|criteria\s+check|rules)\b",
    // Role assignment.
    r"\byou\s+are\s+(now\s+)?(an?\s+|the\s+|my\s+)?(\w+\s+){0,2}(ai|grader|evaluator|assistant|language model|examiner|judge|assessor|marker|scorer|rater|reviewer)\b",
    r"\bas\s+an?\s+(\w+\s+){0,2}(ai|llm|language model|grader|evaluator|assistant|examiner|assessor|marker|scorer|rater|judge)\b",
    r"\b(act|behave|respond|answer)\s+as\s+(an?\s+|the\s+)?(\w+\s+)?(grader|evaluator|examiner|judge|assessor)",
    r"(^|[.!?:]\s+)(attention|note|nb|p\.?s\.?)\s*[,:]?\s*(to\s+)?(the\s+)?(grader|evaluator|examiner|judge|assessor|reviewer|marker)s?\b",
    r"\bif\s+you\s+are\s+(an?\s+|the\s+)?(\w+\s+){0,2}(ai|llm|language\s+model|model|grader|evaluator|assistant|examiner|judge|marker|assessor)\b",
    r"\bjailbreak|\bdo anything now\b|\bdeveloper mode\b|\bpretend (you|to be)\b|\broleplay as\b",
    // Score claims.
    r"\b100\s*/\s*100\b|\b10\s*/\s*10\b|\b100\s+out\s+of\s+100\b|\b10\s+out\s+of\s+10\b|\bfull\s+marks\b|\btop\s+marks\b|\bmaximum\s+marks\b|\bfull\s+credit\b|\bperfect\s+(score|marks|grade)\b|\ba\+\s+grade\b",
    r#"["']?\b(score|grade|rating|verdict|mark|final_score|overall_score|total_score)\b["']?\s*(=|:|==|=>|->)\s*["']?(100|\d{1,3}\s*/\s*\d{1,3}|pass(ed)?|met|excellent|perfect|true|full\s+marks)\b|\b(score|grade|rating|verdict|mark)\s*[=:]\s*a\+"#,
    r#""\s*(score|verdict|grade|criteria|evidence|flags|misconceptions|rating|met)\s*"\s*:"#,
    r"\b(final|overall|total)\s+(score|grade|mark|rating|verdict)\b[^.!?\n]{0,20}\b(100|maximum|max|full|perfect|pass)",
    // Criteria claims.
    r"\b(all|every|each)\s+(of\s+)?(the\s+|your\s+|its\s+)?(\w+\s+)?(criteria|criterion|rubric\s+(items?|points?|criteria)|requirements?|checkboxes|key points)\s+(\w+\s+)?(are|is|were|was|have\s+been|has\s+been|be|being|considered|deemed|count\s+as)?\s*(fully\s+|clearly\s+|all\s+)?(met|satisfied|covered|fulfilled|addressed|passed|achieved|ticked|checked)",
    r"\b(meets|satisfies|covers|fulfils|fulfills|hits|addresses|ticks)\s+(all|every|each)\s+(of\s+)?(the\s+)?(\w+\s+)?(criteria|criterion|rubric|requirements?|key\s+points|checkboxes)",
    r"\ball_criteria_met|\bcriteria_met\b|\bmisconceptions\s*[=:]\s*(none|\[\]|0)",
    r"\b(mark|grade|treat|count|consider|record|score|rate)\s+(this|it|every criterion|all criteria|each criterion|the answer|my answer|this answer|this response)\s+(as\s+)?(met|correct|passed|perfect|complete|excellent|full|satisfied|a pass)\b",
    r"\b(grading|evaluation|scoring|marking|assessment)\s+(protocol|instructions?|override|mode|rules?\s+(update|change)|procedure|policy|guidelines?|note|hint|tip|update|key)\b",
    r"\b(new|updated|revised|additional|special|hidden|secret)\s+(instructions?|rubric|grading\s+rules?|scoring\s+rules?|system\s+(prompt|message))\b",
    r"\b(evaluation|grading|scoring|marking)_?override\b|\boverride\s+(the\s+)?(score|grade|grading|evaluation|rubric|verdict)",
    r"\bwhitelist(ed)?\b|\bpre-?approved\b|\bcalibration\s+(item|answer|sample)\b|\bdo\s+not\s+(recompute|re-?grade|re-?evaluate|penali[sz]e|deduct|list missing)",
    r"\b(system|developer)\s+(prompt|message|override|instruction)s?\b",
    // Hijacked grading procedure.
    r"\b(marking|grading|scoring)\s+(scheme|guide|key|sheet|criteria|rules|rubric|instructions?|notes?)\b|\b(evaluation|assessment)\s+(scheme|guide|key|sheet|rubric|instructions?|override|protocol|notes?)\b|\banswer\s+key\b",
    r"\bend\s+of\s+(the\s+)?(answer|response|submission|candidate('s)?\s+answer|input|transcript)\b|\b(begin|start|end)\s+(of\s+)?(the\s+)?(system|grader|evaluator|admin|developer|hidden)\s+(prompt|message|instructions?|section|block)\b",
    r"\binstructions?\s+(for|to)\s+(the\s+)?(evaluator|grader|model|ai|assistant|system|scorer|judge|reviewer|examiner|llm|marker|assessor)\b",
    r"\b(full|perfect)\s+(score|points|credit|grade|mark)\b|\b100\s+points\b|\bmaximum\s+(points|marks|grade)\b|\btop\s+(grade|marks)\b",
    r"\b(think|reason|thinking|reasoning)\s+(this\s+)?(out\s+|through\s+)?step[\s-]+by[\s-]+step\b",
    r"\b(graded|rated)\s+(very\s+)?(highly|high|maximally|generously|as\s+(correct|complete|perfect|excellent|met))\b",
    r"\b(this|my|the\s+candidate'?s?)\s+(answer|response|submission)\s+(is|was|has\s+been)\s+(\w+\s+){0,2}(correct|complete|excellent|perfect|comprehensive|flawless|exemplary|outstanding|ideal)\b",
    r"\b(demonstrat\w+|shows?|showing|displays?)\s+(a\s+)?(complete|full|clear|excellent|total|deep|thorough|expert)\s+(mastery|understanding|command|expertise)\b",
    r"\b(criteria|criterion(_\w+)?|verdicts?|flags|misconceptions)\s*[:=]\s*[\[{(]",
    r"\b(let'?s|let us|i will|we will|now)\s+(think|reason|go|work)\s+(step\s+by\s+step|through)\s+(about\s+)?(how\s+to\s+)?(the\s+|this\s+)?(grad|scor|evaluat|assess|mark)",
    r"\b(how\s+to\s+|to\s+)(grade|score|evaluate|assess|mark)\s+(this|the|my)\s+(answer|response|submission|candidate)",
];

/// [`DIRECT`], compiled: one set to tell whether any phrase occurs, and each phrase to find it.
fn direct() -> &'static (RegexSet, Vec<Regex>) {
    static R: OnceLock<(RegexSet, Vec<Regex>)> = OnceLock::new();
    R.get_or_init(|| {
        let set = set(DIRECT.iter().map(|p| fast(p))).expect("valid injection regexes");
        let each = DIRECT
            .iter()
            .map(|p| Regex::new(&fast(p)).expect("valid"))
            .collect();
        (set, each)
    })
}

/// Sentence features (see [`Pats`]); each one's number is the index of its pattern in [`Features::set`].
#[derive(Debug, Clone, Copy)]
enum Feat {
    Addr,
    SelfRef,
    GradeWord,
    Strict,
    Top,
    Dir,
    Claim,
    Appeal,
    Plea,
    Stakes,
    Auth,
    Praise,
}

impl Feat {
    /// Whether a sentence's matches include this feature.
    fn in_(self, m: &SetMatches) -> bool {
        m.matched(self as usize)
    }
}

/// Feature patterns, before compilation.
struct Pats {
    addressee: String,
    self_ref: String,
    grade_word: String,
    grade_strict: String,
    top_mark: String,
    directive: String,
    claim: String,
    appeal: String,
    plea: String,
    stakes: String,
    authority: String,
    praise: String,
    steps: String,
    met: String,
}

/// Compiled features: one set searched once per sentence, and the few regexes used on the whole text.
struct Features {
    set: RegexSet,
    /// The features every sentence rule needs one of: when none occurs anywhere, no sentence can fire.
    gate: RegexSet,
    strict: Regex,
    appeal: Regex,
    plea: Regex,
    stakes: Regex,
    steps: Regex,
    met: Regex,
}

fn features() -> &'static Features {
    static F: OnceLock<Features> = OnceLock::new();
    F.get_or_init(|| {
        use Feat::*;
        let p = pats();
        // In the order of [`Feat`].
        let all = [
            &p.addressee,
            &p.self_ref,
            &p.grade_word,
            &p.grade_strict,
            &p.top_mark,
            &p.directive,
            &p.claim,
            &p.appeal,
            &p.plea,
            &p.stakes,
            &p.authority,
            &p.praise,
        ];
        let re = |x: &str| Regex::new(x).expect("valid feature regex");
        Features {
            set: set(all).expect("valid feature regexes"),
            gate: set([Addr, SelfRef, Strict, Appeal, Plea, Stakes, Auth].map(|f| all[f as usize]))
                .expect("valid feature regexes"),
            strict: re(&p.grade_strict),
            appeal: re(&p.appeal),
            plea: re(&p.plea),
            stakes: re(&p.stakes),
            steps: re(&p.steps),
            met: re(&p.met),
        }
    })
}

fn pats() -> Pats {
    {
        let r = fast;
        Pats {
            // Someone who grades: named by role, addressed by name, or described by what they do to this answer.
            addressee: r(concat!(
                r"\b(grader|graders|evaluators|examiner|examiners|assessor|assessors|scorer|scorers)\b",
                r"|\b(an?|the|any|every|each|dear|hello|hi|hey|note\s+to|message\s+to|memo\s+to|attention)\s+(\w+\s+)?(evaluator|judge|reviewer|rater|marker)\b",
                r"|\b(llm|ai|model|gpt|chatgpt|claude|gemini)[\s-]+(judge|grader|evaluator|examiner|marker|reviewer)\b",
                r"|\b(grading|scoring|evaluation|judging|marking|assessment|assessing|evaluating)\s+(model|system|ai|assistant|llm|bot|engine|script|panel|committee)\b",
                r"|\b(whoever|anyone|anybody)\s+(is\s+|are\s+)?(grading|marking|scoring|evaluating|reviewing|assessing|reading)\b",
                r"|\b(person|people|model|ai|system|team|one|bot)\s+(who\s+is\s+|that\s+is\s+|which\s+is\s+|who\s+will\s+be\s+)?(grading|marking|scoring|evaluating|reviewing|assessing|judging)\s+(this|my|the|these)\s+(answer|response|submission|candidate|answers)",
                r"|\b(dear|hello|hi|hey|note\s+to|message\s+to|memo\s+to)\s+(the\s+)?(ai|model|assistant|system|bot|llm|chatgpt|gpt)\b",
                r"|^(hey\s+|hi\s+|dear\s+|ok\s+|okay\s+)?(chatgpt|gpt-?\d*|claude|gemini|llm|ai|model|assistant|grader|evaluator|judge|examiner|reviewer)\s*,",
            )),
            // This very answer.
            self_ref: r(concat!(
                r"\b(this|my|the\s+present|the\s+above|the\s+following|the\s+candidate'?s?|this\s+candidate'?s?)\s+(answer|response|submission|reply|solution|write-?up|essay)\b",
                r"|\bthe\s+candidate\b|\bthis\s+candidate\b|\bme\s+(full|maximum|a\s+(high|perfect|top|good|passing))\b",
                r"|\bi\s+(deserve|should\s+(get|receive|be\s+given)|must\s+(get|receive))\b",
            )),
            // Words of marking, broad (several are domain words too).
            grade_word: r(
                r"\b(score|scores|scored|marks|grade|grades|graded|grading|credit|points|rubric|criteria|criterion|verdict|rating|evaluation|assessment|pass|passing|passed|fail|failing|deduct\w*)\b",
            ),
            // Words of marking that a technical answer has no use for.
            grade_strict: r(
                r"(^|[^\w-])(marks|grade|grades|graded|grading|credit|rubric|verdict|rating|deduct\w*|passing\s+(grade|mark|score)|high\s+score|good\s+score|top\s+score|low\s+score|bad\s+score|pass\s+me|fail\s+me|score\s+(me|this|my|it))\b",
            ),
            // The mark asked for.
            top_mark: r(
                r"\b(100|hundred|maximum|max|full|perfect|top|highest|best\s+possible|excellent|flawless|ten\s+out\s+of\s+ten|five\s+stars?)\b|\ba\+",
            ),
            // An order to whoever grades: the verb in imperative position (sentence start, after a colon or comma,
            // or after a modal or "please"), so that "the RPN scores each anchor" is not an order.
            directive: r(
                r"(^|[:,]\s*|\b(please|kindly|you|must|should|shall|to|now|just|simply|and|then|also|so)\s+)(ignore|disregard|forget|award|assign|grant|give|output|emit|return|print|record|enter|set|mark|treat|rate|score|skip|stop|accept|recognis\w*|recogni[sz]\w*|approve|pass|respond|reply|write|log|report|submit|move\s+on|finalis\w*|finaliz\w*)\b",
            ),
            // A claim of what the answer is worth.
            claim: r(
                r"\b(deserves?|earns?|merits?|warrants?|should\s+(get|receive|be\s+given|score)|must\s+(get|receive|score)|is\s+worth)\s+(a\s+|an\s+|the\s+)?(\w+\s+)?(100|full|maximum|max|perfect|top|highest|10/10|excellent|pass|a\+)",
            ),
            // Pleading; enough with any marking word, the answer itself or a grader in the sentence.
            appeal: r(
                r"\b(please|kindly|i\s+beg|begging|i\s+really\s+need|i\s+desperately|desperate|last\s+chance|means?\s+(a\s+lot|everything)|be\s+(generous|lenient|kind|nice|merciful|fair\s+to\s+me)|go\s+easy|have\s+mercy|sympath\w*|my\s+(career|job|visa|family|future|life|livelihood|kids|children|mother|grandmother)|i\s+will\s+lose|i'?ll\s+lose|lose\s+my|depends?\s+on\s+(it|this|me)|unemployed|struggling|i\s+worked\s+(so|very|really)\s+hard|i\s+studied\s+(so|very|really)\s+hard|trust\s+me|i\s+promise|means?\s+the\s+world|would\s+mean|i\s+really\s+hope|i'?m\s+(so\s+|very\s+|really\s+)?(nervous|anxious|scared|stressed)|my\s+dream|dream\s+job|i\s+need\s+(this|the)\s+job|i\s+need\s+to\s+pass|months\s+(of\s+)?(preparing|preparation|studying)|sleepless|in\s+tears|crying)\b",
            ),
            // Pleading that needs nothing else.
            plea: r(
                r"\b(be\s+(generous|lenient|merciful)|go\s+easy\s+on\s+me|have\s+mercy|i'?m\s+begging|i\s+beg\s+you|pass\s+me|don'?t\s+fail\s+me|do\s+not\s+fail\s+me|give\s+me\s+(a\s+)?(chance|break|pass)|my\s+(career|job|visa|family|future|livelihood|life)\s+(depends|rides|hangs)|i\s+(will|'ll)\s+lose\s+my\s+(job|visa|home|house|apartment|scholarship))\b",
            ),
            // Personal stakes; with pleading nearby they are an appeal to the grader.
            stakes: r(
                r"\bmy\s+(career|job|visa|family|future|life|livelihood|kids|children|mother|father|mom|dad|grandmother|rent|mortgage|scholarship|health)\b|\b(unemployed|out\s+of\s+work|hospital|i\s+will\s+lose|i'?ll\s+lose|lose\s+my)\b",
            ),
            // Someone with authority vouching for the answer.
            authority: r(
                r"\b(interviewer|hiring\s+manager|panel|committee|senior\s+engineer|professor|expert|reviewer|examiner|recruiter|lead)s?\b[^.!?]{0,30}\b(said|says|confirmed|agreed|approved|reviewed|rated|graded|marked|verified|signed\s+off|endorsed|praised|called|told|considered|thought|liked|loved|replied|responded|wrote|noted|added|nodded|smiled|interjected|exclaimed)\b",
            ),
            // Praise of an answer.
            praise: r(
                r"\b(best|great|excellent|perfect|outstanding|ideal|flawless|model|exemplary|correct|complete)\s+(answer|response|solution)\b|\b(exactly\s+(right|what)|perfect|excellent|spot\s+on|nailed\s+it|impressive|strong\s+hire|well\s+done|brilliant|outstanding)\b",
            ),
            // An enumerated procedure ("Step 1: …").
            steps: r(r"\bstep\s*(\d+|one|two|three|i+)\s*[:.)-]"),
            // Criteria said to be met.
            met: r(
                r"\bcriteri\w*\b[^.!?]{0,60}\b(met|satisfied|fulfilled|ticked|covered|passed)\b|\b(met|satisfied|fulfilled|ticked)\b[^.!?]{0,30}\bcriteri\w*",
            ),
        }
    }
}

/// Sentences (split at . ! ? and newlines) of an already-cleaned text.
fn sentences(text: &str) -> Vec<&str> {
    text.split(['.', '!', '?', '\n', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether a sentence (with its predecessor's features as context) reads as an instruction to the grader.
fn sentence_fires(m: &SetMatches, prev: Option<&SetMatches>) -> bool {
    use Feat::*;
    let has = |f: Feat| f.in_(m);
    let before = |f: Feat| prev.is_some_and(|p| f.in_(p));
    let (addr, selfr, gw, strict, top, dir) = (
        has(Addr),
        has(SelfRef),
        has(GradeWord),
        has(Strict),
        has(Top),
        has(Dir),
    );
    let plead = has(Appeal) || has(Plea);
    addr
        || (selfr && (strict || (gw && top) || has(Claim)))
        || (strict && (dir || top))
        || has(Plea)
        || (plead && (strict || selfr || addr))
        // Personal stakes next to pleading: "my family depends on this job … please take it into account".
        || (plead && (has(Stakes) || before(Stakes)))
        || (has(Stakes) && (before(Appeal) || before(Plea)))
        // Someone with authority vouching for the answer or its mark.
        || (has(Auth) && (strict || top || selfr || has(Praise)))
        // A grader named in the previous sentence, the order in this one ("Dear grader. Give this 100.").
        || (before(Addr) && (selfr || strict || (gw && (dir || top))))
}

/// The first sign of an injection attempt in `answer`, if any, described briefly. Obfuscated text (base64,
/// leetspeak, reversed, Morse, look-alike letters) is decoded and read again; see [`super::covert`].
pub fn find(answer: &str) -> Option<String> {
    if let Some(hit) = find_plain(answer) {
        return Some(hit);
    }
    let lower = answer.to_lowercase();
    if let Some(what) = super::covert::shape(&lower) {
        return Some(what);
    }
    for (how, view) in super::covert::decoded_views(answer) {
        if let Some(hit) = find_plain(&view).or_else(|| super::covert::shape(&view)) {
            return Some(format!("{how}: {hit}"));
        }
    }
    None
}

fn find_plain(answer: &str) -> Option<String> {
    let (text, hidden) = clean(answer);
    if hidden >= 2 {
        return Some(format!("{hidden} invisible characters"));
    }
    let text = text.to_lowercase();
    let (sset, sres) = structural();
    if let Some(i) = first_match(sset, &text) {
        let (re, what) = &sres[i];
        return re
            .find(&text)
            .map(|m| format!("{what}: {}", m.as_str().trim()));
    }
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let flat = flat.replace(['\u{2019}', '\u{2018}'], "'");
    let (set, each) = direct();
    if let Some(i) = first_match(set, &flat) {
        return each[i].find(&flat).map(|m| m.as_str().to_string());
    }
    let f = features();
    let sents = sentences(&flat);
    let gated = f.gate.is_match(&flat);
    let feats: Vec<SetMatches> = if gated {
        sents.iter().map(|s| f.set.matches(s)).collect()
    } else {
        Vec::new()
    };
    // A grading procedure in steps: "Step 1: … Step 2: the criteria are met …".
    if flat.contains("step")
        && f.steps.find_iter(&flat).count() >= 2
        && (f.strict.is_match(&flat)
            || f.met.is_match(&flat)
            || (flat.contains("criteri") && flat.contains(" met")))
    {
        return Some("step-by-step grading".into());
    }
    // Two distinct emotional cues: an appeal to the grader's sympathy.
    if feats
        .iter()
        .any(|m| Feat::Appeal.in_(m) || Feat::Plea.in_(m) || Feat::Stakes.in_(m))
    {
        let cues: std::collections::HashSet<&str> = f
            .appeal
            .find_iter(&flat)
            .chain(f.stakes.find_iter(&flat))
            .chain(f.plea.find_iter(&flat))
            .map(|m| m.as_str())
            .collect();
        if cues.len() >= 2 {
            return Some(format!(
                "appeal: {}",
                cues.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    // The same short sentence three times: a trigger phrase repeated at the grader. A longer sentence said over
    // and over is padding, which the stuffing detector handles.
    let mut seen: FnvMap<&str, usize> = FnvMap::default();
    for s in &sents {
        if (2..=6).contains(&s.split_whitespace().count()) {
            let n = seen.entry(s).or_default();
            *n += 1;
            if *n >= 3 {
                return Some(format!("repeated: {s}"));
            }
        }
    }
    // Criteria listed as met: "criterion 1 met, criterion 2 met".
    if flat.contains("criteri") && f.met.find_iter(&flat).count() >= 2 {
        return Some("criteria listed as met".into());
    }
    for (k, s) in sents.iter().enumerate().take(feats.len()) {
        let prev = k.checked_sub(1).map(|j| &feats[j]);
        if sentence_fires(&feats[k], prev) {
            return Some(s.to_string());
        }
    }
    None
}

#[cfg(test)]
#[path = "injection_tests.rs"]
mod tests;
