"""Helpers for the static-export tests."""

import shutil
from pathlib import Path

from sitebuilder import BuildConfig, build

CONTENT = Path(__file__).resolve().parent.parent / "content"


def quiet_build(content: Path, out: Path, **options):
    config = BuildConfig(content=content, out=out, progress=lambda message: None, **options)
    return build(config)


def copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below a folder (the cache excepted) with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.parts
    }
