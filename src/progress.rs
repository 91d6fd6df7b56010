//! Scan progress on standard error: a bar with files/s and ETA on a
//! terminal, a plain line every few seconds otherwise, nothing with --quiet.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Seconds between plain progress lines.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// How progress is shown.
pub(crate) enum Progress {
    /// Nothing.
    Quiet,
    /// A bar, made when the total is known.
    Bar(Option<ProgressBar>),
    /// Plain lines.
    Plain {
        /// When the scan started.
        started: Instant,
        /// When the last line was printed (`None`: none yet).
        last: Option<Instant>,
    },
}

impl Progress {
    /// Chooses the form from `quiet` and whether stderr is a terminal.
    pub(crate) fn new(quiet: bool) -> Self {
        if quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            Progress::Bar(None)
        } else {
            Progress::Plain {
                started: Instant::now(),
                last: None,
            }
        }
    }

    /// Shows a new state.
    pub(crate) fn update(&mut self, p: provenant::scan::Progress) {
        match self {
            Progress::Quiet => {}
            Progress::Bar(bar) => {
                let bar = bar.get_or_insert_with(|| {
                    let b = ProgressBar::new(p.total as u64);
                    let template = "{wide_bar} {pos}/{len} files, {rate}, ETA {eta} {msg}\n(interrupted? run the same scan with --resume to continue)";
                    if let Ok(style) = ProgressStyle::with_template(template) {
                        b.set_style(style.with_key(
                            "rate",
                            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                                let _ = write!(w, "{:.1} files/s", state.per_sec());
                            },
                        ));
                    }
                    b
                });
                bar.set_position(p.done as u64);
                if p.with_errors > 0 {
                    bar.set_message(format!("({} with errors)", p.with_errors));
                }
            }
            Progress::Plain { started, last } => {
                if last.is_none() {
                    eprintln!("provenant: {} files to analyse; if interrupted, run the same scan with --resume to continue", p.total);
                }
                if last.is_none_or(|t| t.elapsed() >= PLAIN_EVERY) || p.done == p.total {
                    *last = Some(Instant::now());
                    let rate = p.done as f64 / started.elapsed().as_secs_f64().max(1e-9);
                    eprintln!(
                        "provenant: {}/{} files, {rate:.1} files/s, {} with errors",
                        p.done, p.total, p.with_errors
                    );
                }
            }
        }
    }

    /// Clears the bar.
    pub(crate) fn finish(&mut self) {
        if let Progress::Bar(Some(bar)) = self {
            bar.finish_and_clear();
        }
    }
}
