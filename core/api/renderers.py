"""JSON rendered with orjson (the API's hot path) and CSV for exports."""

import json

import orjson
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder


def _default(value):
    return JSONEncoder().default(value)


class ORJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        try:
            return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:
            # A string orjson refuses (a lone surrogate echoed in an error message): ASCII escapes.
            return json.dumps(data, cls=JSONEncoder, ensure_ascii=True).encode()


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach here: exports stream their own rows.
        if isinstance(data, dict):
            return "\n".join(f"{key},{value}" for key, value in data.items()).encode()
        return b""


class StoredFileRenderer(BaseRenderer):
    """Lets a client that asks for the file's own type (Accept: application/pdf) have it; the file
    itself is a Django FileResponse, so only an error (404) is ever rendered here, as JSON."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"  # an error, said in JSON like every other
        return orjson.dumps(data) if data is not None else b""
