//! Unit tests of claim density, notation, list markers and buzzwords.
use super::*;
use crate::grade::detect::keyword_stuffing;
use crate::text::normalize::tokenize_plain;

fn stuffed(text: &str) -> bool {
    keyword_stuffing(&tokenize_plain(text), text, notation(text, 1.0))
}

#[test]
fn notes_with_figures_relate_their_terms() {
    assert_eq!(relation_marks("Z = f·B/d; dilation -> OS8, 1 px ≈ 3 m"), 4);
    assert_eq!(
        figures("1- design 2- coding, stride 16, ~80 templates, 3x3, (stride 4) and 32."),
        5
    );
    assert_eq!(figures("1) design\n2) coding\n3. testing"), 0);
    let notes =
        "OS32 -> 512 px on a 16x16 grid. Fix: staged upsampling + encoder skips -> sharp edges. \
                 Stereo: Z = f·B/d, f = 1000 px, B = 0.3 m -> 1 px disparity = 3 m at 30 m.";
    assert!(
        notation(notes, 0.95) && !notation(notes, 0.6),
        "figures and the field's words"
    );
    assert!(claim_density(notes, true) >= 0.45);
    assert!(claim_density(notes, false) < claim_density(notes, true));
    assert!(!stuffed(notes));
}

#[test]
fn arrows_between_buzzwords_are_still_a_list() {
    let chain = "Backbone -> pyramid -> semantics; top-down + lateral = synergy; resolution -> context -> \
                 recall; anchors + levels = alignment; features -> fusion -> richness; stride + scale = harmony";
    assert_eq!(figures(chain), 0);
    assert!(!notation(chain, 1.0));
    assert!(claim_density(chain, notation(chain, 1.0)) < 0.45);
    // A numbered list is a list: its markers are not figures.
    let numbered =
        "1- specification 2- design 3- risk analysis 4- verification 5- coding 6- testing \
                    7- refining 8- production 9- maintenance";
    assert!(stuffed(numbered));
}

#[test]
fn buzzword_prose_is_counted_and_real_answers_are_not() {
    let prose = "Our strategy synergises teacher and student knowledge, leveraging soft targets to deliver \
                 latency-conscious, quantisation-ready edge intelligence in a holistic fashion.";
    assert_eq!(buzzwords(prose), 5);
    let real = "Quantization-aware training inserts fake quantisation in the forward pass, so the weights \
                adapt to INT8 rounding; it is more robust than post-training calibration on depthwise layers.";
    assert_eq!(buzzwords(real), 0);
}
