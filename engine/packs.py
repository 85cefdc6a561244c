"""Finding and loading grant packs (`rules/<pack-id>/pack.yaml`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .models.pack import Pack
from .validation import validate
from .yamlio import load_file

BUNDLED_RULES = Path(__file__).resolve().parent.parent / "rules"
PACK_FILE = "pack.yaml"


@dataclass(frozen=True)
class LoadedPack:
    pack: Pack
    path: Path
    sha256: str

    @property
    def id(self) -> str:
        return self.pack.id


def load_pack(path: Path) -> LoadedPack:
    path = Path(path)
    file = path / PACK_FILE if path.is_dir() else path
    doc = load_file(file)
    pack = validate(Pack, doc)
    folder = file.parent.name
    if file.name == PACK_FILE and folder != pack.id:
        raise InputError(f"pack id '{pack.id}' differs from its folder '{folder}'",
                         source=str(file), line=doc.line_of(("id",)), field="id")
    return LoadedPack(pack, file, hashlib.sha256(file.read_bytes()).hexdigest())


def pack_files(rules_dir: Path) -> list[Path]:
    rules_dir = Path(rules_dir)
    if not rules_dir.is_dir():
        raise InputError("no such rules folder", source=str(rules_dir))
    return sorted(rules_dir.glob(f"*/{PACK_FILE}"))


def load_packs(rules_dir: Path | None = None) -> dict[str, LoadedPack]:
    rules_dir = Path(rules_dir) if rules_dir else BUNDLED_RULES
    packs: dict[str, LoadedPack] = {}
    for file in pack_files(rules_dir):
        loaded = load_pack(file)
        packs[loaded.id] = loaded
    if not packs:
        raise InputError(f"no grant packs (*/{PACK_FILE}) found", source=str(rules_dir))
    return packs
