"""Java build tools: ``mvn`` / ``./mvnw``, ``gradle`` / ``./gradlew``, ``javac``, ``jar``
and ``java`` (``-version``; Spring Boot's ``-Djarmode=layertools|tools … extract``).

Maven reads ``pom.xml`` (parent, properties, dependencies with scopes, packaging,
``finalName``, the Spring Boot plugin), downloads the dependency tree and the lifecycle
plugins into ``~/.m2/repository`` (``data/maven.yaml``), compiles ``src/main/java`` into
``target/classes`` (one ``.class`` per type), runs the phases asked for
(``clean``/``compile``/``test``/``package``/``install``, ``dependency:go-offline``) and
writes ``target/<artifactId>-<version>.jar`` — a fat jar of realistic size with the Spring
Boot plugin. Gradle reads ``settings.gradle``/``build.gradle`` (Groovy or Kotlin DSL) and
writes ``build/libs/<name>-<version>.jar``; the wrapper downloads its distribution into
``~/.gradle``. Both fail as the tools do without a build file, without Java, and when a
source imports a package no dependency provides.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile

from emu.fs import Blob, File
from emu.records import field, record
from emu.sh.api import Proc
from emu.sh.options import Opts, Syntax
from emu.sh.tools._base import (
    ToolError,
    Writer,
    copy_tree,
    modelled,
    not_modelled,
    not_run,
    parses,
    tool,
)
from emu.sh.tools._data import data, digest, mb, size_of
from emu.sh.tools._image import (
    home,
    is_dir,
    is_file,
    listdir,
    node_at,
    read_bytes,
    read_text,
    tree_bytes,
    walk_files,
    which,
)

LINE = "[INFO] " + "-" * 72


# --- Java itself ------------------------------------------------------------------------------


def java_version(proc: Proc) -> str:
    v = proc.env.get("JAVA_VERSION", "")
    m = re.search(r"(\d+(?:\.\d+){0,2})", v)
    if m:
        return m.group(1)
    home_ = proc.env.get("JAVA_HOME", "/opt/java/openjdk")
    rel = read_text(proc, f"{home_}/release") or ""
    m = re.search(r'JAVA_VERSION="([^"]+)"', rel)
    return m.group(1) if m else "21.0.3"


def _need_java(proc: Proc, tool_name: str) -> None:
    jh = proc.env.get("JAVA_HOME")
    if jh and not is_file(proc, f"{jh}/bin/java"):
        raise ToolError(
            "The JAVA_HOME environment variable is not defined correctly,\nthis "
            "environment variable is needed to run this program.",
            1,
        )
    if which(proc, "java") is None and not jh:
        if tool_name == "gradle":
            raise ToolError(
                "\nERROR: JAVA_HOME is not set and no 'java' command could be found "
                "in your PATH.\n\nPlease set the JAVA_HOME variable in your "
                "environment to match the\nlocation of your Java installation.",
                1,
            )
        raise ToolError(
            "The JAVA_HOME environment variable is not defined correctly,\nthis "
            "environment variable is needed to run this program.",
            1,
        )


def _major(v: str) -> int:
    m = re.match(r"(?:1\.)?(\d+)", v)
    return int(m.group(1)) if m else 0


_PKG = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)
_TYPE = re.compile(
    r"^(?:public\s+|final\s+|abstract\s+|sealed\s+|non-sealed\s+|static\s+)*"
    r"(?:class|interface|enum|record|@interface)\s+(\w+)",
    re.M,
)
_JIMPORT = re.compile(r"^\s*import\s+(?:static\s+)?([\w.]+)(?:\.\*)?\s*;", re.M)


@record(slots=True)
class Compiled:
    classes: list[tuple[str, int]] = field(default_factory=list)  # (relative path, size)
    imports: dict[str, str] = field(default_factory=dict)  # package → first file
    tests: int = 0


def compile_java(proc: Proc, w: Writer, files: list[str], out: str | None) -> Compiled:
    c = Compiled()
    for f in files:
        text = read_text(proc, f) or ""
        pkg = _PKG.search(text)
        pkg_path = pkg.group(1).replace(".", "/") if pkg else ""
        types = _TYPE.findall(text) or [posixpath.basename(f)[:-5]]
        size = int(len(text.encode()) * 0.45) + 350
        nested = len(
            re.findall(
                r"^\s+(?:public\s+|private\s+|protected\s+|static\s+|final\s+)*"
                r"(?:class|interface|enum|record)\s+\w+",
                text,
                re.M,
            )
        )
        for t in types:
            rel = posixpath.join(pkg_path, f"{t}.class")
            dest = (
                posixpath.join(out, rel)
                if out
                else posixpath.join(posixpath.dirname(f), f"{t}.class")
            )
            share = size // len(types)
            w.blob(
                dest,
                share,
                f"Java class file {pkg.group(1) + '.' if pkg else ''}{t} (modelled size)",
            )
            c.classes.append((rel, share))
        for k in range(nested):
            rel = posixpath.join(pkg_path, f"{types[0]}$Inner{k + 1}.class")
            if out:
                w.blob(posixpath.join(out, rel), 600, "nested class (modelled size)")
                c.classes.append((rel, 600))
        for imp in _JIMPORT.findall(text):
            c.imports.setdefault(imp, f)
        c.tests += len(re.findall(r"@(?:Test|ParameterizedTest)\b", text))
    return c


_STD = ("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.", "org.xml.", "org.ietf.")
_IMPORT_OWNERS = {
    "org.springframework.boot": "org.springframework.boot",
    "org.springframework.web": "org.springframework:spring-web",
    "org.springframework.stereotype": "org.springframework:spring-context",
    "org.springframework.context": "org.springframework:spring-context",
    "org.springframework.beans": "org.springframework:spring-beans",
    "org.springframework.http": "org.springframework:spring-web",
    "jakarta.persistence": "org.hibernate.orm",
    "jakarta.servlet": "org.apache.tomcat.embed",
    "lombok": "org.projectlombok",
    "org.junit.jupiter": "org.junit.jupiter",
    "org.junit": "junit",
    "org.mockito": "org.mockito",
    "org.assertj": "org.assertj",
    "com.fasterxml.jackson": "com.fasterxml.jackson",
    "org.slf4j": "org.slf4j",
    "com.google.common": "com.google.guava",
    "org.apache.commons.lang3": "org.apache.commons:commons-lang3",
}


def missing_imports(imports: dict[str, str], keys: set[str]) -> list[tuple[str, str]]:
    """Imports of well-known libraries (``_IMPORT_OWNERS``) that no dependency provides
    (other imports are not judged: emu cannot know which jar holds which package)."""
    out = []
    for imp, f in imports.items():
        if imp.startswith(_STD):
            continue
        owner = next(
            (o for p, o in _IMPORT_OWNERS.items() if imp == p or imp.startswith(p + ".")), None
        )
        if owner is None:
            continue
        if not any(k == owner or k.split(":")[0] == owner for k in keys):
            parts = imp.split(".")
            pkg = ".".join(p for p in parts if p and p[0].islower())
            out.append((pkg or imp, f))
    return out


# --- the dependency model --------------------------------------------------------------------


@record(slots=True)
class Artifact:
    group: str
    artifact: str
    version: str
    size: int
    scope: str = "compile"

    @property
    def key(self) -> str:
        return f"{self.group}:{self.artifact}"

    @property
    def jar(self) -> str:
        return f"{self.artifact}-{self.version}.jar"

    def repo_dir(self, repo: str) -> str:
        return f"{repo}/{self.group.replace('.', '/')}/{self.artifact}/{self.version}"


def artifact(key: str, version: str | None = None, scope: str = "compile") -> Artifact:
    t = data("maven")
    raw = t["artifacts"].get(key) or t["default"]
    g, _, a = key.partition(":")
    return Artifact(
        g,
        a,
        version or str(raw["v"]),
        size_of(raw["size"]),
        str(raw.get("scope", scope)) if scope == "compile" else scope,
    )


def closure(direct: list[Artifact]) -> list[Artifact]:
    t = data("maven")["artifacts"]
    out: dict[str, Artifact] = {}

    def add(a: Artifact) -> None:
        if a.key in out:
            prev = out[a.key]
            if prev.scope in ("test", "provided") and a.scope in ("compile", "runtime"):
                prev.scope = a.scope
            return
        out[a.key] = a
        for d in (t.get(a.key) or {}).get("deps", []):
            sub = artifact(str(d))
            sub.scope = a.scope if a.scope in ("test", "provided") else "compile"
            if str(d).startswith(a.group) and a.group.startswith("org.springframework"):
                sub.version = a.version if sub.group == a.group else sub.version
            add(sub)

    for a in direct:
        add(a)
    return list(out.values())


def download(proc: Proc, w: Writer, repo: str, arts: list[Artifact], quiet: bool) -> int:
    total = 0
    for a in arts:
        d = a.repo_dir(repo)
        if is_file(proc, f"{d}/{a.jar}"):
            continue
        url = (
            f"https://repo.maven.apache.org/maven2/{a.group.replace('.', '/')}/{a.artifact}/"
            f"{a.version}/{a.jar}"
        )
        if not quiet:
            proc.out(f"Downloaded from central: {url} ({a.size // 1000} kB at 1.2 MB/s)\n")
        w.blob(f"{d}/{a.jar}", a.size, f"{a.key}:{a.version} (modelled size)")
        w.file(
            f"{d}/{a.artifact}-{a.version}.pom",
            f"<project><groupId>{a.group}</groupId>"
            f"<artifactId>{a.artifact}</artifactId><version>{a.version}</version>"
            "</project>\n",
        )
        w.file(f"{d}/_remote.repositories", f"{a.jar}>central=\n")
        total += a.size
    return total


def _plugins(proc: Proc, w: Writer, blob: str, key: str, what: str) -> int:
    """Plugins Maven downloads once into the local repository (the bytes fetched now)."""
    if is_dir(proc, posixpath.dirname(blob)):
        return 0
    size = size_of(data("maven")[key])
    w.blob(blob, size, f"{what} (modelled size)")
    return size


def boot_jar_label(name: str, deps: int, app: int, loader: int) -> str:
    return (
        f"Spring Boot executable jar {name} (modelled size): BOOT-INF/lib {deps} bytes, "
        f"BOOT-INF/classes {app} bytes, loader {loader} bytes"
    )


_BOOT = re.compile(r"BOOT-INF/lib (\d+) bytes, BOOT-INF/classes (\d+) bytes, loader (\d+) bytes")


# --- Maven -------------------------------------------------------------------------------------


@record(slots=True)
class Pom:
    path: str
    group: str
    artifact: str
    version: str
    packaging: str
    final_name: str
    deps: list[Artifact]
    boot_plugin: bool
    boot_version: str | None
    java: str | None
    modules: list[str]
    # maven-assembly-plugin: its descriptorRefs (jar-with-dependencies) and whether the
    # assembly's id is appended to the file name (appendAssemblyId, true by default)
    assemblies: tuple[str, ...] = ()
    assembly_id: bool = True

    @property
    def dir(self) -> str:
        return posixpath.dirname(self.path)


def _strip_ns(root: ET.Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


def _text(el: ET.Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path)
    return (found.text or "").strip() if found is not None and found.text else ""


def read_pom(proc: Proc, path: str) -> Pom:
    text = read_text(proc, path) or ""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ToolError(
            f"[ERROR] [ERROR] Some problems were encountered while processing the "
            f"POMs:\n[FATAL] Non-parseable POM {path}: {exc}",
            1,
        ) from None
    _strip_ns(root)
    parent = root.find("parent")
    props = {p.tag: (p.text or "").strip() for p in (root.find("properties") or [])}
    group = _text(root, "groupId") or _text(parent, "groupId")
    version = _text(root, "version") or _text(parent, "version")
    props.update(
        {
            "project.version": version,
            "project.groupId": group,
            "project.artifactId": _text(root, "artifactId"),
        }
    )

    def sub(s: str) -> str:
        return re.sub(r"\$\{([^}]+)\}", lambda m: props.get(m.group(1), m.group(0)), s)

    boot_version = None
    if parent is not None and _text(parent, "artifactId") == "spring-boot-starter-parent":
        boot_version = _text(parent, "version")
    deps: list[Artifact] = []
    for d in root.findall("dependencies/dependency"):
        key = f"{sub(_text(d, 'groupId'))}:{sub(_text(d, 'artifactId'))}"
        v = sub(_text(d, "version")) or None
        if v is None and boot_version and key.startswith("org.springframework.boot:"):
            v = boot_version
        scope = _text(d, "scope") or "compile"
        deps.append(artifact(key, v, scope))
    plugins = [
        f"{_text(p, 'groupId')}:{_text(p, 'artifactId')}"
        for p in root.findall("build/plugins/plugin")
    ]
    boot_plugin = any(p.endswith(":spring-boot-maven-plugin") for p in plugins)
    assembly = next(
        (p for p in root.findall("build/plugins/plugin")
         if _text(p, "artifactId") == "maven-assembly-plugin"),
        None,
    )  # fmt: skip
    refs = tuple(
        (r.text or "").strip() for r in assembly.iter("descriptorRef")
    ) if assembly is not None else ()  # fmt: skip
    append_id = assembly is None or _text(assembly, "configuration/appendAssemblyId") != "false"
    artifact_id = _text(root, "artifactId")
    java = (
        props.get("java.version")
        or props.get("maven.compiler.release")
        or props.get("maven.compiler.target")
    )
    return Pom(
        path,
        group,
        artifact_id,
        version,
        _text(root, "packaging") or "jar",
        sub(_text(root, "build/finalName")) or f"{artifact_id}-{version}",
        deps,
        boot_plugin,
        boot_version,
        java,
        [m.text or "" for m in root.findall("modules/module")],
        refs,
        append_id,
    )


def _assembly(
    proc: Proc, w: Writer, out: _Out, pom: Pom, target: str, runtime: list[Artifact]
) -> None:
    """``mvn … assembly:single``: each descriptorRef the pom's maven-assembly-plugin names
    (jar-with-dependencies: the classes and every runtime dependency in one jar) as
    ``target/<finalName>[-<ref>].jar``, sized as the classes plus the dependencies' jars
    (a modelled size); without a descriptor the goal fails as Maven's does."""
    out.info("")
    out.info(f"--- assembly:3.7.1:single (default-cli) @ {pom.artifact} ---")
    if not pom.assemblies:
        raise _mvn_fail(
            proc,
            [
                "Failed to execute goal org.apache.maven.plugins:maven-assembly-plugin:3.7.1:"
                f"single (default-cli) on project {pom.artifact}: Error reading assemblies: "
                "No assembly descriptors found."
            ],
        )
    classes = tree_bytes(node_at(proc, f"{target}/classes"))[1]
    deps = sum(a.size for a in runtime)
    for ref in pom.assemblies:
        name = f"{pom.final_name}-{ref}.jar" if pom.assembly_id else f"{pom.final_name}.jar"
        out.info(f"Building jar: {target}/{name}")
        size = int((classes + deps) * 0.9) + 1800
        w.blob(f"{target}/{name}", size, f"{name}: classes and {len(runtime)} dependencies "
               "(modelled size)")  # fmt: skip


def _mvn_fail(proc: Proc, msg: list[str], help_: str = "MojoFailureException") -> ToolError:
    lines = [
        LINE,
        "[INFO] BUILD FAILURE",
        LINE,
        "[INFO] Total time:  1.234 s",
        "[INFO] Finished at: 1970-01-01T00:00:00Z",
        LINE,
    ]
    proc.out("\n".join(lines) + "\n")
    err = [f"[ERROR] {m}" for m in msg] + [
        "[ERROR] ",
        "[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.",
        "[ERROR] Re-run Maven using the -X switch to enable full debug logging.",
        "[ERROR] ",
        "[ERROR] For more information about the errors and possible solutions, please "
        "read the following articles:",
        f"[ERROR] [Help 1] http://cwiki.apache.org/confluence/display/MAVEN/{help_}",
    ]
    proc.out("\n".join(err) + "\n")
    return ToolError("", 1)


# Maven's options; -D and -P also take their value glued on (-DskipTests, -Pprod).
MVN = Syntax(
    (
        "-f|--file= -s|--settings= -gs|--global-settings= -P|--activate-profiles= -pl|--projects= "
        "-T|--threads= -t|--toolchains= -rf|--resume-from= -l|--log-file= -D|--define= "
        "-b|--builder= -q|--quiet -ntp|--no-transfer-progress -v|--version"
    ),
    glued="-D -P",
)

PHASES = ["validate", "compile", "test", "package", "verify", "install", "deploy"]


@tool("mvn", "mvnw", note="modelled: Maven lifecycle (~/.m2 repository, target/*.jar)")
@parses(MVN)
def mvn(proc: Proc, o: Opts) -> int:
    wrapper_props = posixpath.join(proc.cwd, ".mvn/wrapper/maven-wrapper.properties")
    if proc.name == "mvnw" and not is_file(proc, wrapper_props):
        raise ToolError(f"cannot read distributionUrl property in {wrapper_props}", 1)
    _need_java(proc, "mvn")
    if "--version" in o:
        proc.out(
            f"Apache Maven 3.9.7\nMaven home: /usr/share/maven\nJava version: "
            f"{java_version(proc)}, vendor: Eclipse Adoptium, runtime: "
            f"{proc.env.get('JAVA_HOME', '/opt/java/openjdk')}\n"
        )
        return 0
    props: dict[str, str] = {}
    for define in o.all("--define"):
        k, _, v = define.partition("=")
        props[k] = v or "true"
    goals = o.args
    pom_file = o.get("--file") or "pom.xml"
    quiet = "--quiet" in o
    transfer = "--no-transfer-progress" not in o
    out = _Out(proc, quiet)
    repo = props.get("maven.repo.local") or posixpath.join(home(proc), ".m2/repository")
    w = Writer(proc)
    if proc.name == "mvnw":
        dist = posixpath.join(home(proc), ".m2/wrapper/dists/apache-maven-3.9.7")
        if not is_dir(proc, dist):
            w.blob(
                f"{dist}/{digest('mvnw')[:8]}/lib/emu-maven.blob",
                10_300_000,
                "Apache Maven 3.9.7 downloaded by the Maven wrapper (modelled size)",
            )
    out.info("Scanning for projects...")
    path = proc.path(pom_file)
    if is_dir(proc, path):
        path = posixpath.join(path, "pom.xml")
    if not is_file(proc, path):
        raise _mvn_fail(
            proc,
            [
                "The goal you specified requires a project to execute but there is no POM in this "
                f"directory ({proc.cwd}). Please verify you invoked Maven from the correct "
                "directory. -> [Help 1]"
            ],
            "MissingProjectException",
        )
    if not goals:
        raise _mvn_fail(
            proc,
            [
                "No goals have been specified for this build. You must specify a "
                "valid lifecycle phase or a goal ... -> [Help 1]"
            ],
            "NoGoalSpecifiedException",
        )
    pom = read_pom(proc, path)
    if pom.modules:
        raise ToolError("emu: multi-module Maven projects are not modelled", 1)
    ident = f"{pom.group}:{pom.artifact}"
    out.info("")
    out.info(f"{'< ' + ident + ' >':-^72}")
    out.info(f"Building {pom.artifact} {pom.version}")
    out.info("  from pom.xml")
    out.info(f"{'[ ' + pom.packaging + ' ]':-^72}")
    skip_tests = "skipTests" in props or props.get("maven.test.skip") == "true"
    arts = closure(pom.deps)
    runtime = [a for a in arts if a.scope in ("compile", "runtime")]
    needed = [a for a in arts if a.scope != "test" or props.get("maven.test.skip") != "true"]
    downloaded = download(proc, w, repo, needed, quiet or not transfer)
    downloaded += _plugins(
        proc,
        w,
        f"{repo}/org/apache/maven/plugins/emu-lifecycle-plugins.blob",
        "plugins",
        "Maven lifecycle plugins and their dependencies",
    )
    if pom.boot_plugin:
        boot = f"{repo}/org/springframework/boot/spring-boot-maven-plugin/"
        downloaded += _plugins(
            proc,
            w,
            f"{boot}{pom.boot_version or '3.3.0'}/emu-plugin-and-deps.blob",
            "spring_boot_plugin",
            "spring-boot-maven-plugin and its dependencies",
        )
    target = f"{pom.dir}/target"
    last = max((PHASES.index(g) for g in goals if g in PHASES), default=-1)
    for g in goals:
        if g == "clean":
            out.info("")
            out.info(f"--- clean:3.3.2:clean (default-clean) @ {pom.artifact} ---")
            if is_dir(proc, target):
                out.info(f"Deleting {target}")
            w.remove(target)
        elif g.startswith("dependency:"):
            out.info("")
            out.info(
                f"--- dependency:3.6.1:{g.split(':', 1)[1]} (default-cli) @ {pom.artifact} ---"
            )
            if g == "dependency:copy-dependencies":
                for art in runtime:
                    node = node_at(proc, f"{art.repo_dir(repo)}/{art.jar}")
                    if isinstance(node, File):
                        w.file(f"{target}/dependency/{art.jar}", node.content)
        elif g.startswith("spring-boot:run") or g == "exec:java":
            raise ToolError(
                f"emu: mvn {g} runs the application until stopped; running "
                "programs is not modelled",
                1,
            )
    if last >= PHASES.index("compile"):
        jdk = _major(java_version(proc))
        if pom.java and _major(pom.java) > jdk:
            out.info("")
            out.info(f"--- compiler:3.13.0:compile (default-compile) @ {pom.artifact} ---")
            raise _mvn_fail(
                proc,
                [
                    f"Failed to execute goal org.apache.maven.plugins:maven-compiler"
                    f"-plugin:3.13.0:compile (default-compile) on project "
                    f"{pom.artifact}: Fatal error compiling: error: release version"
                    f" {_major(pom.java)} not supported -> [Help 1]"
                ],
            )
        out.info("")
        out.info(f"--- resources:3.3.1:resources (default-resources) @ {pom.artifact} ---")
        res = copy_tree(proc, w, f"{pom.dir}/src/main/resources", f"{target}/classes")
        out.info(
            f"Copying {res} resource{'s' if res != 1 else ''} from src/main/resources to "
            "target/classes"
        )
        out.info("")
        out.info(f"--- compiler:3.13.0:compile (default-compile) @ {pom.artifact} ---")
        srcs = [f for f in walk_files(proc, f"{pom.dir}/src/main/java") if f.endswith(".java")]
        if srcs:
            out.info(
                f"Recompiling the module because of changed source code.\n[INFO] Compiling "
                f"{len(srcs)} source file{'s' if len(srcs) != 1 else ''} with javac [debug "
                f"release {_major(pom.java or str(jdk))}] to target/classes"
            )
        else:
            out.info("No sources to compile")
        comp = compile_java(proc, w, srcs, f"{target}/classes")
        keys = {a.key for a in arts if a.scope in ("compile", "provided", "runtime")}
        bad = missing_imports(comp.imports, keys)
        if bad:
            pkg, f = bad[0]
            raise _mvn_fail(
                proc,
                [
                    "COMPILATION ERROR : ",
                    f"{f}:[3,1] package {pkg} does not exist",
                    f"Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.13.0:"
                    f"compile (default-compile) on project {pom.artifact}: Compilation failure",
                    f"{f}:[3,1] package {pkg} does not exist",
                ],
            )
        app_size = sum(s for _, s in comp.classes)
        if last >= PHASES.index("test"):
            tsrcs = [f for f in walk_files(proc, f"{pom.dir}/src/test/java") if f.endswith(".java")]
            out.info("")
            out.info(f"--- surefire:3.2.5:test (default-test) @ {pom.artifact} ---")
            if skip_tests:
                out.info("Tests are skipped.")
            else:
                tc = compile_java(proc, w, tsrcs, f"{target}/test-classes")
                tkeys = {a.key for a in arts}
                tbad = missing_imports(tc.imports, tkeys)
                if tbad:
                    pkg, f = tbad[0]
                    raise _mvn_fail(proc, [f"{f}:[3,1] package {pkg} does not exist"])
                out.info("")
                out.info("-------------------------------------------------------")
                out.info(" T E S T S")
                out.info("-------------------------------------------------------")
                out.info(f"Tests run: {tc.tests}, Failures: 0, Errors: 0, Skipped: 0")
                w.file(
                    f"{target}/surefire-reports/emu-summary.txt",
                    f"Tests run: {tc.tests} (modelled: not executed)\n",
                )
        if last >= PHASES.index("package"):
            out.info("")
            ext = "war" if pom.packaging == "war" else "jar"
            name = f"{pom.final_name}.{ext}"
            jar = f"{target}/{name}"
            res_size = tree_bytes(node_at(proc, f"{target}/classes"))[1] - app_size
            thin = int((app_size + max(0, res_size)) * 0.6) + 1800
            out.info(f"--- {ext}:3.4.1:{ext} (default-{ext}) @ {pom.artifact} ---")
            out.info(f"Building {ext}: {jar}")
            if pom.boot_plugin and pom.packaging in ("jar", "war"):
                w.blob(f"{jar}.original", thin, f"{name} before repackaging (modelled size)")
                deps = sum(a.size for a in runtime)
                loader = 320_000
                w.blob(jar, thin + deps + loader, boot_jar_label(name, deps, thin, loader))
                out.info("")
                out.info(
                    f"--- spring-boot:{pom.boot_version or '3.3.0'}:repackage (repackage) @ "
                    f"{pom.artifact} ---"
                )
                out.info(
                    f"Replacing main artifact {jar} with repackaged archive, adding nested "
                    "dependencies in BOOT-INF/."
                )
                out.info("The original artifact has been renamed to " + jar + ".original")
            else:
                w.blob(jar, thin, f"{name}: {len(comp.classes)} classes (modelled size)")
        if last >= PHASES.index("install"):
            out.info("")
            out.info(f"--- install:3.1.2:install (default-install) @ {pom.artifact} ---")
            node = node_at(proc, f"{target}/{pom.final_name}.jar")
            me = Artifact(pom.group, pom.artifact, pom.version, 0)
            if isinstance(node, File):
                w.file(f"{me.repo_dir(repo)}/{pom.artifact}-{pom.version}.jar", node.content)
                out.info(
                    f"Installing {target}/{pom.final_name}.jar to {me.repo_dir(repo)}/"
                    f"{pom.artifact}-{pom.version}.jar"
                )
    if "assembly:single" in goals:
        _assembly(proc, w, out, pom, target, runtime)
    proc.out(
        f"{LINE}\n[INFO] BUILD SUCCESS\n{LINE}\n[INFO] Total time:  12.345 s\n"
        f"[INFO] Finished at: 1970-01-01T00:00:00Z\n{LINE}\n"
        if not quiet
        else ""
    )
    made = ""
    jar_node = node_at(proc, f"{target}/{pom.final_name}.jar")
    if isinstance(jar_node, File):
        made = f"; {posixpath.relpath(target, proc.cwd)}/{pom.final_name}.jar {mb(jar_node.size)}"
    modelled(
        proc,
        f"mvn {' '.join(goals)} ({len(arts)} dependencies, {mb(downloaded)} downloaded "
        f"to {repo}{made})",
    )
    return 0


class _Out:
    def __init__(self, proc: Proc, quiet: bool) -> None:
        self.proc = proc
        self.quiet = quiet

    def info(self, text: str) -> None:
        if not self.quiet:
            self.proc.out(f"[INFO] {text}".rstrip() + "\n")


# --- Gradle ------------------------------------------------------------------------------------

_GDEP = re.compile(
    r"""^\s*(implementation|api|compileOnly|runtimeOnly|testImplementation|"""
    r"""testRuntimeOnly|annotationProcessor|developmentOnly)\s*\(?\s*['"]"""
    r"""([^'":]+):([^'":]+)(?::([^'"]+))?['"]""",
    re.M,
)


# Gradle's options; -D and -P also take their value glued on (-Pversion=2).
GRADLE = Syntax(
    (
        "-x|--exclude-task= -p|--project-dir= -b|--build-file= -c|--settings-file= "
        "-g|--gradle-user-home= -I|--init-script= -v|--version --console= --warning-mode= "
        "--max-workers= --priority= -D= -P="
    ),
    glued="-D -P",
)


@tool("gradle", "gradlew", note="modelled: Gradle build (build/libs/*.jar, ~/.gradle)")
@parses(GRADLE)
def gradle(proc: Proc, o: Opts) -> int:
    wrapper = proc.name == "gradlew"
    root = proc.cwd
    gversion = "8.8"
    if wrapper:
        props = read_text(proc, f"{root}/gradle/wrapper/gradle-wrapper.properties")
        if props is None or not is_file(proc, f"{root}/gradle/wrapper/gradle-wrapper.jar"):
            raise ToolError(
                "Error: Could not find or load main class org.gradle.wrapper."
                "GradleWrapperMain\nCaused by: java.lang.ClassNotFoundException: "
                "org.gradle.wrapper.GradleWrapperMain",
                1,
            )
        m = re.search(r"gradle-([\d.]+)-(?:bin|all)\.zip", props)
        gversion = m.group(1) if m else gversion
    _need_java(proc, "gradle")
    if "--version" in o:
        proc.out(
            f"\n------------------------------------------------------------\nGradle "
            f"{gversion}\n------------------------------------------------------------\n"
        )
        return 0
    ghome = proc.env.get("GRADLE_USER_HOME") or posixpath.join(home(proc), ".gradle")
    w = Writer(proc)
    cfg = data("maven")["gradle"]
    if wrapper:
        dist = f"{ghome}/wrapper/dists/gradle-{gversion}-bin/{digest('gradle', gversion)[:25]}"
        if not is_dir(proc, dist):
            proc.out(
                f"Downloading https://services.gradle.org/distributions/gradle-{gversion}-bin"
                ".zip\n.............10%.............20%.............30%.............40%......"
                ".......50%.............60%.............70%.............80%.............90%."
                "............100%\n\nWelcome to Gradle " + gversion + "!\n\n"
            )
            w.blob(
                f"{dist}/gradle-{gversion}/lib/emu-gradle.blob",
                size_of(cfg["distribution"]),
                f"Gradle {gversion} distribution (modelled size)",
            )
            w.blob(
                f"{dist}/gradle-{gversion}-bin.zip",
                size_of(cfg["distribution"]) * 4 // 5,
                f"gradle-{gversion}-bin.zip as downloaded (modelled size)",
            )
    settings = next(
        (
            read_text(proc, f"{root}/{n}")
            for n in ("settings.gradle", "settings.gradle.kts")
            if is_file(proc, f"{root}/{n}")
        ),
        None,
    )
    build_name = next(
        (n for n in ("build.gradle", "build.gradle.kts") if is_file(proc, f"{root}/{n}")), None
    )
    if settings is None and build_name is None:
        raise ToolError(
            f"\nFAILURE: Build failed with an exception.\n\n* What went wrong:\n"
            f"Directory '{root}' does not contain a Gradle build.\n\n* Try:\n> Run "
            "gradle init to create a new Gradle build in this directory.\n> Run with "
            "--stacktrace option to get the stack trace.\n\nBUILD FAILED in 0s",
            1,
        )
    build = read_text(proc, f"{root}/{build_name}") if build_name else ""
    build = build or ""
    m = re.search(r"rootProject\.name\s*=\s*['\"]([^'\"]+)['\"]", settings or "")
    name = m.group(1) if m else posixpath.basename(root)
    m = re.search(r"^\s*version\s*=\s*['\"]([^'\"]+)['\"]", build, re.M)
    version = m.group(1) if m else "unspecified"
    m = re.search(
        r"id\s*\(?\s*['\"]org\.springframework\.boot['\"]\s*\)?\s*version\s*['\"]"
        r"([^'\"]+)['\"]",
        build,
    )
    boot = m.group(1) if m else None
    excluded = set(o.all("--exclude-task"))
    tasks = o.args or ["help"]
    direct: list[Artifact] = []
    for conf, g, a, v in _GDEP.findall(build):
        scope = (
            "test"
            if conf.startswith("test")
            else "provided"
            if conf in ("compileOnly", "annotationProcessor", "developmentOnly")
            else "compile"
        )
        key = f"{g}:{a}"
        ver = v or (boot if key.startswith("org.springframework.boot:") else None)
        direct.append(artifact(key, ver, scope))
    arts = closure(direct)
    runtime = [a for a in arts if a.scope in ("compile", "runtime")]
    caches = f"{ghome}/caches/modules-2/files-2.1"
    fresh = 0
    for a in arts:
        d = f"{caches}/{a.group}/{a.artifact}/{a.version}/{digest(a.key, a.version)[:40]}"
        if not is_dir(proc, d):
            w.blob(f"{d}/{a.jar}", a.size, f"{a.key}:{a.version} (modelled size)")
            fresh += a.size
    if fresh:
        w.blob(
            f"{ghome}/caches/{gversion}/emu-caches.blob",
            int(fresh * float(cfg["caches"])),
            "Gradle's transformed jars, compiled build scripts and metadata (modelled size)",
        )
        w.blob(
            f"{ghome}/daemon/{gversion}/emu-daemon.blob",
            size_of(cfg["daemon"]),
            "Gradle daemon registry and logs (modelled size)",
        )
    build_dir = f"{root}/build"
    ran: list[str] = []
    wants_build = any(
        t
        in (
            "build",
            "assemble",
            "bootJar",
            "jar",
            "classes",
            "compileJava",
            "test",
            "check",
            "installDist",
            "bootWar",
            "war",
        )
        for t in tasks
    )
    if "clean" in tasks:
        w.remove(build_dir)
        ran.append("clean")
    if wants_build:
        srcs = [f for f in walk_files(proc, f"{root}/src/main/java") if f.endswith(".java")]
        comp = compile_java(proc, w, srcs, f"{build_dir}/classes/java/main")
        keys = {x.key for x in arts if x.scope != "test"}
        bad = missing_imports(comp.imports, keys)
        ran.append("compileJava")
        if bad:
            pkg, f = bad[0]
            proc.out("> Task :compileJava FAILED\n")
            raise ToolError(
                f"{f}:3: error: package {pkg} does not exist\n\nFAILURE: Build failed "
                "with an exception.\n\n* What went wrong:\nExecution failed for task "
                "':compileJava'.\n> Compilation failed; see the compiler error output "
                "for details.\n\nBUILD FAILED in 12s",
                1,
            )
        n_res = copy_tree(proc, w, f"{root}/src/main/resources", f"{build_dir}/resources/main")
        ran += ["processResources", "classes"]
        app = sum(s for _, s in comp.classes)
        thin = int(app * 0.6) + 1500 + n_res * 300
        if any(t in ("build", "assemble", "bootJar", "jar") for t in tasks):
            base = f"{name}-{version}" if version != "unspecified" else name
            if boot:
                deps = sum(a.size for a in runtime)
                w.blob(
                    f"{build_dir}/libs/{base}.jar",
                    thin + deps + 320_000,
                    boot_jar_label(f"{base}.jar", deps, thin, 320_000),
                )
                w.blob(
                    f"{build_dir}/libs/{base}-plain.jar", thin, f"{base}-plain.jar (modelled size)"
                )
                ran += ["resolveMainClassName", "bootJar", "jar", "assemble"]
            else:
                w.blob(
                    f"{build_dir}/libs/{base}.jar",
                    thin,
                    f"{base}.jar: {len(comp.classes)} classes (modelled size)",
                )
                ran += ["jar", "assemble"]
        if any(t in ("build", "test", "check") for t in tasks) and "test" not in excluded:
            tsrcs = [f for f in walk_files(proc, f"{root}/src/test/java") if f.endswith(".java")]
            compile_java(proc, w, tsrcs, f"{build_dir}/classes/java/test")
            ran += ["compileTestJava", "processTestResources", "testClasses", "test", "check"]
        if "build" in tasks:
            ran.append("build")
    for t in ran:
        proc.out(f"> Task :{t}\n")
    proc.out(f"\nBUILD SUCCESSFUL in 42s\n{len(ran)} actionable tasks: {len(ran)} executed\n")
    libs = listdir(proc, f"{build_dir}/libs")
    modelled(
        proc,
        f"gradle {' '.join(tasks)} ({len(arts)} dependencies; build/libs: "
        f"{', '.join(libs) or 'nothing'})",
    )
    return 0


# --- javac, jar, java ---------------------------------------------------------------------------


JAVAC = Syntax(
    (
        "-version|--version -d= -cp= -classpath= --class-path= -sourcepath= --source-path= "
        "--release= -source= -target= -encoding= -s= -h= -processorpath= --processor-path= "
        "--module-path= -p="
    ),
)


@tool("javac", note="modelled: one .class per type")
@parses(JAVAC, version=lambda proc: f"javac {java_version(proc)}")
def javac(proc: Proc, o: Opts) -> int:
    out, files = o.get("-d"), o.args
    for a in files:
        if not a.endswith(".java"):
            raise ToolError(
                f"error: invalid flag: {a}\nUsage: javac <options> <source files>\n"
                "use --help for a list of possible options",
                2,
            )
    if not files:
        raise ToolError("error: no source files", 2)
    for f in files:
        if not is_file(proc, f):
            raise ToolError(
                f"error: file not found: {f}\nUsage: javac <options> <source files>\n"
                "use --help for a list of possible options",
                2,
            )
    w = Writer(proc)
    c = compile_java(proc, w, [proc.path(f) for f in files], proc.path(out) if out else None)
    modelled(proc, f"javac ({len(files)} sources -> {len(c.classes)} classes)")
    return 0


@tool("jar", note="modelled: jar c/x/t")
def jar(proc: Proc) -> int:
    args = proc.argv[1:]
    if not args:
        raise ToolError("Usage: jar [OPTION...] [ [--release VERSION] [-C dir] files] ...", 1)
    mode = args[0].lstrip("-")
    if "c" in mode:
        fname = args[1] if "f" in mode and len(args) > 1 else None
        rest = args[2:] if fname else args[1:]
        total = 0
        i = 0
        while i < len(rest):
            if rest[i] == "-C" and i + 2 < len(rest):
                base = posixpath.join(proc.path(rest[i + 1]), rest[i + 2])
                total += tree_bytes(node_at(proc, base))[1]
                i += 3
                continue
            total += tree_bytes(node_at(proc, proc.path(rest[i])))[1]
            i += 1
        if fname:
            Writer(proc).blob(fname, int(total * 0.6) + 1000, f"{fname} (modelled size)")
        return 0
    if "x" in mode:
        fname = args[1] if "f" in mode and len(args) > 1 else None
        if fname is None:
            raise ToolError("jar: reading an archive from stdin is not modelled", 1)
        node = node_at(proc, fname)
        if not isinstance(node, File):
            raise ToolError(
                f"java.io.FileNotFoundException: {fname} (No such file or directory)", 1
            )
        n = unpack_jar(Writer(proc), node, proc.cwd, fname)
        modelled(proc, f"jar x {fname} ({n} entries)")
        return 0
    modelled(proc, f"jar {mode}")
    return 0


def unpack_jar_at(proc: Proc, node: File, dest: str, name: str) -> int:
    """:func:`unpack_jar` as ``proc`` (``unzip`` of a modelled jar)."""
    return unpack_jar(Writer(proc), node, dest, name)


def unpack_jar(w: Writer, node: File, dest: str, name: str) -> int:
    """Extract a jar the models built (size-only): a Spring Boot jar's BOOT-INF/lib,
    BOOT-INF/classes and loader, else its classes; real zip bytes are the unzip tools'.
    Returns how many entries were written."""
    label = node.content.label if isinstance(node.content, Blob) else ""
    manifest = "Manifest-Version: 1.0\nCreated-By: emu model\n"
    m = _BOOT.search(label)
    if m is not None:
        deps, app, loader = (int(x) for x in m.groups())
        w.blob(
            f"{dest}/BOOT-INF/lib/emu-dependencies.blob",
            deps,
            f"the dependency jars of {name} (modelled size)",
        )
        w.blob(
            f"{dest}/BOOT-INF/classes/emu-classes.blob",
            app,
            f"the application classes and resources of {name} (modelled size)",
        )
        w.blob(
            f"{dest}/org/springframework/boot/loader/emu-loader.blob",
            loader,
            "Spring Boot loader classes (modelled size)",
        )
        w.file(
            f"{dest}/META-INF/MANIFEST.MF",
            manifest + "Main-Class: org.springframework.boot.loader.launch.JarLauncher\n"
            "Spring-Boot-Classes: BOOT-INF/classes/\nSpring-Boot-Lib: BOOT-INF/lib/\n",
        )
        return 4
    size = node.size
    what = f"the classes and resources of {name} (modelled size: about 1.6 times the jar)"
    w.blob(f"{dest}/emu-classes.blob", int(size * 1.6), what)
    w.file(f"{dest}/META-INF/MANIFEST.MF", manifest)
    return 2


# java's options come before the main class or -jar FILE; what follows is the program's.
JAVA = Syntax(
    "--version|-version -cp= -classpath= --class-path= -p= --module-path= -jar=",
    stop=True,
    ends="-jar",
)


@tool("java", note="modelled: -version; Spring Boot jarmode extract; programs are not run")
@parses(JAVA)
def java(proc: Proc, o: Opts) -> int:
    args = proc.argv[1:]
    v = java_version(proc)
    if "-version" in o or "-showversion" in o:
        proc.stderr.write(
            f'openjdk version "{v}" 2024-07-16 LTS\nOpenJDK Runtime Environment '
            f"Temurin-{v}+8 (build {v}+8-LTS)\nOpenJDK 64-Bit Server VM Temurin-{v}+8"
            f" (build {v}+8-LTS, mixed mode, sharing)\n"
        )
        return 0
    jarmode = o.get("-Djarmode")
    jar_path = o.get("-jar") or None
    if jar_path is not None and not is_file(proc, jar_path):
        raise ToolError(f"Error: Unable to access jarfile {jar_path}", 1)
    if jarmode and jar_path:
        return _extract(proc, jar_path, jarmode, o.args)
    if jar_path is None and not o.args:
        proc.stderr.write("Usage: java [options] <mainclass> [args...]\n")
        return 1
    return not_run(proc, f"java {' '.join(args)}", "running programs is not modelled")


EXTRACT = Syntax("--destination=")


def _extract(proc: Proc, jar_path: str, mode: str, rest: list[str]) -> int:
    node = node_at(proc, jar_path)
    label = node.content.label if isinstance(node, File) and isinstance(node.content, Blob) else ""
    m = _BOOT.search(label)
    o = EXTRACT.parse(rest)
    if m is None:
        real = _real_layers(proc, jar_path)
        if real is not None and (mode == "layertools" or "--layers" in o):
            return _extract_layers(proc, real, proc.path(o.get("--destination") or "."))
        raise ToolError(
            f"Error: {jar_path} is not a Spring Boot executable jar with layers "
            "(emu: a jar the modelled mvn/gradle built, or a real one with "
            "BOOT-INF/layers.idx, can be extracted)",
            1,
        )
    deps, app, loader = (int(x) for x in m.groups())
    dest = proc.path(o.get("--destination") or ".")
    layers = mode == "layertools" or "--layers" in o
    w = Writer(proc)
    name = posixpath.basename(jar_path)
    if layers:
        w.blob(
            f"{dest}/dependencies/BOOT-INF/lib/emu-dependencies.blob",
            deps,
            "the application's dependency jars (modelled size)",
        )
        w.blob(
            f"{dest}/spring-boot-loader/org/springframework/boot/loader/emu-loader.blob",
            loader,
            "Spring Boot loader classes (modelled size)",
        )
        w.dir(f"{dest}/snapshot-dependencies")
        w.blob(
            f"{dest}/application/BOOT-INF/classes/emu-classes.blob",
            app,
            "the application's classes and resources (modelled size)",
        )
        w.file(
            f"{dest}/application/META-INF/MANIFEST.MF",
            "Manifest-Version: 1.0\nMain-Class: "
            "org.springframework.boot.loader.launch.JarLauncher\n",
        )
    else:
        base = f"{dest}/{name[:-4]}" if mode == "tools" else dest
        w.blob(f"{base}/{name}", app, f"{name} with the application classes (modelled size)")
        w.blob(f"{base}/lib/emu-dependencies.blob", deps, "dependency jars (modelled size)")
    modelled(proc, f"java -Djarmode={mode} extract ({'layers' if layers else 'jar + lib'})")
    return 0


def _real_layers(
    proc: Proc, jar_path: str
) -> tuple[zipfile.ZipFile, list[tuple[str, list[str]]]] | None:
    """A real jar (zip bytes) with ``BOOT-INF/layers.idx``: the open archive and its layers
    in order, each with the entry prefixes it takes; None for anything else."""
    raw = read_bytes(proc, jar_path)
    if raw is None or not raw.startswith(b"PK"):
        return None
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        idx = zf.read("BOOT-INF/layers.idx").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError):
        return None
    layers: list[tuple[str, list[str]]] = []
    for line in idx.splitlines():
        m = re.match(r'^(\s*)- "([^"]+)":?\s*$', line)
        if m is None:
            continue
        if not m.group(1) and line.rstrip().endswith(":"):
            layers.append((m.group(2), []))
        elif layers:
            layers[-1][1].append(m.group(2))
    return (zf, layers) if layers else None


def _extract_layers(
    proc: Proc, real: tuple[zipfile.ZipFile, list[tuple[str, list[str]]]], dest: str
) -> int:
    """``-Djarmode=layertools … extract`` of a real layered jar: each entry goes to the
    first layer whose ``layers.idx`` prefix names it (a folder prefix ends with /)."""
    zf, layers = real
    w = Writer(proc)
    for layer, _ in layers:
        w.dir(f"{dest}/{layer}")
    for info in zf.infolist():
        if info.is_dir():
            continue
        name = info.filename
        for layer, prefixes in layers:
            if any(name == p or (p.endswith("/") and name.startswith(p)) for p in prefixes):
                w.file(f"{dest}/{layer}/{name}", zf.read(info))
                break
    return 0


# --- jdeps, jlink ------------------------------------------------------------------------------

# What jdeps --print-module-deps answers for a Spring Boot style app (an estimate: the jar's
# classes are not in the image); jlink's image size per module, a typical figure.
TYPICAL_MODULES = "java.base,java.desktop,java.instrument,java.logging,java.management,"
TYPICAL_MODULES += (
    "java.naming,java.net.http,java.prefs,java.security.jgss,java.sql,jdk.unsupported"
)
MODULE_SIZE = 3_500_000


@tool("jdeps", note="modelled: --print-module-deps (an estimate; classes are not read)")
def jdeps(proc: Proc) -> int:
    args = proc.argv[1:]
    jars = [a for a in args if a.endswith((".jar", ".class")) and not a.startswith("-")]
    for j in jars:
        if not is_file(proc, j) and "*" not in j:
            raise ToolError(f"Error: {j} is not a valid path", 2)
    if "--print-module-deps" in args or "--list-reduced-deps" in args:
        proc.out(TYPICAL_MODULES + "\n")
        proc.stderr.write(
            "emu: estimate: jdeps's module list is a typical one (classes are not read)\n"
        )
        return 0
    return not_modelled(proc, "jdeps " + " ".join(args))


@tool("jlink", note="modelled: a custom runtime image of the modules asked for")
def jlink(proc: Proc) -> int:
    args = proc.argv[1:]

    def value(flag: str) -> str | None:
        for k, a in enumerate(args):
            if a == flag and k + 1 < len(args):
                return args[k + 1]
            if a.startswith(flag + "="):
                return a.split("=", 1)[1]
        return None

    out = value("--output")
    modules = [m for m in (value("--add-modules") or "").split(",") if m]
    if out is None or not modules:
        raise ToolError(
            "Error: --module-path is not specified and this runtime image does not "
            "contain jmods directory"
            if out
            else "Error: --output must be specified",
            2,
        )
    if node_at(proc, out) is not None:
        raise ToolError(f"Error: directory already exists: {proc.path(out)}", 2)
    factor = 0.7 if "--strip-debug" in args else 1.0
    size = int(len(modules) * MODULE_SIZE * factor) + 8_000_000
    w = Writer(proc)
    w.blob(f"{out}/bin/java", 12_000, "java launcher (modelled size)", 0o755)
    w.blob(
        f"{out}/lib/modules",
        size,
        f"jlink image of {len(modules)} modules (modelled size, an estimate)",
    )
    w.blob(f"{out}/lib/server/libjvm.so", 22_000_000, "HotSpot VM (modelled size)", 0o755)
    w.file(
        f"{out}/release", f'JAVA_VERSION="{java_version(proc)}"\nMODULES="{" ".join(modules)}"\n'
    )
    modelled(proc, f"jlink ({len(modules)} modules -> {out})")
    return 0
