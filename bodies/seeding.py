"""Shared machinery for loading seed files: natural-key upserts that write only what differs."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import models, transaction


class TrackedDict(dict):
    """A mapping from a seed file that remembers which keys the loader read: a key present in the file
    but never read is data silently ignored, and the loader refuses it (`unread_keys`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def mark_read(self, *keys) -> None:
        self.read.update(keys or self.keys())


class _NoDuplicateKeys(yaml.SafeLoader):
    """YAML whose mappings may not repeat a key (a repeated key silently drops the first value)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key!r} is repeated (the first value would be lost)",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def read_yaml(text: str) -> Any:
    """A seed file's YAML, every mapping tracked (TrackedDict); a repeated key is an error."""
    return tracked(yaml.load(text, Loader=_NoDuplicateKeys))


def tracked(value: Any) -> Any:
    """The YAML document with every mapping a TrackedDict (lists and scalars as they are)."""
    if isinstance(value, dict):
        return TrackedDict({key: tracked(item) for key, item in value.items()})
    if isinstance(value, list):
        return [tracked(item) for item in value]
    return value


def mark_loaded(value: Any, keep: tuple[str, ...] = ()) -> None:
    """A record found already loaded (a loader that leaves existing records alone): its keys were read
    on the load that made it; `keep` names the keys whose items are still to be read one by one."""
    if isinstance(value, TrackedDict):
        value.mark_read()
        for key, item in value.items():
            if key not in keep:
                mark_loaded(item)
    elif isinstance(value, list):
        for item in value:
            mark_loaded(item)


def unread_keys(value: Any, where: str) -> list[str]:
    """Problems for every key of the document the loader did not read (a key with an empty value — null,
    "" or [] — carries nothing and is not reported)."""
    problems: list[str] = []
    if isinstance(value, TrackedDict):
        unread = sorted(
            key for key, item in value.items() if key not in value.read and item not in (None, "", [])
        )
        if unread:
            problems.append(f"{where}: key(s) not loaded by the loader: {', '.join(map(str, unread))}")
        for key, item in value.items():
            if key in value.read:
                problems.extend(unread_keys(item, f"{where}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems.extend(unread_keys(item, f"{where}[{index}]"))
    return problems


class SeedError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class SeedReport:
    files: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, model: type[models.Model], created: bool) -> None:
        bucket = self.created if created else self.updated
        name = model._meta.verbose_name_plural
        bucket[name] = bucket.get(name, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


# The seed documents by file name (shared/seeds/README.md): records cite them by title.
SEED_DOCUMENTS = {
    "000_b8d42f6a394da269.txt": "Derbyshire STP Governance Arrangements, June 2017",
    "001_f535454ac9c83015.txt": "Nottingham and Nottinghamshire STP Governance, February 2018",
    "002_025880174f7530ad.txt": "South Yorkshire and Bassetlaw STP Memorandum of Understanding, June 2017",
    "003_01d2b5b8c35816d9.txt": "Cumbria and the North East STP system leadership paper, March 2018",
    "004_a2747563f64596a5.txt": "Cambridgeshire and Peterborough STP Governance Framework, November 2017",
}


INFERRED = "inferred, not stated"


def source_fields(data: dict | None, inferred: str = "") -> dict[str, str]:
    """The record's citation. A fact the document does not state, entered on a stated basis, says so:
    `inferred` (in the source mapping, or given by the loader) is kept in the reference, so every page
    and export citing the record shows it: "MoU 1. Parties [inferred, not stated: …]"."""
    data = data or {}
    document = str(data.get("document") or "")
    reference = str(data.get("reference") or "")
    basis = "; ".join(part for part in (str(data.get("inferred") or "").strip(), inferred) if part)
    if basis:
        reference = f"{reference} [{INFERRED}: {basis}]".strip()
    return {
        "source_document": SEED_DOCUMENTS.get(document, document),
        "source_reference": reference,
        "source_url": str(data.get("url") or ""),
    }


def parse_date(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


class SeedLoader:
    def __init__(self, report: SeedReport, allowed_keys: dict[str, set[str]]):
        self.report = report
        self.allowed_keys = allowed_keys
        self.problems: list[str] = []

    # -- validation of the files' shape ------------------------------------------------
    def check_keys(self, where: str, kind: str, data: Any) -> None:
        if not isinstance(data, dict):
            self.problems.append(f"{where}: expected a mapping, got {type(data).__name__}")
            return
        unknown = set(data) - self.allowed_keys[kind]
        if unknown:
            self.problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        if isinstance(data.get("source"), dict):
            unknown = set(data["source"]) - self.allowed_keys["source"]
            if unknown:
                self.problems.append(f"{where}.source: unknown key(s) {', '.join(sorted(unknown))}")

    # -- writing ------------------------------------------------------------------------
    def upsert(self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any], where: str):
        """Create or update one record, writing only when a value differs."""
        instance = model.objects.filter(**lookup).order_by("pk").first()
        created = instance is None
        if created:
            instance = model(**lookup)
        changed = created
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                changed = True
        if not changed:
            return instance
        try:
            instance.full_clean()
        except ValidationError as error:
            self.problems.append(f"{where}: {format_validation_error(error)}")
            raise SeedAbort from error
        instance.save()
        self.report.count(model, created)
        return instance

    def through_service(self, where: str, call: Callable[[], Any]):
        """Write through a service, so its rules apply to seed data too; a refusal (or a value of
        the wrong type in the file) is a problem reported at `where`."""
        try:
            return call()
        except (ValidationError, TypeError) as error:
            message = format_validation_error(error) if isinstance(error, ValidationError) else str(error)
            self.problems.append(f"{where}: {message}")
            raise SeedAbort from error

    def delete_extra(self, queryset: models.QuerySet) -> None:
        for instance in queryset:
            instance.delete()
            self.report.count(type(instance), created=False)


class SeedAbort(Exception):
    pass


def format_validation_error(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
    return " ".join(error.messages)


def load_partnership_seed_files(
    *,
    folder: str,
    paths: Iterable[Path],
    allowed_keys: dict[str, set[str]],
    load_file: Callable[[SeedLoader, str, dict], None],
    report: SeedReport | None = None,
) -> SeedReport:
    """Load an app's per-partnership seed files, each in its own savepoint; report every problem."""
    report = report or SeedReport()
    loader = SeedLoader(report, allowed_keys)
    for path in paths:
        try:
            data = read_yaml(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise SeedError([f"{folder}/{path.name}: not valid YAML: {error}"]) from None
        report.files.append(f"{folder}/{path.name}")
        try:
            with transaction.atomic():
                loader.check_keys(path.name, "file", data)
                load_file(loader, path.name, data)
                loader.problems.extend(unread_keys(data, f"{folder}/{path.name}"))
                if loader.problems:
                    raise SeedAbort
        except SeedAbort:
            continue
    if loader.problems:
        raise SeedError(loader.problems)
    return report


def seed_partnership(loader: SeedLoader, file: str, data: dict):
    """The partnership a seed file names (loaded before any app's files), or a reported problem."""
    from bodies.models import Partnership

    partnership = Partnership.objects.filter(slug=data.get("partnership")).first()
    if partnership is None:
        loader.problems.append(f"{file}: unknown partnership '{data.get('partnership')}'")
        raise SeedAbort
    return partnership


def illustrative_marker(prefix: str, illustrative: bool, *, mark_empty: bool = True):
    """`mark(text)`: narrative of an illustrative file starts with `prefix` (once, however often it
    is loaded), so invented records never pass for transcribed ones; a transcribed file's is as given."""

    def mark(text: str | None) -> str:
        text = (text or "").strip()
        if not illustrative or text.startswith(prefix) or (not text and not mark_empty):
            return text
        return f"{prefix} {text}".strip()

    return mark


def seed_body(loader: SeedLoader, partnership, slug: str | None, where: str):
    """The partnership's body a seed file names by slug (None when it names none), or a reported problem."""
    from bodies.models import Body

    if not slug:
        return None
    body = Body.objects.filter(partnership=partnership, slug=slug).first()
    if body is None:
        loader.problems.append(f"{where}: unknown body '{slug}'")
        raise SeedAbort
    return body


def seed_organisation(loader: SeedLoader, slug: str | None, where: str):
    """The organisation a seed file names by slug (None when it names none), or a reported problem."""
    from bodies.models import Organisation

    if not slug:
        return None
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        loader.problems.append(f"{where}: unknown organisation '{slug}'")
        raise SeedAbort
    return organisation
