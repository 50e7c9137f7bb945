#!/usr/bin/env python3
"""Regenerate the golden expectations under tests/goldens/cases/*/expected/ with a real BuildKit.

usage: python3 tests/goldens/regenerate.py [--check] [--keep-work] [CASE ...]

CASE is a case folder name (``07-copy-wildcards``), its number prefix (``07``) or a path to it;
no CASE means every case. For each case this script

1. materialises the build context in a scratch folder (``materialize()``: a copy of ``context/``
   with symlinks kept, or ``python3 make_context.py DEST``), then places the case's Dockerfile
   (and ``<Dockerfile>.dockerignore`` if the case has one) at ``case.json["dockerfile"]``
   inside that context;
2. runs the oracle (``$EMU_ORACLE_DIR/oracle.sh``, default ``<repo>/../shared/oracle``) with
   ``-b buildkit --no-cache``, the case's ``--target``, ``--build-arg``s and ``-f``;
3. writes ``expected/``: ``rc`` always, ``listing.txt`` and ``config.json`` for a successful
   build, ``error.txt`` (the error trailer of ``build.log``, machine-specific bits masked) for a
   failed one.

``--check`` regenerates into the scratch folder only and reports which cases differ from the
committed ``expected/`` (exit 1 if any). The scratch folder is ``$EMU_GOLDENS_WORK`` (default
``$TMPDIR/emu-goldens``). Python standard library only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
REPO = HERE.parent.parent
CASE_KEYS = {"description", "target", "build_args", "dockerfile", "needs_run", "expect", "teaches"}


def oracle_dir() -> Path:
    return Path(os.environ.get("EMU_ORACLE_DIR") or (REPO.parent / "shared" / "oracle")).resolve()


def load_case(case_dir: Path) -> dict:
    spec = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
    missing = CASE_KEYS - set(spec)
    if missing:
        raise SystemExit(f"{case_dir.name}: case.json lacks {sorted(missing)}")
    if spec["expect"] not in ("success", "failure"):
        raise SystemExit(f"{case_dir.name}: expect must be success or failure")
    return spec


def uses_run(dockerfile_text: str) -> bool:
    """True if any instruction (or ONBUILD trigger) is RUN; continuation lines are not instructions
    but a line starting with RUN inside one is unlikely in these small cases."""
    return any(
        re.match(r"\s*(onbuild\s+)?run(\s|$)", line, re.I) for line in dockerfile_text.splitlines()
    )


def normalize_modes(root: Path) -> None:
    """A checked-out ``context/`` has umask-dependent modes; git keeps only the executable bit.
    Make them what the goldens were made with: dirs 0755, files 0755 or 0644 (symlinks as is)."""
    for dirpath, _dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
        for n in filenames:
            p = os.path.join(dirpath, n)
            if os.path.islink(p):
                continue
            os.chmod(p, 0o755 if os.stat(p).st_mode & 0o100 else 0o644)


def materialize(case_dir: Path, dest: Path) -> Path:
    """Create the build context of a case in the (new or empty) folder ``dest`` and return the
    path of the Dockerfile inside it. Used by this script and by emu's golden tests."""
    case_dir = Path(case_dir)
    dest = Path(dest)
    spec = load_case(case_dir)
    if dest.exists():
        shutil.rmtree(dest)
    maker = case_dir / "make_context.py"
    if maker.exists():
        dest.mkdir(parents=True)
        subprocess.run([sys.executable, str(maker), str(dest)], check=True)
    elif (case_dir / "context").is_dir():
        shutil.copytree(case_dir / "context", dest, symlinks=True)
        normalize_modes(dest)
    else:
        dest.mkdir(parents=True)
    rel = spec["dockerfile"]
    name = Path(rel).name
    target = dest / rel
    for d in reversed(target.relative_to(dest).parents):
        if not (dest / d).is_dir():
            (dest / d).mkdir()
            os.chmod(dest / d, 0o755)
    shutil.copyfile(case_dir / name, target)
    os.chmod(target, 0o644)
    ign = case_dir / (name + ".dockerignore")
    if ign.exists():
        shutil.copyfile(ign, target.parent / ign.name)
        os.chmod(target.parent / ign.name, 0o644)
    os.chmod(dest, 0o755)
    return target


_MASKS = [
    (re.compile(r"\b\d{1,3}(\.\d{1,3}){3}:\d+\b"), "<dns>"),  # resolver address in pull errors
    (re.compile(r"oracle-tmp/[a-z0-9-]+-\d+"), "oracle-tmp/<tag>"),
    # daemon-side paths (snapshot mounts, temporary mounts) differ per run
    (
        re.compile(r"/\S*?/(?:overlay2/[a-z0-9]+/merged|vfs/dir/[a-z0-9]+|buildkit-mount\d+)"),
        "<mount>",
    ),
]


def error_trailer(log: str) -> str:
    """The lines after the last BuildKit progress line (``#N ...``): the step that failed and
    the error, without timings or digests."""
    lines = log.splitlines()
    i = len(lines)
    while i > 0 and not lines[i - 1].startswith("#"):
        i -= 1
    tail = [ln.rstrip() for ln in lines[i:] if ln.strip()]
    if not tail:  # no progress output at all: keep the last non-empty line
        tail = [ln.rstrip() for ln in lines if ln.strip()][-1:]
    text = "\n".join(tail) + "\n"
    for rx, rep in _MASKS:
        text = rx.sub(rep, text)
    return text


def run_case(case_dir: Path, work: Path, write: bool) -> tuple[bool, str]:
    spec = load_case(case_dir)
    df_text = (case_dir / Path(spec["dockerfile"]).name).read_text(encoding="utf-8")
    problems = []
    if uses_run(df_text) and not spec["needs_run"]:
        problems.append("Dockerfile uses RUN but needs_run is false")
    wdir = work / case_dir.name
    ctx = wdir / "ctx"
    out = wdir / "out"
    if out.exists():
        shutil.rmtree(out)
    dockerfile = materialize(case_dir, ctx)
    cmd = [str(oracle_dir() / "oracle.sh"), "-b", "buildkit", "--no-cache", "-o", str(out)]
    if spec["target"]:
        cmd += ["--target", spec["target"]]
    for k, v in sorted(spec["build_args"].items()):
        cmd += ["--build-arg", f"{k}={v}"]
    if spec["dockerfile"] != "Dockerfile":
        cmd += ["-f", str(dockerfile)]
    cmd.append(str(ctx))
    t0 = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    secs = time.monotonic() - t0
    bk = out / "buildkit"
    rc = int((bk / "rc").read_text().strip())
    if rc in (3, 4):
        problems.append(f"oracle post-processing failed (rc={rc}); see {bk}")
    files = {"rc": f"{rc}\n"}
    if rc == 0:
        files["listing.txt"] = (bk / "listing.txt").read_text(encoding="utf-8")
        files["config.json"] = (bk / "config.json").read_text(encoding="utf-8")
        exp = bk / "export-listing.txt"
        if exp.exists() and exp.read_text(encoding="utf-8") != files["listing.txt"]:
            problems.append("image listing differs from --output type=tar listing")
    else:
        files["error.txt"] = error_trailer(
            (bk / "build.log").read_text(encoding="utf-8", errors="replace")
        )
    got = "success" if rc == 0 else "failure"
    if got != spec["expect"]:
        problems.append(f"expected {spec['expect']}, got {got}")
    expected = case_dir / "expected"
    if write:
        if expected.exists():
            shutil.rmtree(expected)
        expected.mkdir()
        for name, text in files.items():
            (expected / name).write_text(text, encoding="utf-8")
    else:
        committed = (
            {p.name: p.read_text(encoding="utf-8") for p in expected.glob("*")}
            if expected.is_dir()
            else {}
        )
        if committed != files:
            differ = sorted(
                n for n in set(committed) | set(files) if committed.get(n) != files.get(n)
            )
            problems.append("differs from committed expected/: " + ", ".join(differ))
    status = f"{case_dir.name:<40} rc={rc} {secs:5.1f}s" + (
        "" if not problems else "  !! " + "; ".join(problems)
    )
    return not problems, status


def select(names: list[str]) -> list[Path]:
    all_cases = sorted(p for p in CASES.iterdir() if (p / "case.json").exists())
    if not names:
        return all_cases
    chosen = []
    for n in names:
        p = Path(n)
        if p.is_dir() and (p / "case.json").exists():
            chosen.append(p.resolve())
            continue
        hits = [c for c in all_cases if c.name == n or c.name.split("-", 1)[0] == n]
        if not hits:
            raise SystemExit(f"no such case: {n}")
        chosen += hits
    return chosen


def main(argv: list[str]) -> int:
    write = "--check" not in argv
    keep = "--keep-work" in argv
    names = [a for a in argv if not a.startswith("--")]
    if not (oracle_dir() / "oracle.sh").exists():
        print(f"oracle not found at {oracle_dir()} (set EMU_ORACLE_DIR)", file=sys.stderr)
        return 2
    work = Path(os.environ.get("EMU_GOLDENS_WORK") or Path(tempfile.gettempdir()) / "emu-goldens")
    work.mkdir(parents=True, exist_ok=True)
    ok = True
    t0 = time.monotonic()
    cases = select(names)
    for case_dir in cases:
        good, status = run_case(case_dir, work, write)
        ok &= good
        print(status, flush=True)
    print(f"{len(cases)} case(s) in {time.monotonic() - t0:.0f}s", flush=True)
    if not keep:
        for case_dir in cases:
            shutil.rmtree(work / case_dir.name, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
