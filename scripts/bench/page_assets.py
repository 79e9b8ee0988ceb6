#!/usr/bin/env python3
"""What JavaScript and WebAssembly a server-rendered page makes the browser load (bench.sh, figure 6).

    python3 scripts/bench/page_assets.py BASE_URL PATH...

For each PATH, fetches BASE_URL+PATH (identity encoding) and collects every `.js`, `.mjs` and
`.wasm` file the HTML references: `<script src>`, `<link rel=modulepreload|preload href>`, any
quoted URL ending in one of those, and the file pair Leptos' hydration bootstrap imports
(`(root, pkg_path, output_name, wasm_output_name) => { import(...) }`, called with string
arguments). Each file is fetched (identity) and measured: raw bytes, gzip -9 bytes, brotli -q 11
bytes (the `brotli` command; "-" when it is missing). Also counts the bytes of inline `<script>`
elements (no src), which the page carries itself.

Prints one tab-separated line per PATH:
    path  files(comma-separated or "none")  raw  gzip  brotli  inline_script_bytes
"""

import gzip
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request

EXT = r"(?:js|mjs|wasm)"
ATTR = re.compile(r"""(?:src|href)\s*=\s*["']([^"'\s>]+\.""" + EXT + r""")(?:[?#][^"']*)?["']""", re.I)
QUOTED = re.compile(r"""["'`]((?:https?://[^"'`\s]+)?/[^"'`\s$]*\.""" + EXT + r""")["'`]""")
# Leptos 0.8's islands bootstrap ends with `("", "pkg", "pingan", "pingan", false);`.
BOOTSTRAP = re.compile(r"""\)\s*\(\s*"([^"]*)"\s*,\s*"([^"]*)"\s*,\s*"([^"]*)"\s*,\s*"([^"]*)"\s*,""")
INLINE = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.I | re.S)


def fetch(url):
    req = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(req, timeout=15) as r:
        if r.status != 200:
            raise SystemExit(f"page_assets: {url}: HTTP {r.status}")
        return r.read()


def brotli_size(data):
    exe = shutil.which("brotli")
    if not exe:
        return None
    out = subprocess.run([exe, "-c", "-q", "11"], input=data, capture_output=True, timeout=120, check=True)
    return len(out.stdout)


def references(html, base):
    found = []
    for m in ATTR.finditer(html):
        found.append(m.group(1))
    for m in QUOTED.finditer(html):
        found.append(m.group(1))
    for script in INLINE.findall(html):
        if "import(" not in script:
            continue
        for root, pkg, out, wasm_out in BOOTSTRAP.findall(script):
            prefix = f"{root}/{pkg}".rstrip("/")
            found.append(f"{prefix}/{out}.js")
            found.append(f"{prefix}/{wasm_out}.wasm")
    seen, files = set(), []
    for f in found:
        url = urllib.parse.urljoin(base, f)
        # Only the portal's own files (the bench serves everything from 127.0.0.1).
        if urllib.parse.urlsplit(url).netloc != urllib.parse.urlsplit(base).netloc:
            continue
        path = urllib.parse.urlsplit(url).path
        if path not in seen:
            seen.add(path)
            files.append(path)
    return files


def main():
    if len(sys.argv) < 3:
        raise SystemExit("usage: page_assets.py BASE_URL PATH...")
    base = sys.argv[1].rstrip("/")
    for path in sys.argv[2:]:
        page_url = base + path
        html = fetch(page_url).decode("utf-8", "replace")
        inline = sum(len(s.encode("utf-8")) for s in INLINE.findall(html))
        files = references(html, page_url)
        raw = gz = 0
        br = 0
        for f in files:
            data = fetch(base + f)
            raw += len(data)
            gz += len(gzip.compress(data, compresslevel=9, mtime=0))
            b = brotli_size(data)
            br = None if (b is None or br is None) else br + b
        print("\t".join([path, ",".join(files) or "none", str(raw), str(gz), "-" if br is None else str(br), str(inline)]))


if __name__ == "__main__":
    main()
