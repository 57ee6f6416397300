//! The interview as a pure state machine: inputs in, effects out. No IO, no async, no terminal.

pub mod select;

use crate::bank::Bank;
use crate::grade::{Grade, Verdict};
use crate::store::EventKind;
use std::collections::HashSet;

/// A slash command typed at the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Move on to the next question.
    Skip,
    /// Show a hint for what is still missing.
    Hint,
    /// Ask the current question again.
    Repeat,
    /// Show the running score.
    Score,
    /// End and save.
    Quit,
    /// List the commands.
    Help,
}

impl Command {
    /// Parse a line that starts with '/'. `Err` carries a message for an unknown command.
    pub fn parse(line: &str) -> Option<Result<Command, String>> {
        let t = line.trim();
        let word = t.strip_prefix('/')?;
        let word = word.split_whitespace().next().unwrap_or("").to_lowercase();
        Some(match word.as_str() {
            "skip" | "s" | "next" => Ok(Command::Skip),
            "hint" => Ok(Command::Hint),
            "repeat" | "r" | "again" => Ok(Command::Repeat),
            "score" => Ok(Command::Score),
            "quit" | "q" | "exit" => Ok(Command::Quit),
            "help" | "h" | "?" => Ok(Command::Help),
            _ => Err(format!("unknown command '/{word}' (type /help)")),
        })
    }
}

/// What the shell feeds the machine.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Begin the session.
    Start,
    /// A finished answer.
    Answer(String),
    /// A spoken answer: its transcript is graded; the recording and delivery metrics are stored with it.
    Spoken {
        /// The transcript (possibly edited).
        text: String,
        /// Recording, raw transcript and delivery metrics.
        voice: crate::voice::SpokenMeta,
    },
    /// The grade for the pending answer.
    Graded(Grade),
    /// A slash command.
    Command(Command),
    /// The follow-up text the shell composed (None: use the authored rung question).
    FollowUp(Option<String>),
    /// Stop now (e.g. the cost limit was reached), with the reason.
    Stop(String),
    /// End of input (Ctrl-D, or the end of a piped script).
    Eof,
}

/// A question being asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    /// Turn number.
    pub turn: u32,
    /// Question id.
    pub question: String,
    /// Question title.
    pub title: String,
    /// Position: (question index, number of questions).
    pub position: (usize, usize),
    /// Ladder stage, None for the main question.
    pub stage: Option<String>,
    /// Rung index, None for the main question.
    pub rung: Option<usize>,
    /// The text to ask.
    pub text: String,
    /// Constraints the rung introduces.
    pub constraints: Vec<String>,
}

/// One graded turn in the summary.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnResult {
    /// Question id.
    pub question: String,
    /// Title.
    pub title: String,
    /// Stage ("question" for the main one).
    pub stage: String,
    /// Score.
    pub score: u32,
    /// Statements of criteria missed.
    pub missed: Vec<String>,
}

/// The closing summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Graded turns.
    pub turns: Vec<TurnResult>,
    /// Questions skipped.
    pub skipped: Vec<String>,
    /// Mean score, when anything was graded.
    pub mean: Option<f64>,
    /// How it ended.
    pub reason: String,
}

/// What the machine asks the shell to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append this event to the store.
    Persist(EventKind),
    /// Make the store durable (a turn finished).
    Flush,
    /// Ask a question.
    Ask(Ask),
    /// Compose the next follow-up (adaptive, with a model) and feed back `Input::FollowUp`.
    ComposeFollowUp {
        /// Question id.
        question: String,
        /// Rung index.
        rung: usize,
        /// The authored rung question (the fallback).
        authored: String,
        /// Statements of criteria the candidate has not covered on this question.
        missed: Vec<String>,
        /// The candidate's last answer.
        last_answer: String,
        /// Questions already asked on this question.
        asked: Vec<String>,
    },
    /// Grade this answer and feed back `Input::Graded`.
    Grade {
        /// Question id.
        question: String,
        /// Rung, None for the main question.
        rung: Option<usize>,
        /// The answer.
        answer: String,
    },
    /// Show feedback for a grade.
    Feedback(Grade),
    /// Show the delivery metrics of the spoken answer just graded (after its feedback).
    Delivery(crate::voice::Delivery),
    /// A one-line notice.
    Notice(String),
    /// Show a hint.
    Hint(String),
    /// Show the help text.
    Help,
    /// Show the running score.
    Score(Summary),
    /// The session is over.
    End(Summary),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    NotStarted,
    Asking,
    Grading,
    Composing,
    Done,
}

/// The interview state.
pub struct Interview<'a> {
    bank: &'a Bank,
    plan: Vec<String>,
    grader: String,
    max_follow_ups: usize,
    qi: usize,
    rung: Option<usize>,
    follow_ups: usize,
    covered: HashSet<String>,
    turn: u32,
    phase: Phase,
    results: Vec<TurnResult>,
    skipped: Vec<String>,
    asked: Vec<String>,
    last_answer: String,
    text_override: Option<String>,
    pending_delivery: Option<crate::voice::Delivery>,
}

impl<'a> Interview<'a> {
    /// A new interview over `plan` (question ids present in `bank`).
    pub fn new(bank: &'a Bank, plan: Vec<String>, grader: &str, max_follow_ups: usize) -> Self {
        Interview {
            bank,
            plan,
            grader: grader.to_string(),
            max_follow_ups,
            qi: 0,
            rung: None,
            follow_ups: 0,
            covered: HashSet::new(),
            turn: 0,
            phase: Phase::NotStarted,
            results: Vec::new(),
            skipped: Vec::new(),
            asked: Vec::new(),
            last_answer: String::new(),
            text_override: None,
            pending_delivery: None,
        }
    }

    /// Whether the session has ended.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Feed one input, get the effects to carry out in order.
    pub fn step(&mut self, input: Input) -> Vec<Effect> {
        let mut fx = Vec::new();
        match (self.phase, input) {
            (Phase::Done, _) => {}
            (Phase::NotStarted, Input::Start) => {
                fx.push(Effect::Persist(EventKind::SessionStarted {
                    kind: crate::store::SessionKind::Interview,
                    grader: self.grader.clone(),
                }));
                if self.plan.is_empty() {
                    self.finish("completed", &mut fx);
                } else {
                    self.ask_main(&mut fx);
                }
            }
            (Phase::NotStarted, _) => {
                fx.push(Effect::Notice("the interview has not started".into()))
            }
            (Phase::Asking, Input::Answer(text)) => self.answer(text, None, &mut fx),
            (Phase::Asking, Input::Spoken { text, voice }) => {
                self.answer(text, Some(voice), &mut fx)
            }
            (Phase::Grading, Input::Graded(g)) => {
                fx.push(Effect::Persist(EventKind::Graded {
                    turn: self.turn,
                    grade: g.clone(),
                }));
                fx.push(Effect::Flush);
                self.record(&g);
                fx.push(Effect::Feedback(g));
                if let Some(d) = self.pending_delivery.take() {
                    fx.push(Effect::Delivery(d));
                }
                self.advance(&mut fx);
            }
            (Phase::Composing, Input::FollowUp(text)) => {
                let generated = text.is_some();
                self.text_override = text;
                let a = self.current_ask();
                self.asked.push(a.text.clone());
                fx.push(Effect::Persist(EventKind::FollowUpAsked {
                    turn: self.turn,
                    question: a.question.clone(),
                    rung: a.rung.unwrap_or(0),
                    stage: a.stage.clone().unwrap_or_default(),
                    text: a.text.clone(),
                    generated,
                }));
                fx.push(Effect::Ask(a));
                self.phase = Phase::Asking;
            }
            (_, Input::Stop(reason)) => self.finish(&reason, &mut fx),
            (Phase::Grading | Phase::Asking | Phase::Composing, Input::Eof) => {
                self.finish("eof", &mut fx)
            }
            (Phase::Grading | Phase::Composing, _) => {
                fx.push(Effect::Notice("still working on the last answer".into()))
            }
            (Phase::Asking, Input::Command(c)) => match c {
                Command::Skip => {
                    let q = self.plan[self.qi].clone();
                    fx.push(Effect::Persist(EventKind::Skipped {
                        turn: self.turn,
                        question: q.clone(),
                    }));
                    fx.push(Effect::Flush);
                    self.skipped.push(q);
                    self.next_question(&mut fx);
                }
                Command::Hint => fx.push(Effect::Hint(self.hint())),
                Command::Repeat => fx.push(Effect::Ask(self.current_ask())),
                Command::Score => fx.push(Effect::Score(self.summary("in progress"))),
                Command::Help => fx.push(Effect::Help),
                Command::Quit => self.finish("quit", &mut fx),
            },
            (Phase::Asking, Input::Start | Input::Graded(_) | Input::FollowUp(_)) => {}
        }
        fx
    }

    fn answer(
        &mut self,
        text: String,
        voice: Option<crate::voice::SpokenMeta>,
        fx: &mut Vec<Effect>,
    ) {
        if text.trim().is_empty() {
            fx.push(Effect::Notice(
                "Empty answer: type an answer and end it with an empty line, or /skip.".into(),
            ));
            return;
        }
        self.last_answer = text.clone();
        self.pending_delivery = voice.as_ref().map(|v| v.delivery.clone());
        fx.push(Effect::Persist(EventKind::AnswerGiven {
            turn: self.turn,
            text: text.clone(),
            voice,
        }));
        fx.push(Effect::Flush);
        fx.push(Effect::Grade {
            question: self.plan[self.qi].clone(),
            rung: self.rung,
            answer: text,
        });
        self.phase = Phase::Grading;
    }

    fn record(&mut self, g: &Grade) {
        for c in &g.criteria {
            if c.verdict == Verdict::Met {
                self.covered.insert(c.id.clone());
            }
        }
        self.covered.extend(g.coverage.iter().cloned());
        let q = &self.bank.get(&self.plan[self.qi]);
        self.results.push(TurnResult {
            question: self.plan[self.qi].clone(),
            title: q.map(|q| q.spec.title.clone()).unwrap_or_default(),
            stage: self
                .rung
                .and_then(|r| q.and_then(|q| q.ladder.get(r)).map(|r| r.stage.clone()))
                .unwrap_or_else(|| "question".into()),
            score: g.score,
            missed: g
                .criteria
                .iter()
                .filter(|c| c.verdict == Verdict::Missed)
                .map(|c| c.statement.clone())
                .collect(),
        });
    }

    fn advance(&mut self, fx: &mut Vec<Effect>) {
        let Some(q) = self.bank.get(&self.plan[self.qi]) else {
            return self.next_question(fx);
        };
        if self.follow_ups < self.max_follow_ups {
            let from = self.rung.map(|r| r + 1).unwrap_or(0);
            for (i, r) in q.ladder.iter().enumerate().skip(from) {
                let all_covered = r.criteria.iter().all(|c| self.covered.contains(&c.spec.id));
                if all_covered {
                    fx.push(Effect::Notice(format!(
                        "You already covered the {} follow-up; moving on.",
                        r.stage.replace('_', " ")
                    )));
                    continue;
                }
                self.rung = Some(i);
                self.follow_ups += 1;
                self.turn += 1;
                self.text_override = None;
                let missed: Vec<String> = q
                    .all_criteria()
                    .filter(|c| !self.covered.contains(&c.spec.id))
                    .map(|c| c.spec.statement.clone())
                    .collect();
                fx.push(Effect::ComposeFollowUp {
                    question: q.spec.id.clone(),
                    rung: i,
                    authored: r.question.clone(),
                    missed,
                    last_answer: self.last_answer.clone(),
                    asked: self.asked.clone(),
                });
                self.phase = Phase::Composing;
                return;
            }
        }
        self.next_question(fx);
    }

    fn next_question(&mut self, fx: &mut Vec<Effect>) {
        self.qi += 1;
        if self.qi >= self.plan.len() {
            self.finish("completed", fx);
        } else {
            self.turn += 1;
            self.ask_main(fx);
        }
    }

    fn ask_main(&mut self, fx: &mut Vec<Effect>) {
        self.rung = None;
        self.follow_ups = 0;
        self.covered.clear();
        self.text_override = None;
        self.asked.clear();
        self.phase = Phase::Asking;
        let a = self.current_ask();
        self.asked.push(a.text.clone());
        fx.push(Effect::Persist(EventKind::QuestionAsked {
            turn: self.turn,
            question: a.question.clone(),
            title: a.title.clone(),
            text: a.text.clone(),
        }));
        fx.push(Effect::Ask(a));
    }

    fn current_ask(&self) -> Ask {
        let id = &self.plan[self.qi];
        let q = self.bank.get(id);
        let rung = self.rung.and_then(|r| q.and_then(|q| q.ladder.get(r)));
        Ask {
            turn: self.turn,
            question: id.clone(),
            title: q.map(|q| q.spec.title.clone()).unwrap_or_default(),
            position: (self.qi + 1, self.plan.len()),
            stage: rung.map(|r| r.stage.clone()),
            rung: self.rung,
            text: self
                .text_override
                .clone()
                .filter(|_| rung.is_some())
                .or_else(|| rung.map(|r| r.question.clone()))
                .or_else(|| q.map(|q| q.spec.prompt.clone()))
                .unwrap_or_default(),
            constraints: rung.map(|r| r.constraints.clone()).unwrap_or_default(),
        }
    }

    fn hint(&self) -> String {
        let Some(q) = self.bank.get(&self.plan[self.qi]) else {
            return "No hint available.".into();
        };
        let (crit, _) = q.target(self.rung);
        match crit.iter().find(|c| !self.covered.contains(&c.spec.id)) {
            Some(c) if !c.spec.tags.is_empty() => {
                format!("Think about: {}.", c.spec.tags.join(", ").replace('-', " "))
            }
            Some(c) => format!("Think about the part worth {} points.", c.spec.weight),
            None => "You have covered this; add numbers or a trade-off to make it stronger.".into(),
        }
    }

    fn summary(&self, reason: &str) -> Summary {
        let mean = if self.results.is_empty() {
            None
        } else {
            Some(
                self.results.iter().map(|r| r.score as f64).sum::<f64>()
                    / self.results.len() as f64,
            )
        };
        Summary {
            turns: self.results.clone(),
            skipped: self.skipped.clone(),
            mean,
            reason: reason.into(),
        }
    }

    fn finish(&mut self, reason: &str, fx: &mut Vec<Effect>) {
        fx.push(Effect::Persist(EventKind::SessionEnded {
            reason: reason.into(),
        }));
        fx.push(Effect::Flush);
        fx.push(Effect::End(self.summary(reason)));
        self.phase = Phase::Done;
    }
}

#[cfg(test)]
mod tests;
