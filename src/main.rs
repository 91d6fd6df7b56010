//! The `provenant` binary: parses arguments, builds a configuration, calls
//! the library, prints, and maps the outcome to an exit code
//! (0 all analysed, 1 some files failed, 2 usage or fatal error).

mod cli;
mod progress;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;

use cli::{
    AnalysisOptions, AnalyzeArgs, CalibrateArgs, Cli, Command, EvalArgs, ExplainArgs, LabelledSet,
    ReportArgs, ReportFormat, ScanArgs,
};
use provenant::report::{evaluation, human, jsonl, roc, training as training_report};
use provenant::{Analyzer, Config};

/// How a run ends, the one place exit codes are decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// 0: done, every file analysed.
    Success,
    /// 1: done, but some files could not be analysed (each report says why).
    FilesFailed,
    /// 2: nothing or not everything was done: a usage, configuration or
    /// output error.
    Usage,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::Success => ExitCode::SUCCESS,
            Exit::FilesFailed => ExitCode::from(1),
            Exit::Usage => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            }
            .into();
        }
    };
    match run(cli) {
        Ok(exit) => exit.into(),
        // A closed pipe (`| head`) is the reader's choice, not a failure.
        Err(e) if is_broken_pipe(&e) => Exit::Success.into(),
        Err(e) => {
            eprintln!("provenant: {e:#}{}", hint(&e));
            Exit::Usage.into()
        }
    }
}

/// The options that answer a library error, for the terminal.
fn hint(e: &anyhow::Error) -> &'static str {
    match e.downcast_ref::<provenant::Error>() {
        Some(provenant::Error::OutputExists { .. }) => {
            ": use --resume to continue that scan, --overwrite to replace it, or another --out"
        }
        Some(provenant::Error::TooLarge { .. }) => " (--max-file-size)",
        _ => "",
    }
}

fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Analyze(args) => analyze(args),
        Command::Explain(args) => explain(args),
        Command::Calibrate(args) => calibrate(args),
        Command::Eval(args) => eval(args),
        Command::Scan(args) => scan(args),
        Command::Report(args) => report(args),
        Command::Completions(args) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cmd, "provenant", &mut io::stdout());
            Ok(Exit::Success)
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd).render(&mut io::stdout())?;
            Ok(Exit::Success)
        }
    }
}

fn config_from(opts: &AnalysisOptions) -> anyhow::Result<Config> {
    let mut config = Config::default();
    apply_limits(&opts.limits, &mut config.limits)?;
    config.no_pixels = opts.no_pixels;
    let anchors = opts
        .trust_anchors
        .clone()
        .or_else(Config::default_trust_anchors);
    if let Some(path) = anchors {
        config = config.with_trust_anchors(&path)?;
    }
    if let Some(path) = &opts.model {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the model {}", path.display()))?;
        let model = provenant::model::Model::from_json(&text)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("loading the model {}", path.display()))?;
        config.model = Some(model);
    }
    config.hash_lists = provenant::hashlist::HashLists::new(opts.pdq_distance);
    for path in &opts.hashlist {
        config.hash_lists.load(path)?;
    }
    Ok(config)
}

fn apply_limits(o: &cli::LimitOptions, l: &mut provenant::Limits) -> anyhow::Result<()> {
    fn set<T: Copy>(from: Option<T>, to: &mut T) {
        if let Some(v) = from {
            *to = v;
        }
    }
    set(o.max_file_size, &mut l.max_file_bytes);
    set(o.max_dimension, &mut l.max_dimension);
    set(o.max_decode_alloc, &mut l.max_decode_alloc);
    set(o.max_text_chunk, &mut l.max_text_chunk);
    set(o.max_xmp_bytes, &mut l.max_xmp_bytes);
    set(o.max_xmp_depth, &mut l.max_xmp_depth);
    set(o.max_exif_entries, &mut l.max_exif_entries);
    set(o.max_c2pa_bytes, &mut l.max_c2pa_bytes);
    if let Some(s) = o.file_timeout {
        anyhow::ensure!(s > 0.0 && s.is_finite(), "--file-timeout must be positive");
        l.max_seconds = Some(s);
    }
    Ok(())
}

fn analyze(args: AnalyzeArgs) -> anyhow::Result<Exit> {
    let analyzer = Analyzer::new(config_from(&args.options)?).context("setting up the analyzer")?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    for (i, path) in args.files.iter().enumerate() {
        // A path that is not a readable regular file gets an error, not a
        // verdict about nothing.
        if let Err(e) = provenant::input::check_file(path) {
            let hint = if path.is_dir() {
                ": use `provenant scan` for a folder"
            } else {
                ""
            };
            eprintln!(
                "provenant: {}{hint}",
                provenant::sanitize::sanitize(&e.to_string())
            );
            failed += 1;
            continue;
        }
        let report = analyzer.analyze_path(path);
        if !report.errors.is_empty() {
            failed += 1;
        }
        if args.json {
            jsonl::write(&mut out, &report)?;
        } else {
            if i > 0 {
                writeln!(out)?;
            }
            let mut options = human::Options::default();
            options.verbose = args.verbose;
            options.show_prompts = args.show_prompts;
            human::write(&mut out, &report, options)?;
        }
        out.flush()?;
    }
    if failed > 0 {
        eprintln!(
            "provenant: {failed} of {} files had errors",
            args.files.len()
        );
        return Ok(Exit::FilesFailed);
    }
    Ok(Exit::Success)
}

fn explain(args: ExplainArgs) -> anyhow::Result<Exit> {
    let analyzer = Analyzer::new(config_from(&args.options)?).context("setting up the analyzer")?;
    let mut revealing = provenant::explain::Revealing::default();
    revealing.noise_heatmap = args.noise_heatmap;
    revealing.residual = args.residual;
    let (report, written) =
        match provenant::explain::explain_file(&analyzer, &args.file, &args.out, revealing) {
            Ok(done) => done,
            Err(e) => {
                let name = provenant::sanitize::sanitize(&args.file.display().to_string());
                eprintln!("provenant: {name}: {e}");
                return Ok(Exit::FilesFailed);
            }
        };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut all_evidence = human::Options::default();
    all_evidence.verbose = true;
    human::write(&mut out, &report, all_evidence)?;
    writeln!(out, "\nPictures:")?;
    for path in written {
        let shows_scene = path.ends_with("noise-heatmap.png") || path.ends_with("residual.png");
        let note = if shows_scene {
            "   (shows the scene)"
        } else {
            ""
        };
        writeln!(out, "  {}{note}", path.display())?;
    }
    out.flush()?;
    Ok(Exit::Success)
}

/// The labelled entries and the folder their paths are relative to.
fn labelled(set: &LabelledSet) -> anyhow::Result<(Vec<provenant::dataset::Entry>, PathBuf)> {
    use provenant::dataset;
    match (set.manifest.as_slice(), &set.real, &set.synthetic) {
        ([_, ..], _, _) => Ok(dataset::read_manifests(&set.manifest, set.root.as_deref())?),
        ([], Some(real), Some(synthetic)) => {
            Ok((dataset::from_folders(real, synthetic)?, PathBuf::new()))
        }
        _ => anyhow::bail!("give --manifest, or --real and --synthetic"),
    }
}

fn eval(args: EvalArgs) -> anyhow::Result<Exit> {
    let (entries, root) = labelled(&args.set)?;
    let transform: provenant::transform::Transform = args
        .transform
        .as_deref()
        .unwrap_or("")
        .parse()
        .map_err(anyhow::Error::msg)?;
    let config = config_from(&args.options)?;
    let evaluation = match args.cross_validate {
        Some(folds) => provenant::eval::cross_validate(&entries, &root, &transform, config, {
            let mut retraining = provenant::eval::Retraining::new(folds, args.group_by.into());
            retraining.lambda = args.lambda;
            retraining.hold_out_encoder = args.hold_out_encoder;
            retraining
        })?,
        None => {
            eprintln!(
                "provenant: warning: the model is not retrained (no --cross-validate): if these images were among its training images (the embedded model was trained on the dev set), the numbers are optimistic"
            );
            provenant::eval::evaluate(&entries, &root, &transform, config)?
        }
    };
    if let Some(path) = &args.roc {
        let svg = roc::roc_svg(&evaluation)?;
        std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?;
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &evaluation)?;
        writeln!(out)?;
    } else {
        evaluation::write_text(&mut out, &evaluation)?;
    }
    out.flush()?;
    if evaluation.failed > 0 {
        eprintln!(
            "provenant: exit code 1: {} of {} files could not be analysed (listed above)",
            evaluation.failed, evaluation.files
        );
        return Ok(Exit::FilesFailed);
    }
    Ok(Exit::Success)
}

fn calibrate(args: CalibrateArgs) -> anyhow::Result<Exit> {
    use provenant::model::{self, training};
    let (entries, root) = labelled(&args.set)?;
    let conditions = training::parse_conditions(&args.conditions).map_err(anyhow::Error::msg)?;
    let set = training::extract_in_folds(
        &entries,
        &root,
        &conditions,
        &provenant::Limits::default(),
        args.folds,
        args.group_by.into(),
    );
    for (file, why) in &set.skipped {
        eprintln!(
            "provenant: skipped {}: {why}",
            provenant::sanitize::sanitize(file)
        );
    }
    let names = conditions.iter().map(training::Condition::name).collect();
    let mut model = model::train(
        provenant::pixels::feature_names(),
        &set.samples,
        args.lambda,
        model::Validation::new(args.folds, !args.no_encoder_hold_out),
        names,
        set.digest,
    )
    .map_err(anyhow::Error::msg)
    .context("refusing to write a model")?;
    model.training.cross_validation.grouped_by = args.group_by.name().into();
    let json = serde_json::to_string_pretty(&model)?;
    std::fs::write(&args.output, json + "\n")
        .with_context(|| format!("writing {}", args.output.display()))?;
    let mut out = io::stdout().lock();
    training_report::write_text(&mut out, &model, set.skipped.len(), &args.output)?;
    Ok(Exit::Success)
}

fn scan(args: ScanArgs) -> anyhow::Result<Exit> {
    use provenant::scan::{self, walk, ScanOptions};
    let config = config_from(&args.options)?;
    let files_from = match &args.files_from {
        None => None,
        Some(p) => {
            let bytes = if p.as_os_str() == "-" {
                let mut b = Vec::new();
                io::Read::read_to_end(&mut io::stdin(), &mut b)?;
                b
            } else {
                std::fs::read(p).with_context(|| format!("reading {}", p.display()))?
            };
            Some((p.display().to_string(), walk::parse_list(&bytes)))
        }
    };
    let mut opts = ScanOptions::new(args.paths.clone(), args.out.clone());
    match args.jobs {
        Some(0) => anyhow::bail!("--jobs 0: give 1 or more workers (without --jobs: all cores)"),
        Some(n) => opts.jobs = n,
        None => {}
    }
    opts.files_from = files_from;
    opts.follow_symlinks = args.follow_symlinks;
    opts.resume = args.resume;
    opts.overwrite = args.overwrite;
    opts.vics = args.vics;
    opts.thumbnails = args.thumbnails;
    opts.command_line = std::env::args().collect();
    let analyzer = Analyzer::new(config).context("setting up the analyzer")?;
    let mut progress = progress::Progress::new(args.quiet);
    let summary = scan::run(&analyzer, &opts, &mut |p| progress.update(p))?;
    progress.finish();
    let f = &summary.footer;
    if f.files == 0 {
        eprintln!("provenant: no image found (the reports are empty)");
    }
    if !args.quiet {
        let seconds = summary.elapsed.as_secs_f64();
        eprintln!(
            "provenant: {} files analysed in {seconds:.1} s ({:.1} files/s); journal holds {} ({} with errors); {} skipped as already recorded",
            summary.analysed,
            summary.analysed as f64 / seconds.max(1e-9),
            f.files,
            f.with_errors,
            f.resumed_skipped,
        );
        eprintln!(
            "passed over: {} not images, {} empty, {} special files (FIFO, socket, device), {} links not followed (paths in skipped.csv)",
            f.not_images, f.empty, f.special_files, f.symlinks_skipped
        );
        eprintln!("written:");
        for path in &summary.written {
            eprintln!("  {}", path.display());
        }
        if f.with_errors > 0 {
            eprintln!(
                "exit code 1: {} files had errors (each has a report saying why)",
                f.with_errors
            );
        }
    }
    Ok(if f.with_errors > 0 {
        Exit::FilesFailed
    } else {
        Exit::Success
    })
}

fn report(args: ReportArgs) -> anyhow::Result<Exit> {
    use provenant::scan::render::{self, Outputs, Sink};
    use provenant::scan::{journal, triage::Index};
    let sink = args.output.clone().map_or(Sink::Stdout, Sink::File);
    let partial = match args.format {
        ReportFormat::Jsonl => render::write_to(&sink, |out| journal::merge(&args.journals, out))?,
        format => {
            // The spill files of the triage order go beside the output.
            let spill = match &args.output {
                Some(path) => path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."))
                    .to_path_buf(),
                None => std::env::temp_dir(),
            };
            let index = Index::build(&args.journals, &spill)?;
            let partial = index.partial_tail;
            let mut outputs = Outputs::default();
            let slot = match format {
                ReportFormat::Csv => &mut outputs.csv,
                ReportFormat::Html => &mut outputs.html,
                ReportFormat::Vics | ReportFormat::Jsonl => &mut outputs.vics,
            };
            *slot = Some(sink);
            render::render(index, outputs)?;
            partial
        }
    };
    if partial {
        eprintln!("provenant: a half-written last record was ignored");
    }
    Ok(Exit::Success)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}
