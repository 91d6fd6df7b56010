//! `provenant._provenant`: the Python binding of the provenant library,
//! built on its public API (`Analyzer`, `Config`, `Model`, the scan walk).
//! Records cross as the exact JSONL text the command line writes; the
//! Python package (`provenant/__init__.py`) turns them into dicts. The GIL
//! is released while a file is analysed, so threads share one analyzer.

use std::path::PathBuf;

use pyo3::exceptions::PyException;
use pyo3::prelude::*;

use provenant::report::jsonl;
use provenant::{Config, FileReport};

pyo3::create_exception!(
    _provenant,
    ProvenantError,
    PyException,
    "Base class of provenant's errors."
);
pyo3::create_exception!(
    _provenant,
    InputError,
    ProvenantError,
    "A path that cannot be analysed: missing, unreadable, or not a regular file."
);
pyo3::create_exception!(
    _provenant,
    ConfigError,
    ProvenantError,
    "An invalid configuration, model or trust-anchor file."
);

fn config_error(e: impl std::fmt::Display) -> PyErr {
    ConfigError::new_err(e.to_string())
}

/// A calibrated model, loaded from the JSON `provenant calibrate` writes.
#[pyclass(frozen, module = "provenant._provenant")]
struct Model {
    inner: provenant::Model,
}

#[pymethods]
impl Model {
    /// Loads a model file.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Self> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| config_error(provenant::Error::io(&path)(e)))?;
        provenant::Model::from_json(&text)
            .map(|inner| Model { inner })
            .map_err(|e| config_error(format!("loading the model {}: {e}", path.display())))
    }

    /// The model embedded in the library (the default).
    #[staticmethod]
    fn embedded() -> Self {
        Model {
            inner: provenant::Model::embedded(),
        }
    }

    /// The model's identity, as reports record it.
    #[getter]
    fn id(&self) -> String {
        self.inner.id()
    }

    fn __repr__(&self) -> String {
        format!("Model({:?})", self.inner.id())
    }
}

/// Analyses files and bytes; reusable across calls and threads.
#[pyclass(frozen, module = "provenant._provenant")]
struct Analyzer {
    inner: provenant::Analyzer,
}

/// A report as its JSONL line, without the newline.
fn record(report: &FileReport) -> PyResult<String> {
    let mut line = Vec::new();
    jsonl::write(&mut line, report).map_err(|e| ProvenantError::new_err(e.to_string()))?;
    line.pop();
    String::from_utf8(line).map_err(|e| ProvenantError::new_err(e.to_string()))
}

#[pymethods]
impl Analyzer {
    /// `config_json`: a serialized `Config` (missing fields take their
    /// defaults); trust anchors are read from its `trust_anchors_path`, else
    /// from the default location, as the command line does. `model`
    /// replaces the embedded model; `use_model=False` leaves the rules alone.
    #[new]
    #[pyo3(signature = (config_json=None, model=None, use_model=true))]
    fn new(
        config_json: Option<&str>,
        model: Option<PyRef<'_, Model>>,
        use_model: bool,
    ) -> PyResult<Self> {
        let mut config: Config = match config_json {
            Some(json) => serde_json::from_str(json).map_err(config_error)?,
            None => Config::default(),
        };
        let anchors = config
            .trust_anchors_path
            .clone()
            .or_else(Config::default_trust_anchors);
        if let Some(path) = anchors {
            config = config.with_trust_anchors(&path).map_err(config_error)?;
        }
        if let Some(m) = model {
            config.model = Some(m.inner.clone());
        }
        if !use_model {
            config.model = None;
        }
        let inner = provenant::Analyzer::new(config).map_err(config_error)?;
        Ok(Analyzer { inner })
    }

    /// The record of a file. `check`: refuse (with `InputError`) a path
    /// that is not a readable regular file, as `provenant analyze` does;
    /// without it the record carries the error, as `provenant scan`'s do.
    #[pyo3(signature = (path, check=true))]
    fn analyze_path(&self, py: Python<'_>, path: PathBuf, check: bool) -> PyResult<String> {
        if check {
            provenant::input::check_file(&path).map_err(|e| InputError::new_err(e.to_string()))?;
        }
        py.detach(|| record(&self.inner.analyze_path(&path)))
    }

    /// The record of bytes in memory, named `name`.
    fn analyze_bytes(&self, py: Python<'_>, name: &str, data: &[u8]) -> PyResult<String> {
        py.detach(|| record(&self.inner.analyze_bytes(name, data)))
    }

    /// The identity of the model in use, if any.
    #[getter]
    fn model_id(&self) -> Option<String> {
        self.inner.config().model.as_ref().map(provenant::Model::id)
    }

    /// The configuration in use, as JSON.
    fn config_json(&self) -> PyResult<String> {
        serde_json::to_string(self.inner.config()).map_err(config_error)
    }
}

/// The image files under `roots` as `provenant scan` walks them: files as
/// given, folders recursively in name order, images by their first bytes.
#[pyfunction]
#[pyo3(signature = (roots, follow_symlinks=false))]
fn walk(py: Python<'_>, roots: Vec<PathBuf>, follow_symlinks: bool) -> Vec<String> {
    py.detach(|| {
        provenant::scan::walk::walk(&roots, follow_symlinks)
            .files
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    })
}

#[pymodule]
fn _provenant(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", provenant::VERSION)?;
    m.add("SCHEMA_VERSION", provenant::report::SCHEMA_VERSION)?;
    m.add_class::<Analyzer>()?;
    m.add_class::<Model>()?;
    m.add_function(wrap_pyfunction!(walk, m)?)?;
    let py = m.py();
    m.add("ProvenantError", py.get_type::<ProvenantError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    Ok(())
}
