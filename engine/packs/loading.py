"""Finding and loading grant packs (`rules/<pack-id>/pack.yaml`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from ..core.errors import InputError
from ..core.validation import validate
from ..core.yamlio import load_file
from ..models.pack import Pack, amended_rules

PACK_FILE = "pack.yaml"


def bundled_rules() -> Path:
    """The packs that ship with ringfence: the repository's rules/, installed as the
    package `ringfence.rules` (see pyproject.toml), so a wheel finds its own."""
    root = resources.files("ringfence.rules")
    if not isinstance(root, Path):  # only a zipped install would do this
        raise InputError("the bundled packs are not files on disk; give --rules DIR",
                         source=str(root))
    return root


@dataclass(frozen=True)
class PackVersion:
    """The pack as it stands in one version: a plain Pack without amendments."""

    label: str
    in_force_from: dt.date | None  # None: the pack as first determined
    note: str | None
    pack: Pack


def pack_versions(pack: Pack) -> tuple[PackVersion, ...]:
    versions = [PackVersion(pack.version, None, None, pack)]
    current = pack
    for amendment in pack.amendments:
        rules, _ = amended_rules(list(current.rules), amendment.rules)
        current = current.model_copy(update={
            "version": amendment.version, "amendments": [], "rules": rules,
            "period": amendment.period or current.period,
            "purposes": amendment.purposes or current.purposes})
        versions.append(PackVersion(amendment.version, amendment.in_force_from, amendment.note,
                                    current))
    return tuple(versions)


@dataclass(frozen=True)
class LoadedPack:
    pack: Pack
    path: Path
    sha256: str

    @property
    def id(self) -> str:
        return self.pack.id

    @cached_property
    def versions(self) -> tuple[PackVersion, ...]:
        """The base pack, then one version per amendment, in the order they came into force."""
        return pack_versions(self.pack)

    def version_in_force(self, day: dt.date | None) -> PackVersion:
        """The version in force on `day`; an undated line is checked against the latest."""
        if day is None:
            return self.versions[-1]
        chosen = self.versions[0]
        for version in self.versions[1:]:
            assert version.in_force_from is not None  # every amendment has its day
            if version.in_force_from <= day:
                chosen = version
        return chosen

    @property
    def purposes(self) -> dict[str, str]:
        """Every purpose code of any version (an award's plan may name any of them)."""
        codes: dict[str, str] = {}
        for version in self.versions:
            codes.update(version.pack.purposes)
        return codes


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
    if (rules_dir / PACK_FILE).is_file():  # one pack's own folder
        return [rules_dir / PACK_FILE]
    return sorted(rules_dir.glob(f"*/{PACK_FILE}"))


def load_packs(rules_dir: Path | None = None) -> dict[str, LoadedPack]:
    rules_dir = Path(rules_dir) if rules_dir else bundled_rules()
    packs: dict[str, LoadedPack] = {}
    for file in pack_files(rules_dir):
        loaded = load_pack(file)
        packs[loaded.id] = loaded
    if not packs:
        raise InputError(f"no grant packs (*/{PACK_FILE}) found", source=str(rules_dir))
    return packs
