//! The report templates: built in with `include_str!`, replaceable one by one by file name
//! from `--templates DIR`, and exportable as a starting point (`partnerscope templates
//! --export DIR`).
//!
//! `.html` templates autoescape everything; only SVG produced by our chart code is passed
//! through with `| safe`.

use std::path::Path;

use crate::error::{Error, Result};

/// Every built-in template: file name and content.
pub const BUILT_IN: [(&str, &str); 5] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("style.css", include_str!("../../templates/style.css")),
    ("org.html", include_str!("../../templates/org.html")),
    (
        "portfolio.html",
        include_str!("../../templates/portfolio.html"),
    ),
    ("stats.html", include_str!("../../templates/stats.html")),
];

/// The templates to render with: the built-ins, each replaced by a same-named file in `dir`.
/// Returns the engine and warnings about files in `dir` that replace nothing.
pub fn load(dir: Option<&Path>) -> Result<(tera::Tera, Vec<String>)> {
    let mut tera = tera::Tera::new();
    let mut warnings = Vec::new();
    if let Some(dir) = dir {
        if !dir.is_dir() {
            return Err(Error::Usage(format!(
                "--templates {}: no such folder; export the defaults with `partnerscope templates --export {}`",
                dir.display(),
                dir.display()
            )));
        }
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, "cannot read the templates folder", e))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !BUILT_IN.iter().any(|(n, _)| *n == name) {
                warnings.push(format!(
                    "{}: not a template name partnerscope uses ({}); ignored",
                    entry.path().display(),
                    BUILT_IN.map(|(n, _)| n).join(", ")
                ));
            }
        }
    }
    let mut sources = Vec::new();
    let mut shown_names = Vec::new();
    for (name, built_in) in BUILT_IN {
        let own = dir.map(|d| d.join(name)).filter(|p| p.is_file());
        let text = match &own {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| Error::io(path, "cannot read the template", e))?,
            None => built_in.to_string(),
        };
        if let Some(path) = &own {
            shown_names.push(path.display().to_string());
        }
        sources.push((name, text));
    }
    // All at once: templates include and extend each other.
    tera.add_raw_templates(sources)
        .map_err(|source| Error::Template {
            name: if shown_names.is_empty() {
                "built-in templates".into()
            } else {
                shown_names.join(", ")
            },
            source,
        })?;
    Ok((tera, warnings))
}

pub fn render(tera: &tera::Tera, name: &str, context: &impl serde::Serialize) -> Result<String> {
    let context = tera::Context::from_serialize(context).map_err(|source| Error::Template {
        name: name.to_string(),
        source,
    })?;
    tera.render(name, &context)
        .map_err(|source| Error::Template {
            name: name.to_string(),
            source,
        })
}

/// Writes the built-in templates into `dir`, file by file. Without `force` an existing file
/// (a template the user may have edited) is never replaced: the export stops before writing
/// anything.
pub fn export(dir: &Path, force: bool) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create the folder", e))?;
    if !force {
        if let Some((name, _)) = BUILT_IN
            .iter()
            .find(|(name, _)| std::fs::symlink_metadata(dir.join(name)).is_ok())
        {
            return Err(Error::Usage(format!(
                "{}: exists; partnerscope does not overwrite templates you may have edited (add --force to replace them, or export into another folder)",
                dir.join(name).display()
            )));
        }
    }
    for (name, text) in BUILT_IN {
        crate::output_dir::place_file(&dir.join(name), text.as_bytes(), force)?;
    }
    Ok(())
}
