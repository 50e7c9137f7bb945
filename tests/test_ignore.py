"""emu.ignore against BuildKit's dockerignore conformance data (read in place) and our cases."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from _conformance import available, missing_param, require_conformance

from emu.errors import EmuError, IgnoreFileError
from emu.glob import compile_pattern, go_parents
from emu.ignore import (
    ContextEntry,
    Decision,
    IgnoreMatcher,
    compile_patterns,
    explain_context,
    read_all,
    read_ignore_file,
    walk_context,
)
from emu.pos import Position

CASES_JSON = ("dockerignore", "cases.json")


def _data() -> dict[str, Any] | None:
    if not available(*CASES_JSON):
        return None
    loaded: dict[str, Any] = json.loads(
        require_conformance(*CASES_JSON).read_text(encoding="utf-8")
    )
    return loaded


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9*?.!/_\[\]-]+", "_", text)[:60]


def _params(group: str, ident: Any) -> list[Any]:
    data = _data()
    if data is None:
        return [missing_param(*CASES_JSON)]
    return [pytest.param(case, id=ident(i, case)) for i, case in enumerate(data[group])]


def _case_id(i: int, case: dict[str, Any]) -> str:
    pats = ",".join(case["patterns"]) or "<none>"
    return f"{case['group']}-{i}-{case['platform']}:{_slug(pats)}~{_slug(case['path'])}"


def _walk_parents_first(m: IgnoreMatcher, path: str) -> Decision:
    """How TestMatches drives MatchesUsingParentResults: each parent in turn, then the path."""
    decision: Decision | None = None
    for parent in go_parents(path):
        decision = m.match_with_parents(parent, decision)
    return m.match_with_parents(path, decision)


# -- cases: TestMatches, matchTests, the simple tests, the regression -----------------------


@pytest.mark.parametrize("case", _params("cases", _case_id))
def test_match_cases(case: dict[str, Any]) -> None:
    expected = case["expected"]
    apis = [case["api"], *case.get("also_apis", [])]

    def run() -> list[bool]:
        m = IgnoreMatcher(compile_patterns(case["patterns"]))
        results = [m.match(case["path"]).excluded]
        if any("MatchesUsingParentResults (walk parents first)" in a for a in apis):
            results.append(_walk_parents_first(m, case["path"]).excluded)
        if any("MatchesUsingParentResults (no parent context)" in a for a in apis):
            results.append(m.match_with_parents(case["path"], None).excluded)
        return results

    if expected == "error":
        with pytest.raises(EmuError) as info:
            run()
        assert info.value.message in ("syntax error in pattern", 'illegal exclusion pattern: "!"')
        if case.get("error") == "filepath.ErrBadPattern":
            assert info.value.message == "syntax error in pattern"
        with pytest.raises(EmuError):  # and again: a broken pattern never starts working
            run()
    else:
        assert run() == [expected] * len(run())


# -- constructor_cases: New() ---------------------------------------------------------------


@pytest.mark.parametrize(
    "case", _params("constructor_cases", lambda i, c: f"{i}-{c['source_test']}")
)
def test_constructor_cases(case: dict[str, Any]) -> None:
    expected = case["expected"]
    if expected.get("error"):
        with pytest.raises(IgnoreFileError):
            compile_patterns(case["patterns"])
        return
    m = IgnoreMatcher(compile_patterns(case["patterns"]))
    if "patterns_len" in expected:
        assert len(m.patterns) == expected["patterns_len"]
    if "exclusions" in expected:
        assert m.has_exclusions is expected["exclusions"]


# -- ignorefile_cases: ReadAll --------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    _params("ignorefile_cases", lambda i, c: f"{i}-{'nil' if c['input'] is None else 'text'}"),
)
def test_ignorefile_cases(case: dict[str, Any]) -> None:
    assert read_all(case["input"]) == case["expected_patterns"]


# -- context_cases: what COPY . . sees ------------------------------------------------------


def _make_files(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"content of {name}\n")


def _sent(root: Path, text: str | None) -> set[str]:
    return {e.path for e in explain_context(root, text) if e.in_context}


@pytest.mark.parametrize("case", _params("context_cases", lambda i, c: f"{i}-{c['source_test']}"))
def test_context_cases(case: dict[str, Any], tmp_path: Path) -> None:
    _make_files(tmp_path, case["context_files"])
    builds = case.get("builds") or [case]
    for build in builds:
        if build.get("expected_error"):
            with pytest.raises(IgnoreFileError) as info:
                explain_context(tmp_path, build["dockerignore"])
            assert info.value.message == 'illegal exclusion pattern: "!"'
            continue
        sent = _sent(tmp_path, build["dockerignore"])
        for name in build["expected_present"]:
            assert name in sent
        for name in build["expected_absent"]:
            assert name not in sent


# -- walk_cases: fsutil.Walk with ExcludePatterns -------------------------------------------


@pytest.mark.parametrize("case", _params("walk_cases", lambda i, c: f"{i}-{c['source_test']}"))
def test_walk_cases(case: dict[str, Any], tmp_path: Path) -> None:
    for name, kind in case["tree"]:
        path = tmp_path / name
        if kind == "dir":
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(name)
    if case.get("expected_error"):
        with pytest.raises(IgnoreFileError):
            compile_patterns(case["exclude_patterns"])
        return
    m = IgnoreMatcher(compile_patterns(case["exclude_patterns"]))
    sent = [
        ["dir" if e.is_dir else "file", e.path] for e in walk_context(tmp_path, m) if e.in_context
    ]
    assert sent == case["expected_walk"]


# -- reading an ignore file: our own cases --------------------------------------------------

READ_ALL_CASES: list[tuple[str, list[str]]] = [
    ("", []),
    ("\n\n", []),
    ("a\nb", ["a", "b"]),
    ("a\r\nb\r\n", ["a", "b"]),  # bufio.ScanLines drops one \r before the \n
    ("a\r\r\n", ["a"]),  # the second \r is whitespace for TrimSpace
    ("\ufeffa\n\ufeffb\n", ["a", "\ufeffb"]),  # the BOM is dropped from the first line only
    ("# comment\n  # not a comment\n", ["# not a comment"]),
    ("#a\n\t#b", ["#b"]),
    ("/a/b/\n//c\n/\n", ["a/b", "c", "/"]),  # one leading / removed, "/" alone kept
    ("!  /a/../b\n", ["!b"]),
    ("!\n", ["!"]),  # ReadAll keeps it; New rejects it
    ("! \n", ["!"]),
    ("./a\n.\n..\n", ["a", ".", ".."]),
    ("a b \n", ["a b"]),
    ("\x1ca\n", ["\x1ca"]),  # Go's TrimSpace keeps U+001C, unlike str.strip()
    ("\u3000a\u00a0\n", ["a"]),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [pytest.param(t, e, id=f"{i}-{_slug(t)}") for i, (t, e) in enumerate(READ_ALL_CASES)],
)
def test_read_all(text: str, expected: list[str]) -> None:
    assert read_all(text) == expected


def test_read_ignore_file_keeps_lines_and_text() -> None:
    pats = read_ignore_file("# c\n\nnode_modules\n  !keep/me  \n*.md\n")
    assert [(p.line, p.text, p.cleaned, p.exclusion) for p in pats] == [
        (3, "node_modules", "node_modules", False),
        (4, "  !keep/me  ", "keep/me", True),
        (5, "*.md", "*.md", False),
    ]


def test_read_ignore_file_none_and_empty() -> None:
    assert read_ignore_file(None) == ()
    assert read_ignore_file("") == ()


ERROR_CASES: list[tuple[str, int, str]] = [
    ("a\n!\n", 2, 'illegal exclusion pattern: "!"'),
    ("!", 1, 'illegal exclusion pattern: "!"'),
    ("a\n\n# c\n!   \n", 4, 'illegal exclusion pattern: "!"'),
    ("a\n!/\n", 2, 'illegal exclusion pattern: "!"'),  # "!/" becomes "!" once cleaned
    ("ok\nalso/ok\na[\n", 3, "syntax error in pattern"),
    ("[]a]", 1, "syntax error in pattern"),
    ("x\\", 1, "syntax error in pattern"),
    ("a\n" + "b" * 65536 + "\n", 2, "bufio.Scanner: token too long"),
]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [pytest.param(t, n, m, id=f"{i}-line{n}") for i, (t, n, m) in enumerate(ERROR_CASES)],
)
def test_read_ignore_file_errors(text: str, line: int, message: str) -> None:
    with pytest.raises(IgnoreFileError) as info:
        read_ignore_file(text, file="ctx/.dockerignore")
    err = info.value
    assert err.message == message
    assert err.file == "ctx/.dockerignore"
    assert err.pos == Position(line, 1)
    assert str(err) == f"ctx/.dockerignore:{line}:1: {message}"


def test_a_long_line_just_under_the_limit_is_fine() -> None:
    assert read_all("b" * 65535 + "\n") == ["b" * 65535]


def test_broken_regexp_fails_when_used_located() -> None:
    m = IgnoreMatcher(read_ignore_file("a\n[Local-Only]/\n", file="x.dockerignore"))
    with pytest.raises(IgnoreFileError) as info:
        m.match("zzz")
    assert info.value.file == "x.dockerignore"
    assert info.value.pos == Position(2, 1)
    with pytest.raises(IgnoreFileError):
        m.match("zzz")


def test_broken_exception_is_skipped_while_nothing_is_excluded() -> None:
    # Go never evaluates an exception while the path is not excluded, so the broken
    # "![z-a]" only fails for paths something else excluded first.
    m = IgnoreMatcher(compile_patterns(["x", "![z-a]"]))
    assert m.match("y") == Decision(False)
    assert m.match_with_parents("y", None).excluded is False
    with pytest.raises(IgnoreFileError):
        m.match("x")
    with pytest.raises(IgnoreFileError):
        m.match_with_parents("x", None)


# -- IgnoreMatcher: decisions and explanations ----------------------------------------------


def test_decision_names_the_last_matching_pattern() -> None:
    m = IgnoreMatcher.from_text("*.md\n!README.md\ndocs\n")
    readme = m.match("README.md")
    assert readme.excluded is False
    assert readme.pattern is not None and readme.pattern.text == "!README.md"
    other = m.match("CHANGES.md")
    assert other.excluded and other.pattern is not None and other.pattern.line == 1
    deep = m.match("docs/a/b.txt")
    assert deep.excluded and deep.pattern is not None and deep.pattern.cleaned == "docs"
    assert m.match("src/a.md") == Decision(False)
    assert m.excluded("docs") and not m.excluded("src")
    assert m.has_exclusions


def test_no_patterns() -> None:
    m = IgnoreMatcher()
    assert m.match("a/b") == Decision(False)
    assert m.match_with_parents("a", None).excluded is False
    assert not m.has_exclusions
    assert m.prunes("anything")


@pytest.mark.parametrize("path", ["a//b", "./a", "/a/b", "a/", "a/./b", "a/../b", ".", "/"])
def test_unusual_paths_take_gos_route(path: str) -> None:
    # Go computes the parents with filepath.Dir; the result must not depend on our shortcut.
    for patterns in (["a"], ["**"], ["/"], ["a/**", "!a/b"], ["b", "!a"], ["*"]):
        m = IgnoreMatcher(compile_patterns(patterns))
        expected = False
        for p in m.patterns:
            if p.matches_or_parent(path):
                expected = not p.exclusion
        assert m.match(path).excluded is expected, (patterns, path)


def test_walk_and_match_disagree_where_buildkit_does() -> None:
    # MatchesOrParentMatches re-includes a/b (its parent "a" matches "!a")...
    m = IgnoreMatcher(compile_patterns(["a/b", "!a"]))
    assert m.match("a/b").excluded is False
    # ...but the walk skipped "!a" at "a" (nothing was excluded yet), so it never counts.
    a = m.match_with_parents("a", None)
    assert a.excluded is False
    b = m.match_with_parents("a/b", a)
    assert b.excluded is True
    assert b.pattern is not None and b.pattern.cleaned == "a/b"


def test_match_with_parents_reuses_unchanged_decisions() -> None:
    m = IgnoreMatcher(compile_patterns(["node_modules", "**/*.log"]))
    top = m.match_with_parents("node_modules", None)
    assert top.excluded
    inner = m.match_with_parents("node_modules/x", top)
    assert inner is top  # no other pattern matched: nothing recomputed
    log = m.match_with_parents("node_modules/x.log", top)
    assert log.excluded and log.pattern is not None and log.pattern.cleaned == "**/*.log"


def test_prunes() -> None:
    assert IgnoreMatcher(compile_patterns(["foo"])).prunes("foo")
    m = IgnoreMatcher(compile_patterns(["foo", "!foo/keep", "!bar/**"]))
    assert not m.prunes("foo")  # an exception lies below
    assert m.prunes("baz")
    assert not m.prunes("bar")  # "bar/**" counts as "bar"
    assert not IgnoreMatcher(compile_patterns(["foo", "!**/keep"])).prunes("foo")


# -- walk_context ---------------------------------------------------------------------------


def _tree(root: Path, files: list[str], dirs: tuple[str, ...] = ()) -> None:
    for d in dirs:
        (root / d).mkdir(parents=True, exist_ok=True)
    _make_files(root, files)


def _walk(root: Path, text: str) -> list[ContextEntry]:
    return list(walk_context(root, IgnoreMatcher.from_text(text)))


def test_walk_order_is_bytewise_preorder(tmp_path: Path) -> None:
    _tree(tmp_path, ["foo/x", "foo.txt", "foo2", "B", "a", "é"])
    assert [e.path for e in _walk(tmp_path, "")] == [
        "B",
        "a",
        "foo",
        "foo/x",
        "foo.txt",
        "foo2",
        "é",
    ]


def test_walk_prunes_excluded_directories(tmp_path: Path) -> None:
    _tree(tmp_path, ["node_modules/a/b.js", "src/main.py", "src/x.pyc"])
    entries = {e.path: e for e in _walk(tmp_path, "node_modules\n**/*.pyc\n")}
    assert entries["node_modules"].pruned and not entries["node_modules"].in_context
    assert "node_modules/a" not in entries  # never looked at
    assert entries["src"].in_context and not entries["src"].pruned
    assert entries["src/main.py"].in_context
    assert not entries["src/x.pyc"].in_context
    assert entries["src/x.pyc"].decision.pattern is not None


def test_walk_reincludes_through_excluded_directories(tmp_path: Path) -> None:
    _tree(tmp_path, ["docs/a.md", "docs/keep/b.md", "docs/keep/c.txt", "other"])
    entries = _walk(tmp_path, "docs\n!docs/keep/*.md\n")
    sent = [e.path for e in entries if e.in_context]
    assert sent == ["docs", "docs/keep", "docs/keep/b.md", "other"]
    by_path = {e.path: e for e in entries}
    assert by_path["docs"].excluded and by_path["docs"].in_context  # sent for what it holds
    assert not by_path["docs/a.md"].in_context
    assert not by_path["docs/keep/c.txt"].in_context


def test_walk_reports_excluded_entries_in_order(tmp_path: Path) -> None:
    _tree(tmp_path, ["d/x", "d/y/z", "e"])
    entries = _walk(tmp_path, "d\n!d/y/z\n")
    assert [(e.path, e.in_context) for e in entries] == [
        ("d", True),
        ("d/x", False),
        ("d/y", True),
        ("d/y/z", True),
        ("e", True),
    ]


def test_walk_glob_exception_disables_pruning(tmp_path: Path) -> None:
    _tree(tmp_path, ["build/out/a.keep", "build/out/b.o"])
    entries = {e.path: e for e in _walk(tmp_path, "build\n!**/*.keep\n")}
    assert not entries["build"].pruned
    assert entries["build/out/a.keep"].in_context
    assert not entries["build/out/b.o"].in_context


def test_walk_does_not_follow_symlinks(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _tree(outside, ["secret"])
    ctx = tmp_path / "ctx"
    _tree(ctx, ["real/file"])
    (ctx / "link").symlink_to(outside, target_is_directory=True)
    (ctx / "real-link").symlink_to(ctx / "real", target_is_directory=True)
    entries = {e.path: e for e in _walk(ctx, "")}
    assert set(entries) == {"link", "real", "real/file", "real-link"}
    assert entries["link"].is_symlink and not entries["link"].is_dir
    assert entries["real-link"].is_symlink


def test_walk_follows_a_symlinked_root(tmp_path: Path) -> None:
    _tree(tmp_path / "real", ["a"])
    (tmp_path / "ctx").symlink_to(tmp_path / "real", target_is_directory=True)
    assert [e.path for e in _walk(tmp_path / "ctx", "")] == ["a"]


def test_walk_root_must_be_a_directory(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(EmuError, match=r"^build context is not a directory: .*/f$"):
        list(walk_context(tmp_path / "f", IgnoreMatcher()))
    with pytest.raises(EmuError, match=r"^build context is not a directory: .*/missing$"):
        list(walk_context(tmp_path / "missing", IgnoreMatcher()))


def test_walk_orders_names_by_their_bytes(tmp_path: Path) -> None:
    # Go's os.ReadDir sorts by bytes. For text that is code point order, but a name that
    # is not UTF-8 (a surrogate escape here, byte 0x80) sorts before "中" (0xE4 …).
    names = ["b", "a", "B", "中", "\udc80", "é"]
    for name in names:
        (tmp_path / name).write_text("x")
    walked = [e.path for e in _walk(tmp_path, "")]
    assert walked == sorted(names, key=os.fsencode)
    assert walked == ["B", "a", "b", "\udc80", "é", "中"]


def test_walk_unreadable_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, ["locked/a", "ok"])
    real_scandir = os.scandir

    def scandir(path: str) -> Any:  # chmod 000 does not stop root, so fake the refusal
        if os.path.basename(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(EmuError, match="permission denied"):
        _walk(tmp_path, "")
    # excluded (and walked because of a glob exception): the error is ignored, as in fsutil
    entries = _walk(tmp_path, "locked\n!**/nothing\n")
    assert [e.path for e in entries if e.in_context] == ["ok"]


def test_dot_pattern_is_ignored(tmp_path: Path) -> None:
    _tree(tmp_path, ["a", "b/c"])
    assert _sent(tmp_path, ".\n") == {"a", "b", "b/c"}
    assert _sent(tmp_path, "./b\n") == {"a"}


def test_explain_context_without_ignore_file(tmp_path: Path) -> None:
    _tree(tmp_path, ["Dockerfile", "app/main.py"])
    entries = explain_context(tmp_path, None)
    assert [(e.path, e.is_dir, e.excluded) for e in entries] == [
        ("Dockerfile", False, False),
        ("app", True, False),
        ("app/main.py", False, False),
    ]


def test_explain_context_error_is_located(tmp_path: Path) -> None:
    with pytest.raises(IgnoreFileError) as info:
        explain_context(tmp_path, "ok\n!\n", file="Dockerfile.dockerignore")
    assert str(info.value) == 'Dockerfile.dockerignore:2:1: illegal exclusion pattern: "!"'


def test_compile_pattern_and_matcher_agree_on_single_patterns() -> None:
    for text in ("*.md", "docs", "**/x", "a/**", "[ab]c"):
        p = compile_pattern(text)
        assert p is not None
        m = IgnoreMatcher([p])
        for path in ("a.md", "docs/a", "q/x/y", "a/b", "bc", "zz"):
            assert m.excluded(path) is p.matches_or_parent(path), (text, path)


def test_lone_surrogates_are_just_characters() -> None:
    # Undecodable bytes (surrogateescape) and lone surrogates must not crash the reader.
    pats = read_ignore_file("a\ud800b\n\udcffx\n")
    assert [p.cleaned for p in pats] == ["a\ud800b", "\udcffx"]
    assert IgnoreMatcher(pats).excluded("a\ud800b/c")


def test_walk_remembers_a_listing_until_its_directory_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import emu.ignore as ig

    _tree(tmp_path, ["a", "d/b"])
    real = ig.time.time_ns
    # A walk made right after the tree was written keeps nothing: its stat could hide a
    # change within the clock's granularity.
    monkeypatch.setattr(ig, "_LISTED", {})
    assert [e.path for e in _walk(tmp_path, "")] == ["a", "d", "d/b"]
    assert ig._LISTED == {}
    # Seen as 10 s later, the listings are kept, and a later walk lists nothing again.
    monkeypatch.setattr(ig.time, "time_ns", lambda: real() + 10_000_000_000)
    _walk(tmp_path, "")
    assert set(ig._LISTED) == {str(tmp_path), os.path.join(str(tmp_path), "d")}
    scans: list[str] = []
    real_scandir = os.scandir

    def scandir(path: str) -> Any:
        scans.append(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert [e.path for e in _walk(tmp_path, "")] == ["a", "d", "d/b"]
    assert scans == []
    # An entry added (or removed, or renamed) changes its directory's stat: listed again.
    (tmp_path / "d" / "c").write_text("c")
    assert [e.path for e in _walk(tmp_path, "")] == ["a", "d", "d/b", "d/c"]
    assert scans == [os.path.join(str(tmp_path), "d")]
    # A large directory is not kept (both hold two entries here).
    monkeypatch.setattr(ig, "_LISTED", {})
    monkeypatch.setattr(ig, "_LISTED_MAX_ENTRIES", 1)
    _walk(tmp_path, "")
    assert ig._LISTED == {}


def test_settled_means_read_two_seconds_after_the_last_change(tmp_path: Path) -> None:
    from emu.ignore import settled

    (tmp_path / "f").write_text("x")
    st = os.stat(tmp_path / "f")
    changed = max(st.st_mtime_ns, st.st_ctime_ns)
    assert not settled(changed + 1_000_000_000, st)  # within the racy window: read again
    assert not settled(changed + 2_000_000_000, st)
    assert settled(changed + 2_000_000_001, st)
