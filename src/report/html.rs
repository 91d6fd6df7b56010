//! `report.html`: one self-contained page (no network, no external script,
//! style or font) with totals by verdict, a histogram of probabilities and a
//! sortable, filterable table. It never shows the pictures.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use super::summary::{errors, flags, triage_order};
use super::{FileReport, Verdict};

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
th{background:#eee;cursor:pointer;user-select:none}td.num{text-align:right}\
.totals span{display:inline-block;margin-right:1.2em}.err{color:#a00}code{word-break:break-all;font-size:11px;display:inline-block;width:33ch}";

const SCRIPT: &str = r#"
const table = document.getElementById('files');
const body = table.tBodies[0];
let sortCol = -1, sortUp = true;
table.tHead.addEventListener('click', e => {
  const th = e.target.closest('th'); if (!th) return;
  const col = th.cellIndex;
  sortUp = col === sortCol ? !sortUp : true; sortCol = col;
  const key = tr => tr.cells[col].dataset.sort ?? tr.cells[col].textContent;
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
    const c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
    return sortUp ? c : -c;
  });
  rows.forEach(r => body.appendChild(r));
});
function applyFilter() {
  const text = document.getElementById('filter').value.toLowerCase();
  const verdict = document.getElementById('verdict').value;
  let shown = 0;
  for (const tr of body.rows) {
    const ok = (!verdict || tr.dataset.verdict === verdict) &&
      (!text || tr.textContent.toLowerCase().includes(text));
    tr.hidden = !ok; if (ok) shown++;
  }
  document.getElementById('shown').textContent = shown;
}
document.getElementById('filter').addEventListener('input', applyFilter);
document.getElementById('verdict').addEventListener('change', applyFilter);
"#;

/// Renders the page; `thumbnails` maps paths to `data:` URIs (empty: no
/// thumbnail column).
pub fn render(files: &[FileReport], thumbnails: &HashMap<String, String>) -> String {
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
<h1>provenant report</h1>\n<p class=\"totals\"><span><b>{}</b> files</span>",
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
    h.push_str(&histogram(files));
    h.push_str("<p><label>Filter <input id=\"filter\" type=\"search\" placeholder=\"path, evidence, hash…\"></label> \
<label>Verdict <select id=\"verdict\"><option value=\"\">all</option>");
    for v in VERDICTS {
        let _ = write!(h, "<option>{}</option>", v.as_str());
    }
    let _ = writeln!(
        h,
        "</select></label> <span id=\"shown\">{}</span> shown. Click a column header to sort.</p>",
        files.len()
    );
    let thumbs = !thumbnails.is_empty();
    h.push_str("<table id=\"files\"><thead><tr>");
    if thumbs {
        h.push_str("<th>thumbnail (blurred)</th>");
    }
    h.push_str("<th>priority</th><th>verdict</th><th>P(synthetic)</th><th>path</th>\
<th>deciding evidence</th><th>flags</th><th>SHA-256 / MD5</th><th>errors</th></tr></thead><tbody>\n");
    for r in triage_order(files) {
        let p = r
            .synthetic_probability
            .map_or(String::new(), |p| format!("{p:.3}"));
        let hashes = r.hashes.as_ref().map_or(String::new(), |x| {
            format!("{}<br>{}", escape(&x.sha256), escape(&x.md5))
        });
        let thumb = match thumbnails.get(&r.path) {
            Some(uri) => format!("<td><img alt=\"\" src=\"{}\"></td>", escape(uri)),
            None if thumbs => "<td></td>".to_string(),
            None => String::new(),
        };
        let _ = writeln!(
            h,
            "<tr data-verdict=\"{v}\">{thumb}<td class=\"num\">{}</td><td>{v}</td><td class=\"num\" data-sort=\"{}\">{p}</td>\
<td>{}</td><td>{}</td><td>{}</td><td><code>{hashes}</code></td><td class=\"err\">{}</td></tr>",
            r.priority,
            r.synthetic_probability.map_or(-1.0, |p| p),
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

/// An inline SVG bar chart of P(synthetic) in ten bins.
fn histogram(files: &[FileReport]) -> String {
    let mut counts = [0usize; BINS];
    for p in files.iter().filter_map(|f| f.synthetic_probability) {
        counts[((p * BINS as f64) as usize).min(BINS - 1)] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (w, h, bar) = (420.0, 120.0, 40.0);
    let mut svg = format!(
        "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{}\" role=\"img\" aria-label=\"histogram of P(synthetic)\">",
        h + 20.0
    );
    for (i, &n) in counts.iter().enumerate() {
        let bh = h * n as f64 / max as f64;
        let x = i as f64 * (bar + 2.0);
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{bh}\" fill=\"#4a78b5\"><title>{:.1}-{:.1}: {n}</title></rect>\
<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{n}</text>",
            h - bh,
            i as f64 / BINS as f64,
            (i + 1) as f64 / BINS as f64,
            x + bar / 2.0,
            h + 14.0
        );
    }
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
        let page = render(&[r], &HashMap::new());
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
