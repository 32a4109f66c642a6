"""Every chart on every page keeps its title and legend labels inside the chart at 1280 px, with
lecture mode off and on: estimated from each chart's Vega-Lite spec (``tests/app/chart_text.py``) and
the width its column gets (the page's ``st.columns`` weights)."""

import pytest
from apptools import open_page
from chart_text import GAP, MAIN_WIDTH, problems, with_datasets
from streamlit.testing.v1.element_tree import Block, Column

PAGES = [("pages/activations.py", {}), ("pages/single_neuron.py", {}), ("pages/logistic_1d.py", {}),
         ("pages/mlp.py", {}), ("pages/mlp.py", {"section": "deep"}), ("pages/mnist.py", {"subset": "1000"})]
STEP = {"single_neuron": "neuron_step", "logistic_1d": "logistic_step", "mlp": "mlp_step", "mnist": "mnist_step"}


def charts_with_widths(node, width: float):
    """(chart element, width in px) of every chart below ``node`` in an AppTest tree."""
    children = list(node.children.values()) if isinstance(node, Block) else []
    columns = [c for c in children if isinstance(c, Column)]
    total = sum(c.weight for c in columns) or 1
    room = width - GAP * max(len(columns) - 1, 0)
    for child in children:
        if isinstance(child, Column):
            yield from charts_with_widths(child, room * child.weight / total)
        elif isinstance(child, Block):
            yield from charts_with_widths(child, width)
        elif getattr(child, "type", "") == "vega_lite_chart":
            yield child, width


@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
@pytest.mark.parametrize(("page_file", "query"), PAGES, ids=[f"{p[6:-3]}-{q}" for p, q in PAGES])
def test_chart_titles_and_legends_fit_at_1280(page_file, query, lecture):
    at = open_page(page_file, {**query, **({"lecture": "1"} if lecture else {})})
    step = STEP.get(page_file[6:-3])
    if step:  # one epoch: the charts with their real legends, not the "press Play" placeholder
        at.button(key=step).click().run()
    found = list(charts_with_widths(at._tree[0], MAIN_WIDTH))
    assert found, "no chart found on the page"
    bad = [f"{p}" for chart, width in found for p in problems(with_datasets(chart.proto), width)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("lecture", [False, True], ids=["normal", "lecture"])
def test_mnist_with_three_pinned_runs_keeps_every_legend_label_whole(lang, lecture):
    """Issue 12 (a reviewer's repro): three pins on MNIST, each after another learning rate and width, made
    twelve legend entries whose labels were cut at the column's edge."""
    at = open_page("pages/mnist.py", {"subset": "1000", "lang": lang, **({"lecture": "1"} if lecture else {})})
    for lr, width in ((0.1, None), (0.3, 64), (1.0, 32)):
        at.select_slider(key="mnist.lr").set_value(lr).run()
        if width is not None:
            at.select_slider(key="mnist.h1").set_value(width).run()
        at.button(key="mnist_reset").click().run()
        at.button(key="mnist_step").click().run()
        at.button(key="mnist_pin").click().run()
    at.button(key="mnist_step").click().run()
    assert not at.exception, at.exception
    assert len(at.session_state["pins:mnist"]) == 3
    found = list(charts_with_widths(at._tree[0], MAIN_WIDTH))
    bad = [f"{p}" for chart, width in found for p in problems(with_datasets(chart.proto), width)]
    assert not bad, "\n".join(bad)
