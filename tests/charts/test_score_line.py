"""The printed plan's line of scores over time (app/charts/score_line.py): pure, from (date, score) lists."""

from __future__ import annotations

from datetime import date

from app.charts import score_line
from app.charts.score_line import drawing

JAN, FEB, MAR = date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5)


def y_of(score: int) -> float:
    return drawing([], [], score, 10).markers[0].y  # the start marker sits at the start score


def kinds(picture) -> list[str]:
    return [m.kind for m in picture.markers]


def test_both_series_in_date_order_with_the_start_and_the_target_marked():
    picture = drawing(worker=[(JAN, 3), (FEB, 4), (MAR, 6)], parent=[(JAN, 2), (MAR, 7)], start=3, target=8)
    lines = {line.series: line.points for line in picture.lines}
    assert set(lines) == {"worker", "parent"}
    # Left to right is old to new, and a higher score is higher up (smaller y).
    worker_x = [x for x, _ in lines["worker"]]
    assert worker_x == sorted(worker_x) and len(set(worker_x)) == 3
    assert [y for _, y in lines["worker"]] == [y_of(3), y_of(4), y_of(6)]
    assert y_of(6) < y_of(4) < y_of(3)
    # One day is one column: the parents' scores of January and March line up with the worker's.
    assert [x for x, _ in lines["parent"]] == [worker_x[0], worker_x[2]]
    assert kinds(picture).count("worker") == 3 and kinds(picture).count("parent") == 2
    # The start stands at the left edge, before the first score; the target at the right, at its height.
    start = next(m for m in picture.markers if m.kind == "start")
    target = next(m for m in picture.markers if m.kind == "target")
    assert start.x < min(worker_x) and start.y == y_of(3)
    assert target.x > max(worker_x) and target.y == y_of(8)
    assert [r.score for r in picture.rules if r.kind == "target"] == [8]


def test_no_scores_yet_draws_only_the_start_and_the_target():
    picture = drawing([], [], start=4, target=9, date_labels=None)
    assert picture.lines == ()
    assert kinds(picture) == ["start", "target"]
    assert [label.text for label in picture.labels if label.kind == "date"] == []


def test_one_scoring_is_a_dot_without_a_line_and_one_date_in_the_middle():
    picture = drawing([(FEB, 5)], [(FEB, 6)], start=3, target=8, date_labels=("5 feb 2026", "5 feb 2026"))
    assert picture.lines == ()
    assert kinds(picture) == ["start", "worker", "parent", "target"]
    assert [(label.text, label.anchor) for label in picture.labels if label.kind == "date"] == [
        ("5 feb 2026", "middle")
    ]


def test_scores_outside_0_to_10_stay_on_the_drawing():
    assert y_of(-3) == y_of(0) and y_of(14) == y_of(10)


def test_many_scorings_keep_their_line_and_mark_only_the_first_and_the_latest():
    few = drawing([(JAN, 3), (FEB, 4)], [], 3, 8)
    days = [date(2026, 1, d) for d in range(1, 21)]
    many = drawing([(d, 5 + d.day % 3) for d in days], [(d, 4) for d in days], 3, 8)
    assert [len(line.points) for line in many.lines] == [20, 20]
    worker_marks = [m for m in many.markers if m.kind == "worker"]
    assert [m.x for m in worker_marks] == [many.lines[0].points[0][0], many.lines[0].points[-1][0]]
    assert worker_marks[-1].y == y_of(5 + 20 % 3)  # the latest score
    size = {p: next(m.size for m in p.markers if m.kind == "worker") for p in (few, many)}
    assert size[many] < size[few]


def test_the_shapes_tell_the_two_series_apart_without_colour():
    chart = score_line.score_line(
        [(JAN, 3), (MAR, 6)], [(JAN, 2), (MAR, 7)], 3, 8, title="Start: 3.", element_id="goal-1-line"
    )
    by_class = {shape.attrs.get("class"): shape for shape in chart.shapes}
    parent, worker = by_class["series-parent"], by_class["series-worker"]
    assert "stroke-dasharray" not in parent.attrs and "stroke-dasharray" in worker.attrs  # solid against dashed
    assert by_class["marker-parent"].tag == "circle" and by_class["marker-parent"].attrs["fill"] != "#ffffff"
    assert by_class["marker-worker"].tag == "rect" and by_class["marker-worker"].attrs["fill"] == "#ffffff"
    assert "marker-start" in by_class and "marker-target" in by_class
    assert (chart.element_id, chart.title) == ("goal-1-line", "Start: 3.")
    # Back to front: the lines under the markers, the parents' line over the worker's.
    order = [shape.attrs.get("class") for shape in chart.shapes]
    assert order.index("series-worker") < order.index("series-parent") < order.index("marker-worker")


def test_the_svg_is_written_out_escaped_with_its_text_alternative(app):
    chart = score_line.score_line(
        [(JAN, 3)], [], 3, 8, title='Start: 3 <b>"&"</b>', element_id="goal-2-line", date_labels=("<jan>", "<jan>")
    )
    with app.test_request_context():
        macros = app.jinja_env.get_template("macros/score_line.html").make_module({"swatch_shapes": score_line.swatch})
        svg = str(macros.score_line(chart))
        swatch = str(macros.swatch("worker"))
    assert svg.startswith('<svg class="score-line"') and 'role="img" aria-labelledby="goal-2-line"' in svg
    assert '<title id="goal-2-line">Start: 3 &lt;b&gt;&#34;&amp;&#34;&lt;/b&gt;</title>' in svg
    assert "<jan>" not in svg and "&lt;jan&gt;" in svg
    assert 'class="series-worker"' not in svg  # one scoring: a mark, no line
    assert " style=" not in svg + swatch  # nothing a Content-Security-Policy would block
    assert 'aria-hidden="true"' in swatch and "<line" in swatch and "<rect" in swatch


def test_the_legend_swatches_match_the_markers():
    for kind in ("parent", "worker", "start", "target"):
        assert score_line.swatch(kind)[-1] == score_line.marker_shape(kind, 12, 7, 3.6)
    assert [s.tag for s in score_line.swatch("worker")] == ["line", "rect"]
    assert [s.tag for s in score_line.swatch("start")] == ["polygon"]
