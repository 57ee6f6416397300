//! Size limits for rubric patterns: the pattern parser recurses on parentheses, so depth and length are bounded
//! before any parsing (a 20,000-deep nesting used to overflow the stack).

/// Longest pattern, in characters (the shipped ones stay under 250).
pub const MAX_PATTERN_CHARS: usize = 1000;

/// Deepest nesting of parentheses or brackets in a pattern (the shipped ones use 2).
pub const MAX_PATTERN_DEPTH: usize = 8;

/// Check a pattern's length and nesting depth; the error is one short line.
pub fn check_pattern(src: &str) -> Result<(), String> {
    let n = src.chars().count();
    if n > MAX_PATTERN_CHARS {
        return Err(format!(
            "pattern is {n} characters long; the limit is {MAX_PATTERN_CHARS}"
        ));
    }
    let (mut depth, mut max) = (0usize, 0usize);
    for c in src.chars() {
        match c {
            '(' | '[' => {
                depth += 1;
                max = max.max(depth);
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if max > MAX_PATTERN_DEPTH {
        return Err(format!(
            "pattern nests parentheses {max} deep; the limit is {MAX_PATTERN_DEPTH}"
        ));
    }
    Ok(())
}

/// The start of a long pattern, for an error message.
pub fn preview(src: &str) -> String {
    let mut s: String = src.chars().take(40).collect();
    if src.chars().count() > 40 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_and_length_are_bounded() {
        assert!(check_pattern("anchor (box|boxes) + (scale [2-3])").is_ok());
        let deep = format!("{}x{}", "(".repeat(9), ")".repeat(9));
        assert!(check_pattern(&deep).unwrap_err().contains("9 deep"));
        assert!(check_pattern(&"a".repeat(1001))
            .unwrap_err()
            .contains("1001 characters"));
        assert_eq!(preview(&"b".repeat(50)).chars().count(), 41);
    }
}
