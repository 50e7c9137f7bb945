"""Grading a folder of submissions with one rubric, in parallel, each build sandboxed.

Each immediate sub-folder of the submissions folder is one submission (hidden folders and
plain files are skipped; a symlinked folder is reported, not followed). Worker processes
(``multiprocessing`` with the ``spawn`` start method: fresh interpreters running emu's own
code, nothing else) grade one submission at a time and hold the next, sent ahead; in each,
:func:`grade_one` builds it with the rubric's limits inside a
:class:`~emu.grading.sandbox.Sandbox` and evaluates the rubric. A worker has an
address-space limit (``maxMemory``); a worker still busy ``hardTimeout`` seconds after it
started a submission is killed and replaced, and the submission it held next goes to another.
Whatever happens — a failed build, a limit, a sandbox refusal, a bug in emu (``internal
error``), a crashed or killed worker — becomes that submission's result, and the others go
on.

Outputs (:func:`write_outputs`): ``grades.csv`` and ``grades.json`` (every submission's
score, status and failed tests), ``junit.xml`` (one suite per submission), and for
Gradescope ``gradescope/<name>/results.json`` (or ``results.json`` for ``single``), the file
its autograder harness reads (``score``, ``tests`` with ``name``, ``score``, ``max_score``,
``status``, ``output``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import statistics
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from emu.errors import LimitExceeded, OutputError, RejectedError, UsageError, WorkerError
from emu.fs.names import printable, shown
from emu.grading.model import Spec
from emu.grading.report import Rendered, Report, json_text, to_junit
from emu.records import field, record

GRADED = "graded"
BUILD_FAILED = "build failed"
LIMIT = "limit exceeded"
TIMEOUT = "timeout"
VIOLATION = "sandbox violation"
INTERNAL = "internal error"
REJECTED = "rejected"


@record(frozen=True, slots=True)
class Submission:
    name: str
    path: str


@record(slots=True)
class Grade:
    """One submission's outcome."""

    name: str
    status: str
    score: float
    max_score: float
    report: Report | None = None
    message: str = ""
    seconds: float = 0.0
    violations: list[str] = field(default_factory=list)

    @classmethod
    def unscored(
        cls,
        name: str,
        status: str,
        max_score: float,
        message: str,
        seconds: float = 0.0,
        violations: list[str] | None = None,
    ) -> Grade:
        """A submission that earned nothing because it could not be graded (``status``)."""
        return cls(name, status, 0.0, max_score, None, message, seconds, violations or [])

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def failed_tests(self) -> list[str]:
        if self.report is None:
            return []
        return [r.name for r in self.report.results if r.status in ("fail", "error")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "score": self.score,
            "maxScore": self.max_score,
            "percent": round(self.percent, 2),
            "message": self.message,
            "seconds": round(self.seconds, 6),
            "failedTests": self.failed_tests(),
            "violations": list(self.violations),
            "report": self.report.to_dict() if self.report is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Grade:
        return cls(
            name=str(d["name"]),
            status=str(d["status"]),
            score=float(d["score"]),
            max_score=float(d["maxScore"]),
            report=Report.from_dict(d["report"]) if d.get("report") else None,
            message=str(d.get("message", "")),
            seconds=float(d.get("seconds", 0.0)),
            violations=[str(v) for v in d.get("violations", [])],
        )


def discover(folder: str | os.PathLike[str]) -> tuple[list[Submission], list[str]]:
    """The submissions in ``folder`` (sorted by name) and notes about what was skipped.

    A name is data: it is shown (in every table, report and file) as
    :func:`emu.fs.names.printable` writes it, so an escape sequence, a newline or bytes that
    are not UTF-8 in a folder's name neither reach the terminal nor forge a line, and the
    folder is still graded (its path is kept as it is).
    """
    root = Path(folder)
    subs: list[Submission] = []
    notes: list[str] = []
    for entry in sorted(os.scandir(root), key=lambda e: os.fsencode(e.name)):
        name = printable(entry.name)
        if entry.name.startswith("."):
            if entry.is_dir(follow_symlinks=False):
                notes.append(f"{name}: a hidden folder (its name starts with '.'), not graded")
            continue
        if entry.is_symlink():
            subs.append(Submission(name, entry.path))  # reported as rejected
        elif entry.is_dir(follow_symlinks=False):
            subs.append(Submission(name, entry.path))
        else:
            notes.append(f"{name}: not a folder, skipped")
    return subs, notes


# --- one submission ------------------------------------------------------------------------


def grade_one(spec: Spec, sub: Submission) -> Grade:
    """Build and evaluate one submission; never raises."""
    from emu.grading.evaluation import evaluate
    from emu.grading.run import build_folder
    from emu.grading.sandbox import Sandbox

    started = time.perf_counter()
    max_score = spec.max_score
    box = Sandbox([sub.path])
    try:
        if os.path.islink(sub.path):
            message = "the submission is a symbolic link; not followed"
            return Grade.unscored(sub.name, REJECTED, max_score, message)
        with box:
            subject = build_folder(sub.path, spec, untrusted=True)
            report = evaluate(spec, subject)
        report.subject = sub.name
        status, message = GRADED, ""
        if subject.error is not None:
            message = subject.error_text()
            # From the error's type, never its text (a RUN may print "limit exceeded").
            status = BUILD_FAILED
            if isinstance(subject.error, LimitExceeded):
                status = LIMIT
            elif isinstance(subject.error, RejectedError):
                status = REJECTED
        score = report.score
        if box.violations:
            # emu itself tried something the sandbox refuses (a Dockerfile cannot ask for it
            # directly): the attempt was blocked; the grade stands, flagged for review.
            status = VIOLATION
            message = "; ".join(dict.fromkeys(box.violations))
        return Grade(
            sub.name,
            status,
            score,
            max_score,
            report,
            message,
            time.perf_counter() - started,
            list(box.violations),
        )
    except MemoryError:
        message = f"limit exceeded: max_memory ({spec.limits.max_memory})"
        seconds = time.perf_counter() - started
        return Grade.unscored(sub.name, LIMIT, max_score, message, seconds, list(box.violations))
    except RecursionError:
        seconds = time.perf_counter() - started
        return Grade.unscored(sub.name, LIMIT, max_score, "limit exceeded: nesting depth", seconds)
    except Exception as exc:
        message = (
            f"internal error (a bug in emu, not the submission's fault): "
            f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-4)}"
        )
        seconds = time.perf_counter() - started
        return Grade.unscored(sub.name, INTERNAL, max_score, message, seconds, list(box.violations))


# --- workers -------------------------------------------------------------------------------


def _worker_main(conn: multiprocessing.connection.Connection, spec: Spec) -> None:
    """A grading worker: set its limits, then grade what it is sent until told to stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C
    try:
        import resource

        limit = spec.limits.max_memory
        if limit > 0:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on this platform
        pass
    prepare_worker(spec)
    conn.send(("ready", None, None))
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, name, path, dest = task
        grade = grade_one(spec, Submission(name, path))
        written = False
        if dest is not None:  # its Gradescope file: written here, not by the parent
            with contextlib.suppress(OutputError):  # (the parent tries again, and says why)
                _put(Path(dest), json_text(gradescope(grade)))
                written = True
        conn.send((index, grade.to_dict(), written))


def prepare_worker(spec: Spec) -> None:
    """What a grading worker does once, before its first submission: load every emulated
    program, build once (see _warm_up), then take every object alive so far out of the
    garbage collector's sight (``gc.freeze``). A full collection walks every object it
    sees: the catalogued base images' trees and the modules, which live as long as the
    worker, cost a worker tens of milliseconds every few hundred submissions."""
    import gc

    from emu.grading.sandbox import register_programs

    register_programs()
    _warm_up(spec)
    gc.collect()
    gc.freeze()


def _warm_up(spec: Spec) -> None:
    """Build and evaluate a tiny image once, outside any sandbox, so the modules a build
    needs are imported before the first submission (imports inside a sandbox read only
    Python's own folders, and are slower there)."""
    from emu.grading.evaluation import evaluate
    from emu.grading.run import build_mapping

    files = {
        "Dockerfile": "FROM busybox AS a\nRUN echo x > /x\nFROM scratch\nCOPY --from=a /x /x\n"
    }
    with contextlib.suppress(Exception):
        evaluate(spec, build_mapping(files, spec))


# A worker holds the submission it grades and the next one: it starts the next as soon as it
# has sent a grade, instead of waiting for the parent to read the grade and answer. With as
# many workers as cores, the parent shares the CPUs with them, and workers that waited for
# it sat idle up to a third of their time (--jobs 2 on two cores). The cost: a submission may
# wait behind a slow one in its worker while another worker is free; near the end of a class
# (fewer left than twice the workers) none is sent ahead.
_DEPTH = 2


class _Worker:
    def __init__(self, ctx: Any, spec: Spec) -> None:
        parent, child = ctx.Pipe(duplex=True)
        self.conn: multiprocessing.connection.Connection = parent
        self.proc = ctx.Process(target=_worker_main, args=(child, spec), daemon=True)
        self.proc.start()
        child.close()
        self.ready = False
        # Sent and not yet answered, in order: the first is the one being graded.
        self.tasks: deque[tuple[int, Submission]] = deque()
        self.started = 0.0  # when the first of the tasks began, as far as the parent knows

    @property
    def task(self) -> tuple[int, Submission] | None:
        return self.tasks[0] if self.tasks else None

    def give(self, index: int, sub: Submission, dest: Path | None) -> None:
        """Send a submission to grade (and where to write its Gradescope file, if anywhere)."""
        if not self.tasks:
            self.started = time.monotonic()
        self.tasks.append((index, sub))
        self.conn.send((index, sub.name, sub.path, None if dest is None else str(dest)))

    def answered(self) -> tuple[int, Submission]:
        """The first task, answered; the next (already sent) begins now."""
        self.started = time.monotonic()
        return self.tasks.popleft()

    def unstarted(self) -> list[tuple[int, Submission]]:
        """The tasks after the first (sent, not begun), taken back."""
        rest = list(self.tasks)[1:]
        while len(self.tasks) > 1:
            self.tasks.pop()
        return rest

    def receive(self) -> tuple[object, object, object] | None:
        """The next message, or None when there is none (or the worker is gone)."""
        try:
            if self.conn.poll():
                msg = self.conn.recv()
                if isinstance(msg, tuple) and len(msg) == 3:
                    return msg[0], msg[1], msg[2]
        except (EOFError, OSError):
            pass
        return None

    def ask_to_stop(self) -> None:
        """Tell the worker to exit when it is free (it finishes what it holds first)."""
        try:
            if self.proc.is_alive():
                self.conn.send(None)
        except (OSError, ValueError):
            pass

    def stop(self) -> None:
        """Wait for the worker to exit (after :meth:`ask_to_stop`), or kill it."""
        self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=2)
        self.conn.close()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(timeout=5)
        self.conn.close()


OnResult = Callable[[Grade, int, int], None]


def grade(
    spec: Spec,
    submissions: Iterable[Submission],
    *,
    jobs: int = 0,
    on_result: OnResult | None = None,
    gradescope_files: GradescopeFiles | None = None,
) -> list[Grade]:
    """Grade every submission; results in submission order. ``jobs`` worker processes
    (0: one per core); ``jobs=-1`` grades in this process (no memory limit and no hard
    kill: for tests and debugging).

    With ``gradescope_files``, each submission's Gradescope file is written as soon as it
    is graded, by the worker that graded it: writing a thousand files (a folder and a file
    each) is work the parent would otherwise do alone while the workers wait for it."""
    subs = list(submissions)
    total = len(subs)
    results: list[Grade | None] = [None] * total
    done = 0
    files = gradescope_files

    def record(index: int, g: Grade, written: bool = False) -> None:
        nonlocal done
        results[index] = g
        done += 1
        if files is not None:
            if written:  # by the worker that graded it
                files.written[g.name] = files.path(g.name)
            else:
                files.write(g)
        if on_result is not None:
            on_result(g, done, total)

    if jobs < 0:
        for i, sub in enumerate(subs):
            record(i, grade_one(spec, sub))
        return [g for g in results if g is not None]
    n = min(jobs or os.cpu_count() or 1, max(total, 1))
    ctx = multiprocessing.get_context("spawn")
    queue = deque(enumerate(subs))
    workers = [_Worker(ctx, spec) for _ in range(n)]
    kill_after = spec.limits.kill_after()
    startup_deaths = 0
    retried: dict[int, int] = {}

    def feed(w: _Worker) -> None:
        if not (w.ready and w.proc.is_alive()):
            return
        while queue and (not w.tasks or (len(w.tasks) < _DEPTH and len(queue) >= 2 * n)):
            index, sub = queue.popleft()
            w.give(index, sub, None if files is None else files.path(sub.name))

    def requeue(tasks: list[tuple[int, Submission]]) -> None:
        queue.extendleft(reversed(tasks))  # first, in their order: they were never begun

    try:
        while done < total:
            for w in workers:
                feed(w)
            waitables: list[Any] = [w.conn for w in workers] + [w.proc.sentinel for w in workers]
            multiprocessing.connection.wait(waitables, timeout=0.25)
            arrived: list[tuple[int, Grade, bool]] = []
            for i, w in enumerate(workers):
                msg = w.receive()
                if msg is not None and msg[0] == "ready":
                    w.ready = True
                    feed(w)
                    continue
                outcome: Grade | None = None
                if msg is not None and w.task is not None and msg[0] == w.task[0]:
                    assert isinstance(msg[1], dict)
                    outcome = Grade.from_dict(msg[1])
                elif w.task is None and not w.proc.is_alive():
                    startup_deaths += 0 if w.ready else 1
                    if startup_deaths > 2 * n:
                        raise WorkerError(
                            f"grading workers exit as they start (exit code {w.proc.exitcode})",
                            hint="a script that calls emu.grading.grade.grade() must guard its "
                            "entry point with: if __name__ == '__main__':",
                        )
                    w.conn.close()
                    workers[i] = _Worker(ctx, spec)
                    continue
                if w.task is None:
                    continue
                if outcome is not None:
                    index, _ = w.answered()
                    feed(w)  # its next ones first: then what on_result does
                    arrived.append((index, outcome, msg is not None and msg[2] is True))
                    continue
                index, sub = w.task
                if not w.proc.is_alive() and retried.get(index, 0) < 1:
                    # Killed from outside (the OOM killer, an operator) or crashed: try the
                    # submission once more in a fresh worker before blaming it.
                    retried[index] = retried.get(index, 0) + 1
                    requeue(list(w.tasks))
                    w.conn.close()
                    workers[i] = _Worker(ctx, spec)
                    continue
                if not w.proc.is_alive():
                    code = w.proc.exitcode
                    why = f"signal {-code}" if code is not None and code < 0 else f"exit {code}"
                    outcome = Grade.unscored(
                        sub.name,
                        INTERNAL,
                        spec.max_score,
                        f"internal error: the grading worker died ({why}) twice while grading "
                        "this submission",
                        time.monotonic() - w.started,
                    )
                elif time.monotonic() - w.started > kill_after:
                    outcome = Grade.unscored(
                        sub.name,
                        TIMEOUT,
                        spec.max_score,
                        f"limit exceeded: hard timeout ({kill_after:g} s); the worker was stopped",
                        time.monotonic() - w.started,
                    )
                    w.kill()
                else:
                    continue
                requeue(w.unstarted())
                w.conn.close()
                workers[i] = _Worker(ctx, spec)
                arrived.append((index, outcome, False))
            for index, g, written in arrived:
                record(index, g, written)
    finally:
        idle = [w for w in workers if w.ready and not w.tasks]
        for w in idle:  # all told first: they exit (and tidy up) side by side
            w.ask_to_stop()
        for w in workers:
            if w in idle:
                w.stop()
            else:
                w.kill()
    return [g for g in results if g is not None]


# --- outputs -------------------------------------------------------------------------------


def _safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_.@" else "_" for c in name)
    return keep.strip(".") or "submission"


def gradescope(g: Grade) -> dict[str, Any]:
    """Gradescope's results.json for one submission."""
    tests: list[dict[str, Any]] = []
    if g.report is not None:
        for n, r in enumerate(g.report.results, 1):
            lines = list(r.messages)
            if r.observed and not r.passed:
                lines.append(f"observed: {r.observed}")
            if r.stdout and not r.passed:
                lines.append(f"stdout:\n{r.stdout}")
            if r.stderr and not r.passed:
                lines.append(f"stderr:\n{r.stderr}")
            tests.append(
                {
                    "name": r.name,
                    "number": str(n),
                    "score": r.score,
                    "max_score": r.weight,
                    "status": "passed" if r.passed else "failed",
                    "output": "\n".join(lines) if lines else ("passed" if r.passed else r.status),
                    "output_format": "text",
                    "visibility": "visible",
                    "tags": [r.kind],
                }
            )
    out = {
        "score": g.score,
        "execution_time": round(g.seconds, 3),
        "output": _summary_line(g),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return out


def _summary_line(g: Grade) -> str:
    text = f"{g.status}: {g.score:g}/{g.max_score:g}"
    if g.message:
        text += f"\n{g.message}"
    return text


def _cell(text: str) -> str:
    """A text cell of grades.csv: printable, and never a formula a spreadsheet would run
    (OWASP's advice: a leading ``=``, ``+``, ``-``, ``@``, tab or CR is quoted by a ``'``)."""
    text = shown(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(grades: list[Grade]) -> str:
    """grades.csv as RFC 4180 says (CRLF line ends, fields quoted when they need it)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["submission", "score", "max_score", "percent", "status", "failed_tests", "message"])
    for g in grades:
        w.writerow(
            [
                _cell(g.name),
                f"{g.score:g}",
                f"{g.max_score:g}",
                f"{g.percent:.1f}",
                g.status,
                _cell("; ".join(g.failed_tests())),
                _cell(g.message.splitlines()[0] if g.message else ""),
            ]
        )
    return buf.getvalue()


def summary(grades: list[Grade]) -> dict[str, Any]:
    scores = [g.score for g in grades]
    statuses: dict[str, int] = {}
    for g in grades:
        statuses[g.status] = statuses.get(g.status, 0) + 1
    return {
        "submissions": len(grades),
        "mean": round(statistics.fmean(scores), 4) if scores else 0.0,
        "median": statistics.median(scores) if scores else 0.0,
        "statuses": statuses,
    }


# --- shards: one class graded over several machines ------------------------------------------


@record(frozen=True, slots=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as CI matrices number jobs): the submissions
    at positions ``index-1``, ``index-1+count``, … of the sorted list :func:`discover`
    returns — so every machine that sees the same folder takes the same ones, the shards
    are disjoint, they cover the class, and their sizes differ by one at most."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``K/N`` (1 ≤ K ≤ N)."""
        k, slash, n = text.partition("/")
        if not (
            slash
            and (k.isascii() and k.isdigit())
            and (n.isascii() and n.isdigit())
            and 1 <= int(k) <= int(n)
        ):
            raise UsageError(
                f"--shard {printable(text, 40)}: expected K/N with 1 ≤ K ≤ N",
                hint="e.g. --shard 2/4 grades the second quarter of the class",
            )
        return cls(int(k), int(n))

    def positions(self, total: int) -> list[int]:
        return list(range(self.index - 1, total, self.count))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def merge_shards(
    folders: Iterable[str | os.PathLike[str]],
) -> tuple[list[Grade], list[str], float]:
    """The grades, notes and grading seconds of a class graded in shards, from the
    ``grades.json`` each shard wrote: in the class's order, as one run would list them.
    Refuses shards of different rubrics or splits, and a missing or repeated shard."""
    docs: list[tuple[Path, dict[str, Any]]] = []
    for folder in folders:
        path = Path(folder) / "grades.json"
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the shard {path}: {exc}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("shard"), dict):
            raise UsageError(
                f"{path} is not a shard's result", hint="write it with emu grade --shard K/N"
            )
        docs.append((path, doc))
    if not docs:
        raise UsageError("nothing to merge: name the shards' output folders")
    first = docs[0][1]
    count, total = first["shard"]["count"], first["shard"]["total"]
    seen: dict[int, Path] = {}
    placed: dict[int, Grade] = {}
    for path, doc in docs:
        info = doc["shard"]
        if (doc.get("spec"), info["count"], info["total"]) != (first.get("spec"), count, total):
            raise UsageError(
                f"{path}: another rubric or split ({doc.get('spec')}, {info['count']} shards of "
                f"{info['total']}) than {docs[0][0]} ({first.get('spec')}, {count} of {total})"
            )
        if info["index"] in seen:
            raise UsageError(
                f"shard {info['index']}/{count} given twice: {seen[info['index']]}, {path}"
            )
        seen[info["index"]] = path
        for entry in doc["submissions"]:
            placed[int(entry["position"])] = Grade.from_dict(entry)
    missing = sorted(set(range(1, count + 1)) - set(seen))
    if missing:
        raise UsageError(
            "missing shards: " + ", ".join(f"{k}/{count}" for k in missing),
            hint="merge the output folders of every shard",
        )
    grades = [placed[i] for i in sorted(placed)]
    if sorted(placed) != list(range(total)):
        raise UsageError(f"the shards hold {len(placed)} of the class's {total} submissions")
    notes = [str(n) for n in first.get("notes", [])]
    seconds = sum(float(doc.get("seconds", 0.0)) for _, doc in docs)
    return grades, notes, seconds


class GradescopeFiles:
    """Each submission's ``gradescope/NAME/results.json`` under ``out_dir``, written as
    soon as it is graded rather than all at the end: given to :func:`grade`, by the worker
    that graded it; else by :meth:`write`, as grades arrive.

    ``names`` are every submission's, in order: a name that two submissions share once made
    safe for a folder gets ``_`` appended in that order, as :func:`write_outputs` does."""

    def __init__(self, out_dir: str | os.PathLike[str], names: Iterable[str]) -> None:
        self.out = Path(out_dir)
        self.folders: dict[str, str] = {}
        used: set[str] = set()
        for n in names:
            folder = _safe_name(n)
            while folder in used:
                folder += "_"
            used.add(folder)
            self.folders.setdefault(n, folder)
        self.written: dict[str, Path] = {}

    def path(self, name: str) -> Path:
        """Where the Gradescope file of the submission ``name`` goes."""
        return self.out / "gradescope" / self.folders[name] / "results.json"

    def write(self, g: Grade) -> Path:
        path = self.path(g.name)
        _put(path, json_text(gradescope(g)))
        self.written[g.name] = path
        return path


def _put(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (a reader never sees half a file)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError(
            f"cannot write {printable(str(path), 160)}: {exc.strerror or exc}",
            hint="give --out a folder emu can create and write",
        ) from None


def grades_json_entry(g: Grade) -> Rendered:
    """``g``'s entry in grades.json, written ahead of the document (see write_outputs):
    what the parent can do while the workers grade, instead of after the last grade."""
    return Rendered.of(g.to_dict(), _ENTRY_DEPTH)


_ENTRY_DEPTH = 2  # grades.json > "submissions" > each entry


def _entry(g: Grade, prepared: Mapping[str, tuple[Grade, Rendered]] | None) -> object:
    held = prepared.get(g.name) if prepared else None
    return held[1] if held is not None and held[0] is g else g.to_dict()


def write_outputs(
    grades: list[Grade],
    spec: Spec,
    out_dir: str | os.PathLike[str],
    *,
    single: bool = False,
    seconds: float = 0.0,
    notes: list[str] | None = None,
    shard: Shard | None = None,
    positions: list[int] | None = None,
    total: int = 0,
    gradescope_files: GradescopeFiles | None = None,
    prepared: Mapping[str, tuple[Grade, Rendered]] | None = None,
) -> list[Path]:
    """Write the tables and the Gradescope files into ``out_dir``; returns what was written.
    The Gradescope files ``gradescope_files`` wrote already (as grades arrived) are kept.
    ``prepared`` holds grades.json entries written ahead, as grades arrived (a
    submission's name: its grade and :func:`grades_json_entry` of it); each is used for the
    grade it was made from, and any other grade is written here.

    A shard's ``grades.json`` also says which shard it is (``shard``: index, count, and the
    class's ``total``) and each submission's ``position`` in the class, for
    :func:`merge_shards`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(path: Path, text: str) -> None:
        _put(path, text)
        written.append(path)

    if single and grades:
        put(out / "results.json", json_text(gradescope(grades[0])))
    put(out / "grades.csv", csv_text(grades))
    doc = {
        "schema": 1,
        "spec": spec.source,
        "maxScore": spec.max_score,
        "seconds": round(seconds, 3),
        "summary": summary(grades),
        "notes": list(notes or []),
        "warnings": list(spec.warnings),
        "submissions": [_entry(g, prepared) for g in grades],
    }
    if shard is not None:
        assert positions is not None and len(positions) == len(grades)
        doc["shard"] = {"index": shard.index, "count": shard.count, "total": total}
        doc["submissions"] = [
            {**g.to_dict(), "position": p} for g, p in zip(grades, positions, strict=True)
        ]
    put(out / "grades.json", json_text(doc))
    reports = [g.report for g in grades if g.report is not None]
    put(out / "junit.xml", to_junit(reports, name="emu grade"))
    if not single:
        files = gradescope_files
        if files is None or files.out != out:
            files = GradescopeFiles(out, [g.name for g in grades])
        for g in grades:
            done = files.written.get(g.name)
            written.append(done if done is not None else files.write(g))
    return written


__all__ = [
    "BUILD_FAILED",
    "GRADED",
    "INTERNAL",
    "LIMIT",
    "REJECTED",
    "TIMEOUT",
    "VIOLATION",
    "Grade",
    "GradescopeFiles",
    "Shard",
    "Submission",
    "WorkerError",
    "csv_text",
    "discover",
    "grade",
    "grade_one",
    "grades_json_entry",
    "gradescope",
    "merge_shards",
    "summary",
    "write_outputs",
]
