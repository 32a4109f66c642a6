"""Lesson 1 — activation functions and their slopes (post 002's sigmoid plot, extended)."""

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import nnlib
from ui import charts, common, lessons
from ui.i18n import N_, _
from ui.params import PageParams
from ui.safe_text import plain

p = PageParams("act")
NAMES = {"sigmoid": N_("Sigmoid"), "tanh": "Tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU",
         "identity": N_("Identity")}

common.page_start()
st.title(_("1 · Activation functions"))
common.explain(_(
    "A neuron computes a weighted sum *z* and passes it through an **activation function** "
    "*f(z)*. Back-propagation multiplies gradients by the **slope** *f′(z)* at every layer, so "
    "where the slope is tiny, learning stalls. The post plots the sigmoid on [-10, 10] with "
    "1000 points and its derivative σ(z)(1 − σ(z)); move the point to read values off."
))

left, right = st.columns([1, 3])
with left:
    name = p.select(_("Function"), "fn", list(NAMES), "sigmoid", format_func={k: _(v) for k, v in NAMES.items()}.get)
    half = p.slider(_("x range ±"), "range", 1, 20, 10, advanced=True)
    x0 = p.slider(_("Point x₀"), "x0", -20.0, 20.0, 0.0, 0.1)
    alpha = 0.01
    if name == "leaky_relu":
        alpha = p.slider(_("Leaky slope α"), "alpha", 0.0, 0.5, 0.01, 0.01)
    compare = p.toggle(_("Compare all slopes"), "compare", False,
                       help=_("Every function's derivative on one chart: the sigmoid's is never above 0.25"))

layer = nnlib.LeakyReLU(alpha) if name == "leaky_relu" else nnlib.get_activation(name)
x = np.linspace(-half, half, 1000)
fx, dfx = layer.f(x), layer.df(x)
f0, d0 = float(layer.f(np.array([x0]))[0]), float(layer.df(np.array([x0]))[0])

with right:
    c1, c2, c3 = st.columns(3)
    c1.metric(f"f({x0:g})", f"{f0:.4f}")
    c2.metric(f"f′({x0:g})", f"{d0:.4f}")
    peak = max(float(np.max(dfx)), float(layer.df(np.array([0.0]))[0]))  # the 1000-point grid skips x = 0
    c3.metric(_("Largest slope on the range"), f"{peak:.4f}")
    if compare:
        curves = {_(NAMES[k]): (layer if k == name else nnlib.get_activation(k)).df(x) for k in NAMES}
        common.show_chart(st, charts.function_chart(x, curves, title=_("Derivatives f′(x)")), width="stretch")
    else:
        chart = charts.function_chart(x, {"f(x)": fx, "f′(x)": dfx}, point=(x0, {"f(x)": f0, "f′(x)": d0}),
                                      title=_("{name} and its derivative", name=_(NAMES[name])))
        common.show_chart(st, chart, width="stretch")

if name == "sigmoid":
    flat = x[dfx < 0.01]
    where = f"|x| > {float(np.min(np.abs(flat))):.2f}" if flat.size else _("nowhere on this range")
    common.explain(_("**Saturation.** The sigmoid's slope peaks at 0.25 (at x = 0) and drops below 0.01 for "
                     "{where}: a neuron pushed there passes almost no gradient back. Stack ten sigmoid "
                     "layers and the gradient shrinks by at least 4¹⁰ ≈ 10⁶ — lesson 4 shows it happen.",
                     where=where))
elif name in ("relu", "leaky_relu"):
    common.explain(_("**Dead region.** ReLU's slope is exactly 0 for x < 0: a unit whose input is negative for "
                     "every sample never changes again (a *dead ReLU*). Leaky ReLU keeps a small slope α there."))
elif name == "tanh":
    common.explain(_("**tanh** is a shifted, stretched sigmoid: tanh(x) = 2σ(2x) − 1. Its slope peaks at 1, "
                     "four times the sigmoid's, and it is centred on 0 — but it saturates just the same."))

st.header(_("Softmax: scores → probabilities"))
common.explain(_("Softmax turns a vector of scores (*logits*) into probabilities: "
                 "softmax(z)ᵢ = exp(zᵢ/T) / Σⱼ exp(zⱼ/T). A low temperature T sharpens the winner, a high one "
                 "flattens everything. Its derivative is a matrix, not a number: ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ)."))
s1, s2 = st.columns([1, 2])
with s1:
    text = p.text(_("Logits (comma-separated)"), "logits", "2.0, 1.0, 0.1")
    temperature = p.slider(_("Temperature T"), "temp", 0.1, 5.0, 1.0, 0.1)


def read_logits(text: str) -> np.ndarray:
    values = []
    for part in (v.strip() for v in text.replace(";", ",").split(",")):
        if not part:
            continue
        try:
            values.append(float(part))
        except ValueError:
            raise ValueError(_("{value} is not a number", value=repr(part[:20]))) from None
        if not np.isfinite(values[-1]):
            raise ValueError(_("{value} is not a finite number", value=repr(part[:20])))
    if not 2 <= len(values) <= 12:
        raise ValueError(_("give 2 to 12 numbers, got {n}", n=len(values)))
    return np.array(values)


try:
    logits = read_logits(text)
except ValueError as err:  # the text may come from a share link: shown as plain text, cut short
    s1.warning(_("Logits: “{text}” can't be used: {why}. Showing the default 2.0, 1.0, 0.1 instead.",
                 text=plain(text, 40), why=plain(err, 60)))
    logits = np.array([2.0, 1.0, 0.1])
# softmax(z / T) computed as exp((z - max z) / T) / sum: dividing first would turn large finite
# logits (1e308 with T = 0.5) into inf, and the bars and the Jacobian into NaN
probs = nnlib.softmax(logits, temperature=temperature)
with s2:
    df = pd.DataFrame({"class": [f"z{i + 1} = {v:g}" for i, v in enumerate(logits)], "probability": probs})
    title = alt.Title(_("Probabilities"), subtitle=_("softmax(z / T), T = {t}", t=f"{temperature:g}"))
    bars = charts.bars_chart(df, "class", "probability", title=title, height=320, y_scale=alt.Scale(domain=[0, 1]),
                             x_title=_("class"), y_title=_("probability"))
    common.show_chart(st, bars.encode(x=alt.X("class:N", sort=None, title=None, axis=alt.Axis(labelAngle=0))),
                      width="stretch")
with st.expander(_("The softmax Jacobian ∂s/∂z (what a correct backward pass multiplies by)")):
    jac = nnlib.Softmax.jacobian(logits, temperature=temperature)
    st.dataframe(pd.DataFrame(jac, columns=[f"∂/∂z{j + 1}" for j in range(len(logits))],
                              index=[f"s{i + 1}" for i in range(len(logits))]).style.format("{:.4f}"))
    st.caption(_("Only the diagonal is sᵢ(1 − sᵢ). Post 001 back-propagates just that diagonal; paired with its "
                 "binary-cross-entropy-shaped loss gradient the two mistakes cancel — lesson 5 shows how."))

common.show_code([nnlib.activations.sigmoid, type(layer), nnlib.activations.softmax], key="act.code")
lessons.next_link(__file__)
p.sync_url()
