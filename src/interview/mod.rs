//! The interview as a pure state machine: inputs in, effects out. No IO, no async, no terminal.

pub mod select;

pub mod coach;

use crate::bank::{Bank, Question};
use crate::grade::{Grade, Verdict};
use crate::session::EventKind;
pub use crate::session::Purpose;

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
        voice: crate::session::SpokenMeta,
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
    /// Why it is asked: the main question or a rung (`Rung`), or a probe or challenge of the last answer.
    pub purpose: Purpose,
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
    /// Why the turn was asked.
    pub purpose: Purpose,
    /// Criteria missed or partly met: (id, weight, statement, partial).
    pub gaps: Vec<coach::Gap>,
    /// Criterion ids met in this turn.
    pub met: Vec<String>,
    /// Misconceptions stated in this turn.
    pub misconceptions: Vec<String>,
    /// Hints taken before answering.
    pub hints: u32,
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
    /// Hints taken, including those on a turn left unanswered.
    pub hints: u32,
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
        /// Rung index (for a probe or challenge: the rung, or 0 on the main question, it follows up on).
        rung: usize,
        /// A rung, or a probe or challenge of the last answer.
        purpose: Purpose,
        /// The criterion (probe) or misconception (challenge) targeted.
        target: Option<String>,
        /// The question asked when no model writes one: the authored rung question, or the offline probe or
        /// challenge text.
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
    Delivery(crate::session::Delivery),
    /// A one-line notice.
    Notice(String),
    /// Show a hint.
    Hint(String),
    /// A rung skipped because the candidate already covered it: the stage and the sentences that covered it.
    Skipped {
        /// Ladder stage.
        stage: String,
        /// The candidate's sentences that met the rung's criteria.
        quotes: Vec<String>,
    },
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
    /// Probes and challenges allowed after each rung (and after the main question).
    max_probes: usize,
    qi: usize,
    /// The rung being worked on (None: the main question); a probe or challenge keeps it.
    rung: Option<usize>,
    follow_ups: usize,
    /// Probes and challenges asked since the main question or the current rung was asked.
    probes: usize,
    /// Why the current turn was asked, and what it targets.
    purpose: Purpose,
    target: Option<String>,
    /// The offline text of the current probe or challenge.
    probe_text: Option<String>,
    /// Criteria met on this question, with the candidate's words: (id, quote).
    met: Vec<(String, String)>,
    /// Answers given on this question (for the evidence behind a rung skip).
    answers: Vec<String>,
    /// The answer to the main question or the current rung, which a probe or challenge answer completes.
    base_answer: String,
    /// The candidate's words a challenge disputes (left out when the challenge answer is graded).
    challenged: Option<String>,
    /// The gap the last graded answer showed (criterion id), for hints.
    gap: Option<String>,
    hint_level: u8,
    hints: u32,
    turn: u32,
    phase: Phase,
    results: Vec<TurnResult>,
    skipped: Vec<String>,
    asked: Vec<String>,
    last_answer: String,
    text_override: Option<String>,
    pending_delivery: Option<crate::session::Delivery>,
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
            qi: 0,
            rung: None,
            follow_ups: 0,
            probes: 0,
            purpose: Purpose::Rung,
            target: None,
            probe_text: None,
            met: Vec::new(),
            answers: Vec::new(),
            base_answer: String::new(),
            challenged: None,
            gap: None,
            hint_level: 0,
            hints: 0,
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

    /// Allow `n` probes or challenges after each answer to the main question or a rung (0: the plain ladder).
    pub fn with_probes(mut self, n: usize) -> Self {
        self.max_probes = n;
        self
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
                    kind: crate::session::SessionKind::Interview,
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
                fx.push(Effect::Feedback(g.clone()));
                if let Some(d) = self.pending_delivery.take() {
                    fx.push(Effect::Delivery(d));
                }
                self.advance(&g, &mut fx);
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
                    stage: a.stage.clone().unwrap_or_else(|| "question".into()),
                    text: a.text.clone(),
                    generated,
                    purpose: self.purpose,
                    target: self.target.clone(),
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
                Command::Hint => {
                    let (level, criterion, text) = self.hint();
                    self.hints += 1;
                    fx.push(Effect::Persist(EventKind::HintShown {
                        turn: self.turn,
                        level,
                        criterion,
                        text: text.clone(),
                    }));
                    fx.push(Effect::Hint(text));
                }
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
        voice: Option<crate::session::SpokenMeta>,
        fx: &mut Vec<Effect>,
    ) {
        if text.trim().is_empty() {
            fx.push(Effect::Notice(
                "Empty answer: type an answer and end it with an empty line, or /skip.".into(),
            ));
            return;
        }
        self.last_answer = text.clone();
        self.answers.push(text.clone());
        self.pending_delivery = voice.as_ref().map(|v| v.delivery.clone());
        fx.push(Effect::Persist(EventKind::AnswerGiven {
            turn: self.turn,
            text: text.clone(),
            voice,
        }));
        fx.push(Effect::Flush);
        // A probe or challenge answer completes the answer it follows up on: the two are graded together (less
        // the challenged claim), so the score shows what the candidate now has, not the fragment alone.
        let graded = match self.purpose {
            Purpose::Rung => {
                self.base_answer = text.clone();
                text
            }
            Purpose::Probe => format!("{}\n\n{text}", self.base_answer),
            Purpose::Challenge => {
                let base = match &self.challenged {
                    Some(q) if !q.is_empty() => self.base_answer.replace(q.as_str(), ""),
                    _ => self.base_answer.clone(),
                };
                format!("{}\n\n{text}", base.trim())
            }
        };
        fx.push(Effect::Grade {
            question: self.plan[self.qi].clone(),
            rung: self.rung,
            answer: graded,
        });
        self.phase = Phase::Grading;
    }

    fn record(&mut self, g: &Grade) {
        for c in &g.criteria {
            if c.verdict == Verdict::Met && !self.met.iter().any(|(id, _)| id == &c.id) {
                let quote = c.evidence.first().cloned().unwrap_or_default();
                self.met.push((c.id.clone(), quote));
            }
        }
        let q = self.bank.get(&self.plan[self.qi]);
        let stage = self
            .rung
            .and_then(|r| q.and_then(|q| q.ladder.get(r)).map(|r| r.stage.clone()))
            .unwrap_or_else(|| "question".into());
        let gaps = coach::gaps(g);
        // The gap just shown, for /hint: the heaviest missed criterion, else the heaviest partial.
        self.gap = coach::heaviest(&gaps).map(|gp| gp.id.clone());
        self.hint_level = 0;
        self.results.push(TurnResult {
            question: self.plan[self.qi].clone(),
            title: q.map(|q| q.spec.title.clone()).unwrap_or_default(),
            stage,
            score: g.score,
            missed: g
                .criteria
                .iter()
                .filter(|c| c.verdict == Verdict::Missed)
                .map(|c| c.statement.clone())
                .collect(),
            purpose: self.purpose,
            gaps,
            met: g
                .criteria
                .iter()
                .filter(|c| c.verdict == Verdict::Met)
                .map(|c| c.id.clone())
                .collect(),
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
        if self.max_follow_ups > 0 && self.probes < self.max_probes && !gaming {
            if let Some(next) = coach::next_probe(q, g, &self.met) {
                self.probes += 1;
                self.turn += 1;
                self.purpose = next.purpose;
                self.target = Some(next.target.clone());
                self.probe_text = Some(next.text.clone());
                self.challenged = (next.purpose == Purpose::Challenge)
                    .then(|| {
                        g.misconceptions
                            .first()
                            .and_then(|m| m.evidence.first().cloned())
                    })
                    .flatten();
                self.text_override = None;
                fx.push(Effect::ComposeFollowUp {
                    question: q.spec.id.clone(),
                    rung: self.rung.unwrap_or(0),
                    purpose: next.purpose,
                    target: Some(next.target),
                    authored: next.text,
                    missed: self.missed_statements(q),
                    last_answer: self.last_answer.clone(),
                    asked: self.asked.clone(),
                });
                self.phase = Phase::Composing;
                return;
            }
        }
        if self.follow_ups < self.max_follow_ups {
            let from = self.rung.map(|r| r + 1).unwrap_or(0);
            for (i, r) in q.ladder.iter().enumerate().skip(from) {
                if let Some(quotes) = coach::covered_rung(self.bank, r, &self.met, &self.answers) {
                    fx.push(Effect::Skipped {
                        stage: r.stage.clone(),
                        quotes,
                    });
                    continue;
                }
                self.rung = Some(i);
                self.follow_ups += 1;
                self.probes = 0;
                self.purpose = Purpose::Rung;
                self.target = None;
                self.probe_text = None;
                self.turn += 1;
                self.text_override = None;
                fx.push(Effect::ComposeFollowUp {
                    question: q.spec.id.clone(),
                    rung: i,
                    purpose: Purpose::Rung,
                    target: None,
                    authored: r.question.clone(),
                    missed: self.missed_statements(q),
                    last_answer: self.last_answer.clone(),
                    asked: self.asked.clone(),
                });
                self.phase = Phase::Composing;
                return;
            }
        }
        self.next_question(fx);
    }

    /// Statements of the question's criteria not met yet (for a model writing the next follow-up).
    fn missed_statements(&self, q: &Question) -> Vec<String> {
        q.all_criteria()
            .filter(|c| !self.met.iter().any(|(id, _)| id == &c.spec.id))
            .map(|c| c.spec.statement.clone())
            .collect()
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
        self.probes = 0;
        self.purpose = Purpose::Rung;
        self.target = None;
        self.probe_text = None;
        self.met.clear();
        self.answers.clear();
        self.gap = None;
        self.hint_level = 0;
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
                .filter(|_| rung.is_some() || self.purpose != Purpose::Rung)
                .or_else(|| self.probe_text.clone())
                .or_else(|| rung.map(|r| r.question.clone()))
                .or_else(|| q.map(|q| q.spec.prompt.clone()))
                .unwrap_or_default(),
            constraints: if self.purpose == Purpose::Rung {
                rung.map(|r| r.constraints.clone()).unwrap_or_default()
            } else {
                Vec::new()
            },
            purpose: self.purpose,
        }
    }

    /// The next hint: it targets the gap the last answer showed (or the current target's heaviest open
    /// criterion) and escalates: the concept, then a leading question, then the missing statement.
    fn hint(&mut self) -> (u8, Option<String>, String) {
        let Some(q) = self.bank.get(&self.plan[self.qi]) else {
            return (0, None, "No hint available.".into());
        };
        let (crit, _) = q.target(self.rung);
        let open = |id: &str| !self.met.iter().any(|(m, _)| m == id);
        let gap = self
            .target
            .clone()
            .filter(|_| self.purpose == Purpose::Probe)
            .or_else(|| self.gap.clone().filter(|g| open(g)))
            .or_else(|| {
                let mut v: Vec<_> = crit.iter().filter(|c| open(&c.spec.id)).collect();
                v.sort_by(|a, b| b.spec.weight.total_cmp(&a.spec.weight));
                v.first().map(|c| c.spec.id.clone())
            });
        let Some(c) = gap
            .as_deref()
            .and_then(|id| q.all_criteria().find(|c| c.spec.id == id))
        else {
            return (
                0,
                None,
                "You have covered this; add numbers or a trade-off to make it stronger.".into(),
            );
        };
        self.hint_level = (self.hint_level + 1).min(3);
        let text = coach::hint(c, self.hint_level);
        (self.hint_level, Some(c.spec.id.clone()), text)
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
            hints: self.results.iter().map(|r| r.hints).sum::<u32>() + self.hints,
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

/// The gaps still open at the end: missed or partly met criteria never met later on the same question, once
/// each, heaviest first (missed before partial at equal weight).
pub fn open_gaps(turns: &[TurnResult]) -> Vec<&coach::Gap> {
    let mut out: Vec<(&str, &coach::Gap)> = Vec::new();
    for t in turns {
        for g in &t.gaps {
            let met_later = turns
                .iter()
                .any(|u| u.question == t.question && u.met.contains(&g.id));
            if met_later || out.iter().any(|(q, o)| *q == t.question && o.id == g.id) {
                continue;
            }
            out.push((&t.question, g));
        }
    }
    out.sort_by(|a, b| {
        b.1.weight
            .total_cmp(&a.1.weight)
            .then(a.1.partial.cmp(&b.1.partial))
    });
    out.into_iter().map(|(_, g)| g).collect()
}

#[cfg(test)]
mod tests;
