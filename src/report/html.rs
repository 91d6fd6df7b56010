//! `report.html`: self-contained pages (no network, no external script,
//! style or font). The first says who made the scan and when (for the
//! chain of custody), the totals by verdict, flag and error, a legend, a
//! histogram of probabilities and the list of pages, above the most urgent
//! files; the triage list goes on in pages of [`PAGE_ROWS`] files in a
//! folder beside it, each page sortable and filterable, each linked to the
//! summary and its neighbours. It never shows the pictures.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::summary::{errors, flags};
use super::{FileReport, ScanInfo, Totals, Verdict, BINS};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

const VERDICTS: [Verdict; 5] = [
    Verdict::VerifiedAuthentic,
    Verdict::LikelyAuthentic,
    Verdict::Inconclusive,
    Verdict::LikelySynthetic,
    Verdict::DeclaredSynthetic,
];

const STYLE: &str = "body{font:14px sans-serif;margin:1.5em;color:#222}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}\
th{background:#eee;cursor:pointer;user-select:none}td.num{text-align:right}td.verdict{white-space:nowrap}\
th[aria-sort=ascending]::after{content:' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}\
.totals span{display:inline-block;margin-right:1.2em}.err{color:#a00}\
code{font-size:11px}.full{display:none}\
table.custody{width:auto;margin-bottom:1em}table.custody th{cursor:default}\
dl.legend{display:grid;grid-template-columns:max-content auto;gap:2px 1em;margin:0.5em 0 1em}dl.legend dt{font-weight:bold}dl.legend dd{margin:0}";

/// What each priority, verdict and flag means, said once for the page.
const LEGEND: &[(&str, &str)] = &[
    ("priority 1", "look first: likely or verified camera photos, and AI-edited real photos (they still show a real person)"),
    ("priority 2", "inconclusive: the evidence does not decide"),
    ("priority 3", "likely synthetic, on the pixels"),
    ("priority 4", "declared synthetic: the file says it was made by AI"),
    ("within a priority", "rows run from the most camera-like P(synthetic) to the least; files with no P come last"),
    ("verified-authentic", "a trusted C2PA manifest declares a camera capture"),
    ("likely-authentic", "strong camera evidence, or a pixel P(synthetic) at or below the model's likely-authentic threshold (at most 5% of the synthetic images the model was checked on score that low)"),
    ("inconclusive", "nothing decides; the filter can show those whose P leans to either side of 0.5"),
    ("likely-synthetic", "a pixel P(synthetic) at or above the model's likely-synthetic threshold (set so that at most 1% of the real photos the model was checked on score that high)"),
    ("declared-synthetic", "the file declares AI generation (generator parameters, IPTC digital source type, C2PA, a known AI service's tag)"),
    ("ai-edited", "a real photo declared edited by AI"),
    ("camera-exif-on-resave", "camera EXIF, but the JPEG was re-saved by software: the EXIF may not belong to these pixels"),
    ("c2pa-invalid", "a Content Credentials manifest is present but fails validation"),
    ("c2pa-stripped", "XMP points to a Content Credentials manifest that is no longer in the file"),
    ("pixels-not-analysed", "no pixel evidence (format without decoder, decode error, or --no-pixels)"),
    ("stealth-payload", "generation parameters hidden in the pixels' least significant bits"),
    ("local-noise-region", "a region with much less noise than the rest: weak evidence of a local edit"),
    ("hashlist-match", "the file matches a supplied hash list"),
];

const SCRIPT: &str = r#"
const table = document.getElementById('files');
const body = table.tBodies[0];
let sortCol = -1, sortUp = true;
table.tHead.addEventListener('click', e => {
  const th = e.target.closest('th'); if (!th) return;
  const col = th.cellIndex;
  sortUp = col === sortCol ? !sortUp : true; sortCol = col;
  for (const h of table.tHead.rows[0].cells) h.removeAttribute('aria-sort');
  th.setAttribute('aria-sort', sortUp ? 'ascending' : 'descending');
  const key = tr => tr.cells[col].dataset.sort ?? tr.cells[col].textContent;
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
    const c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
    return sortUp ? c : -c;
  });
  rows.forEach(r => body.appendChild(r));
  document.getElementById('order').textContent = th.textContent + (sortUp ? ', ascending' : ', descending');
});
function applyFilter() {
  const text = document.getElementById('filter').value.toLowerCase();
  const [verdict, lean] = document.getElementById('verdict').value.split(':');
  let shown = 0;
  for (const tr of body.rows) {
    const p = parseFloat(tr.dataset.p);
    const leans = !lean || (lean === 'real' ? p < 0.5 : p >= 0.5);
    const ok = (!verdict || tr.dataset.verdict === verdict) && leans &&
      (!text || tr.textContent.toLowerCase().includes(text));
    tr.hidden = !ok; if (ok) shown++;
  }
  document.getElementById('shown').textContent = shown;
}
document.getElementById('filter').addEventListener('input', applyFilter);
document.getElementById('verdict').addEventListener('change', applyFilter);
"#;

/// The chain-of-custody table: one row per part of the scan.
fn custody(parts: &[ScanInfo]) -> String {
    let mut h = String::from(
        "<table class=\"custody\"><thead><tr><th>tool</th><th>model</th><th>scan started</th><th>roots</th><th>command line</th></tr></thead><tbody>",
    );
    for p in parts {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            escape(&p.tool),
            escape(p.model.as_deref().unwrap_or("none")),
            escape(&p.started),
            escape(&p.roots.join(", ")),
            escape(&p.command_line.join(" ")),
        );
    }
    if parts.is_empty() {
        h.push_str("<tr><td colspan=\"5\">not from a scan journal</td></tr>");
    }
    h + "</tbody></table>\n"
}

/// A digest shortened to 12 characters, whole on hover and in the text a
/// copy or a search sees.
fn short_hash(hex: &str) -> String {
    let short: String = hex.chars().take(12).collect();
    format!(
        "<span title=\"{0}\">{1}…</span><span class=\"full\">{0}</span>",
        escape(hex),
        escape(&short)
    )
}

/// How the triage list is cut into pages: the first on the summary page,
/// the others in a folder beside it, so that no file grows with the
/// collection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Paging {
    /// Rows per page.
    pub rows: usize,
    /// The summary page's file name, e.g. `report.html`.
    pub summary: String,
    /// The folder of the other pages, beside the summary page, e.g.
    /// `report-pages`.
    pub folder: String,
}

/// Rows per page of the triage list: about 1 MB of HTML (5-6 MB with
/// thumbnails).
pub const PAGE_ROWS: usize = 2_000;

impl Paging {
    /// Pages of `PAGE_ROWS` for a summary page named `summary`, the others
    /// in `<stem>-pages/`.
    pub(crate) fn for_summary(summary: &str) -> Self {
        let stem = summary.strip_suffix(".html").unwrap_or(summary);
        Paging {
            rows: PAGE_ROWS,
            summary: summary.to_string(),
            folder: format!("{stem}-pages"),
        }
    }

    /// Pages for `files` rows (one, empty, for none).
    pub fn pages(&self, files: usize) -> usize {
        files.div_ceil(self.rows.max(1)).max(1)
    }

    /// The file name of page `number` (from 1) in [`Paging::folder`]; page 1
    /// is the summary page.
    pub fn file_name(number: usize) -> String {
        format!("page-{number:04}.html")
    }

    /// The link from page `from` to page `to`.
    fn href(&self, from: usize, to: usize) -> String {
        match (from, to) {
            (1, 1) => self.summary.clone(),
            (1, _) => format!("{}/{}", self.folder, Self::file_name(to)),
            (_, 1) => format!("../{}", self.summary),
            _ => Self::file_name(to),
        }
    }
}

/// One row of the triage list; `rank` counts from 0 over the whole list,
/// `thumbnails` says whether the table has a thumbnail column.
pub fn row(rank: usize, r: &FileReport, thumbnail: Option<&str>, thumbnails: bool) -> String {
    let p = r
        .synthetic_probability
        .map_or(String::new(), |p| format!("{p:.3}"));
    let hashes = r.hashes.as_ref().map_or(String::new(), |x| {
        format!("{}<br>{}", short_hash(&x.sha256), short_hash(&x.md5))
    });
    let thumb = match thumbnail {
        Some(uri) => format!("<td><img alt=\"\" src=\"{}\"></td>", escape(uri)),
        None if thumbnails => "<td></td>".to_string(),
        None => String::new(),
    };
    // Sorting by priority restores the triage order, files with no P last.
    format!(
        "<tr data-verdict=\"{v}\" data-p=\"{}\">{thumb}<td class=\"num\" data-sort=\"{rank}\">{}</td><td class=\"verdict\">{v}</td><td class=\"num\" data-sort=\"{}\">{p}</td>\
<td>{}</td><td>{}</td><td>{}</td><td><code>{hashes}</code></td><td class=\"err\">{}</td></tr>\n",
        r.synthetic_probability.map_or("NaN".to_string(), |p| p.to_string()),
        r.priority,
        r.synthetic_probability.map_or(2.0, |p| p),
        escape(&r.path),
        escape(r.explanations.first().map_or("", String::as_str)),
        escape(&flags(r)),
        escape(&errors(r)),
        v = r.verdict.as_str(),
    )
}

/// Page `number` (from 1) of the report, around its `rows` ([`row`]):
/// page 1 is the summary (custody, totals, flags and errors, legend,
/// histogram, the list of pages) with the most urgent files; the others
/// carry the custody table and links. `thumbnails`: whether the rows have a
/// thumbnail column.
pub fn page(
    number: usize,
    rows: &str,
    parts: &[ScanInfo],
    totals: &Totals,
    paging: &Paging,
    thumbnails: bool,
) -> String {
    let pages = paging.pages(totals.files);
    let first = (number - 1) * paging.rows;
    let shown = totals.files.saturating_sub(first).min(paging.rows);
    let title = if pages == 1 {
        "provenant report".to_string()
    } else {
        format!("provenant report, page {number} of {pages}")
    };
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
<title>{title}</title><style>{STYLE}</style></head><body>\n<h1>{title}</h1>\n{}",
        custody(parts),
    );
    if number == 1 {
        summary(&mut h, totals, paging);
    } else {
        let _ = writeln!(
            h,
            "<nav><a href=\"{}\">summary, legend and all pages</a> · <a href=\"{}\">previous page</a>{}</nav>",
            paging.href(number, 1),
            paging.href(number, number - 1),
            if number < pages {
                format!(" · <a href=\"{}\">next page</a>", paging.href(number, number + 1))
            } else {
                String::new()
            },
        );
    }
    if pages > 1 {
        let _ = writeln!(
            h,
            "<p>Files {} to {} of {} in triage order; sorting and filtering apply to this page.</p>",
            first + 1,
            first + shown,
            totals.files
        );
    }
    h.push_str("<p><label>Filter <input id=\"filter\" type=\"search\" placeholder=\"path, evidence, hash…\"></label> \
<label>Verdict <select id=\"verdict\"><option value=\"\">all</option>");
    for v in VERDICTS {
        let _ = write!(h, "<option>{}</option>", v.as_str());
        if v == Verdict::Inconclusive {
            h.push_str("<option value=\"inconclusive:real\">inconclusive, leaning camera (P &lt; 0.5)</option>\
<option value=\"inconclusive:synthetic\">inconclusive, leaning synthetic (P &ge; 0.5)</option>");
        }
    }
    let _ = writeln!(
        h,
        "</select></label> <span id=\"shown\">{shown}</span> shown. Order: <span id=\"order\">triage (priority, then P(synthetic) from the most camera-like)</span>; click a column header to sort.</p>",
    );
    h.push_str("<table id=\"files\"><thead><tr>");
    if thumbnails {
        h.push_str("<th>thumbnail (blurred)</th>");
    }
    h.push_str("<th>priority</th><th>verdict</th><th>P(synthetic)</th><th>path</th>\
<th>deciding evidence</th><th>flags</th><th>SHA-256 / MD5</th><th>errors</th></tr></thead><tbody>\n");
    h.push_str(rows);
    let _ = write!(
        h,
        "</tbody></table>\n<script>{SCRIPT}</script>\n</body></html>\n"
    );
    h
}

/// The summary of page 1: totals, flags and errors, legend, histogram and,
/// for more than one page, the list of pages.
fn summary(h: &mut String, totals: &Totals, paging: &Paging) {
    let _ = write!(
        h,
        "<p class=\"totals\"><span><b>{}</b> files</span>",
        totals.files
    );
    for v in VERDICTS {
        let n = totals.verdicts.get(v.as_str()).copied().unwrap_or(0);
        let _ = write!(h, "<span>{}: <b>{n}</b></span>", v.as_str());
    }
    let _ = writeln!(
        h,
        "<span class=\"err\">with errors: <b>{}</b></span></p>",
        totals.with_errors
    );
    for (what, counts) in [
        ("flags", &totals.flags),
        ("errors by stage", &totals.errors),
    ] {
        if counts.is_empty() {
            continue;
        }
        let _ = write!(h, "<p class=\"totals\">{what}: ");
        for (name, n) in counts {
            let _ = write!(h, "<span>{}: <b>{n}</b></span>", escape(name));
        }
        h.push_str("</p>\n");
    }
    h.push_str("<details open><summary>How to read this report</summary><dl class=\"legend\">");
    for (term, meaning) in LEGEND {
        let _ = write!(h, "<dt>{term}</dt><dd>{meaning}</dd>");
    }
    h.push_str("</dl></details>\n");
    h.push_str(&histogram(&totals.histogram));
    let pages = paging.pages(totals.files);
    if pages > 1 {
        let _ = write!(
            h,
            "<details open><summary>{pages} pages of {} files, in triage order</summary><ol class=\"pages\">",
            paging.rows
        );
        for k in 1..=pages {
            let first = (k - 1) * paging.rows;
            let last = (k * paging.rows).min(totals.files);
            let span = priority_span(&totals.priorities, first, last - 1);
            let _ = write!(
                h,
                "<li><a href=\"{}\">files {} to {}</a> ({span}){}</li>",
                paging.href(1, k),
                first + 1,
                last,
                if k == 1 { ", below" } else { "" }
            );
        }
        h.push_str("</ol></details>\n");
    }
}

/// The priorities of the files ranked `first` to `last` (from 0), from the
/// files per priority.
fn priority_span(priorities: &BTreeMap<u8, usize>, first: usize, last: usize) -> String {
    let at = |rank: usize| {
        let mut end = 0;
        priorities.iter().find_map(|(&p, &n)| {
            end += n;
            (rank < end).then_some(p)
        })
    };
    match (at(first), at(last)) {
        (Some(a), Some(b)) if a == b => format!("priority {a}"),
        (Some(a), Some(b)) => format!("priorities {a} to {b}"),
        _ => String::new(),
    }
}

/// An inline SVG bar chart of P(synthetic) in ten bins, with its axes;
/// bars coloured from camera-like (blue) to synthetic-like (red).
fn histogram(counts: &[usize; BINS]) -> String {
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (left, w, h, bar) = (40.0, 420.0, 120.0, 40.0);
    let mut svg = format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"histogram of P(synthetic)\">\
<line x1=\"{left}\" y1=\"0\" x2=\"{left}\" y2=\"{h}\" stroke=\"#444\"/><line x1=\"{left}\" y1=\"{h}\" x2=\"{}\" y2=\"{h}\" stroke=\"#444\"/>\
<text x=\"{}\" y=\"10\" font-size=\"10\" text-anchor=\"end\">{max}</text><text x=\"{}\" y=\"{h}\" font-size=\"10\" text-anchor=\"end\">0</text>\
<text x=\"10\" y=\"{}\" font-size=\"10\" transform=\"rotate(-90 10 {})\" text-anchor=\"middle\">files</text>",
        left + w + 10.0,
        h + 44.0,
        left + w,
        left - 4.0,
        left - 4.0,
        h / 2.0,
        h / 2.0,
    );
    for (i, &n) in counts.iter().enumerate() {
        let bh = h * n as f64 / max as f64;
        let x = left + 1.0 + i as f64 * (bar + 2.0);
        let t = (i as f64 + 0.5) / BINS as f64;
        let colour = format!(
            "rgb({},{},{})",
            (60.0 + 170.0 * t) as u8,
            90,
            (200.0 - 150.0 * t) as u8
        );
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{bh}\" fill=\"{colour}\"><title>{:.1}-{:.1}: {n}</title></rect>\
<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{:.1}</text>",
            h - bh,
            i as f64 / BINS as f64,
            (i + 1) as f64 / BINS as f64,
            x,
            h + 14.0,
            i as f64 / BINS as f64,
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">1.0</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">P(synthetic): camera-like (blue) to synthetic-like (red)</text>",
        left + w,
        h + 14.0,
        left + w / 2.0,
        h + 34.0
    );
    svg + "</svg><figcaption>Files per P(synthetic) bin, 0 to 1 in steps of 0.1 (files without a probability not shown).</figcaption></figure>\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_strings_are_escaped_and_nothing_is_fetched() {
        let mut r = FileReport::empty("<img src=x onerror=alert(1)>.jpg".into());
        r.explanations = vec!["\"quoted\" & <b>".into()];
        r.synthetic_probability = Some(0.95);
        let totals = Totals {
            files: 1,
            ..Totals::default()
        };
        let paging = Paging::for_summary("report.html");
        let page = page(1, &row(0, &r, None, false), &[], &totals, &paging, false);
        assert!(!page.contains("<img"), "{page}");
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;.jpg"));
        assert!(page.contains("&quot;quoted&quot; &amp; &lt;b&gt;"));
        for external in ["http://", "https://", "src=\"", "href="] {
            let hits = page.matches(external).count();
            let allowed = usize::from(external == "http://"); // the SVG namespace
            assert_eq!(hits, allowed, "{external}");
        }
    }

    #[test]
    fn pages_link_to_each_other_and_say_which_files_they_hold() {
        let paging = Paging {
            rows: 2,
            ..Paging::for_summary("report.html")
        };
        let totals = Totals {
            files: 5,
            priorities: BTreeMap::from([(1, 3), (3, 2)]),
            ..Totals::default()
        };
        assert_eq!(paging.pages(5), 3);
        assert_eq!(paging.pages(0), 1);
        let first = page(1, "", &[], &totals, &paging, false);
        for (link, span) in [
            ("report.html\">files 1 to 2", "priority 1"),
            (
                "report-pages/page-0002.html\">files 3 to 4",
                "priorities 1 to 3",
            ),
            ("report-pages/page-0003.html\">files 5 to 5", "priority 3"),
        ] {
            assert!(
                first.contains(&format!("{link}</a> ({span})")),
                "{link}: {first}"
            );
        }
        let middle = page(2, "", &[], &totals, &paging, false);
        for link in ["../report.html", "page-0001.html\"", "page-0003.html"] {
            let present = middle.contains(link);
            assert_eq!(present, link != "page-0001.html\"", "{link}");
        }
        assert!(middle.contains("Files 3 to 4 of 5"));
        assert!(middle.contains("<span id=\"shown\">2</span>"));
        let last = page(3, "", &[], &totals, &paging, false);
        assert!(!last.contains("next page"));
        assert!(last.contains("<span id=\"shown\">1</span>"));
    }
}
