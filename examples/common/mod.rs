//! What the learner examples share: the default model's validation and the
//! table row of held-out scores (AUC over all samples, as delivered,
//! laundered, per encoder family held out; TPR at 1 % FPR).

use provenant::model::{metrics, Sample, Validation};

/// The validation of the default model: 5 folds, each source whole in one
/// fold, each laundered sample scored by models trained without its
/// encoder family.
pub(crate) const VALIDATION: Validation = Validation::new(5, true);

/// The encoder families of the samples' laundering, sorted.
pub(crate) fn families(samples: &[Sample]) -> Vec<&'static str> {
    let mut families: Vec<&str> = samples.iter().filter_map(|s| s.encoder).collect();
    families.sort_unstable();
    families.dedup();
    families
}

/// The Markdown header of [`row`]'s table.
pub(crate) fn header(first: &str, families: &[&str]) {
    let held_out: Vec<String> = families.iter().map(|f| format!("{f} held out")).collect();
    println!(
        "| {first} | dims | AUC all | as delivered | laundered | {} | TPR 1 %, all | TPR 1 %, laundered | time |",
        held_out.join(" | ")
    );
    println!(
        "|---|---|---|---|---|{}---|---|---|",
        "---|".repeat(families.len())
    );
}

/// One table row from the held-out scores of `samples`.
pub(crate) fn row(label: &str, dims: usize, samples: &[Sample], scores: &[f64], seconds: f64) {
    let measure = |keep: &dyn Fn(&Sample) -> bool| -> (f64, f64) {
        let side = |synthetic: bool| -> Vec<f64> {
            samples
                .iter()
                .zip(scores)
                .filter(|(s, _)| s.synthetic == synthetic && keep(s))
                .map(|(_, &v)| v)
                .collect()
        };
        let (pos, neg) = (side(true), side(false));
        let to32 = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<_>>();
        (
            metrics::auc(&to32(&pos), &to32(&neg)).unwrap_or(f64::NAN),
            metrics::tpr_at_fpr(&pos, &neg, 0.01),
        )
    };
    let (all, tpr) = measure(&|_| true);
    let (laundered, laundered_tpr) = measure(&|s| s.encoder.is_some());
    let mut cells = vec![
        format!("{all:.3}"),
        format!("{:.3}", measure(&|s| s.encoder.is_none()).0),
        format!("{laundered:.3}"),
    ];
    for f in families(samples) {
        cells.push(format!("{:.3}", measure(&|s| s.encoder == Some(f)).0));
    }
    println!(
        "| {label} | {dims} | {} | {tpr:.2} | {laundered_tpr:.2} | {seconds:.0} s |",
        cells.join(" | ")
    );
}
