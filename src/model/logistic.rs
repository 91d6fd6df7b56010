//! L2-regularised logistic regression fitted by truncated Newton's method
//! (the Newton system solved by conjugate gradients on Hessian-vector
//! products, as liblinear does): exact at convergence, memory linear in the
//! number of features, so thousands of features are fine. Row sums are
//! taken in fixed chunks and added in order, so the fit is the same with
//! any number of threads. The bias is not penalised. The same fitter fits
//! a linear support vector machine (squared hinge loss, liblinear's
//! L2-loss SVM), which the classifier comparison of docs/METHOD.md uses.

use rayon::prelude::*;

/// A fitted logistic model: P(y = 1 | x) = σ(bias + weights · x).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Logistic {
    /// One weight per feature.
    pub weights: Vec<f64>,
    /// The intercept.
    pub bias: f64,
}

/// The logistic function.
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Rows per chunk of the parallel sums (fixed, for determinism).
const CHUNK: usize = 32;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// A value of a design row: f64, or f32 to halve the memory (and the
/// memory traffic, which bounds the fit) of a large design.
pub trait Value: Copy + Into<f64> + Send + Sync {}
impl Value for f32 {}
impl Value for f64 {}

fn dot_row<T: Value>(weights: &[f64], row: &[T]) -> f64 {
    weights.iter().zip(row).map(|(w, &v)| w * v.into()).sum()
}

/// The loss of one row as a function of its score z = bias + weights · x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Loss {
    /// log(1 + e^(−z)) for positives, log(1 + e^z) for negatives: the
    /// score is the log-odds.
    Logistic,
    /// max(0, 1 − s·z)² with s = ±1 the label's sign: a linear support
    /// vector machine; the score is a margin, not a probability.
    SquaredHinge,
}

impl Loss {
    /// The loss of a row with score `z`.
    fn value(self, z: f64, label: bool) -> f64 {
        match self {
            Loss::Logistic => {
                // Stably, for both labels.
                let m = if label { -z } else { z };
                m.max(0.0) + (-m.abs()).exp().ln_1p()
            }
            Loss::SquaredHinge => (1.0 - sign(label) * z).max(0.0).powi(2),
        }
    }

    /// Its first and second derivatives in z (the second one a generalised
    /// derivative for the hinge, as liblinear's, floored to stay positive).
    fn derivatives(self, z: f64, label: bool) -> (f64, f64) {
        match self {
            Loss::Logistic => {
                let mu = sigmoid(z);
                (
                    mu - f64::from(u8::from(label)),
                    (mu * (1.0 - mu)).max(1e-12),
                )
            }
            Loss::SquaredHinge => {
                let margin = 1.0 - sign(label) * z;
                if margin > 0.0 {
                    (-2.0 * sign(label) * margin, 2.0)
                } else {
                    (0.0, 1e-12)
                }
            }
        }
    }
}

fn sign(label: bool) -> f64 {
    if label {
        1.0
    } else {
        -1.0
    }
}

/// The data, loss and penalty of one fit; θ = (weights, bias).
struct Problem<'a, T> {
    x: &'a [Vec<T>],
    y: &'a [bool],
    loss: Loss,
    lambda: f64,
    p: usize,
}

impl<T: Value> Problem<'_, T> {
    fn scores(&self, theta: &[f64]) -> Vec<f64> {
        self.x
            .par_iter()
            .map(|row| theta[self.p] + dot_row(&theta[..self.p], row))
            .collect()
    }

    fn loss(&self, theta: &[f64], z: &[f64]) -> f64 {
        let data: f64 = z
            .iter()
            .zip(self.y)
            .map(|(&z, &label)| self.loss.value(z, label))
            .sum();
        data + 0.5 * self.lambda * dot(&theta[..self.p], &theta[..self.p])
    }

    /// Σ c_i (x_i, 1) over the rows, in fixed chunks summed in order.
    fn combine(&self, c: &[f64]) -> Vec<f64> {
        let partial: Vec<Vec<f64>> = self
            .x
            .par_chunks(CHUNK)
            .zip(c.par_chunks(CHUNK))
            .map(|(rows, cs)| {
                let mut acc = vec![0.0f64; self.p + 1];
                for (row, &ci) in rows.iter().zip(cs) {
                    for (a, &v) in acc.iter_mut().zip(row) {
                        *a += ci * v.into();
                    }
                    acc[self.p] += ci;
                }
                acc
            })
            .collect();
        let mut out = vec![0.0f64; self.p + 1];
        for acc in partial {
            for (o, a) in out.iter_mut().zip(acc) {
                *o += a;
            }
        }
        out
    }

    fn add_penalty(&self, out: &mut [f64], v: &[f64]) {
        for (o, w) in out[..self.p].iter_mut().zip(v) {
            *o += self.lambda * w;
        }
    }

    /// H·v with H = Xᵀ D X + λ I (bias unpenalised).
    fn hessian_times(&self, d: &[f64], v: &[f64]) -> Vec<f64> {
        let xv: Vec<f64> = self.scores(v);
        let c: Vec<f64> = xv.iter().zip(d).map(|(a, b)| a * b).collect();
        let mut out = self.combine(&c);
        self.add_penalty(&mut out, v);
        out
    }
}

/// Solves H·s = g approximately by conjugate gradients, to a relative
/// residual `tolerance`.
fn conjugate_gradients<T: Value>(
    problem: &Problem<T>,
    d: &[f64],
    g: &[f64],
    tolerance: f64,
) -> Vec<f64> {
    let mut s = vec![0.0f64; g.len()];
    let mut r = g.to_vec();
    let mut dir = r.clone();
    let mut rr = dot(&r, &r);
    let stop = tolerance * tolerance * rr;
    for _ in 0..10 * g.len().max(50) {
        if rr <= stop {
            break;
        }
        let hd = problem.hessian_times(d, &dir);
        let curvature = dot(&dir, &hd);
        if curvature <= 0.0 {
            break;
        }
        let alpha = rr / curvature;
        for ((si, ri), (pi, hi)) in s.iter_mut().zip(r.iter_mut()).zip(dir.iter().zip(&hd)) {
            *si += alpha * pi;
            *ri -= alpha * hi;
        }
        let next = dot(&r, &r);
        let beta = next / rr;
        rr = next;
        for (pi, ri) in dir.iter_mut().zip(&r) {
            *pi = ri + beta * *pi;
        }
    }
    s
}

impl Logistic {
    /// A linear scorer with these weights and bias.
    pub fn new(weights: Vec<f64>, bias: f64) -> Self {
        Logistic { weights, bias }
    }

    /// The linear score (log-odds) of a sample.
    pub fn score(&self, x: &[f64]) -> f64 {
        self.bias + dot(&self.weights, x)
    }

    /// Fits rows `x` (each of the same length) to labels `y` with penalty
    /// `lambda`·|w|²/2. `None` if the data are empty or the fit diverges
    /// (e.g. a perfectly separable problem with `lambda` = 0).
    pub fn fit<T: Value>(x: &[Vec<T>], y: &[bool], lambda: f64) -> Option<Logistic> {
        Self::fit_loss(x, y, lambda, Loss::Logistic)
    }

    /// [`Logistic::fit`] with another loss (the result holds a linear
    /// score whose meaning is the loss's).
    pub fn fit_loss<T: Value>(
        x: &[Vec<T>],
        y: &[bool],
        lambda: f64,
        loss: Loss,
    ) -> Option<Logistic> {
        let p = x.first()?.len();
        let problem = Problem {
            x,
            y,
            loss,
            lambda,
            p,
        };
        let mut theta = vec![0.0f64; p + 1];
        let mut z = problem.scores(&theta);
        let mut current = problem.loss(&theta, &z);
        let mut first_norm = None;
        for _ in 0..200 {
            let (r, d): (Vec<f64>, Vec<f64>) = z
                .iter()
                .zip(y)
                .map(|(&v, &label)| loss.derivatives(v, label))
                .unzip();
            let mut grad = problem.combine(&r);
            problem.add_penalty(&mut grad, &theta[..p]);
            let norm = dot(&grad, &grad).sqrt();
            let first = *first_norm.get_or_insert(norm.max(1.0));
            if norm <= 1e-10 * first {
                break;
            }
            let step = conjugate_gradients(&problem, &d, &grad, (norm / first).sqrt().min(0.1));
            // Newton step with halving until the loss does not increase.
            let mut t = 1.0;
            let mut accepted = None;
            for _ in 0..40 {
                let next: Vec<f64> = theta.iter().zip(&step).map(|(a, s)| a - t * s).collect();
                let next_z = problem.scores(&next);
                let next_loss = problem.loss(&next, &next_z);
                if next_loss <= current + 1e-12 * current.abs() {
                    accepted = Some((next, next_z, next_loss));
                    break;
                }
                t *= 0.5;
            }
            let Some((next, next_z, next_loss)) = accepted else {
                break;
            };
            let moved = step.iter().map(|s| (t * s).abs()).fold(0.0, f64::max);
            theta = next;
            z = next_z;
            current = next_loss;
            if moved < 1e-12 {
                break;
            }
        }
        theta
            .iter()
            .all(|v| v.is_finite() && v.abs() < 1e12)
            .then(|| Logistic {
                weights: theta[..p].to_vec(),
                bias: theta[p],
            })
    }
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
    fn the_squared_hinge_gradient_vanishes_at_its_fit() {
        // One feature, overlapping classes: rows at ±1 and ±0.2, labels
        // mostly following the sign.
        let xs = [1.0, 0.8, 0.2, -0.2, -0.8, -1.0, 0.5, -0.5];
        let y = [true, true, false, true, false, false, true, false];
        let x: Vec<Vec<f64>> = xs.iter().map(|&v| vec![v]).collect();
        let lambda = 0.5;
        let m = Logistic::fit_loss(&x, &y, lambda, Loss::SquaredHinge).unwrap();
        let mut grad = [lambda * m.weights[0], 0.0];
        for (row, &label) in x.iter().zip(&y) {
            let s = sign(label);
            let margin = (1.0 - s * m.score(row)).max(0.0);
            grad[0] -= 2.0 * s * margin * row[0];
            grad[1] -= 2.0 * s * margin;
        }
        assert!(grad.iter().all(|g| g.abs() < 1e-8), "{grad:?} {m:?}");
        assert!(m.weights[0] > 0.0);
        // The logistic fit of the same rows is another model.
        assert_ne!(Logistic::fit(&x, &y, lambda), Some(m));
    }

    #[test]
    fn sigmoid_is_stable_at_the_extremes() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(800.0) == 1.0 && sigmoid(-800.0) == 0.0);
        assert!(sigmoid(-800.0).is_finite());
    }
}
