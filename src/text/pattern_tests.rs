//! Tests of pattern compiling and matching.

use super::*;

fn lex() -> Lexicon {
    Lexicon::new(&[
        ("rpn".into(), vec!["region proposal network".into()]),
        ("rcnn".into(), vec!["r cnn".into()]),
    ])
}

/// Whether pattern `p` matches `text` by `find` (one of the [`Pattern`] finders).
fn found(p: &str, text: &str, find: fn(&Pattern, &Doc) -> Option<Span>) -> bool {
    let l = lex();
    find(&Pattern::compile(p, &l).unwrap(), &Doc::new(text, &l)).is_some()
}

pub(super) fn m(p: &str, text: &str) -> bool {
    found(p, text, Pattern::find)
}

pub(super) fn claim(p: &str, text: &str) -> bool {
    found(p, text, Pattern::find_claim)
}

#[test]
fn claims_see_negation_after_the_phrase() {
    let p = "(int8|quantiz*) + (close*|fix*|solv*) + gap";
    assert!(claim(p, "Converting to INT8 will close the 10x gap."));
    assert!(!claim(
        p,
        "Simply converting to INT8 won't close a 10x gap."
    ));
    assert!(!claim(p, "INT8 alone does not close the gap."));
    // A criterion (a stated idea) keeps the old scoping: negation before the phrase.
    assert!(!m("label smooth*", "I would not use label smoothing"));
}

#[test]
fn a_negation_in_one_group_does_not_switch_off_the_others() {
    // "do not overlap" is the pattern's own negation; "gives no gradient" still negates the gradient group.
    let p =
        "(iou|iou loss) + (gives|provides) + (gradient*|signal) + (do not|don t|never|no) overlap*";
    assert!(!claim(
        p,
        "The IoU loss gives no gradient when the boxes do not overlap."
    ));
    assert!(claim(
        p,
        "The IoU loss gives a useful gradient even when the boxes do not overlap."
    ));
    assert!(m(
        "(not|no) overlap* + gradient*",
        "no overlap means a zero gradient"
    ));
}

#[test]
fn claims_are_made_in_one_sentence_and_not_as_caveats() {
    let p = "fine tun* + (whole|entire|all) (model|network|layers)";
    assert!(claim(
        p,
        "I would fine-tune the whole model on the defect images."
    ));
    assert!(!claim(
        p,
        "Fine-tune the whole model only once there is enough labelled data, and watch for forgetting."
    ));
    assert!(!claim(
        p,
        "I would fine-tune. There is a lot to say about this, and the whole model of the factory matters."
    ));
}

#[test]
fn over_after_a_verb_of_preference_rejects_the_option() {
    let p = "(pick|choose|prefer) (two stream)";
    assert!(claim(p, "For the car I'd pick Two-Stream."));
    assert!(!claim(p, "For the car I'd pick SlowFast over Two-Stream."));
    // "over" elsewhere is not a negation.
    assert!(m(
        "loss + over + batch",
        "the contrastive loss over the batch"
    ));
}

#[test]
fn acronyms_are_case_aware() {
    // A pattern that writes CLIP means the model; "clip" means a video clip.
    assert!(m(
        "CLIP + (encoder|embedding*)",
        "The CLIP image encoder is frozen."
    ));
    assert!(!m(
        "CLIP + (encoder|embedding*)",
        "Each clip goes to a video encoder, and each clip is 2 s."
    ));
    assert!(m("clip + frames", "Each clip has 16 frames."));
    assert!(!m("clip + frames", "CLIP never sees 16 frames."));
    assert!(m("mAP + (drop*|fall*)", "the mAP drops by 2 points"));
    assert!(!m(
        "mAP + (drop*|fall*)",
        "the feature map drops to 1/32 resolution in Stage 5"
    ));
    // An answer in lower case throughout gets both senses.
    assert!(m(
        "CLIP + (encoder|embedding*)",
        "the clip image encoder is frozen"
    ));
}

#[test]
fn phrase_with_gaps_and_stems() {
    assert!(m("cosine schedule", "a cosine learning rate schedule"));
    assert!(!m("cosine schedule", "a cosine one two three schedule"));
    assert!(m(
        "anchor* + (each|every) (position|location)",
        "Anchors sit at each spatial location."
    ));
}

#[test]
fn numbers_and_ranges() {
    assert!(m(
        "label smooth* + #0.05..0.2",
        "label smoothing of about 0.1"
    ));
    assert!(!m("label smooth* + #0.05..0.2", "label smoothing of 0.5"));
    assert!(m("#9 anchor*", "nine anchors per cell"));
    assert!(m("(data )?augment*", "augmentation helps"));
    assert!(m("(data )?augment*", "data augmentation helps"));
}

#[test]
fn an_idiom_that_affirms_does_not_negate() {
    assert!(claim(
        "block execut*",
        "No matter what the condition is, the block executes once."
    ));
    // Nor does it reject the clause before it ("it … no matter" is not "that doesn't matter").
    assert!(claim(
        "check* + after",
        "A do-while loop checks the condition after the body, it runs at least once no matter what the condition is."
    ));
    assert!(claim(
        "pointer",
        "A reference is nothing but a pointer underneath."
    ));
    assert!(!claim(
        "check* + after",
        "No loop checks the condition after the body."
    ));
    assert!(!claim("block execut*", "Nothing executes the block twice."));
}

#[test]
fn negation_and_denial() {
    assert!(!m("label smooth*", "I would not use label smoothing"));
    assert!(m("label smooth*", "Not only mixup but label smoothing"));
    assert!(!m("anchor* + (learn*|predict*)", "anchors are not learned"));
    assert!(!m(
        "#9 anchor*",
        "Some say there are 9 anchors, but that's not how it works"
    ));
    assert!(m(
        "(avoid*|without) optical flow",
        "SlowFast works without optical flow"
    ));
    assert!(!m("mask rcnn", "use YOLACT instead of Mask R-CNN"));
    assert!(m(
        "slowfast + learn* motion",
        "SlowFast instead learns motion from RGB"
    ));
    assert!(!m(
        "warmup",
        "I would not use label smoothing, warmup or a cosine classifier"
    ));
    assert!(m(
        "slowfast + learn*",
        "We do not need flow, SlowFast learns motion from frames"
    ));
    assert!(!m("yolact", "YOLACT is not needed here"));
    assert!(m("yolact", "YOLACT is not slow"));
    assert!(!m(
        "cutmix",
        "Some say mixup, CutMix, label smoothing, but that's not true"
    ));
    assert!(!m(
        "(flop*|latency) + (not|differ*)",
        "Some say FLOPs are not latency, but that's not true"
    ));
    assert!(m(
        "mAP + operating point",
        "One pitfall is that mAP ignores the operating point"
    ));
}

#[test]
fn reported_then_rejected() {
    let neg = [
        ("label smooth*", "A lot of people would reach for warmup or label smoothing here, but honestly I don't think any of those address the real issue."),
        ("optical flow", "People usually frame this as Two-Stream with precomputed optical flow versus SlowFast, but I don't think that is the deciding factor."),
        ("normalis*", "I wouldn't bother with the bias initialisation or the per-positive normalisation."),
        ("sensitiv* analysis", "I wouldn't do a calibration pass or per-layer sensitivity analysis."),
        ("per channel", "You'll hear people talk about per-channel scales and KL clipping, but none of that is necessary."),
        ("#20000000 param*", "20M parameters is nothing for a modern GPU."),
    ];
    for (p, t) in neg {
        assert!(!m(p, t), "{p} should not match: {t}");
    }
    let pos = [
        (
            "focal loss",
            "Focal loss helps, but alpha alone doesn't fix it.",
        ),
        (
            "warmup",
            "Many practitioners recommend warmup, and I wouldn't skip it.",
        ),
        (
            "slowfast + raw frames",
            "It doesn't need optical flow because SlowFast learns motion from raw frames.",
        ),
        (
            "label smooth*",
            "I'd add label smoothing; people say it hurts calibration, but it usually helps.",
        ),
    ];
    for (p, t) in pos {
        assert!(m(p, t), "{p} should match: {t}");
    }
}

#[test]
fn lexicon_in_patterns() {
    assert!(m(
        "region proposal network + score*",
        "the RPN scores anchors"
    ));
    assert!(m(
        "rpn + score*",
        "the region proposal network scores anchors"
    ));
}

#[test]
fn window_limits_groups() {
    let far = format!("cosine {} warmup", "word ".repeat(40));
    assert!(!m("cosine + warmup", &far));
    assert!(m("cosine + warmup", "warmup then cosine"));
}

#[test]
fn compile_errors() {
    let l = lex();
    assert!(Pattern::compile("(a|b", &l).is_err());
    assert!(Pattern::compile("a | ", &l).is_err());
    assert!(Pattern::compile("#x..2", &l).is_err());
    assert!(Pattern::compile("a*", &l).is_err());
}

#[test]
fn claims_qualified_away_are_not_made() {
    // A negated restriction denies the restriction.
    let p = "(dilat*|atrous) (conv*)? (is|are) (just|simply) (a )?strided";
    assert!(claim(
        p,
        "An atrous convolution is just a strided convolution."
    ));
    assert!(!claim(
        p,
        "An atrous convolution is not just a strided convolution."
    ));
    let p = "loss (only|just) pull* + pair*";
    assert!(claim(p, "The loss only pulls matched pairs together."));
    assert!(!claim(
        p,
        "The loss does not only pull matched pairs together."
    ));
    // A hedged absolute is another claim; a hedge on anything else is not.
    let p = "bn (behav*|is) (the same|identical) + (train*|eval*)";
    assert!(claim(p, "BN behaves the same in training and evaluation."));
    assert!(!claim(
        p,
        "With big batches BN behaves nearly the same in training and evaluation."
    ));
    let p = "error (grows|increases) linear*";
    assert!(claim(
        p,
        "The depth error grows roughly linearly with distance."
    ));
    // A cleft saying the phrase is what something prevents.
    let p = "(everything|all ops) fp16";
    assert!(claim(p, "AMP runs everything in FP16."));
    assert!(!claim(
        p,
        "Running everything in FP16 is exactly what AMP avoids."
    ));
    assert!(claim(
        p,
        "Running everything in FP16 is what makes AMP fast."
    ));
}

#[test]
fn a_negation_group_is_exempt_only_where_it_matched_the_negation() {
    let p = "(vit*) + (run*) + (new|different) resolution + (unchanged|without chang*)";
    assert!(claim(p, "A ViT runs at a new resolution unchanged."));
    assert!(claim(p, "A ViT runs at a new resolution without changes."));
    assert!(!claim(
        p,
        "A ViT does not run at a new resolution unchanged."
    ));
}

#[test]
fn a_reported_claim_set_against_by_a_contrast_is_not_made() {
    let p = "(vit*) (are|is) always better + cnn*";
    assert!(claim(p, "ViTs are always better than CNNs."));
    assert!(!claim(p, "People often say ViTs are always better than CNNs, but from scratch on ImageNet-1k a ResNet wins."));
}

#[test]
fn a_common_claim_or_a_habit_of_others_set_against_is_not_made() {
    let p = "(accuracy|85 %) (is|are) (good|enough|fine)";
    assert!(claim(p, "85% accuracy is good enough here."));
    assert!(!claim(p, "A common claim is that 85% accuracy is good enough, but the rare classes are never predicted."));
    assert!(!claim(
        p,
        "A common belief is that accuracy is enough; it is not with 600 rare classes."
    ));
    let q = "fit* + (temperatur*|calibrat*) + test set";
    assert!(claim(q, "I fit the temperature on the test set."));
    assert!(!claim(q, "People sometimes fit the temperature on the test set, but I keep a validation split for it."));
    // A habit of things is no report of people: "many models often …" still states the claim.
    let r = "(model*) (often|usually) overfit*";
    assert!(claim(
        r,
        "Many models often overfit, but augmentation helps."
    ));
}

#[test]
fn questions_limits_conditions_and_late_negations_are_not_claims() {
    let p = "(checkpointing) (is|comes) (free|for free)";
    assert!(claim(p, "Checkpointing comes for free."));
    assert!(!claim(
        p,
        "Does checkpointing come for free? No, it recomputes the forward pass."
    ));
    let q = "(take|use) (first|initial) (n|few) (frames|consecutive frames)";
    assert!(claim(q, "I take the first N frames of each video."));
    assert!(!claim(
        q,
        "Taking the first N frames would only see the opening seconds."
    ));
    let r = "(just|simply) (retrain*|collect more data)";
    assert!(claim(r, "I would just retrain on more data."));
    assert!(!claim(
        r,
        "Just retraining on more data isn't the first step."
    ));
    let s = "(bigger|larger) (backbone|model)";
    assert!(claim(s, "I'd move to a bigger backbone."));
    assert!(!claim(
        s,
        "I'd only move to a bigger backbone after fixing the schedule."
    ));
    let t = "(bigger|larger) + (fix (is|the))";
    assert!(claim(t, "A bigger model will fix the accuracy."));
    assert!(!claim(t, "I'd only go bigger after I fix the schedule."));
}

#[test]
fn rarely_and_seldom_deny() {
    let p = "alpha (alone|by itself) + (fix*|solv*)";
    assert!(claim(p, "Alpha alone fixes the imbalance."));
    assert!(!claim(p, "Alpha alone rarely fixes the imbalance."));
    assert!(!claim(p, "Alpha by itself seldom solves it."));
}

#[test]
fn one_word_never_serves_two_groups() {
    let p = "(doubl*|twice) (distance|range|depth) + (error|uncertaint*) (doubl*|twice)";
    // "doubling" cannot be both the range doubling and the error doubling.
    assert!(!claim(
        p,
        "The depth error goes as Z^2, so doubling range quadruples it."
    ));
    assert!(claim(
        p,
        "Doubling the range means the depth error doubles too."
    ));
    assert!(!m(
        "without multiple + without",
        "Without multiple scales recall drops."
    ));
    assert!(m(
        "without multiple + without",
        "Without multiple scales, without ratios, recall drops."
    ));
    // Nor can one word serve two groups that are not the anchor ("recall" anchors here: it matches least).
    assert!(!m(
        "recall + without + without",
        "Without scales the recall drops."
    ));
    assert!(m(
        "recall + without + without",
        "Without scales, without ratios, the recall drops."
    ));
}
