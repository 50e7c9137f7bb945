"""The programs real Dockerfiles call (issue 12): each model's effect on the filesystem —
paths, modes, sizes — and what it prints, estimates said to be estimates."""

from __future__ import annotations

from test_tools import blob, call, image, put, sh, text

from emu.fs import FS, Blob, Device, File, Kind, Meta, Symlink
from emu.sh import permissive

HELLO_GO = {"go.mod": "module x\n\ngo 1.22\n", "main.go": "package main\nfunc main() {}\n"}


def old_go(version: str) -> tuple[FS, dict[str, str]]:
    fs, env = image("golang:1.21")
    fs.write_file("/usr/local/go/VERSION", f"go{version}\ntime 2023-01-01\n".encode())
    put(fs, HELLO_GO)
    return fs, {k: v for k, v in env.items() if k != "GOTOOLCHAIN"}


# --- go -------------------------------------------------------------------------------------


def test_before_go_1_21_the_go_directive_is_advisory() -> None:
    fs, env = old_go("1.18.10")
    status, _, err = call(fs, env, ["go", "build", "-o", "/out/app"])
    assert status == 0, err
    assert "go 1.18.10 treats that as advisory" in err
    assert isinstance(fs.lookup("/out/app"), File)


def test_go_1_20_8_refuses_a_module_for_go_1_22() -> None:
    fs, env = old_go("1.20.8")
    status, _, err = call(fs, env, ["go", "build"])
    assert status == 1 and "go: go.mod requires go >= 1.22 (running go 1.20.8)" in err
    fs, env = old_go("1.20.5")
    assert call(fs, env, ["go", "build"])[0] == 0


def test_go_1_21_with_gotoolchain_auto_needs_the_network() -> None:
    fs, env = old_go("1.21.13")
    status, _, err = call(fs, env, ["go", "build"])
    assert status == 1 and "go: downloading go1.22 (linux/amd64)" in err
    with permissive.session(True) as forgiven:
        status, _, err = call(fs, env, ["go", "build", "-o", "/out/app"])
    assert status == 0 and "the image's go 1.21.13 builds instead" in err
    assert forgiven.placeholders[0][0].endswith("go1.22.linux-amd64.zip")
    assert isinstance(fs.lookup("/out/app"), File)


def test_go_install_of_a_versioned_command() -> None:
    fs, env = image("golang:1.22")
    fs.makedirs("/src")
    args = ["go", "install", "github.com/air-verse/air@v1.52.3"]
    status, out, err = call(fs, env, args, cwd="/src")
    assert status == 0, err
    node = fs.lookup("/go/bin/air")
    assert isinstance(node, File) and node.meta.mode & 0o777 == 0o755
    assert "estimated" in blob(fs, "/go/bin/air").label
    assert "go: downloading github.com/air-verse/air v1.52.3" in err
    assert "an estimate" in out
    assert fs.lookup("/go/pkg/mod/github.com/air-verse/air@v1.52.3") is not None
    # a major-version suffix is not the command's name
    assert call(fs, env, ["go", "install", "example.com/tool/v2@latest"], cwd="/src")[0] == 0
    assert isinstance(fs.lookup("/go/bin/tool"), File)
    assert call(fs, env, ["go", "install", "std"], cwd="/src")[0] == 0


# --- dotnet ---------------------------------------------------------------------------------

CSPROJ = """<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
    <ProjectReference Include="..\\lib\\lib.csproj" />
  </ItemGroup>
</Project>
"""
LIB = '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework>'
LIB += "</PropertyGroup></Project>\n"


def dotnet_project() -> tuple[FS, dict[str, str]]:
    fs, env = image("mcr.microsoft.com/dotnet/sdk:8.0")
    put(fs, {"web/web.csproj": CSPROJ, "web/Program.cs": "var app = 1;\n",
             "web/appsettings.json": "{}\n", "web/wwwroot/site.css": "body {}\n",
             "lib/lib.csproj": LIB, "lib/Lib.cs": "class L {}\n"}, base="/src")  # fmt: skip
    return fs, env


def test_dotnet_restore_fills_the_nuget_cache_and_obj() -> None:
    fs, env = dotnet_project()
    status, out, err = call(fs, env, ["dotnet", "restore"], cwd="/src/web")
    assert status == 0, err
    assert "Restored /src/web/web.csproj" in out and "Restored /src/lib/lib.csproj" in out
    assert fs.lookup("/root/.nuget/packages/newtonsoft.json/13.0.3/emu-package.blob")
    assert '"Newtonsoft.Json/13.0.3"' in text(fs, "/src/web/obj/project.assets.json")


def test_dotnet_publish_without_restore_needs_the_assets_file() -> None:
    fs, env = dotnet_project()
    status, _, err = call(
        fs, env, ["dotnet", "publish", "--no-restore", "-o", "/app"], cwd="/src/web"
    )
    assert status == 1 and "NETSDK1004: Assets file '/src/lib/obj/project.assets.json'" in err


def test_dotnet_publish_writes_the_app_its_dependencies_and_web_content() -> None:
    fs, env = dotnet_project()
    args = ["dotnet", "publish", "-c", "Release", "-o", "/app", "/p:UseAppHost=false"]
    status, out, err = call(fs, env, args, cwd="/src/web")
    assert status == 0, err
    names = set(fs.listdir("/app"))
    wanted = {"web.dll", "web.pdb", "web.deps.json", "web.runtimeconfig.json", "lib.dll",
              "Newtonsoft.Json.dll", "appsettings.json", "web.config", "wwwroot"}  # fmt: skip
    assert wanted <= names
    assert "web" not in names  # UseAppHost=false: no native launcher
    assert "Microsoft.AspNetCore.App" in text(fs, "/app/web.runtimeconfig.json")
    assert text(fs, "/app/wwwroot/site.css") == "body {}\n"
    assert "web -> /app/" in out


def test_dotnet_build_and_self_contained_publish() -> None:
    fs, env = dotnet_project()
    assert call(fs, env, ["dotnet", "build", "-c", "Release"], cwd="/src/web")[0] == 0
    launcher = fs.lookup("/src/web/bin/Release/net8.0/web")
    assert isinstance(launcher, File) and launcher.meta.mode & 0o777 == 0o755
    args = ["dotnet", "publish", "-r", "linux-x64", "--self-contained", "-o", "/out"]
    assert call(fs, env, args, cwd="/src/web")[0] == 0
    assert blob(fs, "/out/emu-dotnet-runtime.blob").size > 50_000_000
    assert '"includedFrameworks"' in text(fs, "/out/web.runtimeconfig.json")


def test_dotnet_without_a_project() -> None:
    fs, env = image("mcr.microsoft.com/dotnet/sdk:8.0")
    fs.makedirs("/empty")
    status, _, err = call(fs, env, ["dotnet", "restore"], cwd="/empty")
    assert status == 1 and "MSB1003: Specify a project or solution file." in err


# --- accounts: Debian's adduser, Alpine's busybox ------------------------------------------


def test_debian_adduser_creates_the_user_group_and_home_and_survives_no_terminal() -> None:
    fs, env = image("node:20-slim")
    script = "addgroup --gid 1001 nodejs && adduser --uid 1001 --ingroup nodejs nodejs"
    status, out, err = sh(fs, env, script, cwd="/")
    assert status == 0, err
    assert "nodejs:x:1001:1001::/home/nodejs:/bin/bash" in text(fs, "/etc/passwd")
    assert "nodejs:x:1001:" in text(fs, "/etc/group")
    home = fs.lookup("/home/nodejs")
    assert home is not None and home.meta.uid == 1001 and home.meta.mode & 0o777 == 0o750
    assert "Adding new user `nodejs' (1001) with group `nodejs' ..." in out
    assert "passwd: password unchanged" in err and "Try again? [y/N]" in out


def test_debian_adduser_system_user_with_its_group() -> None:
    fs, env = image("debian:bookworm-slim")
    args = ["adduser", "--system", "--group", "--disabled-password", "--no-create-home", "app"]
    status, _, err = call(fs, env, args, cwd="/")
    assert status == 0, err
    row = next(r for r in text(fs, "/etc/passwd").splitlines() if r.startswith("app:"))
    uid, gid = (int(x) for x in row.split(":")[2:4])
    assert 100 <= uid <= 999 and 100 <= gid <= 999
    assert row.endswith(":/nonexistent:/usr/sbin/nologin")
    assert fs.lookup("/nonexistent") is None
    status, _, err = call(
        fs, env, ["adduser", "--uid", "1000", "app2", "--disabled-password"], cwd="/"
    )
    assert status == 0
    status, _, err = call(fs, env, ["adduser", "--uid", "1000", "app3"], cwd="/")
    assert status == 1 and "The UID 1000 is already in use." in err


def test_alpine_busybox_takes_ids_up_to_256000() -> None:
    fs, env = image("alpine:3.19")
    script = "addgroup -g 65532 nonroot && adduser -D -H -u 65532 -G nonroot nonroot"
    status, _, err = sh(fs, env, script, cwd="/")
    assert status == 0, err
    assert "nonroot:x:65532:65532:" in text(fs, "/etc/passwd")


# --- utilities: diff, cmp, od, dd, paste, unzip ---------------------------------------------


def with_files(ref: str, files: dict[str, str]) -> tuple[FS, dict[str, str]]:
    fs, env = image(ref)
    put(fs, files, base="/w")
    return fs, env


def test_diff_is_unified_in_busybox_and_normal_in_gnu() -> None:
    files = {"a": "a\nb\nc\n", "b": "a\nB\nc\n"}
    fs, env = with_files("alpine:3.19", files)
    status, out, _ = call(fs, env, ["diff", "a", "b"], cwd="/w")
    assert status == 1
    assert out.splitlines()[2:] == ["@@ -1,3 +1,3 @@", " a", "-b", "+B", " c"]
    fs, env = with_files("debian:bookworm-slim", files)
    status, out, _ = call(fs, env, ["diff", "a", "b"], cwd="/w")
    assert (status, out) == (1, "2c2\n< b\n---\n> B\n")
    assert call(fs, env, ["diff", "-q", "a", "b"], cwd="/w")[1] == "Files a and b differ\n"
    assert call(fs, env, ["diff", "a", "a"], cwd="/w")[:2] == (0, "")
    status, _, err = call(fs, env, ["diff", "a", "nope"], cwd="/w")
    assert status == 2 and "nope" in err


def test_cmp_says_where_files_differ() -> None:
    fs, env = with_files("debian:bookworm-slim", {"a": "abc\n", "b": "abd\n", "c": "ab"})
    assert call(fs, env, ["cmp", "a", "b"], cwd="/w")[:2] == (1, "a b differ: byte 3, line 1\n")
    assert call(fs, env, ["cmp", "-s", "a", "a"], cwd="/w")[0] == 0
    status, _, err = call(fs, env, ["cmp", "a", "c"], cwd="/w")
    assert status == 1 and "cmp: EOF on c after byte 2" in err
    fs, env = with_files("alpine:3.19", {"a": "abc\n", "b": "abd\n"})
    assert call(fs, env, ["cmp", "a", "b"], cwd="/w")[1] == "a b differ: char 3, line 1\n"


def test_od_formats() -> None:
    fs, env = with_files("alpine:3.19", {"f": "AB\n"})
    assert call(fs, env, ["od", "-c", "f"], cwd="/w")[1] == "0000000   A   B  \\n\n0000003\n"
    assert call(fs, env, ["od", "-An", "-tx1", "f"], cwd="/w")[1] == " 41 42 0a\n"
    assert call(fs, env, ["od", "-An", "-tu2", "-N2", "f"], cwd="/w")[1] == " 16961\n"


def test_dd_copies_blocks_and_big_device_reads_are_size_only() -> None:
    fs, env = with_files("alpine:3.19", {"f": "0123456789"})
    status, _, err = call(fs, env, ["dd", "if=f", "of=g", "bs=2", "skip=1", "count=3"], cwd="/w")
    assert status == 0 and text(fs, "/w/g") == "234567"
    assert err.startswith("3+0 records in\n3+0 records out\n6 bytes")
    fs.put("/dev/zero", Device(Meta(0o666), Kind.CHAR, 1, 5))
    status, _, err = sh(fs, env, "dd if=/dev/zero of=/swap bs=1M count=64 status=none", cwd="/w")
    assert status == 0 and err == ""
    assert blob(fs, "/swap").size == 64 << 20
    assert call(fs, env, ["dd", "if=f", "of=g", "bs=1", "seek=2", "conv=notrunc"], cwd="/w")[0] == 0
    assert text(fs, "/w/g") == "230123456789"


def test_paste_joins_lines() -> None:
    fs, env = with_files("alpine:3.19", {"a": "1\n2\n3\n", "b": "x\ny\n"})
    assert call(fs, env, ["paste", "a", "b"], cwd="/w")[1] == "1\tx\n2\ty\n3\t\n"
    assert call(fs, env, ["paste", "-sd,", "a"], cwd="/w")[1] == "1,2,3\n"
    assert call(fs, env, ["paste", "-d", ":", "a", "b"], cwd="/w")[1] == "1:x\n2:y\n3:\n"


def test_zip_and_unzip_round_trip_real_bytes() -> None:
    fs, env = image("debian:bookworm-slim")
    put(fs, {"site/index.html": "<h1>hi</h1>\n", "site/js/app.js": "x()\n"}, base="/w")
    status, out, _ = call(fs, env, ["zip", "-r", "out.zip", "site"], cwd="/w")
    assert status == 0 and "  adding: site/js/app.js (deflated 50%)" in out
    zipped = fs.get("/w/out.zip")
    assert isinstance(zipped, File) and (zipped.data or b"").startswith(b"PK")
    status, out, _ = call(fs, env, ["unzip", "-o", "out.zip", "-d", "/x"], cwd="/w")
    assert status == 0 and "  inflating: /x/site/js/app.js" in out
    assert text(fs, "/x/site/index.html") == "<h1>hi</h1>\n"
    status, out, _ = call(fs, env, ["unzip", "-l", "out.zip"], cwd="/w")
    assert "site/index.html" in out and "3 files" in out


def test_unzip_of_a_spring_boot_jar_and_jar_x() -> None:
    fs, env = image("eclipse-temurin:21-jdk")
    label = "Spring Boot executable jar app.jar (modelled size): BOOT-INF/lib 30000000 bytes, "
    label += "BOOT-INF/classes 200000 bytes, loader 400000 bytes"
    fs.makedirs("/w/target/dependency")
    fs.write_file("/w/target/app.jar", Blob(30_600_000, label))
    status, _, err = sh(fs, env, "cd target/dependency && jar -xf ../app.jar", cwd="/w")
    assert status == 0, err
    assert blob(fs, "/w/target/dependency/BOOT-INF/lib/emu-dependencies.blob").size == 30_000_000
    assert fs.lookup("/w/target/dependency/META-INF/MANIFEST.MF") is not None
    assert call(fs, env, ["unzip", "-q", "target/app.jar", "-d", "/u"], cwd="/w")[0] == 0
    assert blob(fs, "/u/BOOT-INF/classes/emu-classes.blob").size == 200_000


# --- system programs ------------------------------------------------------------------------


def test_update_ca_certificates_adds_local_certificates() -> None:
    fs, env = image("debian:bookworm-slim")
    put(fs, {"my.crt": "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n"},
        base="/usr/local/share/ca-certificates")  # fmt: skip
    fs.write_file("/usr/sbin/update-ca-certificates", b"\x7fELF", Meta(0o755))
    status, out, _ = call(fs, env, ["update-ca-certificates"], cwd="/")
    assert status == 0 and "1 added, 0 removed; done." in out
    assert text(fs, "/etc/ssl/certs/ca-certificates.crt").endswith("-----END CERTIFICATE-----\n")
    link = fs.lookup("/etc/ssl/certs/my.pem", follow=False)
    assert isinstance(link, Symlink) and link.target == "/usr/local/share/ca-certificates/my.crt"


def test_dpkg_queries() -> None:
    fs, env = image("debian:bookworm-slim")
    assert call(fs, env, ["dpkg", "--print-architecture"], cwd="/")[1] == "amd64\n"
    status, out, _ = call(fs, env, ["dpkg", "-s", "tar"], cwd="/")
    assert status == 0 and out.startswith("Package: tar\n")
    status, _, err = call(fs, env, ["dpkg", "-s", "nosuch"], cwd="/")
    assert status == 1 and "package 'nosuch' is not installed" in err
    out = call(fs, env, ["dpkg-architecture", "-qDEB_HOST_MULTIARCH"], cwd="/")[1]
    assert out == "x86_64-linux-gnu\n"


def test_gosu_runs_the_command_as_the_user() -> None:
    fs, env = image("debian:bookworm-slim")
    for name in ("gosu", "su-exec"):
        fs.write_file(f"/usr/local/bin/{name}", b"\x7fELF", Meta(0o755))
    script = "useradd -m app && gosu app sh -c 'touch /tmp/mine; id -un' && gosu nobody true"
    status, out, err = sh(fs, env, script, cwd="/")
    assert status == 0, err
    assert out == "app\n"
    node = fs.lookup("/tmp/mine")
    assert node is not None and node.meta.uid == 1000
    status, _, err = call(fs, env, ["gosu", "nosuchuser", "true"], cwd="/")
    assert status == 1 and "unable to find user nosuchuser" in err
    assert sh(fs, env, "su-exec 1000:1000 id -u", cwd="/")[1] == "1000\n"


def test_tini_runs_the_command() -> None:
    fs, env = image("debian:bookworm-slim")
    fs.write_file("/usr/bin/tini", b"\x7fELF", Meta(0o755))
    assert sh(fs, env, "tini -- echo hi", cwd="/")[1] == "hi\n"
    assert sh(fs, env, "tini --version", cwd="/")[1] == "tini version 0.19.0\n"


# --- yarn, pnpm, npx ------------------------------------------------------------------------


def test_yarn_config_set_get_and_upgrade() -> None:
    fs, env = image("node:20")
    put(fs, {"package.json": '{"name": "app", "dependencies": {"express": "^4.19.2"}}'})
    status, out, _ = call(fs, env, ["yarn", "config", "set", "network-timeout", "600000"])
    assert status == 0 and 'success Set "network-timeout" to "600000".' in out
    assert 'network-timeout "600000"' in text(fs, "/root/.yarnrc")
    assert call(fs, env, ["yarn", "config", "get", "network-timeout"])[1].endswith("600000\n")
    status, _, _ = call(fs, env, ["yarn", "upgrade"])
    assert status == 0 and fs.lookup("/app/node_modules/express/package.json") is not None


def test_yarn_workspace_runs_in_the_package() -> None:
    fs, env = image("node:20")
    put(fs, {
        "package.json": '{"name": "root", "private": true, "workspaces": ["packages/*"]}',
        "packages/web/package.json":
            '{"name": "@me/web", "scripts": {"build": "echo built > out"}}',
    })  # fmt: skip
    status, _, err = sh(fs, env, "yarn workspace @me/web build")
    assert status == 0, err
    assert text(fs, "/app/packages/web/out") == "built\n"
    status, _, err = sh(fs, env, "yarn workspace @me/nope build")
    assert status == 1 and 'Unknown workspace "@me/nope"' in err


PNPM_LOCK = "lockfileVersion: '9.0'\n\npackages:\n\n  express@4.19.2:\n    resolution: {}\n"


def test_pnpm_fetch_needs_only_the_lockfile() -> None:
    fs, env = image("node:20")
    fs.write_file("/usr/local/bin/pnpm", b"#!/usr/bin/env node\n", Meta(0o755))
    put(fs, {"pnpm-lock.yaml": PNPM_LOCK})
    status, out, err = call(fs, env, ["pnpm", "fetch", "--prod"])
    assert status == 0, err
    assert "downloaded 1" in out
    assert fs.lookup("/root/.local/share/pnpm/store/v3/files") is not None
    fs.remove("/app/pnpm-lock.yaml")
    assert call(fs, env, ["pnpm", "fetch"])[0] == 1


def test_pnpm_deploy_writes_the_package_with_its_dependencies() -> None:
    fs, env = image("node:20")
    fs.write_file("/usr/local/bin/pnpm", b"#!/usr/bin/env node\n", Meta(0o755))
    put(fs, {
        "package.json": '{"name": "root", "private": true}',
        "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n",
        "apps/api/package.json": '{"name": "api", "dependencies": {"express": "^4.19.2"}}',
        "apps/api/dist/main.js": "console.log(1)\n",
    })  # fmt: skip
    status, _, err = call(fs, env, ["pnpm", "deploy", "--filter", "api", "--prod", "/out"])
    assert status == 0, err
    assert text(fs, "/out/dist/main.js") == "console.log(1)\n"
    assert fs.lookup("/out/node_modules/express/package.json") is not None


def test_npx_of_a_package_not_in_the_table_installs_an_estimate() -> None:
    fs, env = image("node:20")
    fs.makedirs("/app")
    status, _, err = sh(fs, env, "npx some-unknown-cli --help")
    assert status == 0, err
    assert "emu: not run: node" in err  # its bin is JavaScript, which emu does not run
    assert "emu: estimate: some-unknown-cli is not in emu's npm table" in err


# --- cargo chef -----------------------------------------------------------------------------


def test_cargo_chef_prepare_then_cook_builds_the_dependencies_only() -> None:
    fs, env = image("rust:1")
    cargo_toml = '[package]\nname = "svc"\nversion = "0.1.0"\nedition = "2021"\n\n'
    cargo_toml += '[dependencies]\nserde = "1"\n'
    put(fs, {"Cargo.toml": cargo_toml, "src/main.rs": "fn main() {}\n"})
    status, _, err = call(fs, env, ["cargo", "chef", "prepare"])
    assert status == 101 and "no such command: `chef`" in err  # not installed yet
    assert call(fs, env, ["cargo", "install", "cargo-chef"])[0] == 0
    assert call(fs, env, ["cargo", "chef", "prepare", "--recipe-path", "recipe.json"])[0] == 0
    recipe = text(fs, "/app/recipe.json")
    assert '"relative_path": "Cargo.toml"' in recipe and "serde" in recipe
    fs.makedirs("/build")
    fs.write_file("/build/recipe.json", recipe.encode())
    status, out, err = call(fs, env, ["cargo", "chef", "cook", "--release",
                                      "--recipe-path", "recipe.json"], cwd="/build")  # fmt: skip
    assert status == 0, err
    assert "   Compiling serde v" in err
    assert text(fs, "/build/src/main.rs") == "fn main() {}\n"
    assert any(n.startswith("libserde-") for n in fs.listdir("/build/target/release/deps"))
    assert fs.lookup("/build/target/release/svc") is None  # the app itself is not built
    assert "cargo chef cook" in out


# --- jq -------------------------------------------------------------------------------------

PKG = '{"name": "app", "version": "1.2.3", "scripts": {"build": "vite"}, "deps": [1, 2]}'


def jq_out(args: list[str]) -> tuple[int, str, str]:
    fs, env = image("alpine:3.19")
    fs.write_file("/usr/bin/jq", b"\x7fELF", Meta(0o755))
    put(fs, {"package.json": PKG}, base="/w")
    return call(fs, env, ["jq", *args, "package.json"], cwd="/w")


def test_jq_reads_paths_and_builds_values() -> None:
    assert jq_out(["-r", ".version"])[1] == "1.2.3\n"
    assert jq_out([".scripts | keys"])[1] == '[\n  "build"\n]\n'
    assert jq_out(["-c", "[.deps[] | select(. > 1)]"])[1] == "[2]\n"
    assert jq_out(["-r", '"\\(.name)@\\(.version)"'])[1] == "app@1.2.3\n"
    assert jq_out(["-c", "{name, v: .version}"])[1] == '{"name":"app","v":"1.2.3"}\n'
    assert jq_out(['.missing // "dflt"'])[1] == '"dflt"\n'


def test_jq_assignment_and_del_rewrite_the_document() -> None:
    out = jq_out(["-c", '.version = "2.0.0" | del(.deps) | .scripts.test |= "jest"'])[1]
    assert out == '{"name":"app","version":"2.0.0","scripts":{"build":"vite","test":"jest"}}\n'


def test_jq_errors_and_exit_status() -> None:
    status, _, err = jq_out(["frobnicate(1)"])
    assert status == 3 and "jq: 1 compile error" in err
    assert jq_out(["-e", ".missing"])[0] == 1
    status, _, err = jq_out([".deps.name"])
    assert status == 5 and "Cannot index array" in err


# --- ruby: gem, bundle, rails --------------------------------------------------------------

GEMFILE = 'source "https://rubygems.org"\ngem "rails"\ngem "puma"\ngroup :development do\n'
GEMFILE += '  gem "rubocop"\nend\ngem "some-private-gem"\n'


def test_gem_install_puts_the_gem_and_its_executables_in_gem_home() -> None:
    fs, env = image("ruby:3.3-alpine")
    status, out, _ = call(fs, env, ["gem", "install", "bundler", "-v", "2.5.11"], cwd="/")
    assert status == 0 and "Successfully installed bundler-2.5.11" in out
    assert fs.lookup("/usr/local/bundle/gems/bundler-2.5.11/emu-gem.blob") is not None
    bundle_bin = fs.lookup("/usr/local/bundle/bin/bundle")
    assert isinstance(bundle_bin, File) and bundle_bin.meta.mode & 0o111
    assert fs.lookup("/usr/local/bundle/cache/bundler-2.5.11.gem") is not None


def test_bundle_config_and_install_into_the_bundle_path_without_groups() -> None:
    fs, env = image("ruby:3.3-alpine")
    put(fs, {"Gemfile": GEMFILE})
    env = {**env, "BUNDLE_PATH": "/usr/local/bundle"}
    assert sh(fs, env, "bundle config set --local without 'development test'")[0] == 0
    assert 'BUNDLE_WITHOUT: "development:test"' in text(fs, "/usr/local/bundle/config")
    status, out, err = call(fs, env, ["bundle", "install", "--jobs", "4"])
    assert status == 0, err
    gems = fs.listdir("/usr/local/bundle/ruby/3.3.0/gems")
    assert any(g.startswith("rails-") for g in gems) and any(g.startswith("puma-") for g in gems)
    assert not any(g.startswith("rubocop-") for g in gems)  # development group left out
    assert "Bundle complete!" in out and "Gems in the groups 'development, test'" in out
    assert "some-private-gem not in emu's gem table" in err
    assert isinstance(fs.lookup("/app/Gemfile.lock"), File)
    status, out, err = sh(fs, env, "bundle exec puma --version")
    assert status == 0 and "emu: not run: ruby" in err


def test_bundle_without_a_gemfile() -> None:
    fs, env = image("ruby:3.3-alpine")
    fs.makedirs("/app")
    status, _, err = call(fs, env, ["bundle", "install"])
    assert status == 10 and "Could not locate Gemfile" in err


def test_rails_assets_precompile_writes_public_assets() -> None:
    fs, env = image("ruby:3.3-alpine")
    put(fs, {"Gemfile": GEMFILE, "app/assets/stylesheets/app.css": "body{}" * 100,
             "bin/rails": "#!/usr/bin/env ruby\nrequire 'rails/commands'\n"})  # fmt: skip
    status, out, err = sh(fs, env, "chmod +x bin/rails && ./bin/rails assets:precompile")
    assert status == 0, err
    names = fs.listdir("/app/public/assets")
    assert ".manifest.json" in names and any(n.endswith(".css") for n in names)
    assert "rake assets:precompile" in out


# --- php: composer --------------------------------------------------------------------------


def test_composer_install_fills_vendor_from_the_lock() -> None:
    fs, env = image("composer:2")
    lock = '{"packages": [{"name": "monolog/monolog", "version": "3.6.0"}], '
    lock += '"packages-dev": [{"name": "phpunit/phpunit", "version": "11.2.0"}]}'
    put(fs, {"composer.json": '{"require": {"monolog/monolog": "^3.6"}}', "composer.lock": lock})
    status, _, err = call(fs, env, ["composer", "install", "--no-dev", "--optimize-autoloader"])
    assert status == 0, err
    assert "Installing dependencies from lock file\n" in err
    assert fs.lookup("/app/vendor/monolog/monolog/emu-package.blob") is not None
    assert fs.lookup("/app/vendor/phpunit") is None
    assert fs.lookup("/app/vendor/autoload.php") is not None
    assert fs.lookup("/app/vendor/composer/emu-classmap.blob") is not None
    fs.makedirs("/empty")
    status, _, err = call(fs, env, ["composer", "install"], cwd="/empty")
    assert status == 1 and "Composer could not find a composer.json file in /empty" in err


# --- bun, deno, dart, mix, sbt ---------------------------------------------------------------


def with_tool(ref: str, name: str, files: dict[str, str]) -> tuple[FS, dict[str, str]]:
    fs, env = image(ref)
    fs.write_file(f"/usr/local/bin/{name}", b"\x7fELF", Meta(0o755))
    put(fs, files)
    return fs, env


def test_bun_install_run_and_compile() -> None:
    pkg = '{"name": "a", "scripts": {"build": "echo ok > built"}, '
    pkg += '"dependencies": {"express": "^4.19.2"}}'
    fs, env = with_tool("debian:bookworm-slim", "bun", {"package.json": pkg, "index.ts": "1\n"})
    assert call(fs, env, ["bun", "install"])[0] == 0
    assert fs.lookup("/app/node_modules/express/package.json") is not None
    assert fs.lookup("/app/bun.lockb") is not None
    assert sh(fs, env, "bun run build")[0] == 0 and text(fs, "/app/built") == "ok\n"
    args = ["bun", "build", "--compile", "index.ts", "--outfile", "server"]
    assert call(fs, env, args)[0] == 0
    assert blob(fs, "/app/server").size > 50_000_000
    assert call(fs, env, ["bun", "run", "nope"])[0] == 1


def test_deno_compile_and_task() -> None:
    files = {"main.ts": "console.log(1)\n", "deno.json": '{"tasks": {"build": "echo hi > out"}}'}
    fs, env = with_tool("debian:bookworm-slim", "deno", files)
    assert call(fs, env, ["deno", "compile", "--output", "/bot", "--allow-net", "main.ts"])[0] == 0
    node = fs.lookup("/bot")
    assert isinstance(node, File) and node.meta.mode & 0o777 == 0o755
    assert sh(fs, env, "deno task build")[0] == 0 and text(fs, "/app/out") == "hi\n"
    status, _, err = call(fs, env, ["deno", "compile", "nope.ts"])
    assert status == 1 and 'Module not found "file:///app/nope.ts"' in err


def test_dart_pub_get_and_compile_exe() -> None:
    files = {"pubspec.yaml": "name: s\ndependencies:\n  shelf: ^1.4.0\n", "bin/server.dart": "1"}
    fs, env = with_tool("debian:bookworm-slim", "dart", files)
    assert call(fs, env, ["dart", "pub", "get"])[0] == 0
    assert "shelf" in text(fs, "/app/.dart_tool/package_config.json")
    assert call(fs, env, ["dart", "compile", "exe", "bin/server.dart", "-o", "bin/server"])[0] == 0
    assert blob(fs, "/app/bin/server").size > 1_000_000


def test_mix_release() -> None:
    mix_exs = "defmodule App.MixProject do\n  def project, do: [app: :shop]\n"
    mix_exs += '  defp deps, do: [{:phoenix, "~> 1.7"}]\nend\n'
    fs, env = with_tool("debian:bookworm-slim", "mix", {"mix.exs": mix_exs, "lib/a.ex": "x"})
    env = {**env, "MIX_ENV": "prod"}
    script = "mix local.hex --force && mix do deps.get, deps.compile && mix do compile, release"
    status, out, err = sh(fs, env, script)
    assert status == 0, err
    assert fs.lookup("/app/deps/phoenix") is not None
    assert fs.lookup("/app/_build/prod/rel/shop/bin/shop") is not None
    assert "Release created at _build/prod/rel/shop" in out


def test_sbt_assembly() -> None:
    build = 'name := "svc"\nversion := "1.0"\nscalaVersion := "2.13.8"\n'
    build += 'assembly / assemblyJarName := "out.jar"\n'
    fs, env = with_tool("eclipse-temurin:17-jdk", "sbt", {"build.sbt": build})
    assert call(fs, env, ["sbt", "clean", "assembly"])[0] == 0
    assert blob(fs, "/app/target/scala-2.13/out.jar").size > 1_000_000
    fs.makedirs("/empty")
    assert call(fs, env, ["sbt", "assembly"], cwd="/empty")[0] == 1


# --- cmake, ninja, meson --------------------------------------------------------------------

CMAKELISTS = """cmake_minimum_required(VERSION 3.10)
project(hello CXX)
set(SRCS main.cpp util.cpp)
add_executable(hello ${SRCS})
add_library(core STATIC util.cpp)
install(TARGETS hello DESTINATION bin)
"""


def c_project(files: dict[str, str]) -> tuple[FS, dict[str, str]]:
    fs, env = image("golang:1.22")  # has gcc and make
    for name in ("cmake", "ninja", "meson", "ar", "c++"):
        fs.write_file(f"/usr/local/bin/{name}", b"\x7fELF", Meta(0o755))
    put(fs, {"main.cpp": "int main() {}\n", "util.cpp": "int f() { return 1; }\n", **files})
    return fs, env


def test_cmake_configure_build_and_install_through_make() -> None:
    fs, env = c_project({"CMakeLists.txt": CMAKELISTS})
    script = "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build"
    script += " && cmake --install build"
    status, out, err = sh(fs, env, script)
    assert status == 0, err
    assert "-- Build files have been written to: /app/build" in out
    assert "CMAKE_BUILD_TYPE:STRING=Release" in text(fs, "/app/build/CMakeCache.txt")
    exe = fs.lookup("/app/build/hello")
    assert isinstance(exe, File) and exe.meta.mode & 0o111
    assert "static library" in blob(fs, "/app/build/libcore.a").label
    assert isinstance(fs.lookup("/usr/local/bin/hello"), File)


def test_cmake_ninja_generator_from_the_build_folder() -> None:
    fs, env = c_project({"CMakeLists.txt": CMAKELISTS})
    status, _, err = sh(fs, env, "mkdir b && cd b && cmake -G Ninja .. && ninja")
    assert status == 0, err
    assert "rule build_hello" in text(fs, "/app/b/build.ninja")
    assert isinstance(fs.lookup("/app/b/hello"), File)


def test_cmake_without_cmakelists_or_compiler() -> None:
    fs, env = c_project({})
    status, _, err = call(fs, env, ["cmake", "-S", ".", "-B", "build"])
    assert status == 1 and "does not appear to contain CMakeLists.txt" in err
    fs, env = image("debian:bookworm-slim")
    fs.write_file("/usr/local/bin/cmake", b"\x7fELF", Meta(0o755))
    put(fs, {"CMakeLists.txt": CMAKELISTS})
    status, _, err = call(fs, env, ["cmake", "."])
    assert status == 1 and "No CMAKE_CXX_COMPILER could be found." in err


def test_meson_setup_compile_install() -> None:
    meson_build = "project('hi', 'c')\nexecutable('hi', 'main.c', install: true)\n"
    fs, env = c_project({"meson.build": meson_build, "main.c": "int main(void) { return 0; }\n"})
    script = (
        "meson setup build --prefix=/opt/hi && meson compile -C build && meson install -C build"
    )
    status, out, err = sh(fs, env, script)
    assert status == 0, err
    assert "Project name: hi" in out
    assert isinstance(fs.lookup("/app/build/hi"), File)
    assert isinstance(fs.lookup("/opt/hi/bin/hi"), File)


def test_jdeps_and_jlink_make_a_custom_runtime() -> None:
    fs, env = image("eclipse-temurin:21-jdk")
    for name in ("jdeps", "jlink"):
        fs.write_file(f"/usr/local/bin/{name}", b"\x7fELF", Meta(0o755))
    fs.makedirs("/app")
    fs.write_file("/app/app.jar", Blob(30_000_000, "app.jar (modelled size)"))
    status, out, err = call(fs, env, ["jdeps", "--print-module-deps", "--ignore-missing-deps",
                                      "app.jar"])  # fmt: skip
    assert status == 0 and out.startswith("java.base,") and "estimate" in err
    args = ["jlink", "--add-modules", out.strip(), "--strip-debug", "--no-man-pages",
            "--output", "/javaruntime"]  # fmt: skip
    assert call(fs, env, args)[0] == 0
    assert blob(fs, "/javaruntime/lib/modules").size > 20_000_000
    assert isinstance(fs.lookup("/javaruntime/bin/java"), File)
    status, _, err = call(fs, env, args)
    assert status == 2 and "directory already exists" in err


def test_go_run_cannot_run_strictly_and_is_skipped_permissively() -> None:
    fs, env = image("golang:1.22")
    put(fs, HELLO_GO)
    status, _, err = call(fs, env, ["go", "run", "."])
    assert status == 1 and "go run (module x) builds and runs a program" in err
    with permissive.session(True) as forgiven:
        status, _, err = call(fs, env, ["go", "run", "."])
    assert status == 0 and "this command was skipped (--permissive)" in err
    assert forgiven.excused[0][0] == "go"
