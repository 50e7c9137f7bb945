"""ImageConfig.with_env / with_label: BuildKit's addEnv (a key set again keeps its place, a
new one goes last), whatever order configs are derived in. Their key index is shared and
grown in place by the newest config, so branching histories are the case to check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emu.images.image import ImageConfig

KEYS = st.sampled_from(["A", "B", "C", "D", "PATH"])
# Each step derives a new config from one made earlier (by its number): ENV, LABEL, or
# another change (WORKDIR), which hands the indexes on.
STEPS = st.lists(
    st.tuples(st.integers(0, 40), st.sampled_from(["env", "label", "workdir"]), KEYS, st.text()),
    max_size=40,
)


def _set(items: list[tuple[str, str]], key: str, value: str) -> list[tuple[str, str]]:
    out = list(items)
    for i, (k, _) in enumerate(out):
        if k == key:  # the first entry with that key, in place
            out[i] = (key, value)
            return out
    return [*out, (key, value)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(KEYS, st.text()), max_size=4), STEPS)
def test_env_and_labels_are_set_as_buildkit_sets_them(
    start: list[tuple[str, str]], steps: list[tuple[int, str, str, str]]
) -> None:
    base = ImageConfig(
        env=tuple(f"{k}={v}" for k, v in start), labels=tuple(start)
    )  # duplicates allowed, as in a loaded image's config
    configs = [base]
    models = [(list(start), list(start))]
    for parent, kind, key, value in steps:
        i = parent % len(configs)
        cfg, (env, labels) = configs[i], models[i]
        if kind == "env":
            cfg, env = cfg.with_env(key, value), _set(env, key, value)
        elif kind == "label":
            cfg, labels = cfg.with_label(key, value), _set(labels, key, value)
        else:
            cfg = cfg.changed(working_dir=f"/{value}")
        configs.append(cfg)
        models.append((env, labels))
    for cfg, (env, labels) in zip(configs, models, strict=True):
        assert cfg.env == tuple(f"{k}={v}" for k, v in env)
        assert cfg.labels == tuple(labels)


def test_changed_sets_each_field_it_names_and_keeps_the_rest() -> None:
    # changed() names every field by hand: a field added to ImageConfig and forgotten
    # there would be dropped silently.
    from emu.images.image import _CONFIG_FIELDS

    base = ImageConfig(env=("A=1",), labels=(("k", "v"),), user="u")
    for name in _CONFIG_FIELDS:
        marker = object()
        new = base.changed(**{name: marker})
        for other in _CONFIG_FIELDS:
            expected = marker if other == name else getattr(base, other)
            assert getattr(new, other) is expected, (name, other)


def test_changed_refuses_an_unknown_field() -> None:
    import pytest

    with pytest.raises(TypeError, match="ImageConfig has no field 'nosuch'"):
        ImageConfig().changed(nosuch=1)
