//! How one session's log changes the views: which of its answers and attempts are new, changed or gone since the
//! session's stored record, and what that does to the mastery states, the trend buckets, the attempts, the cards
//! and the counts in the meta. A plan only fills a batch; the caller writes it.

use super::records::{
    attempt_key, card_key, concept_key, crit_key, grid_key, hash, session_key, trend_bucket,
    Buckets, SessionRec, StoredAttempt,
};
use super::{SessionLog, ViewMeta};
use crate::review::fold::{session_records, AnswerKey, AnswerRec, AttemptRec, Taxonomy};
use crate::review::mastery::{Ewma, MasteryFold};
use crate::review::report::TrendFold;
use crate::review::schedule::{self, CardCore};
use crate::store::{Store, StoreError};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What changed among a session's attempts.
struct AttemptChanges<'a> {
    /// Questions whose cards must be replayed.
    touched: BTreeSet<String>,
    /// The session's attempts, by key.
    fresh: HashMap<Vec<u8>, &'a AttemptRec>,
    /// Keys of stored attempts the session no longer has.
    gone: HashSet<Vec<u8>>,
}

impl Store {
    /// Work out how the views change when one session's log is `log`: writes go into `batch`, counters and
    /// flags into `meta`. With `defer`, the mastery states are left for a
    /// refold and the cards for a replay ([`Store::finish_views`]); without it, answers newer than everything
    /// folded so far are folded in at once and touched cards replayed (an interview turn).
    pub(crate) fn plan_session(
        &self,
        tax: &Taxonomy,
        meta: &mut ViewMeta,
        batch: &mut sled::Batch,
        log: &SessionLog,
        defer: bool,
    ) -> Result<Vec<AnswerRec>, StoreError> {
        let session = log.id;
        let old: SessionRec = self.view_get(&session_key(session))?.unwrap_or_default();
        let (answers, attempts) = session_records(&log.events);
        let mut new = SessionRec::default();
        let (added, changed_old) = self.diff_answers(&old, &answers, &mut new)?;
        let pushable = !defer
            && !meta.refold
            && !changed_old
            && added
                .iter()
                .all(|a| meta.folded.map_or(true, |f| a.key > f));
        if pushable && !added.is_empty() {
            let mut f = self.touched_states(&added, tax)?;
            for a in &added {
                f.push(a, tax);
                meta.folded = Some(a.key);
            }
            self.put_fold(batch, &f)?;
        } else if changed_old || !added.is_empty() {
            meta.refold = true;
        }
        // Trend points: exact whatever the order, unless everything is refolded anyway.
        if !meta.refold {
            self.plan_trends(tax, batch, &old, &answers)?;
        }
        // Attempts, and the cards they replay: at once, or left for [`Store::finish_views`].
        let changes = self.diff_attempts(session, batch, &old, &attempts, &mut new)?;
        if defer {
            meta.dirty_cards.extend(changes.touched);
        } else {
            self.replay_touched_cards(batch, changes)?;
        }
        // Counts, unreadable records, the session's own record.
        meta.answers =
            (meta.answers + answers.len() as u64).saturating_sub(old.answers.len() as u64);
        meta.sessions = (meta.sessions + (!answers.is_empty()) as u64)
            .saturating_sub((!old.answers.is_empty()) as u64);
        meta.bad.retain(|(s, _, _)| *s != session);
        meta.bad
            .extend(log.bad.iter().map(|b| (b.session, b.seq, b.reason.clone())));
        if new.answers.is_empty() && new.attempts.is_empty() {
            batch.remove(session_key(session));
        } else {
            batch.insert(session_key(session), self.enc(&new)?);
        }
        Ok(answers)
    }

    /// The session's answers against its stored record: the answers new or changed (a regrade) since, and
    /// whether any stored answer changed or went. Each answer's key and hash go into `new`.
    fn diff_answers<'a>(
        &self,
        old: &SessionRec,
        answers: &'a [AnswerRec],
        new: &mut SessionRec,
    ) -> Result<(Vec<&'a AnswerRec>, bool), StoreError> {
        // One whose hash differs from the one stored is new or changed.
        let old_by: HashMap<AnswerKey, u64> =
            old.answers.iter().map(|(k, h, _)| (*k, *h)).collect();
        let mut added: Vec<&AnswerRec> = Vec::new();
        let mut new_by: HashMap<AnswerKey, u64> = HashMap::new();
        for a in answers {
            // The hash covers the whole record: a regrade that only changes evidence is a change.
            let h = hash(&self.enc(a)?);
            if old_by.get(&a.key) != Some(&h) {
                added.push(a);
            }
            new_by.insert(a.key, h);
            new.answers.push((a.key, h, a.question.clone()));
        }
        let mut changed_old = false;
        for (k, h, _) in &old.answers {
            match new_by.get(k) {
                None => changed_old = true,
                Some(nh) if nh != h => changed_old = true,
                Some(_) => {}
            }
        }
        Ok((added, changed_old))
    }

    /// A fold holding only the stored states these answers touch (what folding them in reads and writes).
    fn touched_states(
        &self,
        added: &[&AnswerRec],
        tax: &Taxonomy,
    ) -> Result<MasteryFold, StoreError> {
        use std::collections::btree_map::Entry::Vacant;
        let mut f = MasteryFold::default();
        for a in added {
            let (cs, ts, gs) = MasteryFold::touched(a, tax);
            for qc in cs {
                if let Vacant(e) = f.criteria.entry(qc) {
                    let (q, c) = e.key();
                    if let Some(s) = self.view_get(&crit_key(q, c))? {
                        e.insert(s);
                    }
                }
            }
            for t in ts {
                if let Vacant(e) = f.concepts.entry(t) {
                    if let Some(s) = self.view_get(&concept_key(e.key()))? {
                        e.insert(s);
                    }
                }
            }
            for at in gs {
                if let Vacant(e) = f.grid.entry(at) {
                    let (ar, t) = e.key();
                    if let Some((_, _, s)) =
                        self.view_get::<(String, String, Ewma)>(&grid_key(ar, t))?
                    {
                        e.insert(s);
                    }
                }
            }
        }
        Ok(f)
    }

    /// Trend points: take the session's old sums per area out of their buckets and put its new ones in, exact
    /// whatever the order the sessions come in.
    fn plan_trends(
        &self,
        tax: &Taxonomy,
        batch: &mut sled::Batch,
        old: &SessionRec,
        answers: &[AnswerRec],
    ) -> Result<(), StoreError> {
        let mut buckets = Buckets::default();
        let mut old_tf = TrendFold::default();
        for (k, _, q) in &old.answers {
            old_tf.push(&stub(*k, q), tax);
        }
        for p in old_tf.points.values() {
            buckets
                .get(self, trend_bucket(&p.area, &p.first))?
                .remove(&p.first);
        }
        let mut tf = TrendFold::default();
        for a in answers {
            tf.push(a, tax);
        }
        for p in tf.points.values() {
            buckets
                .get(self, trend_bucket(&p.area, &p.first))?
                .insert(p.first, (p.sum, p.n));
        }
        buckets.write(batch);
        Ok(())
    }

    /// Attempts (stored without their missed criteria) new, changed or gone since the session's stored record:
    /// their writes go into `batch`, each attempt's key and hash into `new`.
    fn diff_attempts<'a>(
        &self,
        session: u64,
        batch: &mut sled::Batch,
        old: &SessionRec,
        attempts: &'a [AttemptRec],
        new: &mut SessionRec,
    ) -> Result<AttemptChanges<'a>, StoreError> {
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let mut fresh: HashMap<Vec<u8>, &AttemptRec> = HashMap::new();
        for a in attempts {
            let h = hash(&self.enc(a)?);
            let k = attempt_key(&a.question, &a.at, a.session);
            if !old
                .attempts
                .iter()
                .any(|(q, at, oh)| q == &a.question && at == &a.at && *oh == h)
            {
                batch.insert(k.clone(), self.enc(&StoredAttempt::of(a))?);
                touched.insert(a.question.clone());
            }
            fresh.insert(k, a);
            new.attempts.push((a.question.clone(), a.at, h));
        }
        let mut gone: HashSet<Vec<u8>> = HashSet::new();
        for (q, at, _) in &old.attempts {
            let k = attempt_key(q, at, session);
            if !fresh.contains_key(&k) {
                batch.remove(k.clone());
                gone.insert(k);
                touched.insert(q.clone());
            }
        }
        Ok(AttemptChanges {
            touched,
            fresh,
            gone,
        })
    }

    /// Replay the cards of the questions whose attempts changed, from the stored attempts and the session's own.
    fn replay_touched_cards(
        &self,
        batch: &mut sled::Batch,
        changes: AttemptChanges,
    ) -> Result<(), StoreError> {
        for q in changes.touched {
            let mut all = self.stored_attempts(&q, &changes.gone)?;
            for (k, a) in &changes.fresh {
                if a.question == q {
                    all.insert(k.clone(), ((*a).clone(), true));
                }
            }
            match self.card_of(all)? {
                Some(c) => batch.insert(card_key(&q), self.enc(&c)?),
                None => batch.remove(card_key(&q)),
            }
        }
        Ok(())
    }

    /// Replay a question's attempts (by key; `true` marks a full record) into its card. The card shows the last
    /// attempt's missed criteria: read from its session when that attempt came from the store.
    pub(super) fn card_of(
        &self,
        all: BTreeMap<Vec<u8>, (AttemptRec, bool)>,
    ) -> Result<Option<CardCore>, StoreError> {
        let Some(mut card) = schedule::replay(all.values().map(|(a, _)| a)) else {
            return Ok(None);
        };
        if let Some((last, false)) = all.values().last() {
            let (evs, _) = self.session_events(last.session)?;
            let found = session_records(&evs)
                .1
                .into_iter()
                .find(|a| a.question == last.question && a.at == last.at);
            match found {
                Some(a) => card.missed = a.missed,
                None => {
                    return Err(StoreError::Decode(
                        self.disp(),
                        "view record: an attempt the log does not have".into(),
                    ))
                }
            }
        }
        Ok(Some(card))
    }
}

/// An answer record with only what the trend fold reads of it (key, question).
fn stub(key: AnswerKey, question: &str) -> AnswerRec {
    AnswerRec {
        key,
        question: question.to_string(),
        stage: String::new(),
        answer: String::new(),
        score: 0,
        criteria: vec![],
    }
}
