//! Compression done once instead of per request: the cached public pages ([`crate::pages`]) and
//! the client bundle (`pingan precompress`, run by `run.sh` and `test.sh` after the release
//! build, which first gives the bundle content-named copies: [`fingerprint_dir`]). leptos_axum serves `/pkg/FILE.br` or `/pkg/FILE.gz` in place of `/pkg/FILE` to a
//! browser that accepts it; without them the compression layer compresses every download again.

use std::io::Write;
use std::path::Path;

/// `bytes` compressed with brotli at `quality` (0–11).
#[must_use]
pub fn brotli(bytes: &[u8], quality: u32) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    {
        let mut w = ::brotli::CompressorWriter::new(&mut out, 4096, quality, 22);
        w.write_all(bytes).ok()?;
        w.flush().ok()?;
    }
    Some(out)
}

/// `bytes` compressed with gzip at the best level.
#[must_use]
pub fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut w = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3), flate2::Compression::best());
    w.write_all(bytes).ok()?;
    w.finish().ok()
}

/// The files of the client bundle worth compressing.
fn compressible(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.ends_with(".d.ts") && matches!(path.extension().and_then(|e| e.to_str()), Some("js" | "wasm" | "css"))
}

/// The bundle's files that get a content-addressed copy, by the key `hash.txt` gives each.
const FINGERPRINTED: [&str; 3] = ["js", "wasm", "css"];

/// The manifest of the content-addressed copies, in the bundle directory. Its format is the one
/// leptos's `HydrationScripts` reads when `hash_files` is on (`js: HASH` per line), so the
/// loader names the copies; the stylesheet's line is read by [`crate::startup::leptos_options`].
pub const HASH_FILE: &str = "hash.txt";

/// Gives `OUTPUT.js`, `OUTPUT.wasm` and `OUTPUT.css` of `dir` a copy named by their content
/// (`OUTPUT.<16 hex of SHA-256>.EXT`), served with `Cache-Control: immutable` (a new build is a
/// new name, so browsers never revalidate the bundle), and writes [`HASH_FILE`]. The plain names
/// stay for pages drawn without the shell (error pages). Returns one line per file written;
/// nothing when the bundle is incomplete (a debug build without the WASM).
///
/// # Errors
/// Reading a file, or writing a copy or the manifest.
pub fn fingerprint_dir(dir: &Path, output: &str) -> std::io::Result<Vec<String>> {
    let mut done = Vec::new();
    let mut manifest = String::new();
    let mut files = Vec::new();
    for ext in FINGERPRINTED {
        let Ok(bytes) = std::fs::read(dir.join(format!("{output}.{ext}"))) else { return Ok(Vec::new()) };
        files.push((ext, bytes));
    }
    for (ext, bytes) in files {
        let hash = &backend::crypto::sha256_hex(&bytes)[..16];
        let target = dir.join(format!("{output}.{hash}.{ext}"));
        if !target.exists() {
            write_atomically(&target, &bytes)?;
            done.push(format!("{}: {} bytes", target.display(), bytes.len()));
        }
        manifest.push_str(&format!("{ext}: {hash}\n"));
    }
    let hash_file = dir.join(HASH_FILE);
    if std::fs::read_to_string(&hash_file).ok().as_deref() != Some(manifest.as_str()) {
        write_atomically(&hash_file, manifest.as_bytes())?;
        done.push(format!("{}", hash_file.display()));
    }
    Ok(done)
}

/// The hash of `ext` in a [`HASH_FILE`]'s text.
#[must_use]
pub fn hash_of<'a>(manifest: &'a str, ext: &str) -> Option<&'a str> {
    manifest.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        let v = v.trim();
        (k.trim() == ext && !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(v)
    })
}

/// Whether a `/pkg/` file name is a content-addressed copy (`NAME.<16 hex>.EXT`, also with a
/// `.br`/`.gz` suffix): its bytes never change, so browsers may keep it for a year.
#[must_use]
pub fn is_fingerprinted(file: &str) -> bool {
    let file = file.strip_suffix(".br").or_else(|| file.strip_suffix(".gz")).unwrap_or(file);
    let mut parts = file.rsplit('.');
    let (Some(ext), Some(hash), Some(_)) = (parts.next(), parts.next(), parts.next()) else { return false };
    FINGERPRINTED.contains(&ext) && hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Written beside, then renamed: a server reading the directory never sees half a file.
fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = target.to_path_buf().into_os_string();
    tmp.push(".tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, target)
}

/// Writes `FILE.br` (brotli 11) and `FILE.gz` beside every JS, WASM and CSS file of `dir` whose
/// compressed copies are missing or older than it. Returns one line per file written.
///
/// # Errors
/// Reading the directory or a file, or writing a copy.
pub fn precompress_dir(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut done = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries.into_iter().filter(|p| p.is_file() && compressible(p)) {
        let modified = std::fs::metadata(&path)?.modified()?;
        let bytes = std::fs::read(&path)?;
        for (ext, make) in
            [("br", (|b: &[u8]| brotli(b, 11)) as fn(&[u8]) -> Option<Vec<u8>>), ("gz", |b: &[u8]| gzip(b))]
        {
            let mut target = path.clone().into_os_string();
            target.push(format!(".{ext}"));
            let target = std::path::PathBuf::from(target);
            let fresh = std::fs::metadata(&target).and_then(|m| m.modified()).is_ok_and(|t| t >= modified);
            if fresh {
                continue;
            }
            let out =
                make(&bytes).ok_or_else(|| std::io::Error::other(format!("could not compress {}", path.display())))?;
            write_atomically(&target, &out)?;
            done.push(format!("{}: {} → {} bytes", target.display(), bytes.len(), out.len()));
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    #[test]
    fn copies_are_written_once_and_decompress_to_the_file() {
        let dir = std::env::temp_dir().join(format!("pingan-precompress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let js = "export function hello() { return '平安键'; }\n".repeat(200);
        std::fs::write(dir.join("pingan.js"), &js).unwrap();
        std::fs::write(dir.join("pingan.d.ts"), "declare const x: number;").unwrap();
        std::fs::write(dir.join("notes.txt"), "not part of the bundle").unwrap();
        let first = super::precompress_dir(&dir).unwrap();
        assert_eq!(first.len(), 2, "{first:?}");
        let mut out = String::new();
        ::brotli::Decompressor::new(std::fs::read(dir.join("pingan.js.br")).unwrap().as_slice(), 4096)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, js);
        let mut out = String::new();
        flate2::read::GzDecoder::new(std::fs::read(dir.join("pingan.js.gz")).unwrap().as_slice())
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, js);
        assert!(!dir.join("pingan.d.ts.br").exists() && !dir.join("notes.txt.gz").exists());
        assert!(super::precompress_dir(&dir).unwrap().is_empty(), "up to date: nothing written again");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_bundle_gets_content_named_copies_and_a_manifest() {
        let dir = std::env::temp_dir().join(format!("pingan-fingerprint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pingan.js"), "js one").unwrap();
        std::fs::write(dir.join("pingan.css"), "css one").unwrap();
        assert!(super::fingerprint_dir(&dir, "pingan").unwrap().is_empty(), "no WASM yet: nothing");
        std::fs::write(dir.join("pingan.wasm"), "wasm one").unwrap();
        let written = super::fingerprint_dir(&dir, "pingan").unwrap();
        assert_eq!(written.len(), 4, "{written:?}");
        let manifest = std::fs::read_to_string(dir.join(super::HASH_FILE)).unwrap();
        let js = super::hash_of(&manifest, "js").unwrap();
        assert_eq!(js, &backend::crypto::sha256_hex("js one")[..16]);
        assert_eq!(std::fs::read_to_string(dir.join(format!("pingan.{js}.js"))).unwrap(), "js one");
        assert!(super::hash_of(&manifest, "css").is_some() && super::hash_of(&manifest, "wasm").is_some());
        assert!(super::fingerprint_dir(&dir, "pingan").unwrap().is_empty(), "up to date: nothing again");
        // A new build: a new name and manifest; the old copy stays for pages already out there.
        std::fs::write(dir.join("pingan.js"), "js two").unwrap();
        assert_eq!(super::fingerprint_dir(&dir, "pingan").unwrap().len(), 2);
        let manifest = std::fs::read_to_string(dir.join(super::HASH_FILE)).unwrap();
        assert_ne!(super::hash_of(&manifest, "js").unwrap(), js);
        assert!(dir.join(format!("pingan.{js}.js")).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_content_named_copies_are_immutable() {
        for yes in ["pingan.0123456789abcdef.js", "pingan.0123456789abcdef.wasm.br", "pingan.0123456789abcdef.css.gz"] {
            assert!(super::is_fingerprinted(yes), "{yes}");
        }
        for no in
            ["pingan.js", "pingan.css.br", "pingan.0123456789abcdeg.js", "pingan.0123.js", "x.0123456789abcdef.txt"]
        {
            assert!(!super::is_fingerprinted(no), "{no}");
        }
        assert_eq!(super::hash_of("js: abc\nwasm: def\n", "wasm"), Some("def"));
        assert_eq!(super::hash_of("js: ../x\n", "js"), None, "only a plain name part");
    }
}
