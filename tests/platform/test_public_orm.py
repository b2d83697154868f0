"""The project uses Django's public ORM only: no private member of a QuerySet, Query or compiler,
no Query internals, no lookup registered on Django's fields (docs/decisions/0009-read-path.md).

A scan of every non-test, non-migration .py file of the project (bench/ included), so a Django
upgrade cannot break the code through an internal it relied on.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db.models import Manager, QuerySet
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler

from bodies.models import Person

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "node_modules", "tests", "migrations", ".git", "staticfiles", ".data"}

# Documented, though spelt with an underscore: the Model _meta API, a model's managers and
# `instance._state.adding`.
DOCUMENTED = {"_meta", "_default_manager", "_base_manager", "_state"}


def _private_names() -> set[str]:
    """Every `_`-prefixed member of a QuerySet, Manager, Query and SQL compiler, as this Django
    version has them (class and instance attributes alike)."""
    names = set()
    for thing in (QuerySet, Manager, Query, SQLCompiler):
        names |= set(dir(thing))
    names |= set(vars(Person.objects.all()))
    names |= set(vars(Person.objects.all().query))
    names |= set(vars(Person.objects))
    return {n for n in names if n.startswith("_") and not n.endswith("__")} - DOCUMENTED


# Query and compiler internals without an underscore, read wherever they are reached from.
INTERNALS = {
    "alias_map", "alias_refcount", "annotation_select", "base_table", "default_ordering",
    "extra_select", "get_compiler", "get_converters", "sql_with_params", "values_select",
    "register_lookup", "annotation_select_mask", "select_related_descend",
}  # fmt: skip
# Modules whose contents are Django's machinery, not its API.
INTERNAL_MODULES = ("django.db.models.sql",)
INTERNAL_IMPORTS = {("django.db.models.query", name) for name in ("ValuesListIterable", "ValuesIterable")}


def project_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts[:-1]) and path.name != "conftest.py"
    )


def violations(source: str, private: set[str]) -> list[str]:
    """What in `source` reaches into Django's internals, one line per use."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            inner = node.value
            if node.attr in private and not (isinstance(inner, ast.Name) and inner.id in ("self", "cls")):
                found.append(f"{node.lineno}: private `{node.attr}`")
            elif node.attr in INTERNALS:
                found.append(f"{node.lineno}: internal `{node.attr}`")
            elif isinstance(inner, ast.Attribute) and inner.attr == "query":
                found.append(f"{node.lineno}: a Query internal `.query.{node.attr}`")
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(INTERNAL_MODULES):
                found.append(f"{node.lineno}: import from `{node.module}`")
            for alias in node.names:
                if (node.module, alias.name) in INTERNAL_IMPORTS:
                    found.append(f"{node.lineno}: import of `{alias.name}`")
    return found


def test_the_scan_covers_the_project():
    files = {str(path.relative_to(ROOT)) for path in project_files()}
    assert {"core/api/fastpath.py", "core/api/pagination.py", "bench/suite.py"} <= files
    assert not any(name.startswith(("tests/", ".venv/")) or "/migrations/" in name for name in files)


@pytest.mark.parametrize(
    "source",
    [
        "tuples = values._chain()",
        "tuples._iterable_class = ValuesListIterable",
        "lookups = queryset._prefetch_related_lookups",
        "compiler = values.query.get_compiler(values.db)",
        "n = queryset.query.alias_refcount",
        "names = query.values_select",
        "if not queryset.query.where: pass",
        "sql, params = qs.query.sql_with_params()",
        "Field.register_lookup(AnyOf)",
        "from django.db.models.sql.compiler import SQLCompiler",
        "from django.db.models.query import ValuesListIterable",
    ],
)
def test_the_scan_finds_each_kind_of_internal(source):
    assert violations(source, _private_names())


def test_public_uses_pass_the_scan():
    source = (
        "model._meta.get_field('x'); model._default_manager.all(); obj._state.adding = False\n"
        "str(queryset.query); self._cache = {}; request.query_params\n"
    )
    assert violations(source, _private_names()) == []


def test_no_project_code_uses_a_private_django_orm_attribute():
    private = _private_names()
    found = {
        str(path.relative_to(ROOT)): uses
        for path in project_files()
        if (uses := violations(path.read_text(), private))
    }
    assert found == {}
