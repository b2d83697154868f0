"""Heat maps as pictures: the same answer as the JSON, drawn as SVG (`?format=svg` or Accept)."""

from rest_framework.renderers import BaseRenderer

from risks.svg import heat_map_svg, message_svg


class SVGRenderer(BaseRenderer):
    media_type = "image/svg+xml"
    format = "svg"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "cells" in data:
            return heat_map_svg(data).encode()
        # An error answered to a client that asked for a picture: the messages, drawn.
        return message_svg(_messages(data)).encode()


def _messages(data) -> list[str]:
    if isinstance(data, dict):
        return [
            f"{key}: {' '.join(map(str, value)) if isinstance(value, list) else value}"
            for key, value in data.items()
        ]
    if isinstance(data, list):
        return [str(item) for item in data]
    return [str(data)]
