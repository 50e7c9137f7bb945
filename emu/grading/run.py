"""Turning what the user names — a context folder, an image, a build result — into a
:class:`~emu.grading.evaluation.Subject`, and running a spec against it."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

from emu.errors import EmuError, LimitExceeded, UsageError
from emu.grading.evaluation import Subject, evaluate
from emu.grading.model import Spec
from emu.grading.report import Report


def _parse(text: str, name: str) -> object:
    from emu.dockerfile.instructions import load

    try:
        return load(text, name)
    except EmuError:
        return None


def _resource_error(exc: BaseException, spec: Spec) -> EmuError:
    """A build that ran out of memory or stack, as the limit it hit."""
    stopped = "the build was stopped"
    if isinstance(exc, MemoryError):
        hint = "the build needed more memory than a grading worker has"
        return LimitExceeded("max_memory", spec.limits.max_memory, hint, stopped=stopped)
    return LimitExceeded("nesting depth (Python's stack)", stopped=stopped)


def build_folder(path: str | os.PathLike[str], spec: Spec, *, untrusted: bool = True) -> Subject:
    """Build a context folder as the spec says; a failed build is a Subject with ``error``.

    ``untrusted`` (grading): links out of the folder are refused, the folder is counted
    against the limits first, and ``FROM`` sees emu's catalog only. Otherwise (``emu test``
    on your own project) the local image store is used too. Both apply the spec's limits.
    """
    from emu import store
    from emu.grading.sandbox import prepare_context, sandboxed_build

    label = os.fspath(path)
    subject = Subject(label)
    started = time.perf_counter()
    try:
        prepared = prepare_context(path, spec.build, spec.limits)
        subject.context = prepared.context
        df = _parse(prepared.dockerfile, prepared.name)
        subject.dockerfile = df  # type: ignore[assignment]
        result = sandboxed_build(
            prepared.dockerfile,
            prepared.context,
            spec.build,
            spec.limits,
            name=prepared.name,
            resolve=None if untrusted else store.resolve,
        )
    except EmuError as exc:
        subject.error = exc
    except (MemoryError, RecursionError) as exc:
        subject.error = _resource_error(exc, spec)
    else:
        subject.result = result
        subject.image = result.image
        subject.dockerfile = result.dockerfile
    subject.build_seconds = time.perf_counter() - started
    return subject


def build_mapping(files: Mapping[str, bytes | str], spec: Spec) -> Subject:
    """Build an in-memory context (``{path: content}``) as the spec says."""
    from emu.engine.context import from_mapping
    from emu.grading.sandbox import sandboxed_build

    subject = Subject("<mapping>")
    started = time.perf_counter()
    raw = files.get(spec.build.dockerfile)
    try:
        if raw is None:
            raise UsageError(f"no {spec.build.dockerfile} in the context mapping")
        text = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
        subject.dockerfile = _parse(text, spec.build.dockerfile)  # type: ignore[assignment]
        ctx = from_mapping(files)
        subject.context = ctx
        result = sandboxed_build(text, ctx, spec.build, spec.limits, name=spec.build.dockerfile)
    except EmuError as exc:
        subject.error = exc
    except (MemoryError, RecursionError) as exc:
        subject.error = _resource_error(exc, spec)
    else:
        subject.result, subject.image, subject.dockerfile = result, result.image, result.dockerfile
    subject.build_seconds = time.perf_counter() - started
    return subject


def load_image(ref: str) -> Subject:
    """An image named by an archive (``docker save`` / OCI, file or folder), the local
    store, or emu's catalog."""
    from emu.images import catalog
    from emu.images.load import load_archive

    p = Path(ref)
    if p.is_file() or (
        p.is_dir() and ((p / "oci-layout").exists() or (p / "manifest.json").exists())
    ):
        images = load_archive(p)
        if not images:
            raise UsageError(f"{ref} holds no image")
        tags, image = images[0]
        subject = Subject.of_image(image, f"{ref} ({tags[0]})" if tags else ref)
        if len(images) > 1:
            subject.notes.append(f"{ref} holds {len(images)} images; tested the first")
        return subject
    from emu import store

    stored = store.lookup(ref)
    if stored is not None:
        return Subject.of_image(stored, ref)
    return Subject.of_image(catalog.lookup(ref), ref)


def subject_for(target: object, spec: Spec, *, untrusted: bool = False) -> Subject:
    """A subject from a BuildResult, an Image, a mapping, a context folder or an image name."""
    from emu.engine.builder import BuildResult
    from emu.images.image import Image

    if isinstance(target, Subject):
        return target
    if isinstance(target, BuildResult):
        return Subject.of_result(target)
    if isinstance(target, Image):
        return Subject.of_image(target)
    if isinstance(target, Mapping):
        return build_mapping(target, spec)
    if isinstance(target, str | os.PathLike):
        p = Path(target)
        if p.is_dir() and not (p / "oci-layout").exists() and not (p / "manifest.json").exists():
            return build_folder(p, spec, untrusted=untrusted)
        return load_image(os.fspath(target))
    raise UsageError(
        f"cannot test a {type(target).__name__}: give a context, an image or a BuildResult"
    )


def default_target(spec: Spec) -> str | None:
    """The subject the spec's emu file names (its ``context`` or ``image``)."""
    if spec.build.context:
        return os.path.normpath(os.path.join(spec.base_dir, spec.build.context))
    if spec.build.image:
        candidate = os.path.join(spec.base_dir, spec.build.image)
        return candidate if os.path.exists(candidate) else spec.build.image
    return None


def run(spec: Spec, target: object = None, *, untrusted: bool = False) -> Report:
    """Evaluate ``spec`` against ``target`` (default: the subject the spec names)."""
    if target is None:
        target = default_target(spec)
        if target is None:
            raise UsageError(
                "nothing to test: give a context or an image",
                hint="or name one in the emu file NAME.emu.yaml: context: PATH",
            )
    subject = subject_for(target, spec, untrusted=untrusted)
    return evaluate(spec, subject)
