"""emu's benchmark suite: one command, figures written to RESULTS.md (not part of the tests).

    python tests/benchmarks/run.py            # every case, BuildKit column if Docker is up
    python tests/benchmarks/run.py --quick    # fewer repetitions
    python tests/benchmarks/run.py CASE…      # only these cases

Each case runs in a fresh Python process, so its peak RSS is its own (``os.wait4``); times
are medians of several runs inside that process. Where ``../shared/oracle`` can reach a
Docker daemon, the same Dockerfiles are also built by a real BuildKit in the same run and
the ratio is reported; without Docker that column says so and is skipped. New figures are
written on top of RESULTS.md; earlier runs are kept below for comparison.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
sys.path.insert(0, str(ROOT))

REPEAT = 5


def median(fn: Callable[[], object], runs: int | None = None) -> float:
    times = []
    for _ in range(runs or REPEAT):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# --- cases (each returns a dict of figures; run inside a child process) ---------------------


def case_demo() -> dict[str, object]:
    from emu.dockerfile.instructions import load
    from emu.engine.builder import build
    from emu.engine.context import from_directory

    demo = ROOT / "examples" / "multistage-demo"
    df = load((demo / "Dockerfile").read_text())
    ctx = from_directory(demo)
    build(df, ctx)
    n = 200
    per = median(lambda: [build(df, ctx) for _ in range(n)], runs=3) / n
    return {"ms per build": round(per * 1000, 3), "builds/s": round(1 / per)}


def _cli_env() -> dict[str, str]:
    """The environment of a command a user runs: bytecode caching on (as after pip install),
    whatever PYTHONDONTWRITEBYTECODE this machine sets."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def case_demo_cli() -> dict[str, object]:
    cmd = [sys.executable, "-m", "emu", "build", "--progress", "quiet",
           str(ROOT / "examples" / "multistage-demo")]  # fmt: skip
    env = _cli_env()

    def once() -> None:
        subprocess.run(cmd, check=True, capture_output=True, env=env)

    return {"s end to end": round(median(once), 3)}


def case_startup() -> dict[str, object]:
    cmd = [sys.executable, "-m", "emu", "--help"]
    env = _cli_env()
    t = median(lambda: subprocess.run(cmd, check=True, capture_output=True, env=env), runs=7)
    return {"s for emu --help": round(t, 3)}


def _make_context(root: Path, n: int) -> list[str]:
    rng = random.Random(3)
    dirs = ["src", "node_modules", "dist", "docs", "test", "build", "lib", "assets"]
    for i in range(n):
        d = root / rng.choice(dirs) / f"d{i % 50}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}.{rng.choice(['js', 'md', 'log', 'py'])}").write_bytes(b"x" * 10)
    patterns = [f"**/*.tmp{i}" for i in range(40)] + [
        "node_modules", "**/*.log", "*.md", "!README.md", ".git", "dist", "build/**",
        "docs/**/*.md", "!docs/keep.md", "test/fixtures",
    ]  # fmt: skip
    (root / ".dockerignore").write_text("\n".join(patterns) + "\n")
    return patterns


def case_context_100k() -> dict[str, object]:
    from emu.dockerfile.instructions import load
    from emu.engine.builder import build
    from emu.engine.context import from_directory

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        patterns = _make_context(root, 100_000)
        df = load("FROM scratch\nCOPY . /app\n")
        walk = median(lambda: from_directory(root), runs=3)
        total = median(lambda: build(df, from_directory(root)), runs=3)
    return {
        "patterns": len(patterns),
        "s walk": round(walk, 2),
        "s walk + COPY . .": round(total, 2),
    }


def _big_image(size: int) -> object:
    from emu.fs import FS, Blob, File, Meta
    from emu.images.image import Image, ImageConfig

    fs = FS()
    per = 64 * 1024 * 1024
    fs.makedirs("/usr/lib/big")
    for i in range(size // per):
        fs.put(f"/usr/lib/big/part{i:03}.so", File(Meta(0o755), Blob(per, "modelled")))
    return Image(fs.snapshot(), ImageConfig(), base_size=size, name="big:2g")


def case_base_2gb() -> dict[str, object]:
    from emu.dockerfile.instructions import load
    from emu.engine.builder import BuildOptions, build
    from emu.engine.context import from_mapping

    big = _big_image(2 * 1024**3)
    ctx = from_mapping({"app.txt": "x" * 1000})
    df = load("FROM big:2g\nCOPY app.txt /app/\nENV A=1\n")
    opts = BuildOptions(resolve_image=lambda ref: big)  # type: ignore[arg-type,return-value]
    build(df, ctx, opts)
    t_big = median(lambda: build(df, ctx, opts), runs=20)
    df_bb = load("FROM busybox\nCOPY app.txt /app/\nENV A=1\n")
    build(df_bb, ctx)
    t_bb = median(lambda: build(df_bb, ctx), runs=20)
    return {"ms on a 2 GiB base": round(t_big * 1000, 3), "ms on busybox": round(t_bb * 1000, 3)}


def case_stages_200() -> dict[str, object]:
    from emu.dockerfile.instructions import load
    from emu.engine.builder import build
    from emu.engine.context import from_mapping

    lines = ["FROM scratch AS s0", "COPY f /f0"]
    for i in range(1, 200):
        lines += [f"FROM scratch AS s{i}", f"COPY --from=s{i - 1} / /", f"COPY f /f{i}"]
    df = load("\n".join(lines) + "\n")
    ctx = from_mapping({"f": "x"})
    t = median(lambda: build(df, ctx), runs=3)
    return {"s for 200 chained stages": round(t, 3)}


def case_run_100k() -> dict[str, object]:
    from emu.dockerfile.instructions import load
    from emu.engine.builder import build
    from emu.engine.context import from_mapping

    df = load("FROM busybox\nRUN mkdir /d && for i in $(seq 1 100000); do echo $i > /d/$i; done\n")
    t = median(lambda: build(df, from_mapping({})), runs=3)
    return {"s for 100,000 files from a RUN loop": round(t, 2)}


def case_dockerfile_10k() -> dict[str, object]:
    from emu.dockerfile.instructions import load
    from emu.engine.builder import build
    from emu.engine.context import from_mapping

    rng = random.Random(5)
    lines = ["FROM busybox"]
    for i in range(10_000):
        k = rng.randrange(4)
        lines.append(
            [f"ENV V{i}=x{i}", f'LABEL l{i}="{i}"', f"WORKDIR /w/{i % 100}", f"COPY f /c/{i}"][k]
        )
    text = "\n".join(lines) + "\n"
    ctx = from_mapping({"f": "x"})
    t_parse = median(lambda: load(text), runs=3)
    t_build = median(lambda: build(load(text), ctx), runs=3)
    return {"s parse": round(t_parse, 3), "s parse + build": round(t_build, 2)}


def case_hypothesis_1000() -> dict[str, object]:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from emu.dockerfile.instructions import load
    from emu.engine.builder import build
    from emu.engine.context import from_mapping
    from emu.errors import EmuError

    names = st.sampled_from(["a.txt", "b.txt", "d/c.txt", "d/e/f.txt"])
    instr = st.one_of(
        st.builds(lambda n: f"COPY {n} /x/", names),
        st.builds(lambda n: f"COPY {n} /y", names),
        st.builds(lambda i: f"ENV K{i}=v", st.integers(0, 9)),
        st.builds(lambda i: f"WORKDIR /w{i}", st.integers(0, 9)),
        st.just("RUN echo hi > /hi && ls / > /dev/null"),
        st.just("COPY --from=0 / /zero/"),
    )
    dockerfiles = st.lists(instr, min_size=1, max_size=6).map(
        lambda ls: "FROM busybox AS s0\nCOPY d /d\nFROM busybox\n" + "\n".join(ls) + "\n"
    )
    ctx = from_mapping({"a.txt": "a", "b.txt": "b", "d/c.txt": "c", "d/e/f.txt": "f"})
    count = [0]

    @settings(max_examples=1000, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(dockerfiles)
    def run(text: str) -> None:
        count[0] += 1
        with contextlib.suppress(EmuError):
            build(load(text), ctx)

    t0 = time.perf_counter()
    run()
    t = time.perf_counter() - t0
    return {"builds": count[0], "s total": round(t, 2), "builds/s": round(count[0] / t)}


CASES: dict[str, Callable[[], dict[str, object]]] = {
    "demo": case_demo,
    "demo_cli": case_demo_cli,
    "startup": case_startup,
    "context_100k": case_context_100k,
    "base_2gb": case_base_2gb,
    "stages_200": case_stages_200,
    "run_100k": case_run_100k,
    "dockerfile_10k": case_dockerfile_10k,
    "hypothesis_1000": case_hypothesis_1000,
}

# --- the real BuildKit column ----------------------------------------------------------------

ORACLE_CASES = ["65-multistage-demo", "66-run-user-chown", "28-hardlinks", "41-config-fields"]


def _oracle_dir() -> Path:
    return Path(os.environ.get("EMU_ORACLE_DIR") or ROOT.parent / "shared" / "oracle")


def _docker_up() -> bool:
    env_sh = _oracle_dir() / "env.sh"
    if not env_sh.exists() or shutil.which("docker") is None:
        return False
    r = subprocess.run(["bash", "-c", f"source {env_sh} && docker_cmd version"],
                       capture_output=True)  # fmt: skip
    return r.returncode == 0


def buildkit_column() -> list[tuple[str, float, float]]:
    """(case, BuildKit s, emu s) for golden cases both can build."""
    sys.path.insert(0, str(ROOT / "tests"))
    import test_goldens as tg  # the golden harness knows how to materialise a case

    from emu.dockerfile.instructions import load
    from emu.engine.builder import BuildOptions, build
    from emu.engine.context import from_directory

    rows = []
    for name in ORACLE_CASES:
        case = ROOT / "tests" / "goldens" / "cases" / name
        with tempfile.TemporaryDirectory() as tmp:
            ctx_dir = Path(tmp) / "ctx"
            dockerfile = Path(tg.REGEN.materialize(case, ctx_dir))
            out = Path(tmp) / "out"
            t0 = time.perf_counter()
            subprocess.run([str(_oracle_dir() / "oracle.sh"), "-b", "buildkit", "--no-cache",
                            "-o", str(out), "-f", str(dockerfile), str(ctx_dir)],
                           capture_output=True)  # fmt: skip
            wall = time.perf_counter() - t0
            t_file = out / "buildkit" / "time.txt"
            bk = float(t_file.read_text().split()[0]) if t_file.exists() else wall
            text = dockerfile.read_text()
            spec = json.loads((case / "case.json").read_text())
            opts = BuildOptions(target=spec.get("target"), build_args=spec.get("build_args") or {})

            def once(text: str = text, ctx_dir: Path = ctx_dir, df: Path = dockerfile,
                     opts: BuildOptions = opts) -> None:  # fmt: skip
                build(load(text), from_directory(ctx_dir, dockerfile=df), opts)

            emu_t = median(once)
        rows.append((name, bk, emu_t))
    return rows


# --- driver ----------------------------------------------------------------------------------


def _child(name: str) -> None:
    figures = CASES[name]()
    print("RESULT " + json.dumps(figures))


def _run_case(name: str) -> tuple[dict[str, object], float, int]:
    cmd = [sys.executable, __file__, "--child", name] + (["--quick"] if REPEAT < 5 else [])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, _status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    out = proc.stdout.read().decode() if proc.stdout else ""
    err = proc.stderr.read().decode() if proc.stderr else ""
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:]), wall, usage.ru_maxrss
    return {"error": (err.strip().splitlines() or ["failed"])[-1][:200]}, wall, usage.ru_maxrss


def main(argv: list[str]) -> int:
    global REPEAT
    if "--quick" in argv:
        REPEAT = 3
        argv = [a for a in argv if a != "--quick"]
    if argv[:1] == ["--child"]:
        _child(argv[1])
        return 0
    names = argv or list(CASES)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}"
    head = (
        f"## {stamp}\n\nPython {platform.python_version()} on {machine} "
        f"{platform.release()}; medians of {REPEAT} runs unless a case says otherwise; "
        "peak RSS per case process.\n\n"
    )
    lines = ["| case | figures | peak RSS |", "| --- | --- | --- |"]
    for name in names:
        figures, wall, rss_kb = _run_case(name)
        shown = ", ".join(f"{k}: {v}" for k, v in figures.items())
        lines.append(f"| {name} | {shown} | {rss_kb / 1024:.0f} MB |")
        print(f"{name:18} {shown}  (peak RSS {rss_kb / 1024:.0f} MB, {wall:.1f} s)")
    section = head + "\n".join(lines) + "\n"
    if _docker_up():
        rows = buildkit_column()
        bk_lines = [
            "",
            "Side by side with a real BuildKit (Docker 20.10 via ../shared/oracle, same "
            "machine, same run; BuildKit time is its build wall time):",
            "",
            "| case | BuildKit | emu | emu is faster by |",
            "| --- | --- | --- | --- |",
        ]
        for case, bk, e in rows:
            ratio = f"{bk / e:,.0f}x"
            bk_lines.append(f"| {case} | {bk:.2f} s | {e * 1000:.2f} ms | {ratio} |")
            print(f"BuildKit {case}: {bk:.2f} s vs emu {e * 1000:.2f} ms ({bk / e:,.0f}x)")
        section += "\n".join(bk_lines) + "\n"
    else:
        section += (
            "\nBuildKit column skipped: no Docker daemon reachable through ../shared/oracle.\n"
        )
    old = RESULTS.read_text() if RESULTS.exists() else ""
    title = "# Benchmark results\n\nWritten by `python tests/benchmarks/run.py`; newest first.\n\n"
    RESULTS.write_text(title + section + "\n" + old.removeprefix(title))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
