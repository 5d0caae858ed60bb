"""Plain-dict stand-ins for the few plotly.graph_objects the charts use (Figure, Scatter, Bar).

plotly's objects validate every property on assignment: about 35 ms of CPU per figure, more than
all the family page's queries together (profiled for issue #8; docs/benchmarks.md). The charts
give fixed, tested properties, so they are built as the JSON plotly.js reads, with no validation.
"""

from __future__ import annotations

import json

# What plotly.py writes for template="none": an empty template, so plotly.js adds no defaults.
NO_TEMPLATE = {"data": {"scatter": [{"type": "scatter"}]}}


class Props(dict):
    """A dict that also reads like plotly's objects: fig.layout.title.text (None when not set)."""

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _wrap(self.get(name))


def _wrap(value):
    if isinstance(value, dict) and not isinstance(value, Props):
        return Props(value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _trace(kind: str, properties: dict) -> Props:
    if isinstance(properties.get("text"), list):
        properties["text"] = [str(t) for t in properties["text"]]  # as plotly.py sends them
    return Props(properties, type=kind)


def Scatter(**properties) -> Props:  # noqa: N802 - named like the plotly class it stands in for
    return _trace("scatter", properties)


def Bar(**properties) -> Props:  # noqa: N802
    return _trace("bar", properties)


class Figure:
    def __init__(self, trace: dict | None = None):
        self.data: list[dict] = [trace] if trace else []
        self.layout = Props()

    def add_trace(self, trace: dict) -> Figure:
        self.data.append(trace)
        return self

    def update_layout(self, **layout) -> Figure:
        if layout.get("template") == "none":
            layout["template"] = NO_TEMPLATE
        self.layout.update(layout)
        return self

    def to_dict(self) -> dict:
        return {"data": self.data, "layout": self.layout}

    def to_json(self) -> str:
        return json.dumps(self.to_dict())
