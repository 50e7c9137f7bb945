# ruff: noqa: E501  (the golden programs are data, one per line)
"""awk: unit tests (errors, limits, the shell around it, a parser property) and the golden
case table ``utils_golden/awk.json`` is generated from (by the real busybox 1.35):

    python3 tests/sh/test_awk.py     # as root: writes tests/sh/utils_golden/awk.json

The golden cases themselves are replayed by ``test_utils_golden.py`` with the others.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "utils_golden"))

from bbharness import image, run  # type: ignore[import-not-found]  # noqa: E402

from emu.errors import EmuError  # noqa: E402
from emu.sh.api import LimitExceeded, Limits  # noqa: E402
from emu.sh.interp import run_script  # noqa: E402
from emu.sh.utils._common import Die  # noqa: E402
from emu.sh.utils.awk import AwkError, parse  # noqa: E402

Case = dict[str, Any]


def c(name: str, *cmds: Any, setup: dict[str, Any] | None = None, **kw: Any) -> Case:
    out: Case = {"name": name, "setup": setup if setup is not None else {}, "cmds": list(cmds)}
    out.update(kw)
    return out


def sin(argv: list[str], stdin: str) -> dict[str, Any]:
    return {"argv": argv, "stdin": stdin}


TXT = "alpha 1 x\nbeta 22 y\ngamma 3 z\nbeta 22 y\n"
PASSWD = (
    "root:x:0:0:root:/root:/bin/sh\nbin:x:1:1:bin:/bin:/sbin/nologin\n"
    "alice:x:1000:1000:Alice:/home/alice:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/:/sbin/nologin\n"
)
DPKG = "ii  curl  7.88 amd64 tool\nrc  old  1.0 all gone\nii  wget  1.21 amd64 getter\n"

AWK_CASES: list[Case] = [
    c("print-field", sin(["awk", "{print $2}"], TXT)),
    c("passwd-uid", ["awk", "-F:", "$3 >= 1000 {print $1}", "passwd"], setup={"passwd": PASSWD}),
    c("dpkg-ii", ["awk", "/^ii/ {print $2}", "st"], setup={"st": DPKG}),
    c("end-nr", sin(["awk", "END {print NR}"], TXT)),
    c("sum", sin(["awk", "{s+=$2} END {print s}"], TXT)),
    c("ofs-rebuild", sin(["awk", "-v", "OFS=,", "{$1=$1; print}"], "a  b   c\n d e \n")),
    c("nr-eq-2", sin(["awk", "NR==2"], TXT)),
    c("dedupe", sin(["awk", "!seen[$0]++"], TXT)),
    c("gsub-record", sin(["awk", '{gsub(/a/,"b"); print}'], TXT)),
    c("printf-begin", ["awk", 'BEGIN {printf "%s-%d\\n", "x", 3}']),
    c("nf-last", sin(["awk", "{print $NF, NF}"], "a b c\n\none\n")),
    c("nf-minus", sin(["awk", "{print $(NF-1)}"], "a b c\nd e\n")),
    c("fs-tab", sin(["awk", "-F", "\\t", "{print $2}"], "a b\tc d\te\n")),
    c("fs-regex", sin(["awk", "-F", "[:,]+", "{print $3}"], "a:b,,c:d\n")),
    c("fs-single-dot", sin(["awk", "-F.", "{print $2}"], "1.2.3\n")),
    c("fs-pipe", sin(["awk", "-F|", "{print $2}"], "a|b|c\n")),
    c("fs-in-begin", sin(["awk", 'BEGIN{FS=","} {print $2}'], "a,b\nc,d\n")),
    c("v-var", sin(["awk", "-v", "x=hi", "-v", "n=3", "{print x, $1*n}"], "2\n5\n")),
    c("v-escape", ["awk", "-v", "s=a\\tb", "BEGIN{print s}"]),
    c("operand-assign", ["awk", "{print v, $0}", "v=1", "f", "v=2", "f"], setup={"f": "l\n"}),
    c(
        "files-fnr",
        ["awk", "{print FILENAME, NR, FNR}", "a", "b"],
        setup={"a": "1\n2\n", "b": "3\n"},
    ),
    c("missing-file", ["awk", "{print}", "nope", "a"], setup={"a": "1\n"}),
    c("stdin-dash", sin(["awk", '{print FILENAME ":" $0}', "-"], "x\n")),
    c("range", sin(["awk", "/start/,/end/"], "a\nstart\nb\nend\nc\nstart\nd\n")),
    c("range-same-line", sin(["awk", "/s/,/s/ {print NR}"], "s\nx\ns\n")),
    c("regex-match-op", sin(["awk", '$1 ~ /^b/ {print "B", $0} $1 !~ "a$" {print "N", $1}'], TXT)),
    c("dynamic-regex", sin(["awk", "-v", "re=^g", "$0 ~ re"], TXT)),
    c("begin-only", ["awk", "BEGIN{print 1+2, 7/2, 2*3.5, 10%3, -7%3}"]),
    c("numbers-format", ["awk", "BEGIN{print 1e6, 1e16, 1e20, 0.1+0.2, 1/3, -0, 100/3*3, 3.0}"]),
    c(
        "ofmt-convfmt",
        ["awk", 'BEGIN{OFMT="%.2f"; CONVFMT="%.3f"; x=3.14159; print x; print x ""}'],
    ),
    c("string-compare", ["awk", 'BEGIN{print ("10"<"9"), (x<"a"), (x<1), ("abc"<1), ("b">"a")}']),
    c("field-compare", sin(["awk", '{print ($2<9), ($1<9), ($3 < "c"), ($2 == 22)}'], TXT)),
    c("strnum-eq", sin(["awk", "{print ($1 == $2)}"], "1.0 1\n 1e0 1\nabc abc\n")),
    c("concat-arith", ["awk", 'BEGIN{x = 1 " " 2+3; print x; print 1 - 1 "a"; y="3x"; print y+1}']),
    c("incr-decr", ["awk", "BEGIN{i=5; print i++, i, ++i, i--, --i; a[1]++; print a[1]}"]),
    c("assign-ops", ["awk", "BEGIN{x=10; x+=5; x-=3; x*=2; x/=4; x%=4; print x}"]),
    c(
        "ternary-logic",
        ["awk", 'BEGIN{print (1?"y":"n"), (0?"y":"n"), (1&&0), (1||0), !0, !"a", !""}'],
    ),
    c(
        "if-else",
        sin(
            [
                "awk",
                '{if ($2 > 10) print "big", $1; else if ($2 > 2) print "mid"; else print "small"}',
            ],
            TXT,
        ),
    ),
    c("while-loop", ["awk", "BEGIN{i=0; while (i<3) {print i; i++}}"]),
    c("do-while", ["awk", "BEGIN{i=5; do {print i; i++} while (i<3)}"]),
    c("for-loop", ["awk", "BEGIN{for (i=1; i<=3; i++) s = s i; print s}"]),
    c(
        "break-continue",
        ["awk", "BEGIN{for (i=0;i<10;i++){if(i==2)continue; if(i==5)break; print i}}"],
    ),
    c(
        "for-in-sorted",
        sin(["awk", '{c[$1]++} END{n=0; for (k in c) n++; print n, c["beta"]}'], TXT),
    ),
    c(
        "in-delete",
        [
            "awk",
            'BEGIN{a["x"]=1; a["y"]=2; delete a["x"]; print ("x" in a), ("y" in a), length(a); delete a; print length(a)}',
        ],
    ),
    c(
        "multi-subscript",
        [
            "awk",
            "BEGIN{a[1,2]=3; for (k in a) {split(k, p, SUBSEP); print p[1], p[2]}; print ((1,2) in a)}",
        ],
    ),
    c("next-stmt", sin(["awk", "/beta/ {next} {print $1}"], TXT)),
    c("exit-code", sin(["awk", 'NR==2 {exit 3} {print} END {print "end"}'], TXT)),
    c("exit-begin", ["awk", 'BEGIN {exit 4} END {print "end"}']),
    c("field-assign-extend", sin(["awk", '{$5="e"; print; print NF}'], "a b c\n")),
    c("nf-assign", sin(["awk", "{NF=2; print}"], "a b c d\n")),
    c("dollar0-assign", sin(["awk", '{$0="x y"; print $2, NF}'], "a\n")),
    c(
        "length-substr",
        [
            "awk",
            'BEGIN{s="hello"; print length(s), length, substr(s,2,3), substr(s,0,2), substr(s,-1,3) "|" substr(s,10) "|" substr(s,2)}',
        ],
    ),
    c("length-bare", sin(["awk", "{print length}"], "abc\n\nxy\n")),
    c(
        "index-split",
        [
            "awk",
            'BEGIN{print index("abcabc","ca"), index("abc","z"); n=split("a:b:c",arr,":"); print n, arr[1], arr[3]; n=split("  x  y ",w); print n, w[1]; n=split("a1b22c", q, /[0-9]+/); print n, q[3]}',
        ],
    ),
    c(
        "sub-gsub",
        [
            "awk",
            's="aaa"; BEGIN{s="aaa"; print gsub(/a/,"b&",s), s; t="hello world"; print sub(/o/,"0",t), t; u="a.b.c"; gsub(/\\./,"/",u); print u; v="x"; gsub(/x/,"\\\\&",v); print v}',
        ],
    ),
    c("gsub-empty-match", ["awk", 'BEGIN{t="abxd"; gsub(/x*/,"-",t); print t}']),
    c("gsub-field", sin(["awk", '{gsub(/[0-9]/,"#",$2); print; print $2}'], "a b12 c\n")),
    c(
        "match-rstart",
        [
            "awk",
            'BEGIN{print match("foobar", /o+/), RSTART, RLENGTH; print match("abc", /z/), RSTART, RLENGTH}',
        ],
    ),
    c(
        "case-int",
        ["awk", 'BEGIN{print toupper("aBc1"), tolower("XyZ"), int(-3.7), int("42abc"), int(3.9)}'],
    ),
    c(
        "sprintf-formats",
        [
            "awk",
            'BEGIN{printf "%d %5.2f %s %c %c|%-4s|%x|%o|%e|%5s|%-5d|%05d|%.3s|%%\\n", "12abc", 3.14159, 1e6, 65, "hi", "a", 255, 8, 12345.678, "ab", 7, 42, "abcdef"}',
        ],
    ),
    c(
        "sprintf-star",
        ["awk", 'BEGIN{s = sprintf("[%*d][%-*s][%.*f]", 5, 42, 4, "a", 2, 3.14159); print s}'],
    ),
    c("printf-missing-arg", ["awk", 'BEGIN { printf "%s %s|\\n", "only" }']),
    c("printf-no-newline", sin(["awk", '{printf "%s,", $1} END {print ""}'], TXT)),
    c(
        "print-redirect",
        ["awk", '{print $1 > "out"; print $2 >> "app"} END{close("out"); print "x" > "out"}', "in"],
        ["cat", "out", "app"],
        setup={"in": TXT, "app": "old\n"},
    ),
    c(
        "getline-file",
        [
            "awk",
            'BEGIN{while ((getline line < "f") > 0) n++; print n, line; print (getline x < "nope")}',
        ],
        setup={"f": "a\nb\nc\n"},
    ),
    c(
        "getline-main",
        sin(
            ["awk", 'NR==1 {getline; print "got", $0; getline v; print "v", v, NR}'], "1\n2\n3\n4\n"
        ),
    ),
    c(
        "rs-paragraph",
        sin(["awk", 'BEGIN{RS=""}{print NR": "$1"-"$NF" ["NF"]"}'], "\n\na b\n\nc d\ne\n\n\nf g\n"),
    ),
    c("rs-char", sin(["awk", 'BEGIN{RS=";"}{print NR, $0}'], "a;b;c")),
    c("ors-ofs", sin(["awk", 'BEGIN{OFS="-"; ORS="|"} {print $1, $2} END{printf "\\n"}'], TXT)),
    c(
        "function-def",
        [
            "awk",
            'function add(a, b) { return a + b } function fill(arr) { arr["k"] = 1 } BEGIN { print add(2, 3); fill(z); print z["k"] }',
        ],
    ),
    c(
        "function-recursion",
        ["awk", "function fact(n) { return n <= 1 ? 1 : n * fact(n-1) } BEGIN { print fact(10) }"],
    ),
    c("environ", ["awk", 'BEGIN{print ENVIRON["FOO"]}'], env={"FOO": "bar"}),
    c("uninitialized", ["awk", 'BEGIN{print x+0, "[" x "]", length(x)}']),
    c(
        "regex-classes",
        sin(
            ["awk", '/^[[:digit:]]+$/ {print "num", $0} /^[[:alpha:]]+$/ {print "word", $0}'],
            "123\nabc\na1\n",
        ),
    ),
    c("regex-alternation", sin(["awk", "/^(foo|bar)[0-9]?$/"], "foo\nbar1\nbaz\nfoo12\n")),
    c(
        "semicolons-newlines",
        [
            "awk",
            'BEGIN {\n  x = 1\n  if (x)\n    print "one"\n  else\n    print "other"\n  for (i = 0; i < 2; i++)\n    print i\n}\n',
        ],
    ),
    c("comments", ["awk", '# comment\nBEGIN { print "a" } # trailing\n']),
    c(
        "program-file",
        ["awk", "-f", "prog.awk", "in"],
        setup={"prog.awk": "{ print $1 }\nEND { print NR }\n", "in": TXT},
    ),
    c("pattern-only-expr", sin(["awk", "$2 > 5"], TXT)),
    c("empty-pattern-action", sin(["awk", "NF"], "a\n\nb\n")),
    c("div-zero", ["awk", "BEGIN{print 1/0}"]),
    c("syntax-error", ["awk", "BEGIN{print (}"]),
    c("syntax-unclosed", sin(["awk", "{print $1"], "a\n")),
    c("no-program", ["awk"]),
    c("version-line-continuation", ["awk", 'BEGIN { x = "a" \\\n "b"; print x }']),
    c("negative-field", sin(["awk", "{print $(-1)}"], "a\n")),
    c("hex-and-octal-escapes", ["awk", 'BEGIN{print "a\\101\\tb", "q\\"q"}']),
    c("printf-c-num-str", ["awk", 'BEGIN{printf "%c%c%c\\n", 72, "i!", 33}']),
    c("comparison-chain", sin(["awk", "$2 >= 3 && $2 <= 22 {print $1}"], TXT)),
    c("print-parens", sin(["awk", "{print($1, $2)}"], TXT)),
    c("print-gt-paren", sin(["awk", "{print ($2 > 5)}"], TXT)),
    c(
        "last-field-sum-avg",
        sin(["awk", '{s += $NF; n++} END {printf "%.2f\\n", s/n}'], "1\n2\n4\n"),
    ),
    c(
        "getline-var-nr",
        sin(["awk", "{while ((getline line) > 0) last = line} END {print NR, last}"], "a\nb\nc\n"),
    ),
    c("hex-strings", sin(["awk", "{print $1+0}"], "0x1A\n1e3\n+5\n-.5\n")),
    c(
        "printf-unsigned-overflow",
        ["awk", 'BEGIN{printf "%i|%5.1e|%G|%u|%d\\n", 3.9, 12345, 0.0001, -1, 1e18}'],
    ),
    c("index-empty", ["awk", 'BEGIN{print index("",""), index("abc","")}']),
    c("printf-c-edge", ["awk", 'BEGIN{printf "%c", 256; printf "%c", ""; print "|"}']),
    c("exit-keeps-code", sin(["awk", "{exit 1} END{exit}"], "x\n")),
    c("redirect-open-error", ["awk", 'BEGIN {print "a" > "no/dir/f"}']),
    c("input-is-dir", ["awk", "{print}", "d"], setup={"d/": None}),
    c(
        "regex-escapes",
        sin(["awk", '$1 ~ /\\./ {print "dot", $1} /\\// {print "slash"}'], "a.b c\nx/y\nz\n"),
    ),
    c("fs-spaces-regex", sin(["awk", "-F", " +", "{print $2}"], "a  b c\n")),
    c("ofs-tab", sin(["awk", "-F,", "-v", "OFS=\\t", "{$1=$1}1"], "a,b\n")),
    c("fs-escaped-pipe", sin(["awk", "-F", "\\|", "{print $2}"], "a|b\n")),
    c("fs-changes-next-record", sin(["awk", 'BEGIN{FS=":"} {print $1; FS=","}'], "a:b,c\nd:e,f\n")),
    c("paragraph-fs", sin(["awk", 'BEGIN{RS=""; FS=":"}{print $2}'], "a:b\nc:d\n\ne:f\n")),
    c("no-trailing-newline", sin(["awk", "{print NR}"], "a\nb")),
    c("reverse-lines", sin(["awk", "{a[NR]=$0} END{for(i=NR;i>0;i--) print a[i]}"], "1\n2\n3\n")),
    c("end-keeps-last-record", sin(["awk", "END{print $0, NF}"], "a b\nc d e\n")),
    c(
        "chained-assign",
        ["awk", 'BEGIN { x = y = 3; print x, y; print 10 % 3 * 2, 2 * 3 % 4, 3 " " -1, 1 - -1 }'],
    ),
    c("field-minus-one", sin(["awk", "{ print $NF-1, $(NF-1) }"], "a 5\n")),
    c("set-record-in-begin", ["awk", 'BEGIN { $0 = "x y z"; print NF, $2 }']),
    c(
        "split-regex-string",
        [
            "awk",
            'BEGIN{n=split("a,b;c", p, "[,;]"); print n, p[2]; n=split("foo.bar", q, "."); print n, q[1]}',
        ],
    ),
    c("crlf-input", sin(["awk", '{ print $1 "|" }'], "a\r\nb c\r\n")),
    c("ltrim-sub", sin(["awk", '{ sub(/^[ \\t]+/, ""); print }'], "   x y\n\t z\n")),
    c("dollar0-pattern", sin(["awk", "$0=$0"], "a\n0\n\nb\n")),
]


def main() -> None:
    sys.path.insert(0, str(HERE))
    import make_utils_golden as mug

    mug.FAMILIES["awk"] = AWK_CASES  # type: ignore[attr-defined]
    sys.argv = [sys.argv[0], "awk"]
    mug.main()


# --- unit tests -------------------------------------------------------------------------


def _awk(*argv: str, stdin: str = "", limits: Limits | None = None) -> tuple[str, str, int]:
    r = run(image(), ["awk", *argv], stdin, cwd="/", limits=limits)
    return r.out, r.err, r.status


def test_syntax_error_message() -> None:
    out, err, status = _awk("BEGIN { x = 1 +* 2 }")
    assert (out, status) == ("", 1)
    assert err == "awk: cmd. line:1: Unexpected token\n"


def test_syntax_error_line_number() -> None:
    _out, err, status = _awk("BEGIN {\n x = 1\n y = (\n}")
    assert status == 1
    assert err.startswith("awk: cmd. line:4:")


def test_unterminated_string() -> None:
    _out, err, status = _awk('BEGIN { print "abc }')
    assert status == 1 and "cmd. line:1" in err


def test_bad_option() -> None:
    _out, err, status = _awk("-q", "1")
    assert status == 1 and "invalid option" in err


def test_endless_loop_is_stopped() -> None:
    with pytest.raises(LimitExceeded):
        _awk("BEGIN { while (1) x++ }", limits=Limits(max_steps=10_000))


def test_endless_for_is_stopped() -> None:
    with pytest.raises(LimitExceeded):
        _awk("BEGIN { for (;;) ; }", limits=Limits(max_steps=10_000))


def test_deep_recursion_stops() -> None:
    _out, err, status = _awk("function f(n) { return f(n+1) } BEGIN { f(1) }")
    assert status == 1 and "recursion" in err


def test_math_builtins() -> None:
    out, _err, status = _awk(
        "BEGIN { print 2^10, 2**3, sqrt(16), exp(0), log(1), sin(0), cos(0), atan2(0, 1) }"
    )
    assert (out, status) == ("1024 8 4 1 0 0 1 0\n", 0)


def test_rand_is_deterministic() -> None:
    prog = "BEGIN { srand(1); a = rand(); srand(1); b = rand(); print (a == b), (a < 1) }"
    assert _awk(prog)[0] == "1 1\n"
    assert _awk("BEGIN { print rand() }")[0] == _awk("BEGIN { print rand() }")[0]


def _sh(script: str) -> tuple[str, str, int]:
    fs = image()
    fs.symlink("/bin/sh", "busybox")
    r = run_script(script, fs=fs, env={"PATH": "/bin"}, cwd="/", ident=image_ident())
    return r.stdout.decode(), r.stderr.decode(), r.status


def image_ident() -> Any:
    from emu.sh.api import Identity

    return Identity()


def test_system_runs_in_the_shell() -> None:
    out, _err, status = _sh("""awk 'BEGIN { print "a"; r = system("echo b; exit 3"); print r }'""")
    assert (out, status) == ("a\nb\n3\n", 0)


def test_cmd_getline() -> None:
    out, _err, _st = _sh(
        """awk 'BEGIN { while (("printf \\"x\\\\ny\\\\n\\"" | getline l) > 0) print "got", l }'"""
    )
    assert out == "got x\ngot y\n"


def test_print_pipe() -> None:
    out, _err, _st = _sh("""printf 'b\\na\\n' | awk '{ print | "sort" }'""")
    assert out == "a\nb\n"


def test_in_a_pipeline() -> None:
    out, _err, st = _sh("echo 'root:x:0:0' | awk -F: '{print $1\"=\"$3}'")
    assert (out, st) == ("root=0\n", 0)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('ab$(){}[];,\n"/\\+-*%^!<>=~?:|&#.0123 \tiBEGINprtfwhl')),
        max_size=40,
    )
)
def test_parser_never_crashes(src: str) -> None:
    with contextlib.suppress(AwkError, EmuError, Die):
        parse(src)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_parser_never_crashes_any_text(src: str) -> None:
    with contextlib.suppress(AwkError, EmuError, Die):
        parse(src)


if __name__ == "__main__":
    main()
