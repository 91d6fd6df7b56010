//! Command-line definitions (clap). The doc comments are the help text.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Offline, explainable triage of camera photographs versus AI-generated images.
///
/// No network access, no neural network: every verdict comes with the
/// evidence that decided it.
#[derive(Debug, Parser)]
#[command(name = "provenant", version, about, long_about, after_long_help = VERDICTS_HELP)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// What verdicts, priorities and flags mean (`provenant --help`).
const VERDICTS_HELP: &str = "\
Verdicts: declared-synthetic (the file declares AI generation), likely-synthetic (the pixel \
model's P(synthetic) at or above its strict threshold), inconclusive, likely-authentic (strong \
camera evidence, or P at or below the lenient threshold), verified-authentic (a trusted C2PA \
capture).

Priorities (1 = look first): 1 likely or verified real photos and AI-edited real photos (they \
still show a real person), 2 inconclusive, 3 likely-synthetic, 4 declared-synthetic. Within a \
priority, the most camera-like P(synthetic) comes first.

Flags: ai-edited, camera-exif-on-resave, c2pa-invalid, c2pa-stripped, pixels-not-analysed, \
stealth-payload, local-noise-region, hashlist-match; each is explained in the legend of \
report.html and in docs/REPORTS.md.";

/// How validation folds are drawn (`provenant::dataset::Grouping`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// Each image its own group.
    Image,
    /// Whole sources.
    Source,
}

impl GroupBy {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Image => "image",
            GroupBy::Source => "source",
        }
    }
}

impl From<GroupBy> for provenant::dataset::Grouping {
    fn from(g: GroupBy) -> Self {
        match g {
            GroupBy::Image => provenant::dataset::Grouping::Image,
            GroupBy::Source => provenant::dataset::Grouping::Source,
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Analyse single files and print a verdict with its evidence.
    Analyze(AnalyzeArgs),
    /// Analyse one file and draw the statistics behind its pixel evidence:
    /// spectrum.png, radial-profile.svg and noise-map.png (the outlier
    /// regions on a neutral grid). These three show statistics, not the
    /// scene; --noise-heatmap and --residual add pictures that do show it.
    Explain(ExplainArgs),
    /// Fit the model on labelled images (pixel features only), print its
    /// cross-validated metrics and write it as JSON.
    Calibrate(CalibrateArgs),
    /// Analyse whole folders in parallel: report.jsonl (resumable journal),
    /// summary.csv, report.html and, with --vics, vics.json in --out.
    Scan(ScanArgs),
    /// Re-render or merge scan journals (report.jsonl) as CSV, HTML, VICS
    /// or one JSONL.
    Report(ReportArgs),
    /// Print shell completions.
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    #[command(hide = true)]
    Man,
    /// Measure the tool on labelled images: AUC, accuracy, TPR at 1% and
    /// 5% FPR, calibration, verdicts per label and per source, failures.
    Eval(EvalArgs),
}

/// Options shared by every command that analyses files.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Analysis")]
pub(crate) struct AnalysisOptions {
    /// PEM bundle of C2PA trust anchors (e.g. the official C2PA trust list).
    /// Default: $PROVENANT_TRUST_ANCHORS, then
    /// $XDG_CONFIG_HOME/provenant/trust-anchors.pem, then
    /// /etc/provenant/trust-anchors.pem. Without one, no signer is trusted.
    #[arg(long, value_name = "PEM")]
    pub trust_anchors: Option<PathBuf>,

    /// Do not decode pixels: hashes, metadata, C2PA and JPEG structure only.
    #[arg(long)]
    pub no_pixels: bool,

    /// A model written by `provenant calibrate`, used instead of the
    /// embedded default model to turn pixel evidence into P(synthetic) and
    /// to decide files that declare nothing.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,

    /// Known-file hash list (repeatable): lines `[md5:|sha1:|sha256:|pdq:]HEX[,LABEL]`;
    /// matching files get the flag `hashlist-match`.
    #[arg(long, value_name = "FILE")]
    pub hashlist: Vec<PathBuf>,

    /// Largest PDQ Hamming distance (of 256) counted as a hash-list match.
    #[arg(long, value_name = "BITS", default_value_t = provenant::hashlist::DEFAULT_PDQ_DISTANCE)]
    pub pdq_distance: u32,

    /// Resource limits (defaults in docs/SECURITY.md).
    #[command(flatten)]
    pub limits: LimitOptions,
}

/// Overrides of the resource limits ([`provenant::Limits`]); unset options
/// keep the defaults.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Limits")]
pub(crate) struct LimitOptions {
    /// Largest file analysed, in bytes [default: 536870912].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,

    /// Largest image width or height decoded, in pixels [default: 65535].
    #[arg(long, value_name = "PIXELS")]
    pub max_dimension: Option<u32>,

    /// Largest allocation of the pixel decoder, in bytes [default: 1073741824].
    #[arg(long, value_name = "BYTES")]
    pub max_decode_alloc: Option<u64>,

    /// Largest decompressed PNG text chunk, in bytes [default: 8388608].
    #[arg(long, value_name = "BYTES")]
    pub max_text_chunk: Option<usize>,

    /// Largest XMP packet parsed, in bytes [default: 4194304].
    #[arg(long, value_name = "BYTES")]
    pub max_xmp_bytes: Option<usize>,

    /// Deepest XML nesting accepted in XMP [default: 64].
    #[arg(long, value_name = "LEVELS")]
    pub max_xmp_depth: Option<usize>,

    /// Most EXIF entries accepted [default: 10000].
    #[arg(long, value_name = "N")]
    pub max_exif_entries: Option<usize>,

    /// Largest embedded C2PA manifest store validated, in bytes [default: 67108864].
    #[arg(long, value_name = "BYTES")]
    pub max_c2pa_bytes: Option<usize>,

    /// Give up on a file after this many seconds (checked between stages)
    /// [default: no limit].
    #[arg(long, value_name = "SECONDS")]
    pub file_timeout: Option<f64>,
}

/// `provenant analyze`.
#[derive(Debug, clap::Args)]
pub(crate) struct AnalyzeArgs {
    /// Image files to analyse.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Print one JSON object per file, one per line, instead of text.
    #[arg(long)]
    pub json: bool,

    /// Print every line of evidence (the spectrum, the noise, the pixel
    /// model's contributions), not only the one that decided the verdict.
    #[arg(long, short)]
    pub verbose: bool,

    /// Print the words of generator prompts. By default a report says that
    /// a prompt exists and how long it is, not what it says: on seized
    /// material, prompts can describe abuse. The --json record always keeps
    /// the prompt as evidence.
    #[arg(long)]
    pub show_prompts: bool,

    #[command(flatten)]
    pub options: AnalysisOptions,
}

/// `provenant explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// The image file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Directory for the pictures (created if missing).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Also write residual.png, the noise residual of the whole image. It
    /// shows the scene's edges: only ask for it when you need to look.
    #[arg(long)]
    pub residual: bool,

    /// Also write noise-heatmap.png, every 64-pixel block's noise as a
    /// colour. A block's noise follows its brightness and texture, so the
    /// heatmap shows the scene: only ask for it when you need to look.
    #[arg(long)]
    pub noise_heatmap: bool,

    #[command(flatten)]
    pub options: AnalysisOptions,
}

/// Labelled images: a manifest, or a folder of each class.
#[derive(Debug, clap::Args)]
pub(crate) struct LabelledSet {
    /// CSV with columns `file` and `label` (`real` or `synthetic`), and
    /// optionally `generator_or_camera`, `source` and `group`; repeat to
    /// use several sets together (each file relative to its manifest).
    #[arg(long, value_name = "CSV", required_unless_present_all = ["real", "synthetic"], conflicts_with_all = ["real", "synthetic"])]
    pub manifest: Vec<PathBuf>,

    /// Folder the manifest's paths are relative to (default: the manifest's).
    #[arg(long, value_name = "DIR", requires = "manifest")]
    pub root: Option<PathBuf>,

    /// A folder of real photos (searched recursively; subfolders name the
    /// camera), instead of a manifest.
    #[arg(long, value_name = "DIR", requires = "synthetic")]
    pub real: Option<PathBuf>,

    /// A folder of synthetic images (subfolders name the generator).
    #[arg(long, value_name = "DIR", requires = "real")]
    pub synthetic: Option<PathBuf>,
}

/// `provenant calibrate`.
#[derive(Debug, clap::Args)]
pub(crate) struct CalibrateArgs {
    #[command(flatten)]
    pub set: LabelledSet,

    /// Where to write the model (JSON).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,

    /// Conditions every image is used under, comma-separated: `as-is`,
    /// `wild:N` (a random platform-like laundering chain per image, drawn
    /// from the image's hash and N), or transforms such as
    /// `jpeg:90:libjpeg` and `resize:0.5+jpeg:80` (see `eval --transform`).
    #[arg(long, value_name = "LIST", default_value = provenant::model::training::DEFAULT_CONDITIONS)]
    pub conditions: String,

    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,

    /// How the cross-validation folds are drawn: `source` (the manifest's
    /// `group` column, else its `source` repository, else the generator or
    /// camera: no source is both trained and tested on) or `image` (other
    /// images of the same source can sit in the training folds:
    /// optimistic). Laundered samples are also scored without their
    /// encoder family either way.
    #[arg(long, value_enum, default_value_t = GroupBy::Source)]
    pub group_by: GroupBy,

    /// Score laundered samples with models that saw their encoder family
    /// (one fit per fold instead of one per fold and family: faster, and
    /// thresholds that do not hold for unseen encoders).
    #[arg(long)]
    pub no_encoder_hold_out: bool,

    /// L2 penalty of the logistic regression.
    #[arg(long, default_value_t = provenant::model::DEFAULT_LAMBDA)]
    pub lambda: f64,
}

/// `provenant eval`.
#[derive(Debug, clap::Args)]
pub(crate) struct EvalArgs {
    #[command(flatten)]
    pub set: LabelledSet,

    /// Launder every image in memory first: `strip` (ignore metadata and
    /// C2PA), `jpeg:Q[:CODEC][:420|444]` (codecs image, jpeg-encoder,
    /// libjpeg, mozjpeg), `webp:Q`, `resize:F[:FILTER]`, `fit:N[:FILTER]`
    /// (long side at most N; filters bilinear, bicubic, lanczos),
    /// `crop:N`, joined by `+`, e.g. `strip+resize:0.5+jpeg:80:libjpeg`.
    /// Pixel steps re-encode without metadata.
    #[arg(long, value_name = "STEPS")]
    pub transform: Option<String>,

    /// Print the evaluation as JSON (same bytes whatever the thread count).
    #[arg(long)]
    pub json: bool,

    /// Also write the ROC curve as an SVG file.
    #[arg(long, value_name = "FILE")]
    pub roc: Option<PathBuf>,

    /// Score each file with a model retrained (as `calibrate` does) on the
    /// other FOLDS folds of this set instead of the given model: honest
    /// numbers on the set a model was trained on.
    #[arg(long, value_name = "FOLDS", conflicts_with = "model")]
    pub cross_validate: Option<usize>,

    /// L2 penalty of the retrained models (with --cross-validate).
    #[arg(long, default_value_t = provenant::model::DEFAULT_LAMBDA, requires = "cross_validate")]
    pub lambda: f64,

    /// How the folds of --cross-validate are drawn: `source` (no source
    /// both trained and tested on; see `calibrate --group-by`) or `image`.
    #[arg(long, value_enum, default_value_t = GroupBy::Source, requires = "cross_validate")]
    pub group_by: GroupBy,

    /// With --cross-validate, also train without any image laundered by
    /// the encoder family of the transform's last lossy step (mozjpeg
    /// counts as libjpeg): encoder-held-out numbers.
    #[arg(long, requires = "cross_validate")]
    pub hold_out_encoder: bool,

    #[command(flatten)]
    pub options: AnalysisOptions,
}

/// `provenant scan`.
#[derive(Debug, clap::Args)]
pub(crate) struct ScanArgs {
    /// Files and folders (walked recursively; images found by their first
    /// bytes, not their extension).
    #[arg(value_name = "PATH", required_unless_present = "files_from")]
    pub paths: Vec<PathBuf>,

    /// Output folder (created if missing).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,

    /// Also analyse the files listed in FILE (`-` for stdin), one per line
    /// or NUL-separated.
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,

    /// Worker threads (default: all cores).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,

    /// Follow symbolic links while walking.
    #[arg(long)]
    pub follow_symlinks: bool,

    /// Continue an interrupted scan in --out: files already recorded (same
    /// path, size and modification time) are skipped.
    #[arg(long, conflicts_with = "overwrite")]
    pub resume: bool,

    /// Replace the reports of an earlier scan in --out.
    #[arg(long)]
    pub overwrite: bool,

    /// Also write vics.json (Project VIC 2.0 Media records).
    #[arg(long)]
    pub vics: bool,

    /// Embed small, strongly blurred thumbnails in report.html (off by
    /// default: reports do not show the pictures).
    #[arg(long)]
    pub thumbnails: bool,

    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,

    #[command(flatten)]
    pub options: AnalysisOptions,
}

/// Report formats of `provenant report`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    /// One row per file, most urgent first.
    Csv,
    /// The self-contained HTML page.
    Html,
    /// Project VIC 2.0 JSON.
    Vics,
    /// One journal: the inputs' records merged, each file once.
    Jsonl,
}

/// `provenant report`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReportArgs {
    /// Journals written by `provenant scan` (report.jsonl).
    #[arg(required = true, value_name = "JSONL")]
    pub journals: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short, value_enum)]
    pub format: ReportFormat,

    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `provenant completions`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
