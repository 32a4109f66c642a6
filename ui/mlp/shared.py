"""What the three sections of the MLP lesson share: building an MLP, one run per section,
the "look inside" panel (gradient check, gradient norms, unit health) and common choices.

One ``mlp`` training panel is live at a time; each section keeps its own run and pinned
curves while another section is shown."""

from __future__ import annotations

import copy

import pandas as pd
import streamlit as st

import nnlib

from .. import common, live, presets
from ..i18n import N_, _, ngettext, shown  # noqa: F401 - shown: the sections import it from here
from ..params import PageParams, lecture_mode
from ..presets import Preset
from ..run import TrainingRun
from . import views

PAGE = "mlp"
# display names (shown as _(SECTIONS[key])); the keys are the values in links
SECTIONS = {"cancer": N_("Breast cancer (post 000)"), "deep": N_("Deep sigmoid net (post 004)"),
            "playground": N_("2-D playground")}
ACTIVATIONS = {"sigmoid": N_("sigmoid"), "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU"}
OPTIMIZERS = {"sgd": N_("gradient descent (SGD)"), "momentum": N_("SGD + momentum 0.9"), "adam": "Adam"}
LRS = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
BATCHES = ["full", 8, 16, 32, 64, 128]
TICKS = ["auto", 1, 2, 5, 10, 25, 100, 1000]
TICK_HELP = N_("How many epochs to train between two redraws while playing (bigger = faster, choppier); "
              "auto = a fixed number of redraws per run.")


BATCH_NAMES = {"full": N_("full")}  # the other options (numbers) are shown as they are
TICK_NAMES = {"auto": N_("auto")}


# -- shared ------------------------------------------------------------------------------------

def build_mlp(sizes: list[int], act: str, init: str, rng, *, bias: bool = True, scale: float | None = None,
              output: str = "sigmoid") -> nnlib.Sequential:
    """Dense layers of the given sizes, ``act`` after each hidden one, ``output`` at the end."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nnlib.Dense(n_in, n_out, bias=bias, init=init, scale=scale, rng=rng))
        layers.append(nnlib.get_activation(output if i == len(sizes) - 2 else act))
    return nnlib.Sequential(*layers)


def architecture(p: PageParams, prefix: str, widths: list[int], default_layers: int,
                 default_widths: list[int], max_layers: int = 4) -> list[int]:
    """Number of hidden layers, then one width slider per layer."""
    n = p.slider(_("Hidden layers"), f"{prefix}layers", 1, max_layers, default_layers)
    return [p.select_slider(_("Units in hidden layer {n}", n=i + 1), f"{prefix}w{i + 1}", widths, default_widths[i])
            for i in range(n)]


def choose_preset(p: PageParams, section_presets: dict[str, Preset]) -> str | None:
    """The preset picker for this section (a preset of another section is dropped)."""
    key = f"preset:{PAGE}"
    if st.session_state.get(key) not in (None, *section_presets):
        st.session_state[key] = None
    return presets.picker(p, PAGE, section_presets)


def section_run(section: str, signature: tuple, factory) -> TrainingRun:
    """``live.get_run`` for one section: the run (and pinned curves) of the section being
    left are parked and come back when the user returns to it."""
    parked = st.session_state.setdefault(f"{PAGE}:parked", {})
    current = st.session_state.get(f"run:{PAGE}")
    if current is not None and current.signature[0] != section:
        current.playing = False
        parked[current.signature[0]] = (current, st.session_state.pop(f"pins:{PAGE}", []))
        del st.session_state[f"run:{PAGE}"]
        current = None
    if current is None and section in parked:
        run, pins = parked.pop(section)
        st.session_state[f"run:{PAGE}"] = run
        if pins:
            st.session_state[f"pins:{PAGE}"] = pins
    return live.get_run(PAGE, (section, *signature), factory)


def record_norms(run: TrainingRun) -> None:
    """Append the layers' gradient norms to ``run.extra["norms"]`` once per epoch seen."""
    if not run.history or run.extra.get("norm_epoch") == run.epochs_done:
        return
    rows = run.extra.setdefault("norms", [])
    if run.extra.get("norm_epoch", 0) > run.epochs_done:  # a model was loaded: start over
        rows.clear()
    rows.extend(views.norms_rows(run.epochs_done, run.model.layer_stats()))
    run.extra["norm_epoch"] = run.epochs_done


def look_inside(run: TrainingRun, x_small, y_small, mismatch_note: str = "", norms: bool = True) -> None:
    """Live gradient check (backprop vs central differences on a few weights) and the
    units' health (dead ReLUs, saturated sigmoids) from the last training pass."""
    with st.expander(_("Look inside: gradient check, gradient norms, dead and saturated units"),
                     expanded=not lecture_mode(), icon=":material/search:"):
        rows = nnlib.check_model_detail(run.model, run.loss, x_small, y_small, n_samples=3, rng=run.epochs_done)
        check = views.gradcheck_frame(rows)
        worst = check["rel_error"].max()
        where = ngettext("{weights} sampled weights, {n} training sample",
                         "{weights} sampled weights, {n} training samples", len(x_small), weights=len(rows))
        if check["ok"].all():
            st.markdown(_(":green[**✓ Backprop agrees with finite differences**] — worst relative error "
                          "{worst} (below {limit}); {where}, checked again at every redraw.",
                          worst=f"{worst:.1e}", limit=f"{views.GRADCHECK_OK:.0e}", where=where))
        else:
            st.markdown(_(":red[**✗ Backprop differs from finite differences**] — worst relative error "
                          "{worst} (above {limit}); {where}. {note}", worst=f"{worst:.1e}",
                          limit=f"{views.GRADCHECK_OK:.0e}", where=where, note=_(mismatch_note)))
        cols = st.columns(2)
        common.show_chart(cols[0], views.gradcheck_chart(check), width="stretch")
        cols[0].caption(_("Relative error = |backprop − numerical| / max(|backprop|, |numerical|); gradients "
                          "under {floor} are compared in absolute terms (central differences "
                          "in float64 resolve about 1e-9).", floor=f"{views.GRADCHECK_FLOOR:.0e}"))
        if not run.history:
            cols[1].caption(_("Gradient norms and unit health appear after the first epoch."))
            return
        # Unit health over (up to 2000 rows of) the training set, not just the last mini-batch.
        # Gradient norms come from the last backward pass, which this forward pass leaves alone.
        # On a copy: the run's own caches and dropout random streams stay as training left them
        # (a redraw must not change what the next epoch draws).
        health_x = run.x[:HEALTH_ROWS]
        transform = run.train_kwargs.get("transform")
        probe = copy.deepcopy(run.model)
        probe.forward(health_x if transform is None else transform(health_x), train=True)
        stats = probe.layer_stats()
        if norms:
            norms_chart = views.grad_norms_chart(pd.DataFrame(run.extra.get("norms", [])))
            common.show_chart(cols[1], norms_chart, width="stretch")
        table = views.health_frame(stats)
        st.dataframe(table, hide_index=True, width="stretch")
        if len(health_x) < MIN_HEALTH_ROWS:
            st.caption(_("Dead and saturated units are measured over the training set; with {n} "
                         "sample(s) about half of any ReLU layer is inactive by chance, so no hints are given.",
                         n=len(health_x)))
            return
        for hint in views.health_hints(stats):
            st.warning(hint, icon=":material/warning:")


HEALTH_ROWS = 2000  # training rows the unit-health table looks at
MIN_HEALTH_ROWS = 16  # fewer (the deep net's single sample): "dead for every sample" means little


def tick_control(p: PageParams, name: str, epochs: int, frames: int) -> int:
    """Epochs per redraw; "auto" gives about ``frames`` redraws for the whole run."""
    tick = p.select_slider(_("Epochs per redraw"), name, TICKS, "auto", advanced=True, help=_(TICK_HELP),
                           format_func=shown(TICK_NAMES))
    return max(1, epochs // frames) if tick == "auto" else tick


SATURATED_NOTE = N_("With binary cross-entropy this usually means saturated outputs, not a bug: where the sigmoid "
                  "output is numerically 0 or 1 the loss is clipped and flat, so finite differences see no "
                  "slope, while backprop's fused gradient p − y still pushes (see *saturated outputs* below).")
