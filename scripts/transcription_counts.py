"""Counts for docs/transcription-audit.md: per partnership, the facts its fixture files state, how many
are empty, how many are dates, how many textual facts (names, titles, objectives, purposes) are found
verbatim in the cited source document, and how many records cite an inferred fact.

    .venv/bin/python scripts/transcription_counts.py          (from the repository root)
    .venv/bin/python scripts/transcription_counts.py --list   the textual facts not found verbatim, by file
"""

import datetime
import json
import re
import sys
import unicodedata
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent.parent / "shared" / "seeds"
if not SEEDS.exists():
    SEEDS = Path("/work/shared/seeds")
PARTNERSHIPS = (
    "derbyshire", "nottingham-and-nottinghamshire", "south-yorkshire-and-bassetlaw", "cumbria-and-north-east",
    "cambridgeshire-and-peterborough",
)  # fmt: skip
TEXT = {"name", "title", "text", "purpose", "quorum_rule", "frequency_note", "signatory_name", "signatory_title",
        "lead_role", "short_name", "objectives", "other_names"}  # fmt: skip
NARRATIVE = {"note", "description", "conditions", "preconditions"}
NOT_FACTS = {
    "source",
    "slug",
    "document",
    "reference",
    "url",
    "inferred",
    "notes",
    "acting_organisations_note",
}


def norm(text) -> str:
    text = unicodedata.normalize("NFKC", str(text))
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-"), ("**", "")):
        text = text.replace(a, b)
    return re.sub(r"[\s•\-]+", " ", text).strip().lower()


def walk(value, key: str, document: str, docs: dict, counts: dict, missing: list | None = None) -> None:
    if isinstance(value, dict):
        source = value.get("source")
        if isinstance(source, dict):
            document = source.get("document") if source.get("document") in docs else document
            counts["records_citing_inferred"] += bool(source.get("inferred"))
        for name, item in value.items():
            if name in NARRATIVE:
                counts["narrative_fields"] += bool(item)
            elif name not in NOT_FACTS:
                walk(item, name, document, docs, counts, missing)
    elif isinstance(value, list):
        for item in value:
            walk(item, key, document, docs, counts, missing)
    elif value is None or value == "":
        counts["empty"] += 1
    else:
        counts["facts"] += 1
        counts["dates"] += isinstance(value, datetime.date)
        if key in TEXT and isinstance(value, str) and len(value) >= 4:
            counts["textual"] += 1
            found = norm(value) in docs[document]
            counts["textual_verbatim"] += found
            if not found and missing is not None:
                missing.append((document, key, value))


def main(missing: dict | None = None) -> dict:
    docs = {path.name: norm(path.read_text(encoding="utf-8")) for path in SEEDS.glob("0*.txt")}
    result = {}
    for slug in PARTNERSHIPS:
        counts = dict.fromkeys(
            (
                "facts",
                "empty",
                "dates",
                "textual",
                "textual_verbatim",
                "records_citing_inferred",
                "narrative_fields",
            ),
            0,
        )
        for folder in ("partnerships", "delegation"):
            path = ROOT / "fixtures" / folder / f"{slug}.yaml"
            if path.exists():
                text = path.read_text(encoding="utf-8")
                document = re.search(r"0\d\d_[0-9a-f]+\.txt", text).group(0)
                found = [] if missing is not None else None
                walk(yaml.safe_load(text), "", document, docs, counts, found)
                if found:
                    missing[f"fixtures/{folder}/{slug}.yaml"] = found
        result[slug] = counts
    return result


if __name__ == "__main__":
    if "--list" in sys.argv:
        not_verbatim: dict = {}
        main(not_verbatim)
        for path, facts in not_verbatim.items():
            print(f"# {path}: {len(facts)} not verbatim")
            for document, key, value in facts:
                print(f"{document}\t{key}\t{value}")
    else:
        print(json.dumps(main(), indent=1))
