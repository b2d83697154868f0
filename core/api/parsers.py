"""The API's JSON parser: hostile bodies are a 400 with the reason, never a 500.

DRF's parser turns malformed JSON into a 400, but not JSON nested thousands deep (Python's
parser raises RecursionError), numbers beyond a float (`1e999` reads as infinity), escaped
lone surrogates (`"\\ud800"`: valid JSON, but not text; nothing downstream can encode it) nor
strings of any length (an unbounded text field would store them).
"""

import codecs
import json
import math

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

# No resource nests more than a few levels (an approval route's stages and their bodies), and no
# field holds a book: the longest texts (a purpose, a resolution) run to a few thousand characters.
MAX_DEPTH = 32
MAX_STRING = 100_000


class RegistryJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            data = json.load(
                codecs.getreader(encoding)(stream), parse_constant=strict_constant, parse_float=_finite
            )
        except RecursionError:
            raise _parse_error(f"nested more than {MAX_DEPTH} levels deep") from None
        except ValueError as error:
            raise _parse_error(str(error)) from None
        problem = _problem(data)
        if problem:
            raise _parse_error(problem)
        return data


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"Number out of range: {text[:40]}")
    return value


def _problem(data) -> str | None:
    """Too deep, or a string too long or not text. Walked with a stack, not recursion, so that the
    walk cannot itself overflow."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                return f"a string is longer than {MAX_STRING:,} characters"
            if not _is_text(value):
                return "a string holds a lone surrogate (an escape like \\ud800), which is not text"
            continue
        if isinstance(value, dict):
            children = [*value.keys(), *value.values()]
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        stack.extend((child, depth + 1) for child in children)
    return None


def _is_text(value: str) -> bool:
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _parse_error(reason: str) -> ParseError:
    return ParseError(f"JSON parse error - {reason}")
