//! The interview as a pure state machine: inputs in, effects out. No IO, no async, no terminal.
//!
//! This file holds the machine's transitions; `protocol` what it exchanges with the shell, `question` the state of
//! the question being worked on, `summary` the graded turns and the closing summary, [`coach`] the judgement
//! between turns and [`select`] which questions a session asks.

pub mod coach;
mod protocol;
mod question;
pub mod select;
mod summary;

pub use crate::session::Purpose;
pub use protocol::{Ask, Command, Effect, Input};
pub use summary::{open_gaps, Summary, TurnResult};

use crate::bank::{Bank, Question};
use crate::grade::{Grade, Verdict};
use crate::session::{Delivery, EndReason, EventKind, SpokenMeta};
use question::QuestionState;

/// Where the machine is; what only matters in one phase is kept in that phase.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// Waiting for `Input::Start`.
    NotStarted,
    /// A question is on screen (kept for /repeat), waiting for the answer.
    Asking(Ask),
    /// The answer is out for grading; a spoken answer's delivery metrics wait to be shown after its feedback.
    Grading { delivery: Option<Delivery> },
    /// The shell is composing a follow-up; `authored` is asked when it brings no text of its own.
    Composing { authored: String },
    /// The session has ended.
    Done,
}

/// The interview state.
pub struct Interview<'a> {
    bank: &'a Bank,
    plan: Vec<String>,
    grader: String,
    max_follow_ups: usize,
    /// Probes and challenges allowed after each rung (and after the main question).
    max_probes: usize,
    /// Model spend (USD) at which the session ends after the grade that reaches it.
    cost_limit: Option<f64>,
    /// Index of the current question in `plan`.
    qi: usize,
    /// The current main question and its follow-ups.
    q: QuestionState,
    /// Hints taken since the last graded turn (they count toward the next one).
    hints: u32,
    turn: u32,
    phase: Phase,
    results: Vec<TurnResult>,
    skipped: Vec<String>,
}

impl<'a> Interview<'a> {
    /// A new interview over `plan` (question ids present in `bank`).
    pub fn new(bank: &'a Bank, plan: Vec<String>, grader: &str, max_follow_ups: usize) -> Self {
        Interview {
            bank,
            plan,
            grader: grader.to_string(),
            max_follow_ups,
            max_probes: 0,
            cost_limit: None,
            qi: 0,
            q: QuestionState::default(),
            hints: 0,
            turn: 0,
            phase: Phase::NotStarted,
            results: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Allow `n` probes or challenges after each answer to the main question or a rung (0: the plain ladder).
    pub fn with_probes(mut self, n: usize) -> Self {
        self.max_probes = n;
        self
    }

    /// End the session after the grade that brings the model spend to `usd` (None: no limit).
    pub fn with_cost_limit(mut self, usd: Option<f64>) -> Self {
        self.cost_limit = usd;
        self
    }

    /// Whether the session has ended.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Feed one input, get the effects to carry out in order.
    pub fn step(&mut self, input: Input) -> Vec<Effect> {
        use Phase::{Asking, Composing, Done, Grading, NotStarted};
        let mut fx = Vec::new();
        match (&self.phase, input) {
            (Done, _) => {}
            (NotStarted, Input::Start) => self.start(&mut fx),
            (NotStarted, _) => fx.push(Effect::Notice("the interview has not started".into())),
            (Asking(_), Input::Answer(text)) => self.answer(text, None, &mut fx),
            (Asking(_), Input::Spoken { text, voice }) => self.answer(text, Some(voice), &mut fx),
            (Grading { .. }, Input::Graded { grade, spent_usd }) => {
                let over = self.cost_limit.filter(|limit| spent_usd >= *limit);
                self.graded(grade, over.is_none(), &mut fx);
                if let Some(limit) = over {
                    self.stop_at_cost_limit(spent_usd, limit, &mut fx);
                }
            }
            (Composing { authored }, Input::FollowUp(text)) => {
                let authored = authored.clone();
                self.ask_follow_up(text, authored, &mut fx)
            }
            (_, Input::Stop(reason)) => self.finish(reason, &mut fx),
            (Grading { .. } | Asking(_) | Composing { .. }, Input::Eof) => {
                self.finish(EndReason::Eof, &mut fx)
            }
            (Grading { .. } | Composing { .. }, _) => {
                fx.push(Effect::Notice("still working on the last answer".into()))
            }
            (Asking(_), Input::Command(c)) => self.command(c, &mut fx),
            (Asking(_), Input::Start | Input::Graded { .. } | Input::FollowUp(_)) => {}
        }
        fx
    }

    fn start(&mut self, fx: &mut Vec<Effect>) {
        fx.push(Effect::Persist(EventKind::SessionStarted {
            kind: crate::session::SessionKind::Interview,
            grader: self.grader.clone(),
        }));
        if self.plan.is_empty() {
            self.finish(EndReason::Completed, fx);
        } else {
            self.ask_main(fx);
        }
    }

    fn command(&mut self, c: Command, fx: &mut Vec<Effect>) {
        match c {
            Command::Skip => {
                let q = self.plan[self.qi].clone();
                fx.push(Effect::Persist(EventKind::Skipped {
                    turn: self.turn,
                    question: q.clone(),
                }));
                fx.push(Effect::Flush);
                self.skipped.push(q);
                self.next_question(fx);
            }
            Command::Hint => {
                let (level, criterion, text) = match self.bank.get(&self.plan[self.qi]) {
                    Some(q) => self.q.hint(q),
                    None => (0, None, "No hint available.".into()),
                };
                self.hints += 1;
                fx.push(Effect::Persist(EventKind::HintShown {
                    turn: self.turn,
                    level,
                    criterion,
                    text: text.clone(),
                }));
                fx.push(Effect::Hint(text));
            }
            Command::Repeat => {
                if let Phase::Asking(a) = &self.phase {
                    fx.push(Effect::Ask(a.clone()));
                }
            }
            Command::Score => fx.push(Effect::Score(self.summary(None))),
            Command::Help => fx.push(Effect::Help),
            Command::Quit => self.finish(EndReason::Quit, fx),
        }
    }

    fn answer(&mut self, text: String, voice: Option<SpokenMeta>, fx: &mut Vec<Effect>) {
        if text.trim().is_empty() {
            fx.push(Effect::Notice(
                "Empty answer: type an answer and end it with an empty line, or /skip.".into(),
            ));
            return;
        }
        let delivery = voice.as_ref().map(|v| v.delivery.clone());
        fx.push(Effect::Persist(EventKind::AnswerGiven {
            turn: self.turn,
            text: text.clone(),
            voice,
        }));
        fx.push(Effect::Flush);
        fx.push(Effect::Grade {
            question: self.plan[self.qi].clone(),
            rung: self.q.rung,
            answer: self.q.answered(text),
        });
        self.phase = Phase::Grading { delivery };
    }

    /// The grade for the pending answer: store it, show it, then go on.
    /// Store, record and show a grade; then, when `go_on`, move to the next follow-up or question.
    fn graded(&mut self, g: Grade, go_on: bool, fx: &mut Vec<Effect>) {
        let delivery = match &mut self.phase {
            Phase::Grading { delivery } => delivery.take(),
            _ => None,
        };
        fx.push(Effect::Persist(EventKind::Graded {
            turn: self.turn,
            grade: g.clone(),
        }));
        fx.push(Effect::Flush);
        self.record(&g);
        fx.push(Effect::Feedback(g.clone()));
        if let Some(d) = delivery {
            fx.push(Effect::Delivery(d));
        }
        if go_on {
            self.advance(&g, fx);
        }
    }

    /// After the grade that brought the model spend to the cost limit: end the session at once, before any
    /// follow-up is composed or question asked (composing one would cost more and never be shown).
    fn stop_at_cost_limit(&mut self, spent_usd: f64, limit: f64, fx: &mut Vec<Effect>) {
        fx.push(Effect::Notice(format!(
            "Cost limit reached (${spent_usd:.4} of ${limit:.4}); ending the session."
        )));
        self.finish(EndReason::CostLimit, fx);
    }

    fn record(&mut self, g: &Grade) {
        let gaps = self.q.graded(g);
        let q = self.bank.get(&self.plan[self.qi]);
        let stage = self
            .q
            .rung
            .and_then(|r| q.and_then(|q| q.ladder.get(r)).map(|r| r.stage.clone()))
            .unwrap_or_else(|| "question".into());
        let with = |v: Verdict| g.criteria.iter().filter(move |c| c.verdict == v);
        self.results.push(TurnResult {
            question: self.plan[self.qi].clone(),
            title: q.map(|q| q.spec.title.clone()).unwrap_or_default(),
            stage,
            score: g.score,
            missed: with(Verdict::Missed).map(|c| c.statement.clone()).collect(),
            purpose: self.q.purpose,
            gaps,
            met: with(Verdict::Met).map(|c| c.id.clone()).collect(),
            misconceptions: g
                .misconceptions
                .iter()
                .map(|m| m.statement.clone())
                .collect(),
            hints: std::mem::take(&mut self.hints),
        });
    }

    /// After a graded answer: challenge a stated misconception, else probe the heaviest missed criterion (at most
    /// `max_probes` times per rung), else climb the ladder, skipping a rung only on evidence.
    fn advance(&mut self, g: &Grade, fx: &mut Vec<Effect>) {
        let Some(q) = self.bank.get(&self.plan[self.qi]) else {
            return self.next_question(fx);
        };
        let gaming = g
            .flags
            .iter()
            .any(|f| crate::grade::Flag::parse(f).is_some_and(crate::grade::Flag::is_gaming));
        // `--follow-ups 0` asks the main questions only: no probes either.
        if self.max_follow_ups > 0 && self.q.probes < self.max_probes && !gaming {
            if let Some(next) = coach::next_probe(q, g, &self.q.met) {
                self.q.start_probe(&next, g);
                self.turn += 1;
                return self.compose(q, next.purpose, Some(next.target), next.text, fx);
            }
        }
        if self.q.follow_ups < self.max_follow_ups {
            let from = self.q.rung.map(|r| r + 1).unwrap_or(0);
            for (i, r) in q.ladder.iter().enumerate().skip(from) {
                if let Some(quotes) =
                    coach::covered_rung(self.bank, r, &self.q.met, &self.q.answers)
                {
                    fx.push(Effect::Skipped {
                        stage: r.stage.clone(),
                        quotes,
                    });
                    continue;
                }
                self.q.start_rung(i);
                self.turn += 1;
                return self.compose(q, Purpose::Rung, None, r.question.clone(), fx);
            }
        }
        self.next_question(fx);
    }

    /// Ask the shell to compose the follow-up just decided on; `authored` is asked if it brings no text.
    fn compose(
        &mut self,
        q: &Question,
        purpose: Purpose,
        target: Option<String>,
        authored: String,
        fx: &mut Vec<Effect>,
    ) {
        fx.push(Effect::ComposeFollowUp {
            question: q.spec.id.clone(),
            rung: self.q.rung.unwrap_or(0),
            purpose,
            target,
            authored: authored.clone(),
            missed: self.q.missed_statements(q),
            last_answer: self.q.last_answer.clone(),
            asked: self.q.asked.clone(),
        });
        self.phase = Phase::Composing { authored };
    }

    /// Ask the composed follow-up: the shell's text (written by a model), else the authored one.
    fn ask_follow_up(&mut self, text: Option<String>, authored: String, fx: &mut Vec<Effect>) {
        let generated = text.is_some();
        let a = self.ask(text.unwrap_or(authored));
        self.q.asked.push(a.text.clone());
        fx.push(Effect::Persist(EventKind::FollowUpAsked {
            turn: self.turn,
            question: a.question.clone(),
            rung: a.rung.unwrap_or(0),
            stage: a.stage.clone().unwrap_or_else(|| "question".into()),
            text: a.text.clone(),
            generated,
            purpose: self.q.purpose,
            target: self.q.target.clone(),
        }));
        self.phase = Phase::Asking(a.clone());
        fx.push(Effect::Ask(a));
    }

    fn next_question(&mut self, fx: &mut Vec<Effect>) {
        self.qi += 1;
        if self.qi >= self.plan.len() {
            self.finish(EndReason::Completed, fx);
        } else {
            self.turn += 1;
            self.ask_main(fx);
        }
    }

    fn ask_main(&mut self, fx: &mut Vec<Effect>) {
        self.q = QuestionState::default();
        let prompt = self
            .bank
            .get(&self.plan[self.qi])
            .map(|q| q.spec.prompt.clone());
        let a = self.ask(prompt.unwrap_or_default());
        self.q.asked.push(a.text.clone());
        fx.push(Effect::Persist(EventKind::QuestionAsked {
            turn: self.turn,
            question: a.question.clone(),
            title: a.title.clone(),
            text: a.text.clone(),
        }));
        self.phase = Phase::Asking(a.clone());
        fx.push(Effect::Ask(a));
    }

    /// The current turn's question block, asking `text`.
    fn ask(&self, text: String) -> Ask {
        let id = &self.plan[self.qi];
        let q = self.bank.get(id);
        let rung = self.q.rung.and_then(|r| q.and_then(|q| q.ladder.get(r)));
        Ask {
            turn: self.turn,
            question: id.clone(),
            title: q.map(|q| q.spec.title.clone()).unwrap_or_default(),
            position: (self.qi + 1, self.plan.len()),
            stage: rung.map(|r| r.stage.clone()),
            rung: self.q.rung,
            text,
            constraints: if self.q.purpose == Purpose::Rung {
                rung.map(|r| r.constraints.clone()).unwrap_or_default()
            } else {
                Vec::new()
            },
            purpose: self.q.purpose,
        }
    }

    fn summary(&self, reason: Option<EndReason>) -> Summary {
        Summary::new(&self.results, &self.skipped, self.hints, reason)
    }

    fn finish(&mut self, reason: EndReason, fx: &mut Vec<Effect>) {
        fx.push(Effect::Persist(EventKind::SessionEnded {
            reason: reason.clone(),
        }));
        fx.push(Effect::Flush);
        fx.push(Effect::End(self.summary(Some(reason))));
        self.phase = Phase::Done;
    }
}

#[cfg(test)]
mod tests;
