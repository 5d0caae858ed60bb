"""app/charts/figures.py stands in for plotly's objects: plotly.js must get the very same JSON."""

import plotly.graph_objects as plotly_go

from app.charts import family as charts
from app.charts import figures, style
from tests.helpers.charts import a_goal


def test_a_chart_is_the_json_plotly_would_send(english, monkeypatch):
    ours = style.figure_dict(charts.goal_figure(a_goal()))
    monkeypatch.setattr(charts, "go", plotly_go)
    theirs = style.figure_dict(charts.goal_figure(a_goal()))
    assert ours == theirs


def test_bar_texts_are_sent_as_strings_as_plotly_does():
    assert figures.Bar(text=[3, 4]).text == ["3", "4"]
