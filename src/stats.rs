//! Small statistics shared by the signals: moments, correlation, a dot
//! product, a least-squares line and the AUC. Long sums are accumulated in
//! interleaved lanes, so that they run at the speed of the additions rather
//! than of their latency.

/// Mean of a slice (0 if empty).
pub fn mean(v: &[f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    (lane_sums(v.len(), |i| [f64::from(v[i])])[0] / v.len() as f64) as f32
}

/// Element-wise mean of rows of `len` values (zeros if there are none;
/// NaN where a row is NaN).
pub fn mean_rows(rows: &[Vec<f32>], len: usize) -> Vec<f32> {
    let n = rows.len().max(1) as f32;
    let mut mean = vec![0.0f32; len];
    for row in rows {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v / n;
        }
    }
    mean
}

/// Dot product of two slices, up to the shorter one's length (summed in
/// `LANES` lanes).
pub fn dot(a: &[f32], b: &[f32]) -> f64 {
    let n = a.len().min(b.len());
    lane_sums(n, |i| [f64::from(a[i]) * f64::from(b[i])])[0]
}

/// Interleaved accumulators of [`lane_sums`]: independent additions that the
/// processor overlaps and the compiler vectorises, where one running sum
/// waits for each addition in turn.
pub(crate) const LANES: usize = 4;

/// The sums over i in 0..len of the `K` terms `term(i)`, accumulated in
/// `LANES` interleaved lanes and added at the end.
pub(crate) fn lane_sums<const K: usize>(len: usize, term: impl Fn(usize) -> [f64; K]) -> [f64; K] {
    let mut lanes = [[0.0f64; K]; LANES];
    let whole = len - len % LANES;
    for base in (0..whole).step_by(LANES) {
        for (i, lane) in lanes.iter_mut().enumerate() {
            for (s, t) in lane.iter_mut().zip(term(base + i)) {
                *s += t;
            }
        }
    }
    for i in whole..len {
        for (s, t) in lanes[0].iter_mut().zip(term(i)) {
            *s += t;
        }
    }
    let mut total = [0.0f64; K];
    for lane in lanes {
        for (s, t) in total.iter_mut().zip(lane) {
            *s += t;
        }
    }
    total
}

/// Running moments of a stream of values (no storage): count, mean,
/// variance and excess kurtosis, accumulated in f64.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Moments {
    n: f64,
    s1: f64,
    s2: f64,
    s3: f64,
    s4: f64,
}

impl Moments {
    /// Adds a value.
    pub(crate) fn push(&mut self, x: f32) {
        self.add(1.0, Self::powers(x));
    }

    /// Adds a slice of values: the same sums as pushing each value, but
    /// accumulated in `LANES` interleaved lanes (they differ only by the
    /// rounding of the additions).
    pub(crate) fn extend(&mut self, values: &[f32]) {
        let sums = lane_sums(values.len(), |i| Self::powers(values[i]));
        self.add(values.len() as f64, sums);
    }

    /// Adds the values that `other` holds.
    pub(crate) fn merge(&mut self, other: &Moments) {
        self.add(other.n, [other.s1, other.s2, other.s3, other.s4]);
    }

    fn powers(x: f32) -> [f64; 4] {
        let x = f64::from(x);
        let x2 = x * x;
        [x, x2, x2 * x, x2 * x2]
    }

    fn add(&mut self, n: f64, [s1, s2, s3, s4]: [f64; 4]) {
        self.n += n;
        self.s1 += s1;
        self.s2 += s2;
        self.s3 += s3;
        self.s4 += s4;
    }

    /// Number of values.
    pub(crate) fn count(&self) -> usize {
        self.n as usize
    }

    /// Mean (0 if empty).
    pub(crate) fn mean(&self) -> f32 {
        (self.s1 / self.n.max(1.0)) as f32
    }

    /// Population variance (0 if empty).
    pub(crate) fn variance(&self) -> f32 {
        self.central2() as f32
    }

    fn central2(&self) -> f64 {
        let n = self.n.max(1.0);
        let m = self.s1 / n;
        (self.s2 / n - m * m).max(0.0)
    }

    /// Excess kurtosis (0 for a Gaussian); 0 if the variance is 0.
    pub(crate) fn excess_kurtosis(&self) -> f32 {
        let n = self.n.max(1.0);
        let m = self.s1 / n;
        let m2 = self.central2();
        let m4 = self.s4 / n - 4.0 * m * self.s3 / n + 6.0 * m * m * self.s2 / n - 3.0 * m.powi(4);
        if m2 <= 1e-12 {
            0.0
        } else {
            (m4 / (m2 * m2) - 3.0) as f32
        }
    }
}

/// Running Pearson correlation of a stream of pairs (no storage).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Correlation {
    n: f64,
    sa: f64,
    sb: f64,
    sab: f64,
    saa: f64,
    sbb: f64,
}

impl Correlation {
    /// Adds the pairs (a[i], b[i]) of two slices, up to the shorter one's
    /// length, summed in `LANES` interleaved lanes.
    pub(crate) fn extend(&mut self, a: &[f32], b: &[f32]) {
        let n = a.len().min(b.len());
        let [sa, sb, sab, saa, sbb] = lane_sums(n, |i| {
            let (a, b) = (f64::from(a[i]), f64::from(b[i]));
            [a, b, a * b, a * a, b * b]
        });
        self.n += n as f64;
        self.sa += sa;
        self.sb += sb;
        self.sab += sab;
        self.saa += saa;
        self.sbb += sbb;
    }

    /// The correlation; `None` if either side is constant or empty.
    pub(crate) fn value(&self) -> Option<f32> {
        let n = self.n.max(1.0);
        let cov = self.sab / n - (self.sa / n) * (self.sb / n);
        let va = self.saa / n - (self.sa / n).powi(2);
        let vb = self.sbb / n - (self.sb / n).powi(2);
        (va > 1e-12 && vb > 1e-12).then(|| (cov / (va * vb).sqrt()) as f32)
    }
}

/// A least-squares line y = intercept + slope·x.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Line {
    /// Slope.
    pub slope: f32,
    /// Value at x = 0.
    pub intercept: f32,
    /// Root mean square of the residuals.
    pub rms: f32,
    /// Coefficient of determination (1 = perfect fit, 0 if y is constant).
    pub r2: f32,
}

/// Fits a line to (x, y) points; `None` with fewer than two distinct x.
pub(crate) fn fit_line(points: &[(f32, f32)]) -> Option<Line> {
    let n = points.len() as f64;
    let (mx, my) = points.iter().fold((0.0f64, 0.0f64), |(a, b), p| {
        (a + f64::from(p.0) / n, b + f64::from(p.1) / n)
    });
    let (mut sxx, mut sxy, mut syy) = (0.0f64, 0.0f64, 0.0f64);
    for &(x, y) in points {
        let (dx, dy) = (f64::from(x) - mx, f64::from(y) - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if points.len() < 2 || sxx <= 1e-12 {
        return None;
    }
    let slope = sxy / sxx;
    let sse = (syy - slope * sxy).max(0.0);
    Some(Line {
        slope: slope as f32,
        intercept: (my - slope * mx) as f32,
        rms: (sse / n).sqrt() as f32,
        r2: if syy > 1e-12 {
            (1.0 - sse / syy) as f32
        } else {
            0.0
        },
    })
}

/// Area under the ROC curve of scores for positives against negatives
/// (the Mann-Whitney statistic; ties count one half). `None` if either class
/// is empty. NaN scores are left out.
pub fn auc(positives: &[f32], negatives: &[f32]) -> Option<f64> {
    let pos: Vec<f32> = positives.iter().copied().filter(|v| !v.is_nan()).collect();
    let neg: Vec<f32> = negatives.iter().copied().filter(|v| !v.is_nan()).collect();
    if pos.is_empty() || neg.is_empty() {
        return None;
    }
    // Rank all scores together, averaging the ranks of ties.
    let mut all: Vec<(f32, bool)> = pos
        .iter()
        .map(|&v| (v, true))
        .chain(neg.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum = 0.0f64;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let mean_rank = (i + j + 1) as f64 / 2.0;
        rank_sum += mean_rank * all[i..j].iter().filter(|p| p.1).count() as f64;
        i = j;
    }
    let (np, nn) = (pos.len() as f64, neg.len() as f64);
    Some((rank_sum - np * (np + 1.0) / 2.0) / (np * nn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_and_line_match_hand_computed_values() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(mean(&v), 2.5);
        let mut m = Moments::default();
        v.iter().for_each(|&x| m.push(x));
        assert_eq!((m.count(), m.mean()), (4, 2.5));
        assert!((m.variance() - 1.25).abs() < 1e-6);
        // Uniform 4 points: m4 / m2² = (2·(1.5⁴ + 0.5⁴)/4) / 1.25² = 1.64.
        assert!((m.excess_kurtosis() - (1.64 - 3.0)).abs() < 1e-5);
        let corr = |b: [f32; 4]| {
            let mut c = Correlation::default();
            c.extend(&v, &b);
            c.value()
        };
        assert!((corr([2.0, 4.0, 6.0, 8.0]).unwrap() - 1.0).abs() < 1e-6);
        assert!((corr([4.0, 3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-6);
        assert_eq!(corr([1.0; 4]), None);
        let l = fit_line(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]).unwrap();
        assert!((l.slope - 2.0).abs() < 1e-6 && (l.intercept - 1.0).abs() < 1e-6);
        assert!(l.rms < 1e-5 && (l.r2 - 1.0).abs() < 1e-6);
        let noisy = fit_line(&[(0.0, 0.0), (1.0, 1.0), (2.0, 0.0), (3.0, 1.0)]).unwrap();
        assert!(noisy.r2 > 0.0 && noisy.r2 < 0.5);
        assert!(fit_line(&[(1.0, 1.0), (1.0, 2.0)]).is_none());
    }

    #[test]
    fn extending_and_merging_equal_pushing_each_value() {
        // Seven values: one whole chunk of lanes and a remainder.
        let v = [0.5, -3.0, 2.25, 7.0, -1.5, 4.0, 0.125];
        let (mut pushed, mut extended) = (Moments::default(), Moments::default());
        v.iter().for_each(|&x| pushed.push(x));
        extended.extend(&v[..2]);
        let mut rest = Moments::default();
        rest.extend(&v[2..]);
        extended.merge(&rest);
        assert_eq!(extended.count(), 7);
        // Exact: these values and their powers are sums of few powers of two.
        assert_eq!(extended.mean(), pushed.mean());
        assert_eq!(extended.variance(), pushed.variance());
        assert_eq!(extended.excess_kurtosis(), pushed.excess_kurtosis());
    }

    #[test]
    fn dot_sums_the_products_up_to_the_shorter_length() {
        // 2,051 values: whole chunks of lanes and a remainder.
        let a: Vec<f32> = (0..2051).map(|i| (i % 7) as f32 - 3.0).collect();
        let b: Vec<f32> = (0..2050).map(|i| (i % 5) as f32 * 0.5).collect();
        let direct: f64 = a.iter().zip(&b).map(|(x, y)| f64::from(x * y)).sum();
        assert_eq!(dot(&a, &b), direct);
        assert_eq!(dot(&b, &a), direct);
        assert_eq!(
            dot(&a[3..], &a),
            a[3..]
                .iter()
                .zip(&a)
                .map(|(x, y)| f64::from(x * y))
                .sum::<f64>()
        );
        assert_eq!(dot(&[], &a), 0.0);
    }

    #[test]
    fn auc_matches_hand_computed_values() {
        assert_eq!(auc(&[3.0, 4.0], &[1.0, 2.0]), Some(1.0));
        assert_eq!(auc(&[1.0, 2.0], &[3.0, 4.0]), Some(0.0));
        // Pairs: (2>1) (2<3) (4>1) (4>3) → 3 of 4.
        assert_eq!(auc(&[2.0, 4.0], &[1.0, 3.0]), Some(0.75));
        // A tie counts one half: (2=2) ½, (2>1) 1 → 1.5 of 2.
        assert_eq!(auc(&[2.0], &[2.0, 1.0, f32::NAN]), Some(0.75));
        assert_eq!(auc(&[], &[1.0]), None);
    }
}
