//! The rubric pattern language's syntax (see docs/rubric-format.md): `|` alternatives, parenthesised slots,
//! optional slots `( )?`, number items `#9` and `#0.05..0.2`, prefixes `word*`, and plain words under the
//! lexicon, parsed into the flattened item sequences a [`super::pattern::Pattern`] matches.

use super::fasthash::intern;
use super::normalize::{americanize_prefix, case_sense, tokenize_with, Lexicon};
use super::pattern::{perr, Item, PatternError};

/// The alternative item sequences one position of a phrase may take.
type Slot = Vec<Vec<Item>>;

/// Most item sequences one alternative may expand to.
const MAX_COMBINATIONS: usize = 512;

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
                match case_sense(&run[t.start..t.end]) {
                    Some(acronym) => Item::Cased(id, acronym),
                    None => Item::Word(id),
                }
            }
        })
        .collect()
}

/// The `|`-separated alternatives of `s` (a group, or a slot's inside), each parsed into flattened sequences;
/// `empty` is the error for an empty alternative.
pub(super) fn alternatives(
    p: &str,
    s: &str,
    lex: &Lexicon,
    empty: &str,
) -> Result<Vec<Vec<Item>>, PatternError> {
    let mut alts = Vec::new();
    for a in split_top(s, '|') {
        if a.trim().is_empty() {
            return Err(perr(p, empty));
        }
        alts.extend(parse_seq(p, a, lex)?);
    }
    Ok(alts)
}

/// Parse one alternative (a sequence of words, special items and parenthesised slots) into flattened sequences.
fn parse_seq(p: &str, s: &str, lex: &Lexicon) -> Result<Vec<Vec<Item>>, PatternError> {
    let slots = slots(p, s, lex)?;
    if slots.is_empty() {
        return Err(perr(p, "empty phrase"));
    }
    product(p, slots)
}

/// The slots of one alternative, in order: one per plain word (lexicon applied), special item and
/// parenthesised slot.
fn slots(p: &str, s: &str, lex: &Lexicon) -> Result<Vec<Slot>, PatternError> {
    let mut slots: Vec<Slot> = Vec::new();
    // Plain words waiting to be normalised together (the lexicon rewrites multi-word runs).
    let mut run = String::new();
    let flush = |run: &mut String, slots: &mut Vec<Slot>| {
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
            let (slot, next) = paren_slot(p, &chars, i, lex)?;
            slots.push(slot);
            i = next;
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
            match special_item(p, &w) {
                Some(item) => {
                    flush(&mut run, &mut slots);
                    slots.push(vec![vec![item?]]);
                }
                None => run.push_str(&w),
            }
            i = j;
        }
    }
    flush(&mut run, &mut slots);
    Ok(slots)
}

/// The parenthesised slot that opens at `chars[i]`: its alternatives, and the empty sequence too when `?`
/// follows ("(data )?augment*"). Returns the slot and the index after it.
fn paren_slot(
    p: &str,
    chars: &[char],
    i: usize,
    lex: &Lexicon,
) -> Result<(Slot, usize), PatternError> {
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
    let mut alts = alternatives(p, &inner, lex, "empty alternative inside ( )")?;
    if j < chars.len() && chars[j] == '?' {
        alts.push(Vec::new());
        j += 1;
    }
    Ok((alts, j))
}

/// A special word's item: `#…` a number or range, `…*` a prefix (American spelling). None for a plain word.
fn special_item(p: &str, w: &str) -> Option<Result<Item, PatternError>> {
    if let Some(num) = w.strip_prefix('#') {
        return Some(parse_number(p, num));
    }
    let pre = w.strip_suffix('*')?;
    let pre = americanize_prefix(&pre.to_lowercase());
    if pre.len() < 2 || !pre.chars().all(|c| c.is_alphanumeric()) {
        return Some(Err(perr(
            p,
            format!("prefix '{w}' needs at least two letters or digits before '*'"),
        )));
    }
    Some(Ok(Item::Prefix(pre)))
}

/// Every sequence that takes one alternative from each slot, in order (at most [`MAX_COMBINATIONS`]).
fn product(p: &str, slots: Vec<Slot>) -> Result<Vec<Vec<Item>>, PatternError> {
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
        if next.len() > MAX_COMBINATIONS {
            return Err(perr(
                p,
                "too many combinations (over 512); split it into several patterns",
            ));
        }
        seqs = next;
    }
    Ok(seqs)
}
