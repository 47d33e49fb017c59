"""Refresh the copy of YASGUI that the explorer's query page serves.

    python scripts/refresh_yasgui.py                  # the pinned version, checked against its pinned integrity
    python scripts/refresh_yasgui.py --version 4.7.0  # another version: prints the integrity to pin
    python scripts/refresh_yasgui.py --check          # exit 1 if the copy is not what the script writes

The page never links a CDN: ``evkg/server/static/yasgui/`` holds the package's own browser
build (``yasgui.min.js``, ``yasgui.min.css``, byte for byte), its licence and the licences of
the libraries bundled into it (``LICENSE``), and a ``README.md`` naming the package, its
version, the integrity hash of the npm tarball and the SHA-256 of every copied file.

It needs ``npm``. ``npm pack`` fetches the tarball, whose SHA-512 must equal the pinned
integrity (and the registry's); ``npm install --ignore-scripts`` of the same version in a
temporary folder supplies the licence files of the bundled libraries (the package's source
map names them). The npm package ships no licence file of its own, so the MIT text of the
YASGUI repository is kept below.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "evkg" / "server" / "static" / "yasgui"
PACKAGE = "@zazuko/yasgui"
VERSION = "4.6.2"
INTEGRITY = "sha512-Zw45KdPoAE1KRaAoxIHdQqeJxvaVG1oQdntw0hy0ktX35Zu8ZccuOLrXCLwR+GU+0xMzLw8Mjw6BkSZV2vUuQw=="
#: The files of the package's browser build that the page loads.
FILES = ("yasgui.min.js", "yasgui.min.css")

YASGUI_LICENSE = """The MIT License (MIT)

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
"""


def _npm(*args: str, cwd: Path) -> str:
    try:
        done = subprocess.run(["npm", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        sys.exit("refresh_yasgui: npm is not installed (Debian: apt-get install npm).")
    if done.returncode != 0:
        sys.exit(f"refresh_yasgui: npm {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


def integrity_of(data: bytes) -> str:
    """The Subresource-Integrity string (``sha512-...``) of ``data``, as npm records it.

    >>> integrity_of(b"")[:20]
    'sha512-z4PhNX7vuL3xV'
    """
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _bundled_packages(source_map: dict) -> list[str]:
    """The npm packages whose code the source map says the bundle contains, sorted."""
    names = set()
    for source in source_map.get("sources", []):
        match = re.search(r"node_modules/((?:@[^/]+/)?[^/]+)", source)
        if match and not match.group(1).startswith("@zazuko/"):
            names.add(match.group(1))
    return sorted(names)


def _license_text(folder: Path) -> str | None:
    for path in sorted(folder.iterdir()):
        if re.match(r"(?i)^(licen[cs]e|copying)(\.(md|txt))?$", path.name) and path.is_file():
            return path.read_text(encoding="utf-8", errors="replace").strip() + "\n"
    return None


def build(version: str, integrity: str | None) -> dict[str, bytes]:
    """The files of ``static/yasgui/`` for ``version``: name -> bytes.

    Raises SystemExit when the tarball's hash differs from ``integrity`` or the registry's.
    """
    with tempfile.TemporaryDirectory(prefix="yasgui-") as tmp:
        work = Path(tmp)
        registry = json.loads(_npm("view", f"{PACKAGE}@{version}", "dist.integrity", "license", "--json", cwd=work))
        listed = registry["dist.integrity"]
        if registry["license"] != "MIT":
            sys.exit(f"refresh_yasgui: {PACKAGE}@{version} is licensed {registry['license']!r}, not MIT; check before shipping it.")
        tarball = work / _npm("pack", f"{PACKAGE}@{version}", "--silent", cwd=work).strip().splitlines()[-1]
        data = tarball.read_bytes()
        actual = integrity_of(data)
        if actual != listed:
            sys.exit(f"refresh_yasgui: the tarball's hash {actual} is not the registry's {listed}.")
        if integrity is None:
            print(f"{PACKAGE}@{version}: integrity {actual}; pin it as INTEGRITY (and VERSION) in {Path(__file__).name}.")
        elif actual != integrity:
            sys.exit(f"refresh_yasgui: {PACKAGE}@{version} has the hash {actual}, not the pinned {integrity}.")
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            build_files = {name: archive.extractfile(f"package/build/{name}").read() for name in (*FILES, "yasgui.min.js.map")}
        source_map = json.loads(build_files.pop("yasgui.min.js.map"))

        _npm("init", "-y", cwd=work)
        _npm("install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save", f"{PACKAGE}@{version}", cwd=work)
        modules = work / "node_modules"
        notices = [f"YASGUI ({PACKAGE} {version}, with @zazuko/yasqe, @zazuko/yasr and @zazuko/yasgui-utils)\n\n{YASGUI_LICENSE}"]
        for name in _bundled_packages(source_map):
            folder = modules / name
            meta = json.loads((folder / "package.json").read_text(encoding="utf-8"))
            text = _license_text(folder)
            licence = meta.get("license") or " OR ".join(entry.get("type", "?") for entry in meta.get("licenses", [])) or "unstated"
            licence = licence.removeprefix("(").removesuffix(")")
            # npm resolves the dependencies anew: the text is that of today's version.
            heading = f"{name} ({licence}), bundled into yasgui.min.js; licence text of {name} {meta['version']}"
            if text is None and licence == "MIT":
                # The package declares MIT but ships no text: the MIT terms, with its author.
                author = meta.get("author")
                author = author.get("name") if isinstance(author, dict) else author
                repository = meta.get("repository")
                repository = repository.get("url") if isinstance(repository, dict) else repository
                heading += f"; the package ships no licence file (author: {author}; repository: {repository})"
                text = YASGUI_LICENSE
            if text is None:
                sys.exit(f"refresh_yasgui: {name} ({licence}) is bundled but ships no licence file; add its text by hand.")
            notices.append(f"{heading}\n\n{text}")
        files = dict(build_files)
        files["LICENSE"] = ("\n" + "=" * 78 + "\n\n").join(notices).encode()
        sums = "\n".join(f"| `{name}` | `{hashlib.sha256(body).hexdigest()}` |" for name, body in sorted(files.items()))
        files["README.md"] = (
            f"# YASGUI for the query page\n\n"
            f"The browser build of the npm package `{PACKAGE}` version {version} (MIT), unchanged,\n"
            f"served by `evkg serve` at `/static/yasgui/`. `LICENSE` holds its licence and those of\n"
            f"the libraries bundled into it. Refresh with `python scripts/refresh_yasgui.py`.\n\n"
            f"- package: `{PACKAGE}@{version}`\n"
            f"- tarball integrity: `{actual}`\n\n"
            f"| file | SHA-256 |\n| --- | --- |\n{sums}\n"
        ).encode()
        return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default=VERSION, help=f"the {PACKAGE} version (default: the pinned {VERSION})")
    parser.add_argument("--check", action="store_true", help="compare with the files in place instead of writing them")
    args = parser.parse_args(argv)
    files = build(args.version, INTEGRITY if args.version == VERSION else None)
    if args.check:
        stale = [name for name, body in files.items() if not (TARGET / name).is_file() or (TARGET / name).read_bytes() != body]
        extra = sorted(p.name for p in TARGET.iterdir() if p.name not in files) if TARGET.is_dir() else []
        for name in stale + extra:
            print(f"{TARGET / name}: not what the script writes")
        return 1 if stale or extra else 0
    TARGET.mkdir(parents=True, exist_ok=True)
    for old in TARGET.iterdir():
        if old.name not in files:
            old.unlink()
    for name, body in files.items():
        (TARGET / name).write_bytes(body)
        print(f"wrote {TARGET.relative_to(ROOT) / name} ({len(body):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
