//! Lists the bundled legal articles (`content/legal/articles/*.md`) so the binary embeds each one
//! with `include_str!`: adding an article is adding a file, with no list to keep by hand.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let dir = manifest.join("../content/legal/articles").canonicalize()?;
    // The folder's own time changes when a file is added or removed; edits of a file are
    // tracked through include_str!.
    println!("cargo:rerun-if-changed={}", dir.display());
    // `sqlx::migrate!` embeds the migrations: a new one must rebuild the crate.
    println!("cargo:rerun-if-changed={}", manifest.join("migrations").display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    let mut out = String::from("/// The bundled articles: (file name, text), by file name.\npub const BUNDLED_ARTICLES: &[(&str, &str)] = &[\n");
    for n in &names {
        writeln!(out, "    ({n:?}, include_str!({:?})),", dir.join(n).display().to_string())?;
    }
    out.push_str("];\n");
    std::fs::write(PathBuf::from(std::env::var("OUT_DIR")?).join("legal_articles.rs"), out)?;
    Ok(())
}
