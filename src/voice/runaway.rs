//! A speech-to-text model can fall into a loop and repeat a fragment until its output runs out ("C-C-C-C-…", a
//! known Whisper failure on unclear audio). Such a tail is not what the candidate said: it is cut, and the cut is
//! marked with an ellipsis so the candidate sees that the transcript stopped there.

/// Shortest stretch of repeats that counts as a loop, in characters.
const MIN_SPAN: usize = 30;
/// Fewest consecutive repeats that count as a loop.
const MIN_REPEATS: usize = 4;
/// Longest repeating unit looked for, in characters.
const MAX_UNIT: usize = 40;

/// `text` with a runaway repetition cut after its first occurrence (and " …" appended), or unchanged.
pub fn cut_runaway(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    for i in 0..n {
        for p in 1..=MAX_UNIT.min((n - i) / MIN_REPEATS) {
            let unit = &chars[i..i + p];
            let mut k = 1;
            while i + (k + 1) * p <= n && &chars[i + k * p..i + (k + 1) * p] == unit {
                k += 1;
            }
            if k >= MIN_REPEATS && k * p >= MIN_SPAN {
                let kept: String = chars[..i + p].iter().collect();
                let kept =
                    kept.trim_end_matches(|c: char| c.is_whitespace() || c == '-' || c == ',');
                return format!("{kept} …");
            }
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_is_cut_after_its_first_unit() {
        let looped = format!(
            "Mixed precision keeps a master copy in FP32 C-{}",
            "C-".repeat(80)
        );
        assert_eq!(
            cut_runaway(&looped),
            "Mixed precision keeps a master copy in FP32 C …"
        );
        let phrase = "and the loss scale ".repeat(6);
        assert_eq!(
            cut_runaway(&format!("We use dynamic loss scaling {phrase}")),
            "We use dynamic loss scaling and the loss scale …"
        );
    }

    #[test]
    fn ordinary_speech_is_left_alone() {
        for t in [
            "Each position on the feature map gets nine anchors, three scales times three aspect ratios.",
            "It is very, very, very important to profile first: no, no, no guessing.",
            "The ring all-reduce sends 2 x 2 x 2 GB in total, 1 2 3 4 5 6 7 8.",
            "",
            "ok",
        ] {
            assert_eq!(cut_runaway(t), t);
        }
    }
}
