"""Generate ``tests/sh/utils_golden/*.json`` by running the REAL busybox 1.35.

Each case sets up files in a fresh temporary directory, runs one or more commands as
``busybox APPLET ARGS`` there (with ``PATH`` holding only busybox applets, so programs that
run others — xargs, find -exec, env — run busybox too), and records stdout, stderr, the
exit status of each command and the resulting file listing. Paths are relative to the
temporary directory, whose absolute name is written ``@TMP@``, so the expectations replay
anywhere: ``tests/sh/test_utils_golden.py`` runs them against emu's handlers.

Run as root (owners are real) on a host with busybox 1.35 (Debian's busybox-static):

    python3 tests/sh/make_utils_golden.py            # all families
    python3 tests/sh/make_utils_golden.py files      # one family
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "utils_golden"))

from cases import FAMILIES  # noqa: E402  (the case table, beside the JSON it produces)

OUT = HERE / "utils_golden"
SETUP_MTIME = 1577836800  # 2020-01-01 00:00:00 UTC: every set-up entry gets this mtime
BUSYBOX = shutil.which("busybox") or "/usr/bin/busybox"


def _bin_dir() -> str:
    """A PATH directory with every applet as a symlink to busybox."""
    d = tempfile.mkdtemp(prefix="bbbin.")
    names = subprocess.run([BUSYBOX, "--list"], capture_output=True, text=True).stdout.split()
    for n in names:
        os.symlink(BUSYBOX, os.path.join(d, n))
    return d


def setup(root: Path, spec: dict[str, Any]) -> None:
    """Create the entries of ``spec`` (see utils_golden/cases.py) under ``root``."""
    for rel, v in spec.items():
        if rel.startswith("@"):
            continue
        p = root / rel.rstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        if v is None or rel.endswith("/"):
            p.mkdir(exist_ok=True)
            v = v or {}
        elif isinstance(v, str):
            p.write_bytes(v.encode())
            v = {}
        elif "symlink" in v:
            os.symlink(v["symlink"], p)
        elif "link" in v:
            os.link(root / v["link"], p)
        elif "dir" in v:
            p.mkdir(exist_ok=True)
        elif "hex" in v:
            p.write_bytes(bytes.fromhex(v["hex"]))
        else:
            p.write_bytes(v.get("data", "").encode())
        # chown first: it would clear set-id bits that chmod set
        if "uid" in v or "gid" in v:
            os.chown(p, v.get("uid", 0), v.get("gid", 0), follow_symlinks=False)
        if "mode" in v:
            os.chmod(p, int(v["mode"], 8))
    # mtimes last, deepest first, so creating children does not touch them again
    for p in sorted(root.rglob("*"), key=lambda q: -len(q.parts)):
        os.utime(p, (SETUP_MTIME, SETUP_MTIME), follow_symlinks=False)
    mt = spec.get("@mtimes", {}) if isinstance(spec.get("@mtimes"), dict) else {}
    for rel, t in mt.items():
        os.utime(root / rel, (t, t), follow_symlinks=False)


def listing(root: Path, owners: bool, gen_time: int) -> list[dict[str, Any]]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = Path(dirpath) / name
            st = p.lstat()
            rel = str(p.relative_to(root))
            e: dict[str, Any] = {"path": rel, "mode": f"{st.st_mode & 0o7777:04o}"}
            if p.is_symlink():
                e["type"] = "symlink"
                e["target"] = os.readlink(p)
            elif p.is_dir():
                e["type"] = "dir"
            elif p.is_file():
                e["type"] = "file"
                e["size"] = st.st_size
                e["sha"] = hashlib.sha256(p.read_bytes()).hexdigest()[:16]
                e["nlink"] = st.st_nlink
            else:
                e["type"] = "other"
            if e["type"] != "dir":
                # set-up or explicitly set times are kept; anything recent is "now"
                e["mtime"] = int(st.st_mtime) if st.st_mtime < gen_time - 86400 else "now"
            if owners:
                e["uid"], e["gid"] = st.st_uid, st.st_gid
            out.append(e)
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
    return sorted(out, key=lambda e: e["path"])


def run_case(case: dict[str, Any], bindir: str, gen_time: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="bbcase."))
    try:
        setup(tmp, case.get("setup", {}))
        results = []
        env = {"PATH": bindir, "TZ": "UTC", "HOME": "/root", "LC_ALL": "C", "USER": "root"}
        env.update(case.get("env", {}))
        for cmd in case["cmds"]:
            if isinstance(cmd, dict):
                argv, stdin = cmd["argv"], cmd.get("stdin", "")
            else:
                argv, stdin = cmd, ""
            argv = [a.replace("@TMP@", str(tmp)) for a in argv]
            r = subprocess.run(
                [BUSYBOX, *argv],
                cwd=tmp,
                input=stdin.encode(),
                capture_output=True,
                env=env,
                timeout=20,
            )
            results.append(
                {
                    "stdout": _norm(r.stdout, tmp),
                    "stderr": _norm(r.stderr, tmp),
                    "status": r.returncode,
                }
            )
        out = dict(case)
        out["results"] = results
        if case.get("listing", True):
            out["listing"] = listing(tmp, case.get("owners", False), gen_time)
        return out
    finally:
        subprocess.run(["chmod", "-R", "u+rwx", str(tmp)], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _norm(data: bytes, tmp: Path) -> str:
    text = data.decode("utf-8", "surrogateescape")
    return text.replace(str(tmp), "@TMP@")


def main() -> None:
    if os.geteuid() != 0:
        sys.exit("run as root: the cases set and check real owners")
    os.umask(0o022)
    wanted = sys.argv[1:] or sorted(FAMILIES)
    bindir = _bin_dir()
    gen_time = int(time.time())
    OUT.mkdir(exist_ok=True)
    version = subprocess.run([BUSYBOX], capture_output=True, text=True).stdout.splitlines()[0]
    try:
        for fam in wanted:
            cases = [run_case(c, bindir, gen_time) for c in FAMILIES[fam]]
            doc = {
                "busybox": version,
                "generated": gen_time,
                "setup_mtime": SETUP_MTIME,
                "etc_passwd": Path("/etc/passwd").read_text(),
                "etc_group": Path("/etc/group").read_text(),
                "cases": cases,
            }
            path = OUT / f"{fam}.json"
            path.write_text(json.dumps(doc, indent=1) + "\n")
            print(f"{path.relative_to(HERE.parent.parent)}: {len(cases)} cases")
    finally:
        shutil.rmtree(bindir, ignore_errors=True)


if __name__ == "__main__":
    main()
