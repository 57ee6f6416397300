//! Choosing the questions of a session: filters, a balanced mix across areas, no repeats.

use crate::bank::{Bank, Question};
use rand::seq::SliceRandom;
use rand::Rng;

/// Filters from the command line.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Exact question ids (in order).
    pub questions: Vec<String>,
    /// Area id.
    pub area: Option<String>,
    /// Difficulty.
    pub difficulty: Option<String>,
    /// Company tag.
    pub company: Option<String>,
}

impl Filters {
    /// Whether a question passes the area/difficulty/company filters.
    pub fn accepts(&self, q: &Question) -> bool {
        self.area
            .as_ref()
            .map(|a| &q.spec.area == a)
            .unwrap_or(true)
            && self
                .difficulty
                .as_ref()
                .map(|d| &q.spec.difficulty == d)
                .unwrap_or(true)
            && self
                .company
                .as_ref()
                .map(|c| q.spec.companies.iter().any(|x| x.eq_ignore_ascii_case(c)))
                .unwrap_or(true)
    }
}

/// Pick `rounds` question ids: explicit ids first; otherwise a round-robin over areas in random order,
/// preferring ids in `priority` (e.g. due items), never repeating a question.
pub fn plan<R: Rng>(
    bank: &Bank,
    f: &Filters,
    rounds: usize,
    priority: &[String],
    rng: &mut R,
) -> Result<Vec<String>, String> {
    if !f.questions.is_empty() {
        for id in &f.questions {
            if bank.get(id).is_none() {
                return Err(bank.unknown_id_message(id));
            }
        }
        let mut seen = std::collections::HashSet::new();
        return Ok(f
            .questions
            .iter()
            .filter(|id| seen.insert((*id).clone()))
            .cloned()
            .collect());
    }
    let pool: Vec<&Question> = bank.questions.iter().filter(|q| f.accepts(q)).collect();
    if pool.is_empty() {
        let mut what = Vec::new();
        if let Some(a) = &f.area {
            what.push(format!("area '{a}'"));
        }
        if let Some(d) = &f.difficulty {
            what.push(format!("difficulty '{d}'"));
        }
        if let Some(c) = &f.company {
            what.push(format!("company '{c}'"));
        }
        return Err(format!(
            "no question matches {} (see `viva bank list`)",
            what.join(", ")
        ));
    }
    let mut out: Vec<String> = priority
        .iter()
        .filter(|id| pool.iter().any(|q| q.id() == id.as_str()))
        .take(rounds)
        .cloned()
        .collect();
    // Group the rest by area, shuffle within and across areas, then deal round-robin.
    let mut areas: Vec<Vec<&Question>> = Vec::new();
    for a in bank.areas() {
        let mut qs: Vec<&Question> = pool
            .iter()
            .copied()
            .filter(|q| q.spec.area == a && !out.iter().any(|o| o == q.id()))
            .collect();
        qs.shuffle(rng);
        if !qs.is_empty() {
            areas.push(qs);
        }
    }
    areas.shuffle(rng);
    let mut i = 0;
    while out.len() < rounds && areas.iter().any(|a| !a.is_empty()) {
        let k = i % areas.len();
        if let Some(q) = areas[k].pop() {
            out.push(q.id().to_string());
        }
        i += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn balanced_and_unique() {
        let b = Bank::embedded().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let p = plan(&b, &Filters::default(), 6, &[], &mut rng).unwrap();
        let uniq: std::collections::HashSet<_> = p.iter().collect();
        assert_eq!(uniq.len(), p.len());
        let areas: std::collections::HashSet<_> = p
            .iter()
            .map(|id| b.get(id).unwrap().spec.area.clone())
            .collect();
        let present: std::collections::HashSet<_> =
            b.questions.iter().map(|q| q.spec.area.clone()).collect();
        assert_eq!(
            areas.len(),
            present.len().min(6),
            "a 6-question plan covers every area present"
        );
    }

    #[test]
    fn filters_and_errors() {
        let b = Bank::embedded().unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let f = Filters {
            area: Some("detection".into()),
            ..Default::default()
        };
        let p = plan(&b, &f, 3, &[], &mut rng).unwrap();
        assert!(p
            .iter()
            .all(|id| b.get(id).unwrap().spec.area == "detection"));
        let f = Filters {
            company: Some("nobody".into()),
            ..Default::default()
        };
        assert!(plan(&b, &f, 3, &[], &mut rng)
            .unwrap_err()
            .contains("company 'nobody'"));
        let f = Filters {
            questions: vec!["nope".into()],
            ..Default::default()
        };
        assert!(plan(&b, &f, 3, &[], &mut rng)
            .unwrap_err()
            .contains("unknown question id 'nope'"));
    }
}
