//! Reading the review views: what `due`, `report`, `compare` and the start of an interview need, without the log.

use super::ViewMeta;
use crate::bank::Bank;
use crate::review::fold::AttemptRec;
use crate::review::mastery::{ConceptState, CriterionState, Ewma, Mastery, MasteryFold};
use crate::review::report::{Parts, TrendRec};
use crate::review::schedule::{self, CardCore, CardState};
use crate::store::{map_err, Store, StoreError};

impl Store {
    /// The meta of the attached views (None when no command attached them).
    pub fn views_meta(&self) -> Option<ViewMeta> {
        self.attached
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|a| a.meta.clone())
    }

    /// Read the attached views with `f`; a view record that does not decode (damage no version or position
    /// records) makes the views be rebuilt from the log, then `f` runs again.
    pub fn read_views<T>(
        &self,
        bank: &Bank,
        f: impl Fn(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match f(self) {
            Err(StoreError::Decode(..)) => {
                self.rebuild_views(bank)?;
                f(self)
            }
            other => other,
        }
    }

    fn require_views(&self) -> Result<(), StoreError> {
        if self.views_meta().is_none() {
            return Err(StoreError::Other(
                self.path.display().to_string(),
                "the review views are not attached".into(),
            ));
        }
        Ok(())
    }

    /// Every question's card (the schedule), sorted by due date then question id.
    pub fn view_cards(&self, bank: &Bank) -> Result<Vec<CardState>, StoreError> {
        self.require_views()?;
        let mut cards: Vec<CardState> = self
            .view_scan::<CardCore>(b"D")?
            .into_iter()
            .map(|c| c.state(bank))
            .collect();
        schedule::sort_cards(&mut cards);
        Ok(cards)
    }

    fn fold_of(&self, criteria: bool, grid: bool) -> Result<MasteryFold, StoreError> {
        self.require_views()?;
        let mut f = MasteryFold::default();
        if criteria {
            for s in self.view_scan::<CriterionState>(b"C")? {
                f.criteria
                    .insert((s.question.clone(), s.criterion.clone()), s);
            }
        }
        for s in self.view_scan::<ConceptState>(b"T")? {
            f.concepts.insert(s.tag.clone(), s);
        }
        if grid {
            for (area, tag, e) in self.view_scan::<(String, String, Ewma)>(b"G")? {
                f.grid.insert((area, tag), e);
            }
        }
        Ok(f)
    }

    /// Mastery per criterion, concept and area × concept, ranked.
    pub fn view_mastery(&self, bank: &Bank) -> Result<Mastery, StoreError> {
        Ok(self.fold_of(true, true)?.finish(bank))
    }

    /// Mastery per concept only (what ordering a new session needs); criteria and grid are left empty.
    pub fn view_concepts(&self, bank: &Bank) -> Result<Mastery, StoreError> {
        Ok(self.fold_of(false, false)?.finish(bank))
    }

    /// Everything the progress report is made of.
    pub fn view_report_parts(&self, bank: &Bank) -> Result<Parts, StoreError> {
        let meta = self.views_meta().unwrap_or_default();
        Ok(Parts {
            mastery: self.view_mastery(bank)?,
            trends: self.view_trends()?,
            sessions: meta.sessions as usize,
            answers: meta.answers as usize,
            cards: self.view_cards(bank)?,
        })
    }

    /// Every trend point (per session and area).
    pub fn view_trends(&self) -> Result<Vec<TrendRec>, StoreError> {
        self.require_views()?;
        let d = self.path.display().to_string();
        let mut out = Vec::new();
        for r in self.views.scan_prefix(b"R") {
            let (k, v) = r.map_err(|e| map_err(&d, e))?;
            out.extend(super::records::trend_points_of(&k, &v).ok_or_else(|| {
                StoreError::Decode(d.clone(), "view record: trend points".into())
            })?);
        }
        Ok(out)
    }

    /// The attempts at a question, oldest first (without their missed criteria: read a session's events for
    /// those).
    pub fn view_attempts(&self, question: &str) -> Result<Vec<AttemptRec>, StoreError> {
        self.require_views()?;
        Ok(self
            .stored_attempts(question, &Default::default())?
            .into_values()
            .map(|(a, _)| a)
            .collect())
    }
}
