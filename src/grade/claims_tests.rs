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

#[test]
fn a_claim_speaks_for_its_short_comma_run_only() {
    // A verb's objects share in its claim.
    let notes = "Hurts depthwise MobileNets, outlier activations, detail-sensitive tasks";
    assert!(claim_density(notes, false) > 0.99, "{notes}");
    // A long run is a list, whatever one item says.
    let list =
        "ViT is really about patch tokens, positional embeddings, inductive bias, self-attention, \
                locality, Swin, DeiT, JFT";
    let d = claim_density(list, false);
    assert!(d < 0.45, "{list}: {d}");
    // Items without any claim stay unclaimed.
    assert!(claim_density("shared head, small anchors, bootstrap", false) < 0.01);
}

#[test]
fn a_figure_with_one_unit_word_is_a_measurement_not_a_claim() {
    assert!(claim_density("256 channels, 80 bins, 6 GB, 10 Hz", false) < 0.01);
    assert!(claim_density("label smoothing 0.1", false) > 0.99);
    // A point or a colon inside a figure does not cut the text: "0.5 m cells" is one item.
    assert_eq!(
        stretches("0.5 m cells, ratio 1:3. Next"),
        vec!["0.5 m cells, ratio 1:3", " Next"]
    );
}

#[test]
fn a_label_relates_a_short_line() {
    let notes = "Metrics: vessel Dice/F1, sensitivity, clDice, broken segments\n\
                 Model: U-Net, full-resolution skips\n\
                 Inference: overlapping sliding window, averaged";
    assert!(!stuffed(notes), "{notes}");
    let list = "Terms: anchors, RPN, IoU, NMS, FPN, ResNet, focal loss, GIoU, DETR, Hungarian matching, mAP";
    assert!(stuffed(list), "{list}");
}
