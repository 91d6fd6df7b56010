//! Parameters that image generators write into the files they produce:
//! A1111/Forge/SD.Next, ComfyUI, InvokeAI (three generations), NovelAI,
//! SwarmUI, Fooocus, Midjourney, and generator names in software fields.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ai_services::{self, Field};
use super::png_text::TextEntry;
use crate::provenance::{Finding, Meaning, Strength};

/// Structured generation parameters, as far as the tool wrote them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GeneratorParams {
    /// The generator or user interface, e.g. "ComfyUI".
    pub tool: String,
    /// Model or checkpoint name.
    pub model: Option<String>,
    /// Random seed.
    pub seed: Option<String>,
    /// Sampler or scheduler.
    pub sampler: Option<String>,
    /// Sampling steps.
    pub steps: Option<u64>,
    /// Guidance (CFG) scale.
    pub cfg_scale: Option<f64>,
    /// Output size "WxH".
    pub size: Option<String>,
    /// The prompt (sanitized, whitespace folded, at most
    /// [`MAX_PROMPT_CHARS`] characters). Evidence in the JSONL record only:
    /// human-facing outputs say that a prompt exists and its length, not
    /// its words, unless asked (`analyze --show-prompts`).
    pub prompt: Option<String>,
}

/// Recognises generator payloads among text entries. Returns the parameters
/// of the first recognised payload (or of a generator named in a software
/// field) and one finding per recognised entry, payloads first.
pub(crate) fn recognise(entries: &[TextEntry]) -> (Option<GeneratorParams>, Vec<Finding>) {
    let mut params: Option<GeneratorParams> = None;
    let mut findings = Vec::new();
    let mut mentions = Vec::new();
    let mut mentioned: Option<GeneratorParams> = None;
    let novelai = entries
        .iter()
        .any(|e| e.key == "Software" && e.value.trim() == "NovelAI");
    for entry in entries {
        let parsed = match entry.key.as_str() {
            "parameters" => Some(parse_parameters(&entry.value)),
            "prompt" | "workflow" if is_comfy(&entry.value) => Some(parse_comfy(&entry.value)),
            "invokeai_metadata" | "sd-metadata" => Some(parse_invoke_json(&entry.value)),
            "invokeai_graph" => Some(tool_only("InvokeAI")),
            "Dream" => Some(parse_dream(&entry.value)),
            "sui_image_params" => Some(parse_swarm(&entry.value)),
            "fooocus_scheme" => Some(tool_only("Fooocus")),
            "Comment" if novelai => Some(parse_novelai(&entry.value, entries)),
            "UserComment" if looks_like_a1111(&entry.value) => Some(parse_parameters(&entry.value)),
            "Description" if entry.value.contains("Job ID:") => Some(tool_only("Midjourney")),
            _ => None,
        };
        match parsed {
            Some(p) => {
                findings.push(Finding::new(
                    entry.source,
                    &entry.key,
                    &p.describe(),
                    Meaning::AiGenerated,
                    Strength::Declared,
                ));
                if params.is_none() {
                    params = Some(p);
                }
            }
            None => {
                let field = Field::of_key(&entry.key);
                if let Some(m) = ai_services::find(&entry.value, field) {
                    mentions.push(Finding::new(
                        entry.source,
                        &entry.key,
                        &ai_services::quoted(&entry.value, &m, field),
                        m.service.meaning,
                        m.strength,
                    ));
                    let declared = m.strength == Strength::Declared;
                    if mentioned.is_none() && declared && m.service.meaning == Meaning::AiGenerated
                    {
                        mentioned = Some(tool_only(&m.service.service));
                    }
                }
            }
        }
    }
    // Parsed generator payloads come before mere name mentions.
    findings.extend(mentions);
    (params.or(mentioned), findings)
}

impl GeneratorParams {
    /// One line: "ComfyUI parameters: model X, seed 42, 20 steps, ...,
    /// a prompt of 31 characters (not shown)". Prompts on seized material
    /// can describe abuse in words, so the words are not part of it (they
    /// stay in `prompt`, for `analyze --show-prompts` and the JSONL).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(m) = &self.model {
            parts.push(format!("model {m}"));
        }
        if let Some(s) = &self.seed {
            parts.push(format!("seed {s}"));
        }
        if let Some(n) = self.steps {
            parts.push(format!("{n} steps"));
        }
        if let Some(s) = &self.sampler {
            parts.push(format!("sampler {s}"));
        }
        if let Some(c) = self.cfg_scale {
            parts.push(format!("CFG {c}"));
        }
        if let Some(s) = &self.size {
            parts.push(format!("size {s}"));
        }
        if let Some(p) = &self.prompt {
            let n = p.chars().count();
            let more = if n >= MAX_PROMPT_CHARS { "over " } else { "" };
            parts.push(format!("a prompt of {more}{n} characters (not shown)"));
        }
        if parts.is_empty() {
            format!("{} generation data", self.tool)
        } else {
            format!("{} parameters: {}", self.tool, parts.join(", "))
        }
    }
}

fn tool_only(tool: &str) -> GeneratorParams {
    GeneratorParams {
        tool: tool.to_string(),
        ..Default::default()
    }
}

fn looks_like_a1111(text: &str) -> bool {
    (text.starts_with("Steps: ") || text.contains("\nSteps: ")) && text.contains("Sampler: ")
}

/// A1111-style text: prompt lines, "Negative prompt: ...", then a line of
/// `Key: value` pairs ("Steps: 20, Sampler: Euler a, CFG scale: 7, ...").
/// Fooocus writes JSON under the same key.
fn parse_parameters(text: &str) -> GeneratorParams {
    if let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) {
        let j = Value::Object(map);
        return GeneratorParams {
            tool: "Fooocus".into(),
            model: str_at(&j, &["base_model"]),
            seed: scalar_at(&j, &["seed"]),
            sampler: str_at(&j, &["sampler"]),
            steps: u64_at(&j, &["steps"]),
            cfg_scale: f64_at(&j, &["guidance_scale"]),
            size: str_at(&j, &["resolution"]),
            prompt: str_at(&j, &["prompt"]).map(prompt_text),
        };
    }
    let settings_line = text
        .lines()
        .rev()
        .find(|l| l.starts_with("Steps: "))
        .unwrap_or_default();
    let pairs = split_pairs(settings_line);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    let version = get("Version").unwrap_or_default();
    let tool = if get("App").is_some_and(|a| a.contains("SD.Next")) {
        "SD.Next"
    } else if version.starts_with('f') && version[1..].starts_with(|c: char| c.is_ascii_digit()) {
        "Stable Diffusion WebUI Forge"
    } else {
        "Stable Diffusion WebUI (A1111)"
    };
    let prompt = text
        .split("\nNegative prompt:")
        .next()
        .filter(|p| !p.starts_with("Steps: "))
        .map(prompt_text);
    GeneratorParams {
        tool: tool.into(),
        model: get("Model").or_else(|| get("Model hash")),
        seed: get("Seed"),
        sampler: get("Sampler"),
        steps: get("Steps").and_then(|s| s.parse().ok()),
        cfg_scale: get("CFG scale").and_then(|s| s.parse().ok()),
        size: get("Size"),
        prompt,
    }
}

/// Splits "a: 1, b: \"x, y\", c: 3" into pairs, respecting double quotes.
fn split_pairs(line: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let (mut cur, mut quoted) = (String::new(), false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts
        .iter()
        .filter_map(|p| p.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        .collect()
}

fn is_comfy(text: &str) -> bool {
    text.contains("\"class_type\"") || (text.contains("\"nodes\"") && text.contains("\"links\""))
}

/// ComfyUI's `prompt` (API graph: node id → {class_type, inputs}) or
/// `workflow` (UI graph). Sampler settings come from the first node that has
/// them.
fn parse_comfy(text: &str) -> GeneratorParams {
    let mut p = tool_only("ComfyUI");
    let Ok(Value::Object(graph)) = serde_json::from_str::<Value>(text) else {
        return p;
    };
    for node in graph.values() {
        let Some(inputs) = node.get("inputs") else {
            continue;
        };
        let class = node.get("class_type").and_then(Value::as_str).unwrap_or("");
        p.model = p
            .model
            .or_else(|| str_at(inputs, &["ckpt_name"]).or_else(|| str_at(inputs, &["unet_name"])));
        if inputs.get("steps").is_some() {
            p.seed = p.seed.or_else(|| {
                scalar_at(inputs, &["seed"]).or_else(|| scalar_at(inputs, &["noise_seed"]))
            });
            p.steps = p.steps.or_else(|| u64_at(inputs, &["steps"]));
            p.cfg_scale = p.cfg_scale.or_else(|| f64_at(inputs, &["cfg"]));
            p.sampler = p.sampler.or_else(|| str_at(inputs, &["sampler_name"]));
        }
        if class == "EmptyLatentImage" || class.starts_with("EmptySD3LatentImage") {
            if let (Some(w), Some(h)) = (u64_at(inputs, &["width"]), u64_at(inputs, &["height"])) {
                p.size = Some(format!("{w}x{h}"));
            }
        }
        if class.starts_with("CLIPTextEncode") && p.prompt.is_none() {
            p.prompt = str_at(inputs, &["text"]).map(prompt_text);
        }
    }
    p
}

/// InvokeAI 3+ `invokeai_metadata` and InvokeAI 2 `sd-metadata` JSON.
fn parse_invoke_json(text: &str) -> GeneratorParams {
    let mut p = tool_only("InvokeAI");
    let Ok(j) = serde_json::from_str::<Value>(text) else {
        return p;
    };
    // sd-metadata keeps the generation under "image".
    let g = j.get("image").unwrap_or(&j);
    p.model = str_at(&j, &["model", "model_name"])
        .or_else(|| str_at(&j, &["model", "name"]))
        .or_else(|| str_at(&j, &["model_weights"]))
        .or_else(|| str_at(&j, &["model_id"]));
    p.seed = scalar_at(g, &["seed"]);
    p.steps = u64_at(g, &["steps"]);
    p.cfg_scale = f64_at(g, &["cfg_scale"]);
    p.sampler = str_at(g, &["scheduler"]).or_else(|| str_at(g, &["sampler"]));
    if let (Some(w), Some(h)) = (u64_at(g, &["width"]), u64_at(g, &["height"])) {
        p.size = Some(format!("{w}x{h}"));
    }
    p.prompt = str_at(g, &["positive_prompt"])
        .or_else(|| str_at(g, &["prompt"]))
        .or_else(|| str_at(g, &["prompt", "0", "prompt"]))
        .map(prompt_text);
    p
}

/// InvokeAI 1/2 `Dream` command line: `"prompt" -s 50 -S 42 -W 512 -H 512 -C 7.5 -A k_lms`.
fn parse_dream(text: &str) -> GeneratorParams {
    let mut p = tool_only("InvokeAI");
    let words: Vec<&str> = text.split_whitespace().collect();
    let flag = |f: &str| {
        words.iter().enumerate().find_map(|(i, w)| {
            if *w == f {
                words.get(i + 1).map(|s| s.to_string())
            } else {
                w.strip_prefix(f)
                    .filter(|r| !r.is_empty() && f.len() == 2)
                    .map(str::to_string)
            }
        })
    };
    p.seed = flag("-S");
    p.steps = flag("-s").and_then(|s| s.parse().ok());
    p.cfg_scale = flag("-C").and_then(|s| s.parse().ok());
    p.sampler = flag("-A");
    if let (Some(w), Some(h)) = (flag("-W"), flag("-H")) {
        p.size = Some(format!("{w}x{h}"));
    }
    p.prompt = text
        .split(" -")
        .next()
        .map(|s| prompt_text(s.trim_matches('"')));
    p
}

/// SwarmUI `sui_image_params`.
fn parse_swarm(text: &str) -> GeneratorParams {
    let mut p = tool_only("SwarmUI");
    if let Ok(j) = serde_json::from_str::<Value>(text) {
        let g = j.get("sui_image_params").unwrap_or(&j);
        p.model = str_at(g, &["model"]);
        p.seed = scalar_at(g, &["seed"]);
        p.steps = u64_at(g, &["steps"]);
        p.cfg_scale = f64_at(g, &["cfgscale"]);
        p.sampler = str_at(g, &["sampler"]);
        p.prompt = str_at(g, &["prompt"]).map(prompt_text);
        if let (Some(w), Some(h)) = (u64_at(g, &["width"]), u64_at(g, &["height"])) {
            p.size = Some(format!("{w}x{h}"));
        }
    }
    p
}

/// NovelAI: `Comment` JSON with the settings; `Description` has the prompt,
/// `Source` the model.
pub(crate) fn parse_novelai(comment: &str, entries: &[TextEntry]) -> GeneratorParams {
    let mut p = tool_only("NovelAI");
    let find = |k: &str| entries.iter().find(|e| e.key == k).map(|e| e.value.clone());
    p.model = find("Source");
    p.prompt = find("Description").map(prompt_text);
    if let Ok(j) = serde_json::from_str::<Value>(comment) {
        p.seed = scalar_at(&j, &["seed"]);
        p.steps = u64_at(&j, &["steps"]);
        p.cfg_scale = f64_at(&j, &["scale"]);
        p.sampler = str_at(&j, &["sampler"]);
        if let (Some(w), Some(h)) = (u64_at(&j, &["width"]), u64_at(&j, &["height"])) {
            p.size = Some(format!("{w}x{h}"));
        }
    }
    p
}

fn at<'a>(j: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(j, |v, k| match v {
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => v.get(k),
    })
}

fn str_at(j: &Value, path: &[&str]) -> Option<String> {
    at(j, path).and_then(Value::as_str).map(str::to_string)
}

fn scalar_at(j: &Value, path: &[&str]) -> Option<String> {
    match at(j, path)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn u64_at(j: &Value, path: &[&str]) -> Option<u64> {
    at(j, path).and_then(Value::as_u64)
}

fn f64_at(j: &Value, path: &[&str]) -> Option<f64> {
    at(j, path).and_then(Value::as_f64)
}

/// Most characters of a prompt kept as evidence.
pub const MAX_PROMPT_CHARS: usize = 4000;

/// A prompt as evidence: sanitized, whitespace folded, bounded.
fn prompt_text(s: impl AsRef<str>) -> String {
    crate::sanitize::excerpt(s.as_ref(), MAX_PROMPT_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, value: &str) -> TextEntry {
        TextEntry {
            source: "PNG tEXt",
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn parses_a1111_parameters() {
        let text = "photo of a duck\nNegative prompt: monochrome\nSteps: 15, Sampler: UniPC, CFG scale: 5, Seed: 235284042, Size: 512x400, Model hash: c0d1994c73, Model: realisticVision, Lora hashes: \"a: 1, b: 2\", Version: v1.6.0";
        let (p, f) = recognise(&[entry("parameters", text)]);
        let p = p.unwrap();
        assert_eq!(p.tool, "Stable Diffusion WebUI (A1111)");
        assert_eq!(p.seed.as_deref(), Some("235284042"));
        assert_eq!(p.steps, Some(15));
        assert_eq!(p.cfg_scale, Some(5.0));
        assert_eq!(p.size.as_deref(), Some("512x400"));
        assert_eq!(p.model.as_deref(), Some("realisticVision"));
        assert_eq!(p.prompt.as_deref(), Some("photo of a duck"));
        assert_eq!(f[0].strength, Strength::Declared);
    }

    #[test]
    fn parses_comfyui_and_dream() {
        let prompt = r#"{"3": {"inputs": {"seed": 42, "steps": 20, "cfg": 8.0, "sampler_name": "euler"}, "class_type": "KSampler"},
            "4": {"inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}, "class_type": "CheckpointLoaderSimple"},
            "5": {"inputs": {"width": 1024, "height": 768}, "class_type": "EmptyLatentImage"}}"#;
        let (p, _) = recognise(&[entry("prompt", prompt)]);
        let p = p.unwrap();
        assert_eq!(p.tool, "ComfyUI");
        assert_eq!(p.model.as_deref(), Some("sd_xl_base_1.0.safetensors"));
        assert_eq!((p.seed.as_deref(), p.steps), (Some("42"), Some(20)));
        assert_eq!(p.size.as_deref(), Some("1024x768"));
        let (p, _) = recognise(&[entry(
            "Dream",
            "banana sushi -s 50 -S 42 -W 512 -H 448 -C 7.5 -A k_lms",
        )]);
        let p = p.unwrap();
        assert_eq!(
            (p.seed.as_deref(), p.steps, p.size.as_deref()),
            (Some("42"), Some(50), Some("512x448"))
        );
        assert_eq!(p.prompt.as_deref(), Some("banana sushi"));
    }

    #[test]
    fn a_service_named_in_a_software_field_is_declared() {
        let (p, f) = recognise(&[entry("Software", "Midjourney")]);
        assert_eq!(p.unwrap().tool, "Midjourney");
        assert_eq!(f[0].strength, Strength::Declared);
        let (p, f) = recognise(&[entry("Comment", "a midjourney homage")]);
        assert!(p.is_none());
        assert_eq!(f[0].strength, Strength::Strong);
    }

    #[test]
    fn ordinary_text_is_not_a_generator() {
        let (p, f) = recognise(&[
            entry("date:create", "2021-12-20T15:36:58+00:00"),
            entry("Comment", "{\"a\":1}"),
        ]);
        assert!(p.is_none());
        assert!(f.is_empty());
    }
}
