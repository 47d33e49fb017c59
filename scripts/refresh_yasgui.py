"""Refresh the browser libraries that the explorer's query page serves: YASGUI, and the
libraries of its pivot/chart view.

    python scripts/refresh_yasgui.py                  # the pinned versions, checked against their pinned integrity
    python scripts/refresh_yasgui.py --version 4.7.0  # another YASGUI version: prints the integrity to pin
    python scripts/refresh_yasgui.py --check          # exit 1 if a copy is not what the script writes

The page never links a CDN: ``evkg/server/static/yasgui/`` holds the package's own browser
build (``yasgui.min.js``, ``yasgui.min.css``, byte for byte), its licence and the licences of
the libraries bundled into it (``LICENSE``), and a ``README.md`` naming the package, its
version, the integrity hash of the npm tarball and the SHA-256 of every copied file.

It needs ``npm``. ``npm pack`` fetches the tarball, whose SHA-512 must equal the pinned
integrity (and the registry's); ``npm install --ignore-scripts`` of the same version in a
temporary folder supplies the licence files of the bundled libraries (the package's source
map names them). The npm package ships no licence file of its own, so the MIT text of the
YASGUI repository is kept below.

``evkg/server/static/pivot/`` holds the pivot/chart view's libraries (``PIVOT_PACKAGES``):
jQuery, jQuery UI (whose sortable lists PivotTable.js drags columns with), PivotTable.js and
Chart.js, each file byte for byte from its pinned tarball, their licence texts (with those of
jquery-color, inside jQuery UI's build, and @kurkle/color, inside Chart.js's) in ``LICENSE``,
and a ``README.md`` with every tarball's integrity and every file's SHA-256.
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

PIVOT_TARGET = ROOT / "evkg" / "server" / "static" / "pivot"
#: The pivot/chart view's packages: name, version, tarball integrity, {file in the tarball:
#: name served}. @kurkle/color serves nothing: Chart.js's build contains it (its source map
#: names the version), and its licence goes beside the others.
PIVOT_PACKAGES = (
    ("jquery", "3.7.1", "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
     {"dist/jquery.min.js": "jquery.min.js"}),
    ("jquery-ui", "1.14.2", "sha512-1gSl7PUjyipa2adSr780Ujk16faicrV7PjPPzPtvWk7tTqBnsqp67NNV9jZK2+BIxUPXWSnIUU/LBCgwgGZE+Q==",
     {"dist/jquery-ui.min.js": "jquery-ui.min.js"}),
    ("pivottable", "2.23.0", "sha512-6WRaiiI0mU5JxzNMWbtf3vfrBvBhBPIUbwu2Q7Nv7fVCxIvlmFqXSldMwmHAsiEFwdZdUrpQHqIu+N3jZUezyg==",
     {"dist/pivot.min.js": "pivot.min.js", "dist/pivot.min.css": "pivot.min.css"}),
    ("chart.js", "4.6.1", "sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g==",
     {"dist/chart.umd.min.js": "chart.umd.min.js"}),
    ("@kurkle/color", "0.3.2", "sha512-fuscdXJ9G1qb7W8VdHi+IwRqij3lBkosAm4ydQtEmbY58OzHXqQhvlxqEkoz0yssNVn38bcpRWgA9PP+OGoisw==",
     {}),
)

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


def _tarball(package: str, version: str, integrity: str | None, work: Path) -> bytes:
    """The npm tarball of ``package@version``, MIT-licensed, with the registry's hash and the
    pinned one (``None``: prints the hash to pin). Raises SystemExit otherwise."""
    registry = json.loads(_npm("view", f"{package}@{version}", "dist.integrity", "license", "--json", cwd=work))
    listed = registry["dist.integrity"]
    if registry["license"] != "MIT":
        sys.exit(f"refresh_yasgui: {package}@{version} is licensed {registry['license']!r}, not MIT; check before shipping it.")
    tarball = work / _npm("pack", f"{package}@{version}", "--silent", cwd=work).strip().splitlines()[-1]
    data = tarball.read_bytes()
    actual = integrity_of(data)
    if actual != listed:
        sys.exit(f"refresh_yasgui: the tarball's hash {actual} is not the registry's {listed}.")
    if integrity is None:
        print(f"{package}@{version}: integrity {actual}; pin it in {Path(__file__).name}.")
    elif actual != integrity:
        sys.exit(f"refresh_yasgui: {package}@{version} has the hash {actual}, not the pinned {integrity}.")
    return data


def _checksums(files: dict[str, bytes]) -> str:
    return "\n".join(f"| `{name}` | `{hashlib.sha256(body).hexdigest()}` |" for name, body in sorted(files.items()))


def build(version: str, integrity: str | None) -> dict[str, bytes]:
    """The files of ``static/yasgui/`` for ``version``: name -> bytes.

    Raises SystemExit when the tarball's hash differs from ``integrity`` or the registry's.
    """
    with tempfile.TemporaryDirectory(prefix="yasgui-") as tmp:
        work = Path(tmp)
        data = _tarball(PACKAGE, version, integrity, work)
        actual = integrity_of(data)
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
        sums = _checksums(files)
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


def _licence_in(archive: tarfile.TarFile, folder: str) -> str:
    """The licence file directly in ``folder`` of a tarball."""
    for member in sorted(archive.getmembers(), key=lambda m: m.name):
        directory, _, name = member.name.rpartition("/")
        if directory == folder and member.isfile() and re.match(r"(?i)^licen[cs]e(\.(md|txt))?$", name):
            return archive.extractfile(member).read().decode("utf-8").strip() + "\n"
    sys.exit(f"refresh_yasgui: no licence file in {folder}/ of the tarball; add its text by hand.")


def build_pivot() -> dict[str, bytes]:
    """The files of ``static/pivot/``: name -> bytes, from the pinned ``PIVOT_PACKAGES``.

    Raises SystemExit when a tarball's hash differs from the pinned one or the registry's, or
    when Chart.js's build contains another version of @kurkle/color than the one pinned.
    """
    files: dict[str, bytes] = {}
    notices: list[str] = []
    pinned = {name: version for name, version, _, _ in PIVOT_PACKAGES}
    with tempfile.TemporaryDirectory(prefix="pivot-") as tmp:
        work = Path(tmp)
        rows = []
        for name, version, integrity, served in PIVOT_PACKAGES:
            data = _tarball(name, version, integrity, work)
            rows.append(f"- `{name}@{version}`: `{integrity_of(data)}`")
            with tarfile.open(fileobj=io.BytesIO(data)) as archive:
                for inside, target in served.items():
                    files[target] = archive.extractfile(f"package/{inside}").read()
                where = ", ".join(served.values()) or "bundled into chart.umd.min.js"
                notices.append(f"{name} {version} (MIT): {where}\n\n{_licence_in(archive, 'package')}")
                if name == "jquery-ui":
                    text = _licence_in(archive, "package/ui/vendor/jquery-color")
                    notices.append(f"jquery-color (MIT), bundled into jquery-ui.min.js\n\n{text}")
                if name == "chart.js":
                    source_map = json.loads(archive.extractfile("package/dist/chart.umd.min.js.map").read())
                    bundled = sorted({m for s in source_map["sources"] for m in re.findall(r"/(@kurkle\+color@[^/]+)/", s)})
                    if bundled != [f"@kurkle+color@{pinned['@kurkle/color']}"]:
                        sys.exit(f"refresh_yasgui: chart.js {version} bundles {bundled}; pin that @kurkle/color version.")
    files["LICENSE"] = ("\n" + "=" * 78 + "\n\n").join(notices).encode()
    newline = "\n"
    files["README.md"] = (
        "# The query page's pivot/chart view\n\n"
        "The browser builds of these npm packages (all MIT), unchanged, served by `evkg serve` at\n"
        "`/static/pivot/` for the pivot/chart tab of the query page's results (`static/query-pivot.js`).\n"
        "`LICENSE` holds their licences. Refresh with `python scripts/refresh_yasgui.py`.\n\n"
        f"Tarball integrity:\n\n{newline.join(rows)}\n\n"
        f"| file | SHA-256 |\n| --- | --- |\n{_checksums({k: v for k, v in files.items() if k != 'README.md'})}\n"
    ).encode()
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", default=VERSION, help=f"the {PACKAGE} version (default: the pinned {VERSION})")
    parser.add_argument("--check", action="store_true", help="compare with the files in place instead of writing them")
    args = parser.parse_args(argv)
    copies = {TARGET: build(args.version, INTEGRITY if args.version == VERSION else None), PIVOT_TARGET: build_pivot()}
    if args.check:
        wrong = 0
        for target, files in copies.items():
            stale = [name for name, body in files.items() if not (target / name).is_file() or (target / name).read_bytes() != body]
            extra = sorted(p.name for p in target.iterdir() if p.name not in files) if target.is_dir() else []
            for name in stale + extra:
                print(f"{target / name}: not what the script writes")
            wrong += len(stale) + len(extra)
        return 1 if wrong else 0
    for target, files in copies.items():
        _write(target, files)
    return 0


def _write(target: Path, files: dict[str, bytes]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for old in target.iterdir():
        if old.name not in files:
            old.unlink()
    for name, body in files.items():
        # temp + rename: a page served meanwhile never gets half a file
        part = target / f".{name}.part"
        part.write_bytes(body)
        part.replace(target / name)
        print(f"wrote {target.relative_to(ROOT) / name} ({len(body):,} bytes)")


if __name__ == "__main__":
    sys.exit(main())
