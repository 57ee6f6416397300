//! Tests of the claim rules (`claim.rs`) that session 12 added: dismissals, denials in objects and idioms,
//! conditions around absolutes, differences and phrases that open with "only".

use super::tests::{claim, m};

#[test]
fn a_dismissal_the_pattern_names_is_its_claim() {
    let p = "(imagenet|pretrain*) (feature*|weight*) + (useless|irrelevant|worthless) + (medical|domain)";
    assert!(claim(p, "ImageNet weights are useless for medical scans."));
    assert!(!claim(
        p,
        "ImageNet weights are not useless for medical scans."
    ));
    // Only the dismissal word itself is the pattern's own: a negation before it still counts.
    let q = "(extrinsic|calibration) error* + negligible";
    assert!(claim(
        q,
        "A half-degree extrinsic error is negligible at range."
    ));
    assert!(!claim(
        q,
        "A half-degree extrinsic error is not negligible at range."
    ));
}

#[test]
fn without_in_an_object_does_not_reject_what_came_before() {
    let p = "(model|it) (handl*|understand*) (negation*|without a)";
    assert!(claim(
        p,
        "The model is open-vocabulary, and it will handle 'person without a hard hat' correctly."
    ));
    assert!(!claim(
        p,
        "Some say the model handles negation, but that's not true."
    ));
}

#[test]
fn conditions_do_not_soften_an_absolute_or_a_stated_difference() {
    let p = "(always|strictly) (better|improv*|help*) + (deeper|more layers|depth)";
    assert!(claim(
        p,
        "Once you have skip connections, stacking more layers always improves accuracy."
    ));
    let q = "panoptic (is|are) (simply|basically) instance";
    assert!(claim(
        q,
        "Panoptic segmentation is basically instance segmentation, only with a larger set of categories."
    ));
    assert!(!claim(
        q,
        "Panoptic is basically instance segmentation only with enough stuff classes labelled."
    ));
    // "only … if" conditions the whole sentence, also a later clause.
    let r = "(resiz*|shrink*|downscal*) + 224";
    assert!(claim(
        r,
        "I would downscale, and shrinking the image to 224 x 224 is fine."
    ));
    assert!(!claim(
        r,
        "I would only downscale if the vessels stayed visible, and shrinking the image to 224 x 224 thins them."
    ));
}

#[test]
fn far_from_and_anything_but_deny() {
    let p = "decod* (is|are) (negligible|free|trivial)";
    assert!(claim(p, "Decoding is negligible next to the model."));
    assert!(!claim(p, "Decoding is far from negligible here."));
    assert!(!claim(p, "Decoding is anything but free at this volume."));
    // "far from" without a copula is a distance, not a denial.
    let q = "small + (object*|pedestrian*)";
    assert!(m(q, "Pedestrians far from the camera are small."));
}

#[test]
fn an_alternative_without_negation_is_still_negated() {
    let p = "batch size (is|are) (irrelevant|unimportant|not important)";
    assert!(claim(
        p,
        "Batch size is irrelevant for contrastive training."
    ));
    assert!(claim(
        p,
        "Batch size is not important for contrastive training."
    ));
    assert!(!claim(
        p,
        "Batch size is not irrelevant in contrastive training."
    ));
}

#[test]
fn only_opening_the_phrase_with_a_condition_later() {
    let p = "(only|just) (label*|annotat*) random*";
    assert!(claim(p, "I would only label random frames."));
    assert!(!claim(
        p,
        "I would only label random frames if they form an unbiased evaluation slice."
    ));
}

#[test]
fn a_gap_does_not_skip_to_a_second_conjunct() {
    let p = "panoptic (is|are) (simply|basically|essentially) instance";
    assert!(claim(p, "Panoptic is essentially instance segmentation."));
    assert!(!claim(
        p,
        "Panoptic is essentially semantic and instance segmentation unified."
    ));
    // A gap that holds a whole conjunct before the next item is still a claim.
    let q = "anchor* (are|is) (predict*|learn*) by (the )?network";
    assert!(claim(
        q,
        "Anchors are predicted and learned by the network."
    ));
    // Matching a criterion is not affected.
    assert!(m(
        p,
        "Panoptic is essentially semantic and instance segmentation unified."
    ));
}

#[test]
fn a_negation_inside_a_removal_phrase_still_negates() {
    let p = "deepsort (drop*|remov*|discard*) (the )?(kalman|motion)";
    assert!(claim(p, "DeepSORT drops the Kalman filter."));
    assert!(!claim(p, "DeepSORT does not drop the Kalman filter."));
    // The pattern's own negation words are still its own, and cues outside its match do not reach it.
    let q = "(byol|dino) (cannot|can not) (work|learn)";
    assert!(claim(q, "Without negative pairs BYOL cannot work."));
}

#[test]
fn only_with_a_condition_anywhere_in_the_sentence() {
    let p = "more augmentation + (help*|improv*)";
    assert!(claim(p, "More augmentation will help the small objects."));
    assert!(!claim(
        p,
        "More augmentation will only help if the boxes stay correct after each transform."
    ));
    assert!(m(
        "train* + imagenet label*",
        "The model was trained with ImageNet labels."
    ));
    assert!(!m(
        "train* + imagenet label*",
        "Nobody trained the model with ImageNet labels."
    ));
}

#[test]
fn a_claim_does_not_run_across_a_contrast_or_skip_a_multiplier() {
    let p = "nms + (keep*|pick*) + (largest|highest) overlap";
    assert!(claim(p, "NMS keeps the box with the largest overlap."));
    assert!(!claim(
        p,
        "Weighted box fusion averages boxes with the largest overlap, while NMS keeps a single one."
    ));
    let q = "(3d|three d) conv* + (cost*|is) (about|roughly) (as much|the same)";
    assert!(claim(q, "A 3D conv costs about as much as a 2D conv."));
    assert!(!claim(
        q,
        "A 3D conv costs about three times as much as a 2D conv with the same channels."
    ));
}
