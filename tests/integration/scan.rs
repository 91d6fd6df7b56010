//! `provenant scan` and `provenant report` on the dev set: order, resume
//! after SIGKILL, untouched inputs, reports that parse back.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;
use sha2::{Digest, Sha256};

use crate::common::dev_dir;

fn provenant() -> std::process::Command {
    let mut c = std::process::Command::cargo_bin("provenant").unwrap();
    c.env_remove("PROVENANT_TRUST_ANCHORS")
        .env("XDG_CONFIG_HOME", "/nonexistent");
    c
}

/// Images of the dev set (every manifest row).
fn dev_images() -> usize {
    crate::common::dev_rows().len()
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// SHA-256 of every file under a folder.
fn digests(dir: &Path) -> HashMap<String, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            (
                e.path().display().to_string(),
                format!("{:x}", Sha256::digest(&bytes)),
            )
        })
        .collect()
}

fn scan(out: &Path, extra: &[&str]) -> std::process::Output {
    provenant()
        .arg("scan")
        .arg(dev_dir())
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn scans_are_ordered_whatever_the_jobs_and_leave_inputs_untouched() {
    let before = digests(&dev_dir());
    let tmp = tempfile::tempdir().unwrap();
    let mut bodies = Vec::new();
    for jobs in ["1", "2"] {
        let out = tmp.path().join(format!("jobs-{jobs}"));
        let run = scan(&out, &["--jobs", jobs, "--vics", "--quiet"]);
        // Two dev files have truncated EXIF or a broken container.
        assert_eq!(run.status.code(), Some(1), "{run:?}");
        let records = lines(&out.join("report.jsonl"));
        assert_eq!(records[0]["type"], "header");
        assert_eq!(records.last().unwrap()["type"], "footer");
        let files: Vec<&serde_json::Value> =
            records.iter().filter(|r| r["type"] == "file").collect();
        assert_eq!(files.len(), dev_images());
        assert_eq!(records.last().unwrap()["files"], dev_images());
        let body = std::fs::read_to_string(out.join("report.jsonl")).unwrap();
        bodies.push(body.lines().skip(1).collect::<Vec<_>>().join("\n"));
    }
    assert_eq!(bodies[0], bodies[1], "records depend on the thread count");
    assert_eq!(before, digests(&dev_dir()), "an input file changed");

    let out = tmp.path().join("jobs-2");
    let mut csv = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), dev_images());
    let priorities: Vec<u8> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(
        priorities.windows(2).all(|w| w[0] <= w[1]),
        "not sorted by priority"
    );

    // vics.json imports into IPED: every record, with its hashes and our
    // verdict as one Tags string, no Category (so no "known" status), and
    // the file found again from the vics.json's folder.
    let vics_text = std::fs::read_to_string(out.join("vics.json")).unwrap();
    let imported = crate::iped_vics::read_project_vic(&vics_text).expect("IPED reads vics.json");
    assert_eq!(imported.len(), dev_images());
    let journal: HashMap<String, String> = lines(&out.join("report.jsonl"))
        .iter()
        .filter(|r| r["type"] == "file")
        .map(|r| {
            let md5 = r["hashes"]["md5"].as_str().unwrap().to_uppercase();
            (md5, r["verdict"].as_str().unwrap().to_string())
        })
        .collect();
    for record in &imported {
        let md5 = record.md5.as_deref().unwrap();
        assert_eq!(md5.len(), 32);
        assert_eq!(record.sha1.as_deref().map(str::len), Some(40));
        let tags = &record.properties["vicTags"];
        assert!(
            tags.starts_with(&format!("provenant:{}", journal[md5])),
            "{tags} for {md5}"
        );
        assert!(!record.properties.contains_key("vicCategory"));
        assert!(!record.properties.contains_key("status"));
    }
    let vics: serde_json::Value = serde_json::from_str(&vics_text).unwrap();
    for m in vics["value"].as_array().unwrap() {
        let relative = m["RelativeFilePath"].as_str().unwrap();
        assert!(
            out.join(relative).is_file(),
            "{relative} not found from the vics.json"
        );
        let file = &m["MediaFiles"][0];
        assert_eq!(file["MD5"], m["MD5"]);
        assert!(out
            .join(file["FilePath"].as_str().unwrap())
            .join(file["FileName"].as_str().unwrap())
            .is_file());
        assert!(file["Written"].as_str().unwrap().ends_with('Z'));
        for row in m["Exifs"].as_array().unwrap() {
            assert_eq!(row["MD5"], m["MD5"]);
        }
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("<tr data-verdict=").count(), dev_images());
    assert!(!html.contains("<img"), "no picture unless asked");

    // Without --resume, an existing journal is never overwritten.
    let again = scan(&out, &["--quiet"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));

    let csv_paths: Vec<String> = rows.iter().map(|r| r[3].to_string()).collect();
    paginated_html_follows_the_csv(
        &out.join("report.jsonl"),
        &csv_paths,
        &tmp.path().join("paged"),
    );
}

/// The HTML of a journal, rendered in pages of 50 rows and with the sort
/// keys spilled in runs of 40: every file once, in the CSV's triage order,
/// across pages whose links all resolve.
fn paginated_html_follows_the_csv(journal: &Path, csv_paths: &[String], dir: &Path) {
    use provenant::scan::render::{render, Outputs, Sink};
    use provenant::scan::triage::Index;
    std::fs::create_dir_all(dir).unwrap();
    let index = Index::with_run(&[journal.to_path_buf()], dir, 40).unwrap();
    let summary = dir.join("report.html");
    let mut outputs = Outputs::default();
    outputs.html = Some(Sink::File(summary.clone()));
    outputs.page_rows = 50;
    let written = render(index, outputs).unwrap();
    let pages = dev_images().div_ceil(50);
    assert_eq!(written, [summary.clone(), dir.join("report-pages")]);
    let mut html_paths = Vec::new();
    for k in 1..=pages {
        let page = if k == 1 {
            summary.clone()
        } else {
            dir.join(format!("report-pages/page-{k:04}.html"))
        };
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains("Content-Security-Policy"));
        for href in html.split("href=\"").skip(1) {
            let target = &href[..href.find('"').unwrap()];
            assert!(
                page.parent().unwrap().join(target).is_file(),
                "{target} from page {k}"
            );
        }
        for row in html.split("<tr data-verdict=").skip(1) {
            // The path is the fourth cell.
            let cell = row.split("<td>").nth(1).unwrap();
            let escaped = &cell[..cell.find("</td>").unwrap()];
            let unescaped = [
                ("&lt;", "<"),
                ("&gt;", ">"),
                ("&quot;", "\""),
                ("&#39;", "'"),
                ("&amp;", "&"),
            ]
            .iter()
            .fold(escaped.to_string(), |s, (from, to)| s.replace(from, to));
            html_paths.push(unescaped);
        }
    }
    assert!(!dir
        .join(format!("report-pages/page-{:04}.html", pages + 1))
        .exists());
    assert_eq!(html_paths, csv_paths, "pages not in triage order");
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        2,
        "the spill files are removed"
    );
}

#[test]
fn a_killed_scan_resumes_with_every_file_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("scan");
    let mut child = provenant()
        .arg("scan")
        .arg(dev_dir())
        .args(["--jobs", "1", "--quiet", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let journal = out.join("report.jsonl");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let n = std::fs::read(&journal).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count());
        if n >= 40 || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Simulate the worst moment: a record cut in the middle.
    let mut bytes = std::fs::read(&journal).unwrap();
    bytes.extend_from_slice(b"{\"type\":\"file\",\"path\":\"half");
    std::fs::write(&journal, bytes).unwrap();

    let resumed = scan(&out, &["--resume", "--quiet"]);
    assert_eq!(resumed.status.code(), Some(1), "{resumed:?}");
    let records = lines(&journal);
    let headers: Vec<_> = records.iter().filter(|r| r["type"] == "header").collect();
    assert_eq!(headers.len(), 2);
    assert_eq!(headers[1]["resumed"], true);
    let mut paths: Vec<&str> = records
        .iter()
        .filter(|r| r["type"] == "file")
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    let total = paths.len();
    paths.sort_unstable();
    paths.dedup();
    assert_eq!(paths.len(), total, "a file was recorded twice");
    assert_eq!(total, dev_images());
    let footer = records.last().unwrap();
    assert!(
        footer["resumed_skipped"].as_u64().unwrap() >= 39,
        "{footer}"
    );

    // `report` merges journals, each file once, and renders every format.
    let merged = provenant()
        .args(["report", "--format", "jsonl"])
        .arg(&journal)
        .arg(&journal)
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(0));
    let text = String::from_utf8(merged.stdout).unwrap();
    assert_eq!(text.matches("\"type\":\"file\"").count(), dev_images());
    for format in ["csv", "html", "vics"] {
        let r = provenant()
            .args(["report", "--format", format])
            .arg(&journal)
            .output()
            .unwrap();
        assert_eq!(r.status.code(), Some(0), "{format}");
        assert!(r.stdout.len() > 10_000, "{format}");
    }
}

#[test]
fn an_unwritable_output_fails_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let run = scan(&file.join("out"), &["--quiet"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("a-file"));
}

#[test]
fn a_file_over_the_time_limit_gets_a_time_error_and_the_scan_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("scan");
    let run = provenant()
        .arg("scan")
        .arg(crate::common::fixture("ok"))
        .args(["--quiet", "--file-timeout", "0.000000001", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    let records = lines(&out.join("report.jsonl"));
    let files: Vec<_> = records.iter().filter(|r| r["type"] == "file").collect();
    assert!(files.len() >= 10);
    for f in files {
        assert_eq!(f["errors"][0]["stage"], "time", "{f}");
        assert!(
            f["hashes"]["sha256"].is_string(),
            "hashes come before the limit"
        );
    }
}

/// Chromium run headless, as on the CI machine (installed by scripts/deps.sh).
fn chromium(args: &[&str], page: &Path) -> std::process::Output {
    let bin = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&bin).exists(),
        "{bin} is missing: run scripts/deps.sh (installs Debian's chromium)"
    );
    let profile = tempfile::tempdir().unwrap();
    std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

/// Clicks and filters the table once the page has loaded; the results land
/// in `<body data-test>`.
const BROWSER_TEST: &str = r#"<script>
window.addEventListener('load', () => {
  const out = [];
  const rows = () => Array.from(document.querySelectorAll('#files tbody tr'));
  const th = document.querySelectorAll('#files thead th');
  // The header says who made the report; the legend says what it means.
  const custody = document.querySelector('table.custody tbody td');
  out.push('custody=' + (custody !== null && custody.textContent.startsWith('provenant ')));
  out.push('legend=' + document.querySelectorAll('dl.legend dt').length);
  // Triage order: priority (cell 1, after the thumbnail), then P from the
  // most camera-like, no P last.
  const key = r => [parseInt(r.cells[1].textContent), parseFloat(r.dataset.p)];
  const ordered = rows().every((r, i, all) => {
    if (i === 0) return true;
    const [a, pa] = key(all[i - 1]), [b, pb] = key(r);
    return a < b || (a === b && (isNaN(pb) || (!isNaN(pa) && pa <= pb)));
  });
  out.push('triage=' + ordered);
  const col = Array.from(th).findIndex(h => h.textContent === 'path');
  th[col].click();
  out.push('arrow=' + th[col].getAttribute('aria-sort'));
  const paths = rows().map(r => r.cells[col].textContent);
  const sorted = [...paths].sort((a, b) => a.localeCompare(b));
  out.push('sorted=' + (JSON.stringify(paths) === JSON.stringify(sorted)));
  th[col].click();
  out.push('reversed=' + (rows()[0].cells[col].textContent === paths[paths.length - 1]));
  const verdict = document.getElementById('verdict');
  verdict.value = 'declared-synthetic';
  verdict.dispatchEvent(new Event('change'));
  out.push('declared=' + rows().filter(r => !r.hidden).length);
  verdict.value = '';
  verdict.dispatchEvent(new Event('change'));
  const filter = document.getElementById('filter');
  filter.value = 'comfyui';
  filter.dispatchEvent(new Event('input'));
  out.push('filtered=' + rows().filter(r => !r.hidden).length);
  document.body.dataset.test = out.join(';');
});
</script>"#;

#[test]
fn the_html_report_sorts_and_filters_in_a_real_browser_without_console_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("scan");
    let run = provenant()
        .arg("scan")
        .arg(crate::common::fixture("ok"))
        .args(["--quiet", "--thumbnails", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let report = out.join("report.html");
    let with_thumbnails = std::fs::read_to_string(&report).unwrap();
    assert!(
        with_thumbnails
            .matches("<img alt=\"\" src=\"data:image/jpeg;base64,")
            .count()
            >= 10
    );
    let html = std::fs::read_to_string(&report).unwrap();
    let declared = html.matches("data-verdict=\"declared-synthetic\"").count();
    assert!(declared >= 5);
    let page = tmp.path().join("test.html");
    std::fs::write(
        &page,
        html.replace("</body>", &format!("{BROWSER_TEST}</body>")),
    )
    .unwrap();

    let loaded = chromium(&["--enable-logging=stderr", "--v=0", "--dump-dom"], &page);
    assert!(loaded.status.success(), "{loaded:?}");
    let dom = String::from_utf8_lossy(&loaded.stdout);
    let legend = html.matches("<dt>").count();
    assert!(legend >= 14, "{legend} legend entries");
    let expected = format!(
        "data-test=\"custody=true;legend={legend};triage=true;arrow=ascending;sorted=true;reversed=true;declared={declared};filtered=1\""
    );
    assert!(
        dom.contains(&expected),
        "{expected} not in the page after the clicks"
    );
    let log = String::from_utf8_lossy(&loaded.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console output: {console:?}");

    // A screenshot of the unmodified page, kept as a test artifact.
    let artifacts = crate::common::root().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("report-html.png");
    let _ = std::fs::remove_file(&shot);
    let screenshot = chromium(
        &[
            "--window-size=1280,900",
            &format!("--screenshot={}", shot.display()),
        ],
        &report,
    );
    assert!(screenshot.status.success(), "{screenshot:?}");
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
}

/// The thumbnails of an HTML report, in row order.
fn thumbnails_in(report: &Path) -> Vec<String> {
    let html = std::fs::read_to_string(report).unwrap();
    html.split("src=\"data:image/jpeg;base64,")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

#[test]
fn thumbnails_come_from_the_scans_own_decode_and_files_it_lacks_are_decoded_again() {
    let tmp = tempfile::tempdir().unwrap();
    let scan = |out: &Path, extra: &[&str]| {
        let run = provenant()
            .arg("scan")
            .arg(crate::common::fixture("ok"))
            .arg("--quiet")
            .args(extra)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{run:?}");
    };
    let first = tmp.path().join("first");
    scan(&first, &["--thumbnails"]);
    let made = thumbnails_in(&first.join("report.html"));
    assert!(made.len() >= 10);
    // One stored thumbnail per decoded file, made while the scan decoded it.
    let store = std::fs::read_to_string(first.join(".provenant-thumbnails")).unwrap();
    assert_eq!(store.lines().count(), made.len());

    // A scan made without thumbnails, resumed with them: every file is
    // already recorded, so none is in the store, and each is decoded again.
    let second = tmp.path().join("second");
    scan(&second, &[]);
    assert!(thumbnails_in(&second.join("report.html")).is_empty());
    scan(&second, &["--resume", "--thumbnails"]);
    let store = std::fs::read_to_string(second.join(".provenant-thumbnails")).unwrap();
    assert_eq!(store.lines().count(), 0);
    assert_eq!(thumbnails_in(&second.join("report.html")), made);
}
