//! Calibration of the offline grader's raw score to the human scale.
//!
//! The raw score is the protocol's number: verdict points (met = full, partial = half) minus misconception
//! penalties, 0-100. Human interviewers use the scale differently: a complete, correct answer gets high 80s, not
//! 100, and a vague but relevant answer gets about 20, not 0. The map is a monotone piecewise-linear function
//! fitted on the golden set's tune split only (isotonic regression of human grades on raw scores), stored in
//! `src/grade/calibration.json` and refitted by `scripts/fit-calibration`. Being monotone, it never changes the
//! order of two answers' raw scores.

use serde::Deserialize;
use std::sync::OnceLock;

/// The calibration data embedded in the binary.
pub const CALIBRATION_JSON: &str = include_str!("calibration.json");

/// A monotone piecewise-linear map and the on-topic floor.
#[derive(Debug, Clone, Deserialize)]
pub struct Calibration {
    /// Where the points came from.
    #[serde(default)]
    pub fitted_on: String,
    /// Knots (raw, calibrated), raw strictly increasing from 0 to 100, calibrated non-decreasing.
    pub points: Vec<(f64, f64)>,
    /// Score for an answer that is on topic and sincere but earns nothing from the rubric (0 = no floor).
    #[serde(default)]
    pub floor: f64,
}

impl Calibration {
    /// Parse and validate.
    pub fn from_json(text: &str) -> Result<Calibration, String> {
        let c: Calibration = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if c.points.len() < 2 {
            return Err("calibration needs at least two points".into());
        }
        for w in c.points.windows(2) {
            if w[1].0 <= w[0].0 || w[1].1 < w[0].1 {
                return Err(format!(
                    "calibration points must increase: {:?} then {:?}",
                    w[0], w[1]
                ));
            }
        }
        if !(0.0..=100.0).contains(&c.floor) {
            return Err(format!("calibration floor {} is outside 0-100", c.floor));
        }
        Ok(c)
    }

    /// The embedded calibration (validated by a unit test).
    pub fn embedded() -> &'static Calibration {
        static C: OnceLock<Calibration> = OnceLock::new();
        C.get_or_init(|| Calibration::from_json(CALIBRATION_JSON).expect("valid calibration.json"))
    }

    /// Map a raw 0-100 score to the human scale (linear between knots, flat outside them), rounded.
    pub fn apply(&self, raw: u32) -> u32 {
        let x = raw as f64;
        let p = &self.points;
        let y = if x <= p[0].0 {
            p[0].1
        } else if x >= p[p.len() - 1].0 {
            p[p.len() - 1].1
        } else {
            let i = p.iter().position(|k| k.0 >= x).unwrap_or(p.len() - 1);
            let (a, b) = (p[i - 1], p[i]);
            a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0)
        };
        y.round().clamp(0.0, 100.0) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_is_valid_and_monotone() {
        let c = Calibration::embedded();
        let mut last = 0;
        for raw in 0..=100 {
            let y = c.apply(raw);
            assert!(y >= last, "not monotone at {raw}");
            last = y;
        }
    }

    #[test]
    fn interpolates_and_rejects_bad_points() {
        let c = Calibration::from_json(r#"{"points": [[0, 0], [50, 40], [100, 90]]}"#).unwrap();
        assert_eq!(c.apply(25), 20);
        assert_eq!(c.apply(75), 65);
        assert_eq!(c.apply(100), 90);
        assert!(Calibration::from_json(r#"{"points": [[0, 10], [50, 5]]}"#).is_err());
        assert!(Calibration::from_json(r#"{"points": [[0, 0]]}"#).is_err());
    }
}
