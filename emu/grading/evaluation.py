"""Evaluating a spec against a subject: a build's result, or an image without its build.

container-structure-test's semantics, test by test (``pkg/types/v2``): file existence does not
follow a final symlink (``docker cp`` does not), file content does; ``$VAR`` in paths and
commands comes from the image's environment; command tests run ``command args…`` with the
entrypoint overridden, in the image's WORKDIR, as its USER (or ``containerRunOptions.user``),
with ``setup`` commands first in the same filesystem — here through emu's shell against a
copy-on-write copy of the final image, so no test changes the image or another test.
Regexes are searched (not anchored), as Go's ``MatchString`` does.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
import time
from typing import TYPE_CHECKING, TypeVar

from emu.errors import EmuError
from emu.fs import FS, Blob, Device, Dir, File, Kind, Lazy, Node, Snapshot, Symlink
from emu.fs.tree import collect
from emu.grading.model import (
    EmuTest,
    FileContentTest,
    FileExistenceTest,
    LicenseTest,
    MetadataTest,
    compile_regex,
)
from emu.grading.report import Report, TestResult
from emu.records import field, record
from emu.teach.explain import root_base

if TYPE_CHECKING:
    from emu.dockerfile.instructions import Dockerfile
    from emu.engine.builder import BuildResult
    from emu.engine.context import Context
    from emu.grading.model import AnyTest, CommandTest, EnvVar, SandboxLimits, Spec
    from emu.ignore import IgnoreMatcher
    from emu.images.image import Image

MAX_READ = 64 * 1024 * 1024  # a content test reads at most this much of a file
_OUT_LIMIT = 64 * 1024  # command output kept in a report


@record(slots=True)
class Subject:
    """What a spec is evaluated against."""

    label: str
    image: Image | None = None
    result: BuildResult | None = None
    dockerfile: Dockerfile | None = None  # parsed, even when the build failed
    context: Context | None = None
    error: EmuError | None = None  # why the build failed
    build_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of_result(cls, result: BuildResult, label: str = "build") -> Subject:
        return cls(label, result.image, result, result.dockerfile, result.context)

    @classmethod
    def of_image(cls, image: Image, label: str = "image") -> Subject:
        return cls(label, image)

    def error_text(self) -> str:
        if self.error is None:
            return ""
        text = str(self.error)
        return text + (f" (hint: {self.error.hint})" if self.error.hint else "")


T = TypeVar("T")


class _Failed(Exception):
    """A test that cannot be evaluated (status ``error``)."""


# --- small helpers -------------------------------------------------------------------------

_VAR = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*|[0-9*#$@!?-]))")


def expand(text: str, env: dict[str, str]) -> str:
    """Go's ``os.Expand`` with the image's environment: ``$X`` and ``${X}``, unset → ""."""
    return _VAR.sub(lambda m: env.get(m.group(1) or m.group(2) or "", ""), text)


def go_mode_string(node: Node) -> str:
    """Go's ``FileMode.String()`` (what CST compares ``permissions`` with)."""
    mode = node.meta.mode
    prefix = ""
    if isinstance(node, Dir):
        prefix += "d"
    if isinstance(node, Symlink):
        prefix += "L"
    if isinstance(node, Device):
        prefix += "p" if node.kind is Kind.FIFO else "D"
    if mode & 0o4000:
        prefix += "u"
    if mode & 0o2000:
        prefix += "g"
    if isinstance(node, Device) and node.kind is Kind.CHAR:
        prefix += "c"
    if mode & 0o1000:
        prefix += "t"
    rwx = "".join(c if mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx"))
    return (prefix or "-") + rwx


def human(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"  # pragma: no cover


def _describe(node: Node) -> str:
    from emu.fs import mode_string

    text = f"{mode_string(node)} {node.meta.uid}:{node.meta.gid}"
    if isinstance(node, File):
        text += f" {node.size} bytes"
    elif isinstance(node, Symlink):
        text += f" -> {node.target}"
    return text


def _cut(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    return text if len(text) <= _OUT_LIMIT else text[:_OUT_LIMIT] + "\n… (cut)"


def _env(image: Image) -> dict[str, str]:
    return image.config.env_dict()


# What Docker adds to every container it starts (moby's init layer: /.dockerenv, and the
# mount points over which it binds the container's own /etc/hosts, /etc/hostname and
# /etc/resolv.conf): CST's docker driver tests a container, so its file and command tests
# see them, though the image itself does not hold them. /.dockerenv is the init layer's empty
# 0755 file; the three others are Docker's 0644 files as a container on the default bridge
# network has them, with resolv.conf as Docker writes it when the host's names no server a
# container can reach (emu never reads the host's configuration).
_BRIDGE_IP = "172.17.0.2"
_RESOLV_CONF = b"nameserver 8.8.8.8\nnameserver 8.8.4.4\n"


def container_id(image: Image) -> str:
    """The 12 hex digits a container of ``image`` is named by (its hostname): derived from
    the image, so that a test run is reproducible."""
    import hashlib

    return hashlib.sha256(repr(image.config).encode("utf-8", "surrogateescape")).hexdigest()[:12]


def container_fs(image: Image) -> FS:
    """The filesystem a container of ``image`` sees: a copy-on-write copy of the image with
    Docker's per-container files (see above); the image never changes. Each call is a new
    container (what one test writes, the next does not see)."""
    held = _CONTAINERS.get(id(image))
    if held is None or held[0] is not image:
        if len(_CONTAINERS) >= 8:
            _CONTAINERS.clear()
        held = _CONTAINERS[id(image)] = (image, _container_root(image).snapshot())
    return held[1].fs()


# The per-container files of the last few images tested (each test of a submission starts
# a container of the same image): made once, each container a copy-on-write writer of them.
_CONTAINERS: dict[int, tuple[Image, Snapshot]] = {}


def _container_root(image: Image) -> FS:
    from emu.fs import Meta

    fs = image.rootfs.fs()
    host = container_id(image)
    hosts = (
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
        f"ff02::2\tip6-allrouters\n{_BRIDGE_IP}\t{host}\n"
    )
    if fs.lookup("/etc") is None:
        fs.makedirs("/etc", Meta(0o755))
    for path, node in (
        ("/.dockerenv", File(Meta(0o755), b"")),
        ("/etc/hosts", File(Meta(0o644), hosts.encode())),
        ("/etc/hostname", File(Meta(0o644), f"{host}\n".encode())),
        ("/etc/resolv.conf", File(Meta(0o644), _RESOLV_CONF)),
    ):
        fs.put(path, node)
    return fs


def _read(node: Node, path: str) -> str:
    if isinstance(node, Dir):
        raise _Failed(f"{path} is a directory, not a file")
    if not isinstance(node, File):
        raise _Failed(f"{path} is not a regular file")
    content = node.content
    if isinstance(content, Blob):
        raise _Failed(
            f"{path} is a size-only model ({node.size} bytes"
            + (f", {content.label}" if content.label else "")
            + "): emu does not know its content"
        )
    if node.size > MAX_READ:
        raise _Failed(f"{path} is {node.size} bytes, more than emu reads for a test ({MAX_READ})")
    data = content.read() if isinstance(content, Lazy) else content
    return data.decode("utf-8", "replace")


# --- CST tests -----------------------------------------------------------------------------


def file_existence(t: FileExistenceTest, image: Image, extra_env: dict[str, str]) -> TestResult:
    res = TestResult(t.name, t.kind, "pass", weight=t.weight)
    env = {**_env(image), **extra_env}
    path = expand(t.path, env)
    fs = container_fs(image)
    try:
        node = fs.lookup(path, follow=False)
    except EmuError as exc:
        node = None
        res.messages.append(f"cannot examine {path}: {exc.message}")
    if node is None:
        res.observed = "missing"
        if t.should_exist:
            res.fail(f"File {path} should exist but does not")
        return res
    res.observed = _describe(node)
    if not t.should_exist:
        return res.fail(f"File {path} should not exist but does ({res.observed})")
    if t.permissions:
        from emu.fs import mode_string

        go, ls = go_mode_string(node), mode_string(node)
        if t.permissions not in (go, ls):
            res.fail(f"{path} has incorrect permissions. Expected: {t.permissions}, Actual: {go}")
    if t.is_executable_by:
        bits = {"any": 0o111, "owner": 0o100, "group": 0o010, "other": 0o001}[t.is_executable_by]
        if not node.meta.mode & bits:
            res.fail(
                f"{path} has incorrect executable bit. Expected to be executable "
                f"by {t.is_executable_by}, Actual: {go_mode_string(node)}"
            )
    if t.uid != -1 and node.meta.uid != t.uid:
        res.fail(f"{path} has incorrect user ownership. Expected: {t.uid}, Actual: {node.meta.uid}")
    if t.gid != -1 and node.meta.gid != t.gid:
        res.fail(
            f"{path} has incorrect group ownership. Expected: {t.gid}, Actual: {node.meta.gid}"
        )
    return res


def file_content(t: FileContentTest, image: Image, extra_env: dict[str, str]) -> TestResult:
    res = TestResult(t.name, t.kind, "pass", weight=t.weight)
    path = expand(t.path, {**_env(image), **extra_env})
    fs = container_fs(image)
    try:
        node = fs.lookup(path)
    except EmuError as exc:
        return res.fail(f"Failed to open {path}: {exc.message}")
    if node is None:
        res.status = "fail"
        res.observed = "missing"
        res.messages.append(f"Failed to open {path}: no such file or directory")
        return res
    try:
        text = _read(node, path)
    except _Failed as exc:
        res.status = "error" if isinstance(node, File) else "fail"
        res.messages.append(str(exc))
        return res
    res.observed = text if len(text) <= 200 else text[:200] + "…"
    for message in _unmatched(t.expected_contents, t.excluded_contents, text, "contents", path):
        res.fail(message)
    return res


def _unmatched(
    expected: tuple[str, ...], excluded: tuple[str, ...], text: str, what: str, where: str
) -> list[str]:
    """CST's messages for the regexes of ``expected`` that do not match ``text`` and those of
    ``excluded`` that do."""
    return [
        f"Expected {what} '{expr}' not found in {where}"
        for expr in expected
        if not compile_regex(expr).search(text)
    ] + [
        f"Excluded {what} '{expr}' found in {where}"
        for expr in excluded
        if compile_regex(expr).search(text)
    ]


def _ports(image: Image) -> list[str]:
    return list(image.config.exposed_ports)


def _port_in(port: str, ports: list[str]) -> bool:
    want = port if "/" in port else port + "/tcp"
    return any(p == want or p.split("/")[0] == port for p in ports)


def _value_matches(pair: EnvVar, value: str) -> bool:
    return bool(compile_regex(pair.value).search(value)) if pair.is_regex else pair.value == value


def metadata(t: MetadataTest, image: Image) -> TestResult:
    res = TestResult(t.name, t.kind, "pass", weight=t.weight)
    c = image.config
    env = c.env_dict()
    labels = c.label_dict()

    def expect(pairs: tuple[EnvVar, ...], found: dict[str, str], what: str, missing: str) -> None:
        for pair in pairs:
            if pair.key not in found:
                res.fail(missing.format(pair.key))
            elif not _value_matches(pair, found[pair.key]):
                res.fail(
                    f"{what} {pair.key} value {found[pair.key]} does not match expected value: "
                    f"{pair.value}"
                )

    expect(t.env_vars, env, "env var", "variable {} not found in image env")
    for pair in t.unbound_env_vars:
        if pair.key in env:
            res.fail(f"env var {pair.key} should not be set, but is: {env[pair.key]}")
    expect(t.labels, labels, "label", "label {} not found in image metadata")
    if t.cmd is not None and list(t.cmd) != list(c.cmd or ()):
        res.fail(f"Image Cmd {list(c.cmd or ())} does not match expected Cmd: {list(t.cmd)}")
    if t.entrypoint is not None and list(t.entrypoint) != list(c.entrypoint or ()):
        res.fail(
            f"Image entrypoint {list(c.entrypoint or ())} does not match expected entrypoint: "
            f"{list(t.entrypoint)}"
        )
    if t.workdir and t.workdir != c.working_dir:
        res.fail(f"Image workdir {c.working_dir!r} does not match config workdir: {t.workdir}")
    if t.user and t.user != c.user:
        res.fail(f"Image user {c.user!r} does not match config user: {t.user}")
    ports = _ports(image)
    for port in t.exposed_ports:
        if not _port_in(port, ports):
            res.fail(f"Port {port} not found in config (exposed: {', '.join(ports) or 'none'})")
    for port in t.unexposed_ports:
        if _port_in(port, ports):
            res.fail(f"Port {port} should not be exposed, but is")
    for volume in t.volumes:
        if volume not in c.volumes:
            res.fail(
                f"Volume {volume} not found in config (volumes: {', '.join(c.volumes) or 'none'})"
            )
    for volume in t.unmounted_volumes:
        if volume in c.volumes:
            res.fail(f"Volume {volume} should not be in config, but is")
    res.observed = (
        f"user={c.user or 'root'!s} workdir={c.working_dir or '/'} "
        f"entrypoint={list(c.entrypoint or ())} cmd={list(c.cmd or ())} "
        f"ports={ports} volumes={list(c.volumes)}"
    )
    return res


def _identity(fs: FS, user: str) -> object:
    from emu.engine.users import lookup_group, lookup_user
    from emu.sh.api import Identity

    if not user:
        return Identity(0, 0, (), "root")
    name, _, group = user.partition(":")
    found = lookup_user(fs, name)
    if found is None:
        if not (name.isascii() and name.isdigit()):
            raise _Failed(f"unable to find user {name}: no matching entries in passwd file")
        found = (int(name), 0)
    uid, gid = found
    if group:
        g = int(group) if (group.isascii() and group.isdigit()) else lookup_group(fs, group)
        if g is None:
            raise _Failed(f"unable to find group {group}: no matching entries in group file")
        gid = g
    return Identity(uid, gid, (), name if not (name.isascii() and name.isdigit()) else "")


def command(
    t: CommandTest,
    image: Image,
    global_env: tuple[EnvVar, ...],
    run_user: str,
    run_env: dict[str, str],
    limits: SandboxLimits,
) -> TestResult:
    from emu.grading.sandbox import register_programs, sh_limits
    from emu.sh import interp
    from emu.sh.api import REGISTRY, Identity, LimitExceeded

    register_programs()
    res = TestResult(t.name, t.kind, "pass", weight=t.weight)
    # CST commits globalEnvVars into the image first, so they (not a test's own envVars)
    # are what $VAR in the command and its args is substituted from.
    image_env = _env(image)
    for pair in global_env:
        image_env[pair.key] = expand(pair.value, image_env)
    env = dict(image_env)
    for pair in t.env_vars:
        env[pair.key] = expand(pair.value, image_env)
    env.update(run_env)
    fs = container_fs(image)  # copy-on-write: the image never changes
    cwd = image.config.working_dir or "/"
    try:
        ident = _identity(fs, run_user or image.config.user)
    except _Failed as exc:
        return res.fail(str(exc))
    assert isinstance(ident, Identity)
    if fs.lookup(cwd) is None:
        fs.makedirs(cwd)
    deadline = time.monotonic() + limits.max_seconds

    def run(argv: list[str]) -> interp.RunResult:
        result = interp.run_argv(
            [expand(a, image_env) for a in argv],
            fs=fs,
            env=dict(env),
            cwd=cwd,
            ident=ident,
            registry=REGISTRY,
            limits=sh_limits(limits, deadline),
        )
        unknown = [u for u in result.unemulated if getattr(u, "found", True)]
        if unknown:
            names = ", ".join(sorted({getattr(u, "name", str(u)) for u in unknown}))
            raise _Failed(f"{names}: not emulated by emu, so this command cannot be checked")
        return result

    try:
        for argv in t.setup:
            run(list(argv))
        out = run([t.command, *t.args])
        for argv in t.teardown:
            run(list(argv))
    except _Failed as exc:
        res.status = "error"
        res.messages.append(str(exc))
        return res
    except LimitExceeded as exc:
        return res.fail(f"the command was stopped: {exc.message}")
    except EmuError as exc:
        return res.fail(f"the command could not run: {exc.message}")
    stdout, stderr = _cut(out.stdout), _cut(out.stderr)
    res.stdout, res.stderr = stdout, stderr
    res.observed = f"exit code {out.status}"
    res.messages += _unmatched(
        t.expected_error, t.excluded_error, stderr, "string", f"error '{stderr}'"
    )
    res.messages += _unmatched(
        t.expected_output, t.excluded_output, stdout, "string", f"output '{stdout}'"
    )
    if out.status != t.exit_code:
        res.messages.append(
            f"Test '{t.name}' exited with incorrect error code. Expected: "
            f"{t.exit_code}, Actual: {out.status}"
        )
    if res.messages:
        res.status = "fail"
    return res


# --- emu's build tests ---------------------------------------------------------------------


def _need(value: T | None, subject: Subject, failed: str, what: str) -> T:
    """``value``, which the test needs: else why it is missing (the build failed, or the
    subject is an image where the test needs ``what`` of a build)."""
    if value is not None:
        return value
    if subject.error is not None or not what:
        raise _Failed(f"{failed}: {subject.error_text()}")
    raise _Failed(f"needs {what}: give a build context, not an image")


def _need_result(subject: Subject) -> BuildResult:
    return _need(subject.result, subject, "the build failed", "a build")


def _need_dockerfile(subject: Subject) -> Dockerfile:
    return _need(subject.dockerfile, subject, "the Dockerfile could not be read", "a Dockerfile")


def _need_image(subject: Subject) -> Image:
    return _need(subject.image, subject, "the build failed", "")  # every subject has one


def _ref_matches(pattern: str, ref: str) -> bool:
    ref = ref.removeprefix("docker.io/").removeprefix("library/")
    pattern = pattern.removeprefix("docker.io/").removeprefix("library/")
    last = ref.rsplit("/", 1)[-1]
    if ":" not in pattern.rsplit("/", 1)[-1] and "@" not in pattern:
        # A pattern without a tag names the repository: any tag of it.
        repo = ref.split("@", 1)[0]
        if ":" in last:
            repo = repo.rsplit(":", 1)[0]
        return fnmatch.fnmatchcase(repo, pattern)
    if ":" not in last and "@" not in ref:
        ref += ":latest"
    return fnmatch.fnmatchcase(ref, pattern)


def _stage_named(result: BuildResult, name: str) -> int | None:
    wanted = name.lower()
    for st in result.stages:
        if st.name.lower() == wanted or str(st.index) == wanted:
            return st.index
    return None


Fired = tuple[str, str, int, str]  # (rule, message, line, origin: "buildkit" | "emu")


def _checks(subject: Subject) -> list[Fired]:
    """Every check that fires: BuildKit's static rules (``# check=skip`` in the Dockerfile
    is ignored: a submission cannot switch off its own grading), BuildKit's build-time
    rules and emu's multi-stage lessons (``emu.teach.lessons``, warnings only)."""
    from emu.dockerfile.checks import CheckConfig, run_checks

    df = _need_dockerfile(subject)
    found: list[Fired] = [
        (v.rule.name, v.message, v.pos.line, "buildkit")
        for v in run_checks(df, CheckConfig()).violations
    ]
    lessons = _lessons(subject, df)
    if lessons is None and subject.result is not None:
        for st in subject.result.stages:  # without the lessons module: UndefinedVar only
            for u in st.undefined:
                found.append(
                    ("UndefinedVar", f"Usage of undefined variable '${u.name}'", u.line, "buildkit")
                )
    found.extend(lessons or [])
    unique: list[Fired] = []
    for item in found:
        if not any(item[0] == u[0] and item[2] == u[2] and item[1] == u[1] for u in unique):
            unique.append(item)
    return unique


def _lessons(subject: Subject, df: Dockerfile) -> list[Fired] | None:
    """Findings of ``emu.teach.lessons`` (None when emu has no such module)."""
    try:
        from emu.teach import lessons
    except ImportError:  # pragma: no cover - an emu without build-aware checks
        return None
    run = getattr(lessons, "run_lessons", None)
    facts = getattr(lessons, "BuildFacts", None)
    if not callable(run) or facts is None:  # pragma: no cover - another version of it
        return None
    try:
        findings = run(facts(dockerfile=df, context=subject.context, result=subject.result))
    except EmuError as exc:
        raise _Failed(f"the build-aware checks failed: {exc.message}") from None
    out: list[Fired] = []
    for f in findings:
        rule = f.rule
        if getattr(rule, "level", "warning") != "warning":
            continue  # "info" lessons teach; they do not fail anything
        out.append((rule.name, f.message, f.pos.line, getattr(rule, "origin", "emu")))
    return out


@functools.lru_cache(maxsize=64)
def _path_matcher(patterns: tuple[str, ...]) -> IgnoreMatcher:
    """One matcher per pattern list for the worker's life: a class's submissions share a
    spec, and the matcher's automaton keeps the states it has built (compiling it anew per
    submission rebuilt them every time: a third of grading a submission)."""
    from emu.ignore import IgnoreMatcher, compile_patterns

    return IgnoreMatcher(compile_patterns(p.lstrip("/") for p in patterns))


def paths_matching(image: Image, patterns: tuple[str, ...]) -> list[str]:
    """The paths of ``image`` that ``patterns`` match, depth first in name order; a
    matching directory is reported, not entered. The directories a class's images share
    (their base image's) are matched once per pattern list, not once per image."""
    matcher = _path_matcher(patterns)

    def visit(path: str, node: Node) -> tuple[tuple[str, ...], bool]:
        if matcher.excluded(path[1:]):
            return (path,), False
        return (), True

    return list(collect(image.rootfs.root, visit, ("paths_matching", patterns)))


def emu_test(t: EmuTest, subject: Subject) -> TestResult:
    res = TestResult(t.name, t.kind, "pass", weight=t.weight)
    kind, value = t.assertion, t.value

    if kind in ("buildSucceeds", "buildFails"):
        must_fail = value is False if kind == "buildSucceeds" else value is not False
        if subject.error is None and subject.result is None and subject.image is not None:
            raise _Failed("needs a build: give a build context, not an image")
        if not must_fail:
            if subject.error is not None:
                return res.fail(f"the build failed: {subject.error_text()}", "failed")
            res.observed = "succeeded"
            return res
        if subject.error is None:
            return res.fail("the build succeeded, but it should fail", "succeeded")
        res.observed = subject.error_text()
        if isinstance(value, str) and not compile_regex(value).search(res.observed):
            return res.fail(f"the build failed, but not with a message matching {value!r}")
        return res
    if kind == "stageCount":
        assert isinstance(value, tuple)
        df = _need_dockerfile(subject)
        n = len(df.stages)
        res.observed = f"{n} stage(s)"
        lo, hi = value
        if not lo <= n <= hi:
            want = str(lo) if lo == hi else f"between {lo} and {hi}" if hi < 1 << 30 else f"≥ {lo}"
            return res.fail(f"the Dockerfile has {n} stage(s); expected {want}")
        return res
    if kind == "namedStages":
        df = _need_dockerfile(subject)
        names = [st.name for st in df.stages]
        res.observed = ", ".join(n or f"(stage {i} unnamed)" for i, n in enumerate(names))
        if value is True:
            unnamed = [str(i) for i, n in enumerate(names) if not n]
            if unnamed:
                return res.fail(f"stage(s) {', '.join(unnamed)} have no name (FROM … AS name)")
            return res
        assert isinstance(value, tuple)
        missing = [n for n in value if n.lower() not in names]
        if missing:
            return res.fail(f"no stage named {', '.join(missing)}")
        return res
    if kind == "finalBase":
        assert isinstance(value, tuple)
        result = _need_result(subject)
        base = root_base(result, result.target.index)
        res.observed = base
        if not any(_ref_matches(p, base) for p in value):
            return res.fail(f"the final stage is based on {base}; allowed: {', '.join(value)}")
        return res
    if kind == "targetStage":
        result = _need_result(subject)
        res.observed = result.target.name
        if result.target.name.lower() != str(value).lower():
            return res.fail(f"the build ended at stage {result.target.name}, not {value}")
        return res
    if kind == "stageStatus":
        assert isinstance(value, tuple)
        result = _need_result(subject)
        stage, status = value
        idx = _stage_named(result, stage)
        if idx is None:
            return res.fail(f"no stage named {stage}")
        actual = result.stages[idx].status
        res.observed = f"{stage}: {actual} ({result.stages[idx].reason})"
        if actual != status:
            return res.fail(f"stage {stage} is {actual}, expected {status}")
        return res
    if kind == "maxImageSize":
        assert isinstance(value, int)
        size = _need_image(subject).size  # (summed over the layers' changes: once)
        res.observed = f"{human(size)} ({size} bytes)"
        if size > value:
            return res.fail(f"the image weighs {human(size)}, over the budget of {human(value)}")
        return res
    if kind == "notInImage":
        assert isinstance(value, tuple)
        image = _need_image(subject)
        found = paths_matching(image, value)
        if found:
            shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
            return res.fail(f"these must not reach the final image: {shown}", shown)
        res.observed = "none present"
        return res
    if kind == "inImage":
        assert isinstance(value, tuple)
        image = _need_image(subject)
        fs = image.rootfs.fs()
        missing = [p for p in value if fs.lookup(p, follow=False) is None]
        if missing:
            return res.fail(f"missing from the final image: {', '.join(missing)}")
        return res
    if kind == "dockerignoreExcludes":
        assert isinstance(value, tuple)
        ctx = subject.context
        if ctx is None:
            raise _Failed("needs a build context")
        kept = [p for p in value if not ctx.is_excluded(p)]
        res.observed = (
            f"ignore file: {ctx.ignore_file or '.dockerignore' if ctx.matcher else 'none'}"
        )
        if kept:
            return res.fail(f".dockerignore does not exclude {', '.join(kept)}")
        return res
    if kind == "copyFrom":
        assert isinstance(value, tuple)
        return _copy_from(res, value, subject)
    if kind == "noChecks":
        fired = _checks(subject)
        if value == "all":
            fired = [f for f in fired if f[3] == "buildkit"]
        elif value == "lessons":
            fired = [f for f in fired if f[3] != "buildkit"]
        else:
            assert isinstance(value, tuple)
            wanted = {v.lower() for v in value}
            fired = [f for f in fired if f[0].lower() in wanted]
        if fired:
            lines = [f"{rule} (line {line}): {msg}" for rule, msg, line, _ in fired]
            return res.fail("checks fired: " + "; ".join(lines), f"{len(fired)} check(s)")
        res.observed = "no check fired"
        return res
    raise _Failed(f"unknown assertion {kind}")  # pragma: no cover - the loader rejects it


def _copy_from(res: TestResult, value: tuple[object, ...], subject: Subject) -> TestResult:
    from emu.dockerfile.instructions import Copy

    stage, source, dest = (str(v) for v in value)
    seen: list[str] = []
    result = subject.result
    if result is not None:
        target = _stage_named(result, stage)
        for st in result.stages:
            for rec in st.copies:
                if rec.from_stage is None and rec.source.lower() != stage.lower():
                    continue
                if rec.from_stage is not None and rec.from_stage != target:
                    continue
                seen.append(rec.text)
                for src, dst in rec.pairs:
                    if (not source or fnmatch.fnmatchcase(src, source)) and (
                        not dest or fnmatch.fnmatchcase(dst, dest)
                    ):
                        res.observed = rec.text
                        return res
    df = _need_dockerfile(subject)
    for stage_ in df.stages:
        for inst in stage_.commands:
            if isinstance(inst, Copy) and inst.from_ and inst.from_.lower() == stage.lower():
                seen.append(inst.source)
                if result is None and (
                    (not source or any(fnmatch.fnmatchcase(s, source) for s in inst.sources))
                    and (not dest or fnmatch.fnmatchcase(inst.dest, dest))
                ):
                    res.observed = inst.source
                    return res
    res.status = "fail"
    want = f"COPY --from={stage}" + (f" {source}" if source else "") + (f" {dest}" if dest else "")
    if seen:
        res.messages.append(f"no {want}; found: {'; '.join(dict.fromkeys(seen))}")
    else:
        res.messages.append(f"no COPY --from={stage} in the Dockerfile")
    return res


# --- the whole spec ------------------------------------------------------------------------


def _run_env(spec: Spec) -> dict[str, str]:
    return {k: os.environ[k] for k in spec.run_options.env_vars if k in os.environ}


def evaluate(spec: Spec, subject: Subject) -> Report:
    """Run every test of ``spec`` against ``subject``; never raises for a test's failure."""
    started = time.perf_counter()
    report = Report(spec=spec.source, subject=subject.label, warnings=list(spec.warnings))
    report.warnings.extend(subject.notes)
    if subject.error is not None:
        report.build_error = subject.error_text()
    if subject.result is not None:
        r = subject.result
        report.build = {
            "stages": [{"name": s.name, "status": s.status, "base": s.base} for s in r.stages],
            "target": r.target.name,
            "imageSize": r.image.size,
            "baseSize": r.image.base_size,
            "seconds": round(subject.build_seconds, 6),
        }
    elif subject.image is not None:
        report.build = {"imageSize": subject.image.size, "baseSize": subject.image.base_size}
    global_env = {p.key: expand(p.value, {}) for p in spec.global_env_vars}
    run_env = _run_env(spec)
    for t in spec.tests():
        t0 = time.perf_counter()
        res = _one(t, spec, subject, global_env, run_env)
        res.duration = time.perf_counter() - t0
        report.results.append(res)
    report.duration = time.perf_counter() - started + subject.build_seconds
    return report


def _one(
    t: AnyTest, spec: Spec, subject: Subject, global_env: dict[str, str], run_env: dict[str, str]
) -> TestResult:
    if isinstance(t, LicenseTest):
        return TestResult(
            t.name, t.kind, "skip", ["license tests are not supported by emu"], weight=t.weight
        )
    try:
        if isinstance(t, EmuTest):
            return emu_test(t, subject)
        image = _need_image(subject)
        if isinstance(t, FileExistenceTest):
            return file_existence(t, image, global_env)
        if isinstance(t, FileContentTest):
            return file_content(t, image, global_env)
        if isinstance(t, MetadataTest):
            return metadata(t, image)
        from emu.engine.runexec import shell_stack

        with shell_stack():  # the shell's stack, only while it runs (as for a RUN)
            return command(
                t, image, spec.global_env_vars, spec.run_options.user, run_env, spec.limits
            )
    except _Failed as exc:
        # A failed build fails what it prevents; otherwise emu could not evaluate the test.
        status = "fail" if subject.error is not None else "error"
        return TestResult(t.name, t.kind, status, [str(exc)], weight=t.weight)


__all__ = [
    "Subject",
    "container_fs",
    "container_id",
    "evaluate",
    "expand",
    "go_mode_string",
    "human",
]
