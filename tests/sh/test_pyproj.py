"""uv, poetry and pipenv: where they install, from which file, and what they say."""

from __future__ import annotations

from test_tools import call, image, put, sh, size, text

from emu.fs import FS, File, Meta

PYPROJECT = """\
[project]
name = "app"
version = "0.1.0"
dependencies = ["flask==3.0.3", "mkdocs"]

[tool.poetry]
name = "app"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.11"
fastapi = "*"
"""
UV_LOCK = """\
version = 1

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "flask"
version = "3.0.3"

[[package]]
name = "not-in-the-table"
version = "2.0"
"""


def project(ref: str = "python:3.12-slim") -> tuple[FS, dict[str, str]]:
    fs, env = image(ref)
    put(fs, {"pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK})
    for name in ("uv", "uvx"):
        fs.write_file(f"/usr/local/bin/{name}", b"\x7fELF", Meta(0o755))
    return fs, env


def test_uv_sync_makes_the_project_venv_from_the_lock() -> None:
    fs, env = project()
    status, out, err = call(fs, env, ["uv", "sync", "--frozen", "--no-dev"])
    assert status == 0, err
    site = "/app/.venv/lib/python3.12/site-packages"
    assert "flask-3.0.3.dist-info" in fs.listdir(site)
    assert "not_in_the_table-2.0.dist-info" in fs.listdir(site)
    assert "mkdocs" not in " ".join(fs.listdir(site))  # the lock, not pyproject, decides
    assert "__editable__.app-0.1.0.pth" in fs.listdir(site)
    assert "Creating virtual environment at: .venv" in err and " + flask==3.0.3" in err
    assert "emu: estimate: not-in-the-table not in emu's PyPI table" in err
    assert "1 estimated" in out
    assert "home = /usr/local/bin" in text(fs, "/app/.venv/pyvenv.cfg")
    assert fs.listdir("/root/.cache/uv")  # no --no-cache


def test_uv_sync_no_cache_and_project_environment() -> None:
    fs, env = project()
    env = {**env, "UV_NO_CACHE": "1", "UV_PROJECT_ENVIRONMENT": "/opt/venv"}
    assert call(fs, env, ["uv", "sync", "--locked", "--no-install-project"])[0] == 0
    assert fs.lookup("/root/.cache/uv") is None
    assert isinstance(fs.lookup("/opt/venv/pyvenv.cfg"), File)


def test_uv_without_a_project_or_lock_fails_as_uv_does() -> None:
    fs, env = image("python:3.12-slim")
    fs.write_file("/usr/local/bin/uv", b"\x7fELF", Meta(0o755))
    fs.makedirs("/app")
    status, _, err = call(fs, env, ["uv", "sync"])
    assert status == 2 and "No `pyproject.toml` found" in err
    put(fs, {"pyproject.toml": PYPROJECT})
    status, _, err = call(fs, env, ["uv", "sync", "--frozen"])
    assert status == 2 and "Unable to find lockfile at `uv.lock`" in err


def test_uv_pip_install_system_and_venv() -> None:
    fs, env = project()
    before = size(fs, "/usr/local/lib/python3.12/site-packages")
    status, _, err = call(fs, env, ["uv", "pip", "install", "--system", "gunicorn"])
    assert status == 0, err
    assert size(fs, "/usr/local/lib/python3.12/site-packages") > before
    assert isinstance(fs.lookup("/usr/local/bin/gunicorn"), File)
    status, _, err = call(fs, env, ["uv", "pip", "install", "gunicorn"])
    assert status == 2 and "No virtual environment found" in err
    assert call(fs, env, ["uv", "venv"])[0] == 0
    assert call(fs, env, ["uv", "pip", "install", "gunicorn"])[0] == 0
    assert isinstance(fs.lookup("/app/.venv/bin/gunicorn"), File)


def test_uv_export_and_tool_install() -> None:
    fs, env = project()
    assert call(fs, env, ["uv", "export", "-o", "requirements.txt"])[0] == 0
    assert text(fs, "/app/requirements.txt").splitlines()[-2:] == [
        "flask==3.0.3",
        "not-in-the-table==2.0",
    ]
    assert call(fs, env, ["uv", "tool", "install", "ruff"])[0] == 0
    assert fs.lookup("/root/.local/bin/ruff") is not None


def test_pip_installed_poetry_installs_into_the_system_when_told_to() -> None:
    fs, env = project()
    script = (
        "pip install poetry && poetry config virtualenvs.create false"
        " && poetry install --no-root --no-interaction"
    )
    status, out, err = sh(fs, env, script)
    assert status == 0, err
    site = "/usr/local/lib/python3.12/site-packages"
    assert isinstance(fs.lookup("/usr/local/bin/poetry"), File)  # its console script
    assert "fastapi-0.111.0.dist-info" in fs.listdir(site)
    assert "Package operations: 3 installs" in out
    assert "create = false" in text(fs, "/root/.config/pypoetry/config.toml")
    assert isinstance(fs.lookup("/app/poetry.lock"), File)  # no lock: poetry wrote one


def test_poetry_makes_a_venv_by_default_and_in_project_when_asked() -> None:
    fs, env = project()
    fs.write_file("/usr/local/bin/poetry", b"#!/usr/local/bin/python3\n", Meta(0o755))
    assert call(fs, env, ["poetry", "install"])[0] == 0
    venvs = fs.listdir("/root/.cache/pypoetry/virtualenvs")
    assert len(venvs) == 1 and venvs[0].startswith("app-") and venvs[0].endswith("-py3.12")
    fs, env = project()
    fs.write_file("/usr/local/bin/poetry", b"#!/usr/local/bin/python3\n", Meta(0o755))
    env = {**env, "POETRY_VIRTUALENVS_IN_PROJECT": "true"}
    status, out, _ = call(fs, env, ["poetry", "install", "--only", "main"])
    assert status == 0 and "Installing the current project: app" in out
    assert isinstance(fs.lookup("/app/.venv/pyvenv.cfg"), File)


def test_poetry_without_pyproject() -> None:
    fs, env = image("python:3.12-slim")
    fs.makedirs("/app")
    fs.write_file("/usr/local/bin/poetry", b"#!/usr/local/bin/python3\n", Meta(0o755))
    status, _, err = call(fs, env, ["poetry", "install"])
    assert status == 1 and "Poetry could not find a pyproject.toml file in /app" in err


def test_pipenv_system_and_deploy() -> None:
    fs, env = image("python:3.12-slim")
    put(fs, {"Pipfile": '[packages]\nrequests = "==2.31.0"\n'})
    fs.write_file("/usr/local/bin/pipenv", b"#!/usr/local/bin/python3\n", Meta(0o755))
    status, _, err = call(fs, env, ["pipenv", "install", "--system", "--deploy"])
    assert status == 1 and "Pipfile.lock not found" in err
    assert call(fs, env, ["pipenv", "install", "--system"])[0] == 0
    site = "/usr/local/lib/python3.12/site-packages"
    assert "requests-2.31.0.dist-info" in fs.listdir(site)
    status, out, _ = call(fs, env, ["pipenv", "requirements"])
    assert status == 0 and "requests==2.31.0" in out


def test_uv_installs_a_managed_python_where_the_image_has_none() -> None:
    fs, env = image("debian:bookworm-slim")
    put(fs, {"pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK})
    fs.write_file("/usr/local/bin/uv", b"\x7fELF", Meta(0o755))
    env = {**env, "UV_PYTHON_INSTALL_DIR": "/python", "UV_PYTHON_PREFERENCE": "only-managed"}
    status, _, err = call(fs, env, ["uv", "python", "install", "3.12"])
    assert status == 0 and "Installed Python 3.12.7" in err
    exe = fs.lookup("/python/cpython-3.12.7-linux-x86_64-gnu/bin/python3.12")
    assert isinstance(exe, File) and exe.meta.mode & 0o777 == 0o755
    assert size(fs, "/python") > 50_000_000
    assert call(fs, env, ["uv", "sync", "--locked"])[0] == 0
    cfg = text(fs, "/app/.venv/pyvenv.cfg")
    assert "home = /python/cpython-3.12.7-linux-x86_64-gnu/bin" in cfg
    # with downloads off and no Python, uv fails as it does
    fs, env = image("debian:bookworm-slim")
    put(fs, {"pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK})
    fs.write_file("/usr/local/bin/uv", b"\x7fELF", Meta(0o755))
    status, _, err = call(fs, {**env, "UV_PYTHON_DOWNLOADS": "never"}, ["uv", "sync"])
    assert status == 2 and "No interpreter found" in err
