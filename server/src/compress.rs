//! Compression done once instead of per request: the cached public pages ([`crate::pages`]) and
//! the client bundle (`pingan precompress`, run by `run.sh` and `test.sh` after the release
//! build). leptos_axum serves `/pkg/FILE.br` or `/pkg/FILE.gz` in place of `/pkg/FILE` to a
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
            // Written beside, then renamed: a server reading the directory never sees half a file.
            let mut tmp = target.clone().into_os_string();
            tmp.push(".tmp");
            std::fs::write(&tmp, &out)?;
            std::fs::rename(&tmp, &target)?;
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
}
