//! Evaluation metrics for scores of real (negative) and synthetic (positive)
//! images: AUC, true-positive rate at a false-positive rate, the
//! threshold that keeps real images under a false-positive rate, expected
//! calibration error.

pub use crate::stats::auc;

/// The lowest threshold t such that at most `fpr` of the negatives score
/// strictly above t (ties at t stay below). With no negatives, -∞.
pub(crate) fn threshold_at_fpr(negatives: &[f64], fpr: f64) -> f64 {
    let mut sorted: Vec<f64> = negatives.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return f64::NEG_INFINITY;
    }
    sorted.sort_by(|a, b| b.total_cmp(a)); // descending
    let allowed = (fpr * sorted.len() as f64).floor() as usize;
    if allowed >= sorted.len() {
        f64::NEG_INFINITY
    } else {
        sorted[allowed]
    }
}

/// Fraction of positives strictly above the threshold that lets at most
/// `fpr` of the negatives through.
pub fn tpr_at_fpr(positives: &[f64], negatives: &[f64], fpr: f64) -> f64 {
    let t = threshold_at_fpr(negatives, fpr);
    if positives.is_empty() {
        return 0.0;
    }
    positives.iter().filter(|&&p| p > t).count() as f64 / positives.len() as f64
}

/// Expected calibration error over `bins` equal-width probability bins: the
/// mean over samples of |mean predicted − observed frequency| of their bin.
pub(crate) fn expected_calibration_error(
    probabilities: &[f64],
    labels: &[bool],
    bins: usize,
) -> f64 {
    let mut sum_p = vec![0.0f64; bins];
    let mut sum_y = vec![0.0f64; bins];
    let mut count = vec![0usize; bins];
    for (&p, &y) in probabilities.iter().zip(labels) {
        let b = ((p * bins as f64) as usize).min(bins - 1);
        sum_p[b] += p;
        sum_y[b] += f64::from(u8::from(y));
        count[b] += 1;
    }
    let n = probabilities.len().max(1) as f64;
    (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| (sum_p[b] - sum_y[b]).abs() / n)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_rates_and_calibration_match_hand_computed_values() {
        let neg = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
        // 10 % of 10 negatives: one may score above the threshold → 0.9.
        assert_eq!(threshold_at_fpr(&neg, 0.1), 0.9);
        assert_eq!(threshold_at_fpr(&neg, 0.0), 1.0);
        assert_eq!(tpr_at_fpr(&[0.95, 0.85, 1.5], &neg, 0.1), 2.0 / 3.0);
        // Two bins: [0.2, 0.3] with outcomes {0, 1} → |0.5 - 1| · 2/4;
        // [0.8, 0.9] with {1, 1} → |1.7 - 2| / 4.
        let ece = expected_calibration_error(&[0.2, 0.3, 0.8, 0.9], &[false, true, true, true], 2);
        assert!((ece - (0.5 + 0.3) / 4.0).abs() < 1e-12, "{ece}");
    }
}
