use super::coach;
use super::*;
use crate::grade::offline;
use rstest::rstest;

const Q: &str = "cv-detection-anchor-boxes";

fn bank() -> Bank {
    Bank::embedded().unwrap()
}

fn asks(fx: &[Effect]) -> Vec<&Ask> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Ask(a) => Some(a),
            _ => None,
        })
        .collect()
}

fn persisted(fx: &[Effect]) -> Vec<&EventKind> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Persist(k) => Some(k),
            _ => None,
        })
        .collect()
}

/// A grade as the shell feeds it back, with no model spend.
fn graded_at_no_cost(g: crate::grade::Grade) -> Input {
    Input::Graded {
        grade: g,
        spent_usd: 0.0,
    }
}

/// Answer and grade through the real offline grader.
fn answer(m: &mut Interview, b: &Bank, text: &str) -> Vec<Effect> {
    let fx = m.step(Input::Answer(text.into()));
    let Some(Effect::Grade {
        question,
        rung,
        answer,
    }) = fx
        .iter()
        .find(|e| matches!(e, Effect::Grade { .. }))
        .cloned()
    else {
        return fx;
    };
    let g = offline::grade(b, b.get(&question).unwrap(), rung, &answer);
    let mut all = fx;
    let graded = m.step(graded_at_no_cost(g));
    all.extend(compose(m, graded, None));
    all
}

/// Resolve a ComposeFollowUp effect (as the shell would) with `text`.
fn compose(m: &mut Interview, fx: Vec<Effect>, text: Option<&str>) -> Vec<Effect> {
    let mut all = fx;
    if all
        .iter()
        .any(|e| matches!(e, Effect::ComposeFollowUp { .. }))
    {
        let more = m.step(Input::FollowUp(text.map(String::from)));
        all.extend(more);
    }
    all
}

#[test]
fn start_asks_the_first_question_and_persists() {
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 3);
    let fx = m.step(Input::Start);
    assert!(matches!(
        persisted(&fx)[0],
        EventKind::SessionStarted { .. }
    ));
    assert!(
        matches!(persisted(&fx)[1], EventKind::QuestionAsked { question, .. } if question == Q)
    );
    let a = asks(&fx);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].stage, None);
    assert_eq!(a[0].position, (1, 1));
}

#[test]
fn answer_is_saved_before_grading_then_follow_up() {
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 3);
    m.step(Input::Start);
    let fx = m.step(Input::Answer("Anchors are boxes.".into()));
    let pos_save = fx
        .iter()
        .position(|e| matches!(e, Effect::Persist(EventKind::AnswerGiven { .. })))
        .unwrap();
    let pos_grade = fx
        .iter()
        .position(|e| matches!(e, Effect::Grade { .. }))
        .unwrap();
    assert!(pos_save < pos_grade);
    let g = offline::grade(&b, b.get(Q).unwrap(), None, "Anchors are boxes.");
    let fx = m.step(graded_at_no_cost(g));
    let compose_fx = fx
        .iter()
        .find(|e| matches!(e, Effect::ComposeFollowUp { .. }))
        .cloned();
    match compose_fx {
        Some(Effect::ComposeFollowUp {
            rung,
            last_answer,
            asked,
            missed,
            ..
        }) => {
            assert_eq!(rung, 0);
            assert_eq!(last_answer, "Anchors are boxes.");
            assert_eq!(asked.len(), 1, "the main question was asked");
            assert!(!missed.is_empty());
        }
        other => panic!("expected ComposeFollowUp, got {other:?}"),
    }
    let fx = compose(&mut m, fx, None);
    assert!(fx.iter().any(|e| matches!(e, Effect::Feedback(_))));
    let a = asks(&fx);
    assert_eq!(a[0].stage.as_deref(), Some("implementation"));
    assert!(matches!(
        persisted(&fx).last().unwrap(),
        EventKind::FollowUpAsked { rung: 0, .. }
    ));
}

#[test]
fn covered_rungs_are_skipped() {
    let b = bank();
    let q = b.get(Q).unwrap();
    // An answer that also covers the implementation rung's points.
    let text = format!(
        "{} For a 600x1000 image at stride 16 the feature map is about 38 x 63, so roughly 20,000 anchors; \
         I generate the 9 base boxes once and shift them by stride-spaced offsets on a meshgrid with a broadcast add.",
        q.spec.reference
    );
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 3);
    m.step(Input::Start);
    let fx = answer(&mut m, &b, &text);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Skipped { stage, .. } if stage == "implementation")),
        "{fx:?}"
    );
    assert_eq!(asks(&fx)[0].stage.as_deref(), Some("constraints"));
}

#[test]
fn generated_follow_up_is_asked_and_stored() {
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "llm:test", 3);
    m.step(Input::Start);
    let fx = m.step(Input::Answer("Anchors are boxes.".into()));
    assert!(fx.iter().any(|e| matches!(e, Effect::Grade { .. })));
    let g = offline::grade(&b, b.get(Q).unwrap(), None, "Anchors are boxes.");
    let text = "With a 20 ms budget on a Jetson, how many anchors per location would you keep?";
    let graded = m.step(graded_at_no_cost(g));
    let fx = compose(&mut m, graded, Some(text));
    assert_eq!(asks(&fx)[0].text, text);
    assert!(persisted(&fx).iter().any(
        |k| matches!(k, EventKind::FollowUpAsked { generated: true, text: t, .. } if t == text)
    ));
    // /repeat shows the generated text again.
    let fx = m.step(Input::Command(Command::Repeat));
    assert_eq!(asks(&fx)[0].text, text);
}

#[test]
fn stop_ends_with_the_reason() {
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 3);
    m.step(Input::Start);
    let fx = m.step(Input::Stop(EndReason::Quit));
    assert!(matches!(fx.last(), Some(Effect::End(s)) if s.reason == Some(EndReason::Quit)));
}

#[test]
fn the_cost_limit_ends_the_session_after_the_grade_that_reaches_it() {
    let b = bank();
    let text = "Anchors are boxes.";
    let g = offline::grade(&b, b.get(Q).unwrap(), None, text);
    let grade_with = |limit: Option<f64>, spent_usd: f64| {
        let mut m = Interview::new(&b, vec![Q.into()], "llm:test", 3).with_cost_limit(limit);
        m.step(Input::Start);
        m.step(Input::Answer(text.into()));
        let fx = m.step(Input::Graded {
            grade: g.clone(),
            spent_usd,
        });
        (m.is_done(), fx)
    };
    for (limit, spent) in [(None, 5.0), (Some(0.05), 0.01)] {
        let (done, fx) = grade_with(limit, spent);
        assert!(!done, "{limit:?} {spent}");
        assert!(fx
            .iter()
            .any(|e| matches!(e, Effect::ComposeFollowUp { .. })));
    }
    // At the limit the grade is still stored and shown, then the session ends with a notice, and no follow-up is
    // composed (that would be another model call) nor any question asked.
    let (done, fx) = grade_with(Some(0.05), 0.05);
    assert!(done);
    assert!(fx.iter().any(|e| matches!(e, Effect::Feedback(_))));
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::ComposeFollowUp { .. } | Effect::Ask(_))),
        "{fx:?}"
    );
    assert!(persisted(&fx)
        .iter()
        .any(|k| matches!(k, EventKind::Graded { .. })));
    let n = fx.len();
    assert!(
        matches!(&fx[n - 4], Effect::Notice(t) if t == "Cost limit reached ($0.0500 of $0.0500); ending the session."),
        "{fx:?}"
    );
    assert!(matches!(
        &fx[n - 3],
        Effect::Persist(EventKind::SessionEnded {
            reason: EndReason::CostLimit
        })
    ));
    assert!(
        matches!(&fx[n - 1], Effect::End(s) if s.reason == Some(EndReason::CostLimit) && s.turns.len() == 1)
    );
}

#[rstest]
#[case(Command::Hint)]
#[case(Command::Help)]
#[case(Command::Repeat)]
#[case(Command::Score)]
fn informational_commands_do_not_advance(#[case] c: Command) {
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 3);
    m.step(Input::Start);
    let fx = m.step(Input::Command(c));
    // Only a hint is stored (with the turn); nothing else is.
    assert!(persisted(&fx)
        .iter()
        .all(|k| c == Command::Hint && matches!(k, EventKind::HintShown { .. })));
    assert!(!m.is_done());
    // Still waiting for the same answer.
    let fx = m.step(Input::Answer("x".into()));
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::Grade { rung: None, .. })));
}

#[test]
fn skip_moves_to_next_question_and_quit_ends() {
    let b = bank();
    let ids: Vec<String> = b
        .questions
        .iter()
        .take(2)
        .map(|q| q.spec.id.clone())
        .collect();
    let mut m = Interview::new(&b, ids.clone(), "offline", 3);
    m.step(Input::Start);
    let fx = m.step(Input::Command(Command::Skip));
    assert!(matches!(persisted(&fx)[0], EventKind::Skipped { .. }));
    assert_eq!(asks(&fx)[0].question, ids[1]);
    let fx = m.step(Input::Command(Command::Quit));
    assert!(
        matches!(fx.last(), Some(Effect::End(s)) if s.reason == Some(EndReason::Quit) && s.skipped == vec![ids[0].clone()])
    );
    assert!(m.is_done());
    assert!(m.step(Input::Answer("late".into())).is_empty());
}

#[test]
fn empty_answer_is_not_graded() {
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 3);
    m.step(Input::Start);
    let fx = m.step(Input::Answer("   \n".into()));
    assert!(matches!(fx.as_slice(), [Effect::Notice(_)]));
}

#[test]
fn ladder_limit_then_end_with_summary() {
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 1);
    m.step(Input::Start);
    let fx = answer(&mut m, &b, "Anchors are boxes at each location.");
    assert_eq!(asks(&fx).len(), 1);
    let fx = answer(&mut m, &b, "I don't know.");
    match fx.last() {
        Some(Effect::End(s)) => {
            assert_eq!(s.turns.len(), 2);
            assert_eq!(s.reason, Some(EndReason::Completed));
            assert!(s.mean.is_some());
        }
        other => panic!("expected End, got {other:?}"),
    }
    assert!(persisted(&fx).iter().any(
        |k| matches!(k, EventKind::SessionEnded { reason } if *reason == EndReason::Completed)
    ));
}

#[test]
fn eof_while_asking_ends_and_saves() {
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 3);
    m.step(Input::Start);
    let fx = m.step(Input::Eof);
    assert!(fx.contains(&Effect::Flush));
    assert!(matches!(fx.last(), Some(Effect::End(s)) if s.reason == Some(EndReason::Eof)));
}

#[test]
fn spoken_answer_keeps_its_voice_data_and_delivery_follows_feedback() {
    use crate::session::{Delivery, SpokenMeta};
    use crate::voice::audio::Pcm;
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 0);
    m.step(Input::Start);
    let pcm = Pcm {
        rate: 16_000,
        samples: vec![0.2; 16_000 * 5],
    };
    let voice = SpokenMeta {
        audio: "audio/x.wav".into(),
        transcript: "um nine anchors".into(),
        delivery: Delivery::measure("um nine anchors", &pcm),
    };
    let fx = m.step(Input::Spoken {
        text: "nine anchors".into(),
        voice: voice.clone(),
    });
    assert!(matches!(
        persisted(&fx)[0],
        EventKind::AnswerGiven { text, voice: Some(v), .. } if text == "nine anchors" && v.audio == "audio/x.wav"
    ));
    let Some(Effect::Grade { answer: graded, .. }) =
        fx.iter().find(|e| matches!(e, Effect::Grade { .. }))
    else {
        panic!("no grade effect")
    };
    assert_eq!(graded, "nine anchors", "the (edited) transcript is graded");
    let g = offline::grade(&b, b.get(Q).unwrap(), None, graded);
    let fx = m.step(graded_at_no_cost(g));
    let fb = fx
        .iter()
        .position(|e| matches!(e, Effect::Feedback(_)))
        .unwrap();
    assert!(matches!(&fx[fb + 1], Effect::Delivery(d) if *d == voice.delivery));
    // A typed answer afterwards has no voice data and no delivery effect.
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 0);
    m.step(Input::Start);
    let fx = answer(&mut m, &b, "Nine anchors per location.");
    assert!(!fx.iter().any(|e| matches!(e, Effect::Delivery(_))));
    assert!(matches!(
        persisted(&fx)[0],
        EventKind::AnswerGiven { voice: None, .. }
    ));
}

#[test]
fn with_probes_a_gap_is_probed_before_the_ladder_climbs() {
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 3).with_probes(1);
    m.step(Input::Start);
    let first = "Each location gets nine anchors, three scales times three aspect ratios, and the RPN regresses offsets.";
    let fx = m.step(Input::Answer(first.into()));
    assert!(fx.iter().any(|e| matches!(e, Effect::Grade { .. })));
    let g = offline::grade(&b, b.get(Q).unwrap(), None, first);
    let missed = coach::gaps(&g);
    let top = coach::heaviest(&missed).unwrap().id.clone();
    let fx = m.step(graded_at_no_cost(g));
    let Some(Effect::ComposeFollowUp {
        purpose, target, ..
    }) = fx
        .iter()
        .find(|e| matches!(e, Effect::ComposeFollowUp { .. }))
        .cloned()
    else {
        panic!("expected a follow-up")
    };
    assert_eq!(purpose, Purpose::Probe);
    assert_eq!(target.as_deref(), Some(top.as_str()));
    let fx = compose(&mut m, fx, None);
    let k = persisted(&fx);
    assert!(k.iter().any(|e| matches!(e, EventKind::FollowUpAsked { purpose: Purpose::Probe, target: Some(t), .. } if *t == top)));
    // The probe answer is graded together with the answer it follows up on.
    let fx = m.step(Input::Answer(
        "Tall or wide objects get no close template, so recall drops.".into(),
    ));
    let Some(Effect::Grade { answer, rung, .. }) = fx
        .iter()
        .find(|e| matches!(e, Effect::Grade { .. }))
        .cloned()
    else {
        panic!("expected a grade")
    };
    assert_eq!(rung, None);
    assert!(answer.starts_with(first) && answer.ends_with("recall drops."));
    let g = offline::grade(&b, b.get(Q).unwrap(), None, &answer);
    let graded = m.step(graded_at_no_cost(g));
    let fx = compose(&mut m, graded, None);
    // One probe per rung: the ladder climbs now.
    assert_eq!(asks(&fx)[0].stage.as_deref(), Some("implementation"));
    assert_eq!(asks(&fx)[0].purpose, Purpose::Rung);
}

#[test]
fn a_rung_is_skipped_only_on_evidence_and_the_skip_quotes_it() {
    let b = bank();
    let mut m = Interview::new(&b, vec![Q.into()], "offline", 3);
    m.step(Input::Start);
    // The main answer also does the implementation rung's work, with numbers.
    let text = format!(
        "{} The feature map is 600 / 16 = 38 by 1000 / 16 = 63, so 38 x 63 x 9 = 21,546 anchors; I generate the 9 base boxes once and shift them by stride-spaced centre offsets with a broadcast add.",
        b.get(Q).unwrap().spec.reference
    );
    let fx = answer(&mut m, &b, &text);
    let skipped: Vec<&Effect> = fx
        .iter()
        .filter(|e| matches!(e, Effect::Skipped { .. }))
        .collect();
    match skipped.first() {
        Some(Effect::Skipped { stage, quotes }) => {
            assert_eq!(stage, "implementation");
            assert!(
                quotes.iter().all(|q| text.contains(q.as_str())),
                "{quotes:?}"
            );
        }
        _ => panic!("the implementation rung was covered with evidence: {fx:?}"),
    }
    assert_eq!(
        asks(&fx).last().unwrap().stage.as_deref(),
        Some("constraints")
    );
}
