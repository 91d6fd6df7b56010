//! L2-regularised logistic regression fitted by Newton's method (iteratively
//! reweighted least squares), for a few dozen features: small, exact and
//! deterministic. The bias is not penalised.

/// A fitted logistic model: P(y = 1 | x) = σ(bias + weights · x).
#[derive(Debug, Clone, PartialEq)]
pub struct Logistic {
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// The intercept.
    pub bias: f64,
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Logistic {
    /// The linear score (log-odds) of a sample.
    pub fn score(&self, x: &[f64]) -> f64 {
        self.bias + self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>()
    }

    /// Fits rows `x` (each of the same length) to labels `y` with penalty
    /// `lambda`·|w|²/2. `None` if the data are empty or the system is
    /// singular (e.g. a perfectly separable problem with `lambda` = 0).
    pub fn fit(x: &[Vec<f64>], y: &[bool], lambda: f64) -> Option<Logistic> {
        let p = x.first()?.len();
        let dim = p + 1; // weights, then bias
        let mut theta = vec![0.0f64; dim];
        let loss = |theta: &[f64]| -> f64 {
            let model = Logistic {
                weights: theta[..p].to_vec(),
                bias: theta[p],
            };
            let data: f64 = x
                .iter()
                .zip(y)
                .map(|(row, &label)| {
                    let z = model.score(row);
                    // log(1 + e^{-z}) for y = 1, log(1 + e^{z}) for y = 0, stably.
                    let m = if label { -z } else { z };
                    m.max(0.0) + (-m.abs()).exp().ln_1p()
                })
                .sum();
            data + 0.5 * lambda * theta[..p].iter().map(|w| w * w).sum::<f64>()
        };
        let mut current = loss(&theta);
        for _ in 0..100 {
            let mut grad = vec![0.0f64; dim];
            let mut hess = vec![0.0f64; dim * dim];
            for (row, &label) in x.iter().zip(y) {
                let z = theta[p] + theta[..p].iter().zip(row).map(|(w, v)| w * v).sum::<f64>();
                let mu = sigmoid(z);
                let r = mu - f64::from(u8::from(label));
                let w = (mu * (1.0 - mu)).max(1e-12);
                let xi = |i: usize| if i < p { row[i] } else { 1.0 };
                for i in 0..dim {
                    grad[i] += r * xi(i);
                    for j in 0..=i {
                        hess[i * dim + j] += w * xi(i) * xi(j);
                    }
                }
            }
            for i in 0..p {
                grad[i] += lambda * theta[i];
                hess[i * dim + i] += lambda;
            }
            for i in 0..dim {
                for j in 0..i {
                    hess[j * dim + i] = hess[i * dim + j];
                }
            }
            let step = solve_cholesky(&hess, &grad, dim)?;
            // Newton step with halving until the loss does not increase.
            let mut t = 1.0;
            let mut next = theta.clone();
            let mut next_loss = f64::INFINITY;
            for _ in 0..30 {
                next = theta.iter().zip(&step).map(|(a, d)| a - t * d).collect();
                next_loss = loss(&next);
                if next_loss <= current + 1e-12 {
                    break;
                }
                t *= 0.5;
            }
            let moved = step.iter().map(|d| (t * d).abs()).fold(0.0, f64::max);
            theta = next;
            current = next_loss;
            if moved < 1e-10 {
                break;
            }
        }
        theta.iter().all(|v| v.is_finite()).then(|| Logistic {
            weights: theta[..p].to_vec(),
            bias: theta[p],
        })
    }
}

/// Solves A·x = b for a symmetric positive definite `n`×`n` matrix A
/// (row-major) by Cholesky decomposition; `None` if A is not positive
/// definite.
fn solve_cholesky(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            if i == j {
                let d = a[i * n + i] - s;
                if d <= 1e-14 {
                    return None;
                }
                l[i * n + i] = d.sqrt();
            } else {
                l[i * n + j] = (a[i * n + j] - s) / l[j * n + j];
            }
        }
    }
    let mut z = vec![0.0f64; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[i * n + k] * z[k]).sum();
        z[i] = (b[i] - s) / l[i * n + i];
    }
    let mut x = vec![0.0f64; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| l[k * n + i] * x[k]).sum();
        x[i] = (z[i] - s) / l[i * n + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_the_maximum_likelihood_solution_of_a_known_problem() {
        // At x = 1, three positives in four; at x = -1, one in four. The
        // maximum likelihood fit has logit(3/4) = ln 3 at x = 1 and -ln 3 at
        // x = -1: weight ln 3, bias 0.
        let x: Vec<Vec<f64>> = [1.0, 1.0, 1.0, 1.0, -1.0, -1.0, -1.0, -1.0]
            .iter()
            .map(|&v| vec![v])
            .collect();
        let y = [true, true, true, false, true, false, false, false];
        let m = Logistic::fit(&x, &y, 0.0).unwrap();
        assert!((m.weights[0] - 3f64.ln()).abs() < 1e-8, "{m:?}");
        assert!(m.bias.abs() < 1e-8);
        assert!((sigmoid(m.score(&[1.0])) - 0.75).abs() < 1e-8);
    }

    #[test]
    fn the_penalised_gradient_vanishes_at_the_fit() {
        // Two features, deterministic pseudo-random data.
        let mut s = 7u64;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let x: Vec<Vec<f64>> = (0..200).map(|_| vec![next(), next()]).collect();
        let y: Vec<bool> = x
            .iter()
            .map(|r| r[0] - 0.5 * r[1] + 0.3 * next() > 0.0)
            .collect();
        let lambda = 2.0;
        let m = Logistic::fit(&x, &y, lambda).unwrap();
        let mut grad = [0.0f64; 3];
        for (row, &label) in x.iter().zip(&y) {
            let r = sigmoid(m.score(row)) - f64::from(u8::from(label));
            grad[0] += r * row[0];
            grad[1] += r * row[1];
            grad[2] += r;
        }
        grad[0] += lambda * m.weights[0];
        grad[1] += lambda * m.weights[1];
        assert!(grad.iter().all(|g| g.abs() < 1e-6), "{grad:?}");
        assert!(m.weights[0] > 0.0 && m.weights[1] < 0.0);
        // A perfectly separable problem without penalty has no finite fit.
        let sep: Vec<Vec<f64>> = vec![vec![-1.0], vec![1.0]];
        let fit = Logistic::fit(&sep, &[false, true], 0.0);
        assert!(fit.is_none() || fit.unwrap().weights[0] > 10.0);
    }

    #[test]
    fn sigmoid_is_stable_at_the_extremes() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(800.0) == 1.0 && sigmoid(-800.0) == 0.0);
        assert!(sigmoid(-800.0).is_finite());
    }
}
