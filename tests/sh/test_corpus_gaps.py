"""Gaps the real-world corpus (tests/corpus) found in emu's models and image skeletons: each
test is one program or image a public Dockerfile needed and emu lacked."""

from __future__ import annotations

import json

import emu.sh.tools  # noqa: F401  (registers the models)
from emu.fs import Blob, File, Meta, Symlink
from emu.images import catalog
from emu.sh import permissive
from tests.sh.test_tools import call, image, put, sh, text

# --- cargo ------------------------------------------------------------------------------


def test_cargo_new_bin_takes_the_path_not_a_bin_name() -> None:
    fs, env = image("rust:latest")
    status, _, err = call(fs, env, ["cargo", "new", "--bin", "/srv/app"], cwd="/")
    assert status == 0, err
    assert 'name = "app"' in text(fs, "/srv/app/Cargo.toml")
    assert fs.lookup("/srv/app/src/main.rs") is not None
    assert "Creating binary (application) `app` package" in err
    status, _, err = call(fs, env, ["cargo", "new", "--lib", "--name", "util", "/srv/lib"], cwd="/")
    assert status == 0 and fs.lookup("/srv/lib/src/lib.rs") is not None
    assert 'name = "util"' in text(fs, "/srv/lib/Cargo.toml")
    status, _, err = call(fs, env, ["cargo", "new", "--bin", "/srv/app"], cwd="/")
    assert status == 101 and "destination `/srv/app` already exists" in err


def test_cargo_builds_for_the_target_its_config_names() -> None:
    fs, env = image("ekidd/rust-musl-builder")
    src = "/home/rust/src"
    put(fs, {"Cargo.toml": '[package]\nname = "hello"\nversion = "0.1.0"\n',
             "src/main.rs": "fn main() {}\n"}, base=src)  # fmt: skip
    status, _, err = call(fs, env, ["cargo", "build", "--release"], cwd=src)
    assert status == 0, err
    # the image's ~/.cargo/config says build.target = x86_64-unknown-linux-musl
    assert fs.lookup(f"{src}/target/x86_64-unknown-linux-musl/release/hello") is not None
    assert fs.lookup(f"{src}/target/release/hello") is None
    # --target and CARGO_BUILD_TARGET win over the config
    status, _, _ = call(fs, {**env, "CARGO_BUILD_TARGET": "aarch64-unknown-linux-gnu"},
                        ["cargo", "build"], cwd=src)  # fmt: skip
    assert status == 0
    assert fs.lookup(f"{src}/target/aarch64-unknown-linux-gnu/debug/hello") is not None


# --- npm link -------------------------------------------------------------------------------


def test_npm_link_links_the_package_and_its_bins_globally() -> None:
    fs, env = image("node:20-alpine")
    manifest = {"name": "immich", "version": "1.0.0", "bin": {"immich": "./bin/cli.js"}}
    put(fs, {"package.json": json.dumps(manifest), "bin/cli.js": "#!/usr/bin/env node\n"})
    status, out, err = call(fs, env, ["npm", "link"])
    assert status == 0, err
    assert "added 1 package" in out
    link = fs.lookup("/usr/local/lib/node_modules/immich", follow=False)
    assert isinstance(link, Symlink) and link.target == "/app"
    cli = fs.lookup("/usr/local/bin/immich", follow=False)
    assert isinstance(cli, Symlink) and cli.target == "../lib/node_modules/immich/bin/cli.js"
    fs2, env2 = image("node:20-alpine")
    fs2.makedirs("/empty")
    status, _, err = call(fs2, env2, ["npm", "link"], cwd="/empty")
    assert status == 254 and "ENOENT" in err


# --- image skeletons --------------------------------------------------------------------------


def _has(ref: str, path: str) -> bool:
    return catalog.lookup(ref).rootfs.fs().lookup(path) is not None


def test_binutils_where_the_real_images_have_it() -> None:
    # gcc and build-base bring binutils; the Temurin JDKs install it (jlink needs objcopy)
    for ref in ("golang:1.22", "gcc:13", "buildpack-deps:bookworm", "rust:1-alpine",
                "eclipse-temurin:21-jdk", "eclipse-temurin:21-jdk-alpine",
                "gradle:9-jdk21-alpine"):  # fmt: skip
        assert _has(ref, "/usr/bin/strip") and _has(ref, "/usr/bin/objcopy"), ref
    for ref in ("eclipse-temurin:21-jre", "eclipse-temurin:17-jre-alpine", "alpine:3.20"):
        assert not _has(ref, "/usr/bin/strip"), ref
    status = catalog.lookup("golang:1.22").rootfs.fs().lookup("/var/lib/dpkg/status")
    assert isinstance(status, File) and b"Package: binutils\n" in (status.data or b"")


def test_third_party_bases_hold_what_their_dockerfiles_put_there() -> None:
    docker = catalog.lookup("gloursdocker/docker")
    assert docker.rootfs.fs().lookup("/bin") is None  # scratch: it copies onto any image
    assert _has("gloursdocker/docker", "/usr/local/bin/docker")
    assert _has("gloursdocker/docker", "/usr/local/lib/docker/cli-plugins/docker-compose")
    for path in ("build", "server", "public", ".sequelizerc", "node_modules", "package.json"):
        assert _has("outlinewiki/outline-base", f"/opt/outline/{path}"), path
    assert catalog.lookup("n8nio/base:18").config.working_dir == "/home/node"
    assert _has("dunglas/frankenphp:php8.4-alpine", "/usr/local/bin/install-php-extensions")
    assert "x86_64-unknown-linux-musl" in (
        text(catalog.lookup("ekidd/rust-musl-builder").rootfs.fs(), "/home/rust/.cargo/config")
    )


# --- xx-go --wrap -------------------------------------------------------------------------


def test_xx_go_wrap_writes_the_target_into_go_env() -> None:
    fs, env = image("golang:1.22-alpine")
    xx = catalog.lookup("tonistiigi/xx").rootfs.fs()
    node = xx.lookup("/usr/bin/xx-go")
    assert isinstance(node, File)
    fs.put("/usr/bin/xx-go", node)
    status, out, _ = sh(fs, env, "go env GOENV")
    assert status == 0 and out == "/root/.config/go/env\n"
    status, _, err = sh(fs, env, "xx-go --wrap")
    assert status == 0, err
    assert text(fs, "/root/.config/go/env") == "GOOS=linux\nGOARCH=amd64\n"
    status, _, err = sh(fs, env, "xx-go --unwrap")
    assert status == 0 and fs.lookup("/root/.config/go/env") is None


# --- apk: the accounts and files packages bring --------------------------------------------


def test_apk_add_postgresql_creates_the_postgres_account() -> None:
    fs, env = image("alpine:3.20")
    status, _, err = call(fs, env, ["apk", "add", "--no-cache", "postgresql"])
    assert status == 0, err
    assert "postgres:x:70:70:postgres:/var/lib/postgresql:/bin/sh\n" in text(fs, "/etc/passwd")
    assert "postgres:x:70:\n" in text(fs, "/etc/group")
    data = fs.lookup("/var/lib/postgresql")
    assert data is not None and (data.meta.uid, data.meta.gid) == (70, 70)
    assert fs.lookup("/usr/bin/initdb") is not None
    # adding it again does not add the account twice
    call(fs, env, ["apk", "add", "postgresql16"])
    assert text(fs, "/etc/passwd").count("\npostgres:") == 1


def test_apk_iptables_has_the_nft_and_legacy_tools() -> None:
    fs, env = image("alpine:3.22")
    status, _, err = call(fs, env, ["apk", "add", "--no-cache", "iptables", "ip6tables"])
    assert status == 0, err
    for name in ("iptables", "iptables-legacy", "ip6tables", "ip6tables-legacy"):
        assert isinstance(fs.lookup(f"/usr/sbin/{name}", follow=False), Symlink), name


# --- python reading its script from stdin ---------------------------------------------------


def test_python_dash_reads_the_script_from_stdin() -> None:
    fs, env = image("python:3.12-slim")
    status, _, err = sh(fs, env, "echo 'print(1)' | python3 -")
    assert status == 0 and "emu: not run: python - (the script on stdin" in err
    # a --permissive placeholder for `curl -sSL https://install.python-poetry.org` is said
    # to be one (the download was already recorded when it was written)
    fs.write_file("/tmp/install.py", permissive.content("https://install.python-poetry.org"))
    with permissive.session(True):
        status, _, err = sh(fs, env, "python3 - < /tmp/install.py")
    assert status == 0
    assert "placeholder for https://install.python-poetry.org; nothing was run" in err
    status, out, _ = sh(fs, env, "python3 < /dev/null")
    assert status == 0 and out.startswith("Python 3.12")  # no script: as before


# --- placeholders: an archive's contents, and the utilities that meet them ------------------


def test_extracting_a_placeholder_marks_the_folder_made_for_it() -> None:
    fs, env = image("alpine:3.20")
    fs.makedirs("/tmp/keycloak")
    url = "https://example.com/keycloak-22.0.11.tar.gz"
    fs.write_file("/tmp/keycloak/keycloak-22.0.11.tar.gz", permissive.content(url))
    script = "cd /tmp/keycloak && tar -xzf keycloak-22.0.11.tar.gz && rm keycloak-*.tar.gz"
    with permissive.session(True) as forgiven:
        status, _, err = sh(fs, env, script)
        assert status == 0, err
        marker = "/tmp/keycloak/" + permissive.CLONE_PLACEHOLDER
        assert permissive.url_of(fs.get(marker).data) == url  # type: ignore[union-attr]
        assert forgiven.placeholders == []  # the download was recorded when it was written
        # the tarball's top folder is missing: mv fails on the placeholder, and is forgiven
        status, _, err = sh(fs, env, "mv /tmp/keycloak/keycloak-* /opt/keycloak")
        assert status == 0 and "placeholder for what a download would have put there" in err
        assert forgiven.excused and forgiven.excused[0][0] == "mv"
    # a strict build fails as before, and a folder holding other files gets no marker
    status, _, err = sh(fs, env, "mv /tmp/keycloak/keycloak-* /opt/keycloak")
    assert status == 1 and "can't rename" in err
    fs.write_file("/srv/data.txt", b"x")
    fs.write_file("/srv/go.tgz", permissive.content(url))
    with permissive.session(True):
        assert sh(fs, env, "tar -C /srv -xzf /srv/go.tgz")[0] == 0
    assert fs.lookup("/srv/" + permissive.CLONE_PLACEHOLDER) is None


# --- busybox and GNU utilities -----------------------------------------------------------


def test_xargs_i_is_replace_with_braces() -> None:
    fs, env = image("alpine:3.20")
    status, out, err = sh(fs, env, "printf 'a\\nb\\n' | xargs -i echo [{}]")
    assert status == 0, err
    assert out == "[a]\n[b]\n"
    status, out, _ = sh(fs, env, "printf 'a\\n' | xargs -i@ echo @-@")
    assert out == "a-a\n"


def test_ln_relative_where_the_utility_is_gnu_and_chmod_options_after_the_mode() -> None:
    fs, env = image("debian:bookworm-slim")  # GNU coreutils
    fs.makedirs("/app/target/x86/release")
    status, _, err = sh(fs, env, "ln -vfsr /app/target/x86/release /app/target/final")
    assert status == 0, err
    link = fs.lookup("/app/target/final", follow=False)
    assert isinstance(link, Symlink) and link.target == "x86/release"
    status, _, err = sh(fs, env, "mkdir -p /d/e && chmod 700 -R /d")
    assert status == 0, err
    assert fs.get("/d/e").meta.mode & 0o777 == 0o700
    fs, env = image("alpine:3.20")  # busybox: no ln -r
    fs.makedirs("/d/e")
    assert sh(fs, env, "ln -sr /d /e")[0] == 1
    # busybox's getopt32 permutes too: chmod MODE -R works there (Plausible's Alpine stage)
    status, _, err = sh(fs, env, "chmod 700 -R /d")
    assert status == 0, err
    assert fs.get("/d/e").meta.mode & 0o777 == 0o700


# --- images the corpus found lacking -------------------------------------------------------


def test_distroless_debug_busybox_has_the_account_applets() -> None:
    fs = catalog.lookup("gcr.io/distroless/static:debug").rootfs.fs()
    for name in ("addgroup", "adduser", "ln", "touch"):
        assert isinstance(fs.lookup(f"/busybox/{name}", follow=False), Symlink), name


def test_ng_build_output_path_option() -> None:
    fs, env = image("node:18")
    dev = {"@angular/cli": "^17.3.0", "@angular-devkit/build-angular": "^17.3.0"}
    manifest = {"name": "ng", "devDependencies": dev}
    build = {"builder": "@angular-devkit/build-angular:browser", "options": {}}
    put(fs, {"package.json": json.dumps(manifest),
             "angular.json": json.dumps({"projects": {"app": {"architect": {"build": build}}}}),
             "src/index.html": "<html><head></head><body></body></html>",
             "src/main.ts": "export const x = 1\n"})  # fmt: skip
    assert call(fs, env, ["npm", "install"])[0] == 0
    status, _, err = sh(fs, env, "npx ng build --output-path out/site")
    assert status == 0, err
    assert fs.lookup("/app/out/site/index.html") is not None


def test_grunt_installs_with_its_bin() -> None:
    fs, env = image("node:18")
    put(fs, {"package.json": json.dumps({"name": "g", "devDependencies": {"grunt": "^1.6.1"}})})
    assert call(fs, env, ["npm", "install"])[0] == 0
    assert isinstance(fs.lookup("/app/node_modules/.bin/grunt", follow=False), Symlink)


# --- tar of size-only files; mkdocs ------------------------------------------------------


def test_tar_of_size_only_files_is_a_size_only_archive() -> None:
    fs, env = image("alpine:3.20")
    put(fs, {"dist/index.html": "<html></html>\n"})
    fs.put("/app/dist/app.js", File(Meta(0o644), Blob(600_000, "bundle (modelled size)")))
    status, _, err = sh(fs, env, "tar -czf dist.tar.gz dist")
    assert status == 0, err
    archive = fs.get("/app/dist.tar.gz")
    assert isinstance(archive, File) and isinstance(archive.content, Blob)
    assert 600_000 < archive.content.size < 610_000
    assert "1 size-only file" in archive.content.label
    # a stream cannot carry one: tar to stdout fails on it as before
    status, _, err = sh(fs, env, "tar -cf - dist > /dev/null")
    assert status == 1 and "content not modelled" in err


def test_mkdocs_build_renders_the_site() -> None:
    fs, env = image("python:3.12-slim")
    put(fs, {"mkdocs.yml": "site_name: docs\ntheme:\n  name: material\n",
             "docs/index.md": "# Home\n", "docs/guide/setup.md": "# Setup\n" * 50,
             "docs/img/logo.png": b"\x89PNG"})  # fmt: skip
    fs.write_file("/usr/local/bin/mkdocs", b"#!/usr/local/bin/python\n", Meta(0o755))
    status, out, err = sh(fs, env, "mkdocs build")
    assert status == 0, err
    assert "Building documentation to directory: /app/site" in err
    assert "emu: modelled mkdocs build (2 pages" in out
    for page in ("index.html", "guide/setup/index.html", "img/logo.png", "sitemap.xml",
                 "search/search_index.json", "assets/emu-theme-material.blob"):  # fmt: skip
        assert fs.lookup(f"/app/site/{page}") is not None, page
    status, _, err = sh(fs, env, "mkdocs build -d /out/docs")
    assert status == 0 and fs.lookup("/out/docs/index.html") is not None
    fs.remove("/app/mkdocs.yml")
    status, _, err = sh(fs, env, "mkdocs build")
    assert status == 1 and "Config file 'mkdocs.yml' does not exist" in err
    status, _, err = sh(fs, env, "mkdocs serve")
    assert status == 1 and "would never finish" in err


# --- mix tasks the project or its dependencies define ---------------------------------------


def test_mix_runs_no_task_code_but_knows_where_tasks_come_from() -> None:
    fs, env = image("elixir:1.17")
    mix_exs = (
        "defmodule A.MixProject do\n  def project, do: [app: :a]\n"
        '  defp deps do\n    [{:sentry, "~> 10.0"}]\n  end\nend\n'
    )
    task = "defmodule Mix.Tasks.DownloadDb do\nend\n"
    put(fs, {"mix.exs": mix_exs, "lib/mix/tasks/download_db.ex": task})
    for task in ("download_db", "sentry.package_source_code"):
        status, _, err = call(fs, env, ["mix", task])
        assert status == 1 and f"mix {task} runs a program" in err, task
        with permissive.session(True) as forgiven:
            status, _, err = call(fs, env, ["mix", task])
        assert status == 0 and forgiven.excused, task
    status, _, err = call(fs, env, ["mix", "nosuch_task"])
    assert status == 1 and '** (Mix) The task "nosuch_task" could not be found' in err


# --- programs whose code emu does not run -------------------------------------------------


def test_code_not_run_is_a_no_op_that_permissive_records() -> None:
    fs, env = image("node:20-alpine")
    put(fs, {"build.js": "require('fs').writeFileSync('dist/app.js', '')\n"})
    # strict: it says so and succeeds, writing nothing (the script's effects are unknown)
    status, _, err = call(fs, env, ["node", "build.js"])
    assert status == 0
    assert "emu: not run: node build.js (running JavaScript is not modelled)" in err
    assert fs.lookup("/app/dist") is None
    # --permissive: the same, and recorded as forgiven (what it would have made, a later
    # COPY --from takes as a consequence, with a marked placeholder)
    with permissive.session(True) as forgiven:
        status, _, err = call(fs, env, ["node", "build.js"])
    assert status == 0 and fs.lookup("/app/dist") is None
    assert forgiven.excused == [("node", "was not run (running JavaScript is not modelled)")]
    with permissive.session(False) as strict:
        call(fs, env, ["node", "build.js"])
    assert strict.excused == []


def test_npm_install_g_turbo_puts_turbo_on_path() -> None:
    fs, env = image("node:20-alpine")
    status, out, err = sh(fs, env, 'npm install -g "turbo@2.0.4" && command -v turbo')
    assert status == 0, err
    assert out.splitlines()[-1] == "/usr/local/bin/turbo"
    link = fs.lookup("/usr/local/bin/turbo", follow=False)
    assert isinstance(link, Symlink) and link.target == "../lib/node_modules/turbo/bin/turbo"
    # the platform binary comes with it, at a modelled size (the table says so)
    assert fs.lookup("/usr/local/lib/node_modules/turbo/node_modules/turbo-linux-64") is not None
    assert "emu: modelled npm install -g (2 packages" in out


# --- mvn assembly:single --------------------------------------------------------------------

_ASSEMBLY_POM = """<project><modelVersion>4.0.0</modelVersion>
<groupId>com.example</groupId><artifactId>app</artifactId><version>1.0</version>
<build><finalName>app</finalName><plugins><plugin>
<groupId>org.apache.maven.plugins</groupId><artifactId>maven-assembly-plugin</artifactId>
<configuration><descriptorRefs><descriptorRef>jar-with-dependencies</descriptorRef>
</descriptorRefs>{extra}</configuration></plugin></plugins></build></project>
"""


def test_mvn_assembly_single_builds_the_jar_with_dependencies() -> None:
    fs, env = image("maven:3.9")
    put(fs, {"pom.xml": _ASSEMBLY_POM.format(extra=""),
             "src/main/java/App.java": "public class App {}\n"})  # fmt: skip
    status, out, _ = call(fs, env, ["mvn", "-B", "clean", "compile", "assembly:single"])
    assert status == 0, out
    assert "--- assembly:3.7.1:single (default-cli) @ app ---" in out
    assert "Building jar: /app/target/app-jar-with-dependencies.jar" in out
    jar = fs.lookup("/app/target/app-jar-with-dependencies.jar")
    assert isinstance(jar, File) and jar.size > 0
    assert fs.lookup("/app/target/app.jar") is None  # compile does not package
    # appendAssemblyId false: the assembly is the project's jar name
    put(fs, {"pom.xml": _ASSEMBLY_POM.format(extra="<appendAssemblyId>false</appendAssemblyId>")})
    status, _, _ = call(fs, env, ["mvn", "-B", "clean", "compile", "assembly:single"])
    assert status == 0 and isinstance(fs.lookup("/app/target/app.jar"), File)


def test_mvn_assembly_single_without_a_descriptor_fails_as_maven_does() -> None:
    fs, env = image("maven:3.9")
    put(fs, {"pom.xml": "<project><modelVersion>4.0.0</modelVersion><groupId>g</groupId>"
             "<artifactId>app</artifactId><version>1</version></project>\n"})  # fmt: skip
    status, out, _ = call(fs, env, ["mvn", "-B", "compile", "assembly:single"])
    assert status == 1
    assert "Error reading assemblies: No assembly descriptors found." in out
    assert fs.lookup("/app/target/app-1-jar-with-dependencies.jar") is None


def test_apk_add_nettle_installs_its_libraries() -> None:
    fs, env = image("alpine:3.19")
    status, out, err = sh(fs, env, "apk --no-cache add nettle", cwd="/")
    assert status == 0, err
    assert "nettle (3.9.1-r0)" in out and "gmp" in out  # its dependency comes with it
    assert isinstance(fs.lookup("/usr/lib/libnettle.so.8.8"), File)
    link = fs.lookup("/usr/lib/libhogweed.so.6", follow=False)
    assert isinstance(link, Symlink) and link.target == "libhogweed.so.6.8"


# --- PHP extensions ---------------------------------------------------------------------------


def test_docker_php_ext_install_builds_and_enables_bundled_extensions() -> None:
    fs, env = image("php:8.3-fpm")
    status, out, err = call(fs, env, ["docker-php-ext-install", "-j", "4", "pdo_pgsql", "opcache"])
    assert status == 0, err
    ext = "/usr/local/lib/php/extensions/no-debug-non-zts-20230831"
    so = fs.lookup(f"{ext}/pdo_pgsql.so")
    assert isinstance(so, File) and so.size == 300_000  # the default estimate
    assert text(fs, "/usr/local/etc/php/conf.d/docker-php-ext-pdo_pgsql.ini") == (
        "extension=pdo_pgsql\n"
    )
    assert text(fs, "/usr/local/etc/php/conf.d/docker-php-ext-opcache.ini") == (
        "zend_extension=opcache\n"
    )
    assert "module sizes are estimates" in out
    # not in PHP's source tree: fails as the script does, writing nothing
    status, _, err = call(fs, env, ["docker-php-ext-install", "redis"])
    assert status == 1 and "error: /usr/src/php/ext/redis does not exist" in err
    assert fs.lookup(f"{ext}/redis.so") is None
    # enable needs the module built
    status, _, err = call(fs, env, ["docker-php-ext-enable", "redis"])
    assert status == 1 and "error: 'redis' does not exist" in err
    fs.remove("/usr/local/etc/php/conf.d/docker-php-ext-pdo_pgsql.ini")
    status, _, _ = call(fs, env, ["docker-php-ext-enable", "pdo_pgsql"])
    assert status == 0
    assert fs.lookup("/usr/local/etc/php/conf.d/docker-php-ext-pdo_pgsql.ini") is not None


def test_install_php_extensions_installs_pecl_and_bundled_ones() -> None:
    fs, env = image("dunglas/frankenphp:php8.4-alpine")
    status, out, err = call(fs, env, ["install-php-extensions", "pgsql", "xdebug-3.4.0", "redis"])
    assert status == 0, err
    ext = "/usr/local/lib/php/extensions/no-debug-non-zts-20240924"
    for name in ("pgsql", "xdebug", "redis"):
        assert isinstance(fs.lookup(f"{ext}/{name}.so"), File), name
    assert text(fs, "/usr/local/etc/php/conf.d/docker-php-ext-xdebug.ini") == (
        "zend_extension=xdebug\n"
    )
    assert "### INSTALLING REMOTE MODULE redis ###" in out
    assert "### INSTALLING BUNDLED MODULE pgsql ###" in out
    assert "module sizes are estimates" in out


# --- java -Djarmode=layertools of a real layered jar -----------------------------------------


def _layered_jar() -> bytes:
    import io
    import zipfile

    idx = (
        '- "dependencies":\n  - "BOOT-INF/lib/"\n- "spring-boot-loader":\n  - "org/"\n'
        '- "snapshot-dependencies":\n- "application":\n  - "BOOT-INF/classes/"\n'
        '  - "BOOT-INF/layers.idx"\n  - "META-INF/"\n'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        zf.writestr("org/springframework/boot/loader/JarLauncher.class", "x")
        zf.writestr("BOOT-INF/classes/App.class", "app")
        zf.writestr("BOOT-INF/lib/dep.jar", "dep")
        zf.writestr("BOOT-INF/layers.idx", idx)
    return buf.getvalue()


def test_layertools_extracts_a_real_layered_jar_by_its_layers_idx() -> None:
    fs, env = image("eclipse-temurin:17-jdk")
    put(fs, {"application.jar": _layered_jar()})
    status, _, err = call(fs, env, ["java", "-Djarmode=layertools", "-jar", "application.jar",
                                    "extract"])  # fmt: skip
    assert status == 0, err
    assert text(fs, "/app/dependencies/BOOT-INF/lib/dep.jar") == "dep"
    assert text(fs, "/app/application/BOOT-INF/classes/App.class") == "app"
    assert fs.lookup("/app/application/META-INF/MANIFEST.MF") is not None
    assert fs.lookup("/app/spring-boot-loader/org/springframework/boot/loader/JarLauncher.class")
    assert fs.listdir("/app/snapshot-dependencies") == []  # an empty layer is still a folder
    # a jar without layers.idx is not a layered jar
    put(fs, {"plain.jar": b"PK\x05\x06" + b"\0" * 18})
    status, _, err = call(fs, env, ["java", "-Djarmode=layertools", "-jar", "plain.jar",
                                    "extract"])  # fmt: skip
    assert status == 1 and "is not a Spring Boot executable jar with layers" in err


def test_pip_rejects_an_operator_without_a_version() -> None:
    fs, env = image("python:3.11-slim")
    # ARG POETRY_VERSION never set: pip is asked for "poetry=="
    status, _, err = sh(fs, env, 'pip install "poetry==$POETRY_VERSION"', cwd="/")
    assert status == 1
    assert err.startswith("ERROR: Invalid requirement: 'poetry==': Expected end or semicolon")
    assert "    poetry==\n          ^" in err
    assert fs.lookup("/usr/local/bin/poetry") is None


def test_a_build_tool_failing_on_a_placeholder_manifest_is_forgiven() -> None:
    fs, env = image("node:20-alpine")
    stand_in = permissive.content("builder:/app/out/package-lock.json", "build output",
                                  "--permissive skipped node in stage builder")  # fmt: skip
    put(fs, {"package.json": stand_in, "package-lock.json": stand_in})
    # strict: npm fails on it as on any bad manifest
    status, _, _ = call(fs, env, ["npm", "ci"])
    assert status != 0
    with permissive.session(True) as forgiven:
        status, _, err = call(fs, env, ["npm", "ci"])
    assert status == 0
    assert "failed on /app/package-lock.json, a placeholder (build output not made: " in err
    assert [p for p, _ in forgiven.excused] == ["npm"]
    assert fs.lookup("/app/node_modules") is None
    # a real manifest that fails is not forgiven
    put(fs, {"package.json": "{not json", "package-lock.json": "{}"})
    with permissive.session(True) as forgiven:
        status, _, _ = call(fs, env, ["npm", "ci"])
    assert status != 0 and forgiven.excused == []


def test_a_placeholder_github_archive_unpacks_into_its_marked_top_folder() -> None:
    fs, env = image("node:20-alpine")
    fs.makedirs("/repo")
    fs.write_file("/repo/keep.txt", b"x")  # a folder with other files: the top folder still
    url = "https://github.com/jellyfin/jellyfin-web/archive/master.tar.gz"
    tag = "https://github.com/o/tool/archive/refs/tags/v1.2.3.tar.gz"
    with permissive.session(True) as forgiven:
        fs.write_file("/tmp/web.tgz", permissive.content(url))
        fs.write_file("/tmp/tool.tgz", permissive.content(tag))
        script = "cd /repo && tar zxf - < /tmp/web.tgz && cd jellyfin-web-* && mv dist /dist"
        status, _, err = sh(fs, env, script)
        assert status == 0, err
        marker = f"/repo/jellyfin-web-master/{permissive.CLONE_PLACEHOLDER}"
        assert permissive.url_of(fs.get(marker).data) == url  # type: ignore[union-attr]
        # mv fails in the placeholder folder (no dist/ was unpacked), and is forgiven
        assert [p for p, _ in forgiven.excused] == ["mv"]
        # a tag's leading v is not in the folder's name, as GitHub names it
        assert sh(fs, env, "tar -C /repo -xzf /tmp/tool.tgz")[0] == 0
        assert fs.lookup("/repo/tool-1.2.3") is not None
        # --strip-components drops the top folder: the folder made for it is marked instead
        script = "mkdir /src && tar -xzC /src --strip-components=1 -f /tmp/tool.tgz && ls /src"
        assert sh(fs, env, script)[1] == permissive.CLONE_PLACEHOLDER + "\n"
    # any other URL: no folder made up
    fs.write_file("/tmp/x.tgz", permissive.content("https://example.com/x.tar.gz"))
    with permissive.session(True):
        assert sh(fs, env, "mkdir /x && tar -C /x -xzf /tmp/x.tgz && ls /x")[1] == (
            permissive.CLONE_PLACEHOLDER + "\n"
        )


def test_imagemagick_config_is_installed_in_every_debian_release() -> None:
    for ref in ("debian:bookworm", "python:3.9-slim-bullseye"):
        fs, env = image(ref)
        script = "apt-get update >/dev/null && apt-get install -y imagemagick >/dev/null"
        status, _, err = sh(fs, env, script, cwd="/")
        assert status == 0, (ref, err)
        policy = fs.lookup("/etc/ImageMagick-6/policy.xml")
        assert isinstance(policy, File) and policy.size == 6400, ref  # an estimate
    # the table's files stay bookworm's for packages not marked any_release: bullseye's
    # libssl is its own release's
    fs, env = image("python:3.9-slim-bullseye")
    sh(fs, env, "apt-get update >/dev/null && apt-get install -y openssl >/dev/null", cwd="/")
    assert fs.lookup("/usr/lib/x86_64-linux-gnu/libssl.so.3") is None


def test_apt_install_proxychains_ng_installs_proxychains4() -> None:
    fs, env = image("node:20-slim")
    script = "apt update >/dev/null 2>&1 && apt install -qy proxychains-ng >/dev/null 2>&1"
    assert sh(fs, env, script, cwd="/")[0] == 0
    for path in ("/usr/lib/x86_64-linux-gnu/libproxychains.so.4", "/usr/bin/proxychains4",
                 "/etc/proxychains4.conf"):  # fmt: skip
        assert isinstance(fs.lookup(path), File), path


def test_a_missing_path_after_code_not_run_in_the_same_run_is_forgiven() -> None:
    fs, env = image("node:20-alpine")
    put(fs, {"minify.js": "// writes /app/app-minimal\n"})
    script = "node minify.js && mv /app/app-minimal/node_modules /app/ && echo after"
    # strict: node is a no-op and mv fails, as the missing folder says
    status, _, err = sh(fs, env, script)
    assert status == 1 and "can't rename" in err
    with permissive.session(True) as forgiven:
        status, out, err = sh(fs, env, script)
    assert status == 0 and out == "after\n"
    assert "/app/app-minimal/node_modules does not exist; node was not run before it" in err
    assert [p for p, _ in forgiven.excused] == ["node", "mv"]
    # without code that was not run before it, a missing path fails even under --permissive
    with permissive.session(True) as forgiven:
        status, _, _ = sh(fs, env, "mv /app/nothing-here /tmp/")
    assert status == 1 and forgiven.excused == []


def test_zip_adds_a_name_given_twice_once() -> None:
    """(zipfile warned "Duplicate name" and wrote the entry twice.)"""
    import io
    import zipfile

    fs, env = image("debian:bookworm-slim")
    put(fs, {"f": "x", "d/g": "y"})
    status, out, err = call(fs, env, ["zip", "a.zip", "f", "f", "d/g"])
    assert status == 0, err
    assert out.count("adding: f ") == 1
    node = fs.get("/app/a.zip")
    assert isinstance(node, File) and node.data is not None
    names = zipfile.ZipFile(io.BytesIO(node.data)).namelist()
    assert names == ["f", "d/g"]


def test_zip_refuses_two_names_that_junk_paths_makes_one() -> None:
    """As Info-ZIP zip 3.0 does (status 16), recorded on this machine."""
    fs, env = image("debian:bookworm-slim")
    put(fs, {"d1/x": "b", "d2/x": "c"})
    status, _, err = call(fs, env, ["zip", "-j", "r.zip", "d1/x", "d2/x"])
    assert status == 16
    assert "name in zip file repeated: x" in err
    assert err.rstrip().endswith(
        "zip error: Invalid command arguments (cannot repeat names in zip file)"
    )
    assert fs.lookup("/app/r.zip") is None
