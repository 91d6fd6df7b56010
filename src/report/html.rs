//! `report.html`: one self-contained page (no network, no external script,
//! style or font): who made it and when (for the chain of custody), a
//! legend, totals by verdict, a histogram of probabilities and a sortable,
//! filterable table in triage order. It never shows the pictures.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use super::summary::{errors, flags, triage_order};
use super::{FileReport, ScanInfo, Verdict};

/// Histogram bins over [0, 1].
const BINS: usize = 10;

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

/// Renders the page; `parts` say who made the scan and when, `thumbnails`
/// maps paths to `data:` URIs (empty: no thumbnail column).
pub fn render(
    files: &[FileReport],
    parts: &[ScanInfo],
    thumbnails: &HashMap<String, String>,
) -> String {
    let mut by_verdict: BTreeMap<&str, usize> = BTreeMap::new();
    for f in files {
        *by_verdict.entry(f.verdict.as_str()).or_default() += 1;
    }
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
<title>provenant report</title><style>{STYLE}</style></head><body>\n\
<h1>provenant report</h1>\n{}<p class=\"totals\"><span><b>{}</b> files</span>",
        custody(parts),
        files.len()
    );
    for v in VERDICTS {
        let n = by_verdict.get(v.as_str()).copied().unwrap_or(0);
        let _ = write!(h, "<span>{}: <b>{n}</b></span>", v.as_str());
    }
    let with_errors = files.iter().filter(|f| !f.errors.is_empty()).count();
    let _ = writeln!(
        h,
        "<span class=\"err\">with errors: <b>{with_errors}</b></span></p>"
    );
    h.push_str("<details open><summary>How to read this report</summary><dl class=\"legend\">");
    for (term, meaning) in LEGEND {
        let _ = write!(h, "<dt>{term}</dt><dd>{meaning}</dd>");
    }
    h.push_str("</dl></details>\n");
    h.push_str(&histogram(files));
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
        "</select></label> <span id=\"shown\">{}</span> shown. Order: <span id=\"order\">triage (priority, then P(synthetic) from the most camera-like)</span>; click a column header to sort.</p>",
        files.len()
    );
    let thumbs = !thumbnails.is_empty();
    h.push_str("<table id=\"files\"><thead><tr>");
    if thumbs {
        h.push_str("<th>thumbnail (blurred)</th>");
    }
    h.push_str("<th>priority</th><th>verdict</th><th>P(synthetic)</th><th>path</th>\
<th>deciding evidence</th><th>flags</th><th>SHA-256 / MD5</th><th>errors</th></tr></thead><tbody>\n");
    for (rank, r) in triage_order(files).into_iter().enumerate() {
        let p = r
            .synthetic_probability
            .map_or(String::new(), |p| format!("{p:.3}"));
        let hashes = r.hashes.as_ref().map_or(String::new(), |x| {
            format!("{}<br>{}", short_hash(&x.sha256), short_hash(&x.md5))
        });
        let thumb = match thumbnails.get(&r.path) {
            Some(uri) => format!("<td><img alt=\"\" src=\"{}\"></td>", escape(uri)),
            None if thumbs => "<td></td>".to_string(),
            None => String::new(),
        };
        // Sorting by priority restores the triage order, files with no P last.
        let _ = writeln!(
            h,
            "<tr data-verdict=\"{v}\" data-p=\"{}\">{thumb}<td class=\"num\" data-sort=\"{rank}\">{}</td><td class=\"verdict\">{v}</td><td class=\"num\" data-sort=\"{}\">{p}</td>\
<td>{}</td><td>{}</td><td>{}</td><td><code>{hashes}</code></td><td class=\"err\">{}</td></tr>",
            r.synthetic_probability.map_or("NaN".to_string(), |p| p.to_string()),
            r.priority,
            r.synthetic_probability.map_or(2.0, |p| p),
            escape(&r.path),
            escape(r.explanations.first().map_or("", String::as_str)),
            escape(&flags(r)),
            escape(&errors(r)),
            v = r.verdict.as_str(),
        );
    }
    let _ = write!(
        h,
        "</tbody></table>\n<script>{SCRIPT}</script>\n</body></html>\n"
    );
    h
}

/// An inline SVG bar chart of P(synthetic) in ten bins, with its axes;
/// bars coloured from camera-like (blue) to synthetic-like (red).
fn histogram(files: &[FileReport]) -> String {
    let mut counts = [0usize; BINS];
    for p in files.iter().filter_map(|f| f.synthetic_probability) {
        counts[((p * BINS as f64) as usize).min(BINS - 1)] += 1;
    }
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
        let page = render(&[r], &[], &HashMap::new());
        assert!(!page.contains("<img"), "{page}");
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;.jpg"));
        assert!(page.contains("&quot;quoted&quot; &amp; &lt;b&gt;"));
        for external in ["http://", "https://", "src=\"", "href="] {
            let hits = page.matches(external).count();
            let allowed = usize::from(external == "http://"); // the SVG namespace
            assert_eq!(hits, allowed, "{external}");
        }
    }
}
