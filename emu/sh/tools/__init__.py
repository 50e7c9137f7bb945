"""Models of the build tools Dockerfiles run, registered in :data:`emu.sh.api.REGISTRY`
when this package is imported.

- package managers: ``apk`` (:mod:`.apk`), ``apt-get``/``apt`` (:mod:`.apt`),
  ``dnf``/``microdnf``/``yum``/``rpm`` (:mod:`.rpm`, estimates), ``uv``/``poetry``/``pipenv``
  (:mod:`.pyproj`), ``gem``/``bundle`` (:mod:`.ruby`), ``composer``
  (:mod:`.php`), ``bun``/``deno``/``dart``/``mix``/``sbt`` (:mod:`.runtimes`), ``pip`` and
  ``python -m pip|venv`` (:mod:`.pip`), ``npm``/``npx``/``yarn``/``pnpm``/``corepack``/``node``
  (:mod:`.npm`);
- builders: ``vite``, ``react-scripts``, ``ng``, ``vue-cli-service``, ``esbuild``,
  ``webpack``, ``next`` and helpers (:mod:`.frontend`), ``tsc`` (:mod:`.tsc`), ``go``
  (:mod:`.golang`), ``cargo``/``rustc``/``rustup`` (:mod:`.cargo`), ``mvn``/``mvnw``,
  ``gradle``/``gradlew``, ``javac``, ``jar``, ``java`` (:mod:`.jvm`), ``gcc``/``cc``/``g++``,
  ``strip``, ``make`` (:mod:`.cc`), ``cmake``/``meson``/``ninja`` (:mod:`.cmake`), ``dotnet``
  (:mod:`.dotnet`);
- documentation: ``mkdocs`` (:mod:`.docs`);
- system programs: ``update-ca-certificates``, ``dpkg``, ``dpkg-architecture``, ``gosu``/
  ``su-exec``, ``tini``, ``zip`` (:mod:`.system`), ``jq`` (:mod:`.jq`);
- network tools: ``curl``, ``wget``, ``git`` (:mod:`.net`), offline unless a URL is mapped
  in :mod:`.urls`.

Each model reads the project in the image, writes results of realistic size (size-only
blobs for binaries and dependency trees; the tables are ``data/*.yaml``), fails like the
real tool when inputs are missing, and prints an ``emu: modelled …`` line.
"""

from emu.sh.tools import (
    apk,
    apt,
    cargo,
    cc,
    cmake,
    docs,
    dotnet,
    frontend,
    golang,
    jq,
    jvm,
    net,
    npm,
    php,
    pip,
    pyproj,
    rpm,
    ruby,
    runtimes,
    system,
    tsc,
    urls,
)
from emu.sh.tools._base import placeholder_inputs

__all__ = [
    "apk",
    "apt",
    "cargo",
    "cc",
    "cmake",
    "docs",
    "dotnet",
    "frontend",
    "golang",
    "jq",
    "jvm",
    "net",
    "npm",
    "php",
    "pip",
    "placeholder_inputs",  # for the utilities: --permissive's rule for placeholder folders
    "pyproj",
    "rpm",
    "ruby",
    "runtimes",
    "system",
    "tsc",
    "urls",
]
