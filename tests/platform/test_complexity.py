"""No function of the project grows past radon's grade C (cyclomatic complexity above 20).

Every non-test, non-migration Python file is read with radon's own API, functions, methods and
the functions nested in them alike: a function that needs more branches than that is split
(the synthetic generator and the seed loaders were, issue 15), not waved through.
"""

from pathlib import Path

from radon.complexity import cc_rank, cc_visit
from radon.visitors import Function

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "node_modules", "staticfiles", ".data", ".git", "tests", "migrations", "__pycache__"}
WORST = "C"


def project_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts[:-1])
    )


def functions(blocks) -> list[Function]:
    """Every function in `blocks`, with the closures nested in each (radon counts them apart)."""
    found = []
    for block in blocks:
        if isinstance(block, Function):
            found.append(block)
            found += functions(block.closures)
    return found


def test_the_files_read_are_the_project_s_own():
    files = {path.relative_to(ROOT).as_posix() for path in project_files()}
    assert {"manage.py", "decisions/services.py", "bench/synthetic/bodies.py"} <= files
    assert not any(name.startswith("tests/") or "/migrations/" in name for name in files)


def test_no_function_is_above_grade_c():
    above = [
        f"{path.relative_to(ROOT)}:{function.lineno} {function.fullname}: "
        f"{cc_rank(function.complexity)} ({function.complexity})"
        for path in project_files()
        for function in functions(cc_visit(path.read_text(encoding="utf-8")))
        if cc_rank(function.complexity) > WORST
    ]
    assert not above, "Functions above radon grade C (split them):\n" + "\n".join(above)
