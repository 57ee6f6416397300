//! Agreement statistics for calibration: Spearman, quadratic-weighted kappa, mean absolute error.

/// Average ranks (1-based), ties sharing their mean rank.
pub fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|&a, &b| {
        xs[a]
            .partial_cmp(&xs[b])
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut r = vec![0.0; xs.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && xs[idx[j + 1]] == xs[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            r[idx[k]] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation; 0 when either side is constant.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    if a.len() < 2 || a.len() != b.len() {
        return 0.0;
    }
    let ma = a.iter().sum::<f64>() / n;
    let mb = b.iter().sum::<f64>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    if saa == 0.0 || sbb == 0.0 {
        0.0
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Spearman rank correlation (Pearson on average ranks).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&ranks(a), &ranks(b))
}

/// Mean absolute error.
pub fn mae(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / a.len() as f64
}

/// 10-point bin of a 0-100 score (0..=9).
pub fn bin10(x: f64) -> usize {
    ((x / 10.0).floor().max(0.0) as usize).min(9)
}

/// Quadratic-weighted Cohen's kappa on 10-point bins.
pub fn qwk(a: &[f64], b: &[f64]) -> f64 {
    const K: usize = 10;
    let n = a.len();
    if n == 0 {
        return 0.0;
    }
    let mut obs = [[0.0f64; K]; K];
    let mut ha = [0.0f64; K];
    let mut hb = [0.0f64; K];
    for (x, y) in a.iter().zip(b) {
        let (i, j) = (bin10(*x), bin10(*y));
        obs[i][j] += 1.0;
        ha[i] += 1.0;
        hb[j] += 1.0;
    }
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..K {
        for j in 0..K {
            let w = ((i as f64 - j as f64).powi(2)) / ((K - 1) as f64).powi(2);
            num += w * obs[i][j];
            den += w * ha[i] * hb[j] / n as f64;
        }
    }
    if den == 0.0 {
        1.0
    } else {
        1.0 - num / den
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_basics() {
        assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-9);
        assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-9);
        assert_eq!(ranks(&[5.0, 1.0, 5.0]), vec![2.5, 1.0, 2.5]);
    }

    #[test]
    fn kappa_and_mae() {
        let a = [5.0, 25.0, 85.0, 80.0];
        assert!((qwk(&a, &a) - 1.0).abs() < 1e-9);
        assert!(qwk(&a, &[85.0, 80.0, 5.0, 25.0]) < 0.0);
        assert!((mae(&a, &[15.0, 25.0, 75.0, 80.0]) - 5.0).abs() < 1e-9);
    }
}
