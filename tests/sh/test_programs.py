"""The programs real Dockerfiles call (issue 12): each model's effect on the filesystem —
paths, modes, sizes — and what it prints, estimates said to be estimates."""

from __future__ import annotations

from test_tools import blob, call, image, put, sh, text

from emu.fs import FS, File
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
