//! Spaced repetition with FSRS (the `rs-fsrs` crate): every question is a card, every attempt at it a review
//! whose rating comes from the attempt's score. Card state is replayed from the log, never stored.

use super::fold::{bits, records, AttemptRec};
use super::mastery::{Mastery, WEAK_BELOW};
use super::{area_of, title_of, Attempt, History};
use crate::bank::Bank;
use crate::grade::Verdict;
use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rs_fsrs::{Card, Parameters, Rating, State, FSRS};
use serde::{Deserialize, Serialize};

/// The FSRS rating for an attempt's score: below 40 Again, below 60 Hard, below 85 Good, else Easy.
pub fn rating(score: u32) -> Rating {
    match score {
        0..=39 => Rating::Again,
        40..=59 => Rating::Hard,
        60..=84 => Rating::Good,
        _ => Rating::Easy,
    }
}

/// Lower-case name of a rating.
pub fn rating_name(r: Rating) -> &'static str {
    match r {
        Rating::Again => "again",
        Rating::Hard => "hard",
        Rating::Good => "good",
        Rating::Easy => "easy",
    }
}

/// Lower-case name of a card state.
pub fn state_name(s: State) -> &'static str {
    match s {
        State::New => "new",
        State::Learning => "learning",
        State::Review => "review",
        State::Relearning => "relearning",
    }
}

/// The scheduler: FSRS defaults, day-based intervals (no same-day learning steps: an interview question is
/// revisited on a later day, not ten minutes later), no fuzz (the same log always gives the same dates).
pub fn fsrs() -> FSRS {
    FSRS::new(Parameters {
        enable_short_term: false,
        enable_fuzz: false,
        ..Parameters::default()
    })
}

/// A criterion not met in the last attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Missed {
    /// Criterion id.
    pub id: String,
    /// What was expected.
    pub statement: String,
    /// Missed or partial.
    pub verdict: Verdict,
}

/// One question's card, replayed from its attempts, with the question's title and area from the bank. The card's
/// own fields are its [`CardCore`]'s (reached through `Deref`).
#[derive(Debug, Clone, PartialEq)]
pub struct CardState {
    /// Title.
    pub title: String,
    /// Area.
    pub area: String,
    /// The card itself.
    pub core: CardCore,
}

impl std::ops::Deref for CardState {
    type Target = CardCore;
    fn deref(&self) -> &CardCore {
        &self.core
    }
}

impl CardState {
    /// Due at or before `now`.
    pub fn is_due(&self, now: DateTime<Utc>) -> bool {
        self.card.due <= now
    }
    /// Calendar days (UTC) from `now` to the due date: 0 today, 1 tomorrow, negative when overdue.
    pub fn due_in_days(&self, now: DateTime<Utc>) -> i64 {
        (self.card.due.date_naive() - now.date_naive()).num_days()
    }
}

/// The criteria not met in an attempt.
pub fn missed(a: &Attempt) -> Vec<Missed> {
    a.turns
        .iter()
        .flat_map(|t| t.grade.criteria.iter())
        .filter(|c| c.verdict != Verdict::Met)
        .map(|c| Missed {
            id: c.id.clone(),
            statement: c.statement.clone(),
            verdict: c.verdict,
        })
        .collect()
}

/// An FSRS card as stored: floats as bit patterns, so a card read back is the card written; the state as its number.
#[derive(Serialize, Deserialize)]
#[serde(remote = "Card")]
struct StoredCard {
    due: DateTime<Utc>,
    #[serde(with = "bits")]
    stability: f64,
    #[serde(with = "bits")]
    difficulty: f64,
    elapsed_days: i64,
    scheduled_days: i64,
    reps: i32,
    lapses: i32,
    #[serde(serialize_with = "state_serde", deserialize_with = "state_de")]
    state: State,
    last_review: DateTime<Utc>,
}

fn state_serde<S: serde::Serializer>(st: &State, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(*st as u8)
}

fn state_de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<State, D::Error> {
    use State::*;
    enum_de(d, &[New, Learning, Review, Relearning], 0, "card state")
}

/// Read an FSRS enum stored as its number: `table[n - first]`, else an error naming `what`.
fn enum_de<'de, D: serde::Deserializer<'de>, T: Copy>(
    d: D,
    table: &[T],
    first: u8,
    what: &str,
) -> Result<T, D::Error> {
    let n = u8::deserialize(d)?;
    n.checked_sub(first)
        .and_then(|i| table.get(i as usize))
        .copied()
        .ok_or_else(|| serde::de::Error::custom(format!("unknown {what} {n}")))
}

fn rating_serde<S: serde::Serializer>(r: &Rating, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u8(*r as u8)
}

fn rating_de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Rating, D::Error> {
    use Rating::*;
    enum_de(d, &[Again, Hard, Good, Easy], 1, "rating")
}

/// A question's card before the bank is consulted (no title or area): what the store keeps per question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardCore {
    /// Question id.
    pub question: String,
    /// FSRS state after the last review.
    #[serde(with = "StoredCard")]
    pub card: Card,
    /// Number of reviews (attempts).
    pub reviews: u32,
    /// Score of the last attempt.
    pub last_score: u32,
    /// Rating of the last attempt.
    #[serde(serialize_with = "rating_serde", deserialize_with = "rating_de")]
    pub last_rating: Rating,
    /// Session of the last attempt.
    pub last_session: u64,
    /// Time of the last attempt.
    pub last_at: DateTime<Utc>,
    /// The last attempt was skipped without an answer.
    pub last_skipped: bool,
    /// Criteria not met in the last attempt.
    pub missed: Vec<Missed>,
}

impl CardCore {
    /// With the title and area from the bank.
    pub fn state(self, bank: &Bank) -> CardState {
        CardState {
            title: title_of(bank, &self.question),
            area: area_of(bank, &self.question),
            core: self,
        }
    }
}

/// Replay one question's attempts (oldest first) through FSRS; None without attempts.
pub fn replay<'a>(attempts: impl IntoIterator<Item = &'a AttemptRec>) -> Option<CardCore> {
    let f = fsrs();
    let mut out: Option<CardCore> = None;
    for a in attempts {
        let r = rating(a.score);
        let c = out.get_or_insert_with(|| CardCore {
            question: a.question.clone(),
            card: Card {
                due: a.at,
                last_review: a.at,
                ..Card::default()
            },
            reviews: 0,
            last_score: a.score,
            last_rating: r,
            last_session: a.session,
            last_at: a.at,
            last_skipped: false,
            missed: vec![],
        });
        c.card = f.next(c.card.clone(), a.at, r).card;
        c.reviews += 1;
        c.last_score = a.score;
        c.last_rating = r;
        c.last_session = a.session;
        c.last_at = a.at;
        c.last_skipped = a.skipped_only;
        c.missed = a.missed.clone();
    }
    out
}

/// Sort cards as every schedule lists them: by due date, then question id.
pub fn sort_cards(cards: &mut [CardState]) {
    cards.sort_by(|a, b| (a.card.due, &a.question).cmp(&(b.card.due, &b.question)));
}

/// Replay every question's attempts through FSRS (a full replay). Sorted by due date, then question id.
pub fn cards(h: &History, bank: &Bank) -> Vec<CardState> {
    let attempts = records(h).1;
    let mut order: Vec<&str> = Vec::new();
    let mut by: std::collections::HashMap<&str, Vec<&AttemptRec>> = Default::default();
    for a in &attempts {
        by.entry(a.question.as_str())
            .or_insert_with(|| {
                order.push(a.question.as_str());
                Vec::new()
            })
            .push(a);
    }
    let mut out: Vec<CardState> = order
        .iter()
        .filter_map(|q| replay(by[q].iter().copied()))
        .map(|c| c.state(bank))
        .collect();
    sort_cards(&mut out);
    out
}

/// Cards due by `now + within_days`, weakest (lowest last score) first, then most overdue.
pub fn due(cards: &[CardState], now: DateTime<Utc>, within_days: u32) -> Vec<&CardState> {
    let by = now + Duration::days(within_days as i64);
    let mut v: Vec<&CardState> = cards.iter().filter(|c| c.card.due <= by).collect();
    v.sort_by(|a, b| {
        (a.last_score, a.card.due, &a.question).cmp(&(b.last_score, b.card.due, &b.question))
    });
    v
}

/// Question order for a new session: due cards (weakest first); then questions never asked, those that exercise
/// the weakest concepts first and the rest dealt round-robin across areas; then cards not yet due, soonest first.
/// `select::plan` keeps the ones that pass the session's filters.
pub fn priority<R: Rng>(
    bank: &Bank,
    cards: &[CardState],
    mastery: &Mastery,
    now: DateTime<Utc>,
    rng: &mut R,
) -> Vec<String> {
    let mut out: Vec<String> = due(cards, now, 0)
        .into_iter()
        .map(|c| c.question.clone())
        .collect();
    let seen = |id: &str| cards.iter().any(|c| c.question == id);
    let weak: Vec<(&str, u32)> = mastery
        .concepts
        .iter()
        .filter(|c| c.mastery.pct() < WEAK_BELOW)
        .map(|c| (c.tag.as_str(), c.mastery.pct()))
        .collect();
    let mut fresh: Vec<(u32, &str)> = Vec::new();
    let mut rest: Vec<Vec<&str>> = Vec::new();
    for area in bank.areas() {
        let mut in_area: Vec<&str> = Vec::new();
        for q in bank.questions.iter().filter(|q| q.spec.area == area) {
            if seen(q.id()) {
                continue;
            }
            let hit = weak
                .iter()
                .filter(|(t, _)| q.all_criteria().any(|c| c.spec.tags.iter().any(|x| x == t)))
                .map(|(_, m)| *m)
                .min();
            match hit {
                Some(m) => fresh.push((m, q.id())),
                None => in_area.push(q.id()),
            }
        }
        in_area.shuffle(rng);
        if !in_area.is_empty() {
            rest.push(in_area);
        }
    }
    fresh.shuffle(rng);
    fresh.sort_by_key(|(m, _)| *m);
    out.extend(fresh.into_iter().map(|(_, id)| id.to_string()));
    rest.shuffle(rng);
    let mut i = 0;
    while rest.iter().any(|a| !a.is_empty()) {
        let k = i % rest.len();
        if let Some(id) = rest[k].pop() {
            out.push(id.to_string());
        }
        i += 1;
    }
    out.extend(
        cards
            .iter()
            .filter(|c| !c.is_due(now))
            .map(|c| c.question.clone()),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{history, mastery};
    use super::*;
    use rand::SeedableRng;

    const A: &str = "cv-detection-anchor-boxes";
    const B: &str = "cv-classification-10k-classes";

    #[test]
    fn score_to_rating() {
        let r: Vec<Rating> = [0, 39, 40, 59, 60, 84, 85, 100]
            .into_iter()
            .map(rating)
            .collect();
        use Rating::*;
        assert_eq!(r, [Again, Again, Hard, Hard, Good, Good, Easy, Easy]);
    }

    fn two_sessions() -> Vec<crate::session::Event> {
        let mut log = Log::new(1, day(0));
        log.answered(
            A,
            "Anchors",
            "weak",
            &[("dense-anchors", X), ("scales-times-ratios", P)],
        );
        log.answered(
            B,
            "10k classes",
            "strong",
            &[("head-not-depth", M), ("warmup-cosine", M)],
        );
        let mut log = log.then(2, day(1));
        log.answered(
            A,
            "Anchors",
            "still weak",
            &[("dense-anchors", X), ("scales-times-ratios", M)],
        );
        log.events
    }

    #[test]
    fn cards_replay_the_log() {
        let h = history(&two_sessions());
        let cs = cards(&h, bank());
        assert_eq!(cs.len(), 2);
        let a = cs.iter().find(|c| c.question == A).unwrap();
        assert_eq!(a.reviews, 2);
        assert_eq!(a.last_score, 44);
        assert_eq!(a.last_rating, Rating::Hard);
        assert_eq!(a.last_session, 2);
        assert_eq!(a.missed.len(), 1);
        assert_eq!(a.missed[0].id, "dense-anchors");
        assert!(a.card.due > a.last_at);
        let b = cs.iter().find(|c| c.question == B).unwrap();
        assert_eq!(b.last_rating, Rating::Easy);
        assert!(b.card.due > a.card.due, "an easy answer waits longer");
        // Deterministic: the same log gives the same dates.
        assert_eq!(cs, cards(&h, bank()));
        // Nothing is due right after the second session; the weak one comes due first.
        assert!(due(&cs, day(1) + Duration::hours(1), 0).is_empty());
        let soon = due(&cs, day(1), 30);
        assert_eq!(soon[0].question, A);
        assert_eq!(due(&cs, day(60), 0).len(), 2);
        // Calendar days: due later today is 0, a minute before midnight the day before is 1.
        let midnight = b
            .card
            .due
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        assert_eq!(b.due_in_days(midnight), 0);
        assert_eq!(b.due_in_days(midnight - Duration::minutes(1)), 1);
        assert_eq!(b.due_in_days(b.card.due + Duration::days(3)), -3);
    }

    #[test]
    fn priority_puts_due_then_weak_concepts_then_new() {
        let evs = two_sessions();
        let h = history(&evs);
        let cs = cards(&h, bank());
        let m = mastery::compute(&h, bank());
        let now = a_due_time(&cs);
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let p = priority(bank(), &cs, &m, now, &mut rng);
        assert_eq!(p[0], A, "the due card comes first");
        assert_eq!(p.len(), bank().questions.len(), "every question once");
        let uniq: std::collections::HashSet<_> = p.iter().collect();
        assert_eq!(uniq.len(), p.len());
        // Next: a never-asked question that exercises the weak "anchors" concept.
        let next = bank().get(&p[1]).unwrap();
        assert!(
            next.all_criteria()
                .any(|c| c.spec.tags.iter().any(|t| t == "anchors")),
            "{}",
            p[1]
        );
        assert_eq!(p.last().unwrap(), B, "the card not yet due comes last");
    }

    fn a_due_time(cs: &[CardState]) -> DateTime<Utc> {
        cs.iter().find(|c| c.question == A).unwrap().card.due + Duration::minutes(1)
    }
}
