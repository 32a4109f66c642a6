"""Live training, shared by every page that trains: Play / Pause / Step / Reset like
TensorFlow Playground, metrics, live Altair curves, pinned runs to compare, and
save/load of the trained model.

The run (model, optimizer, history) lives in ``st.session_state["run:<page>"]``. While
playing, a fragment re-runs every ``TICK`` seconds, trains for a short time budget and
redraws only the charts; buttons re-run the page once. Widget keys follow one convention
(the browser tests rely on it): ``<page>_play`` (it reads Pause while playing: one button,
so keyboard focus stays on it), ``<page>_step``, ``<page>_reset``, ``<page>_pin``.
Shortcuts: P plays or pauses, S steps.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

import nnlib

from . import charts, common
from .params import lecture_mode
from .run import TrainingRun

TICK = 0.1  # seconds between fragment re-runs while playing
BUDGET = 0.35  # seconds of training per re-run (at least one epoch)
MAX_PINS = 4
MAX_UPLOAD_MB = 50


def get_run(page: str, signature: tuple, factory: Callable[[], TrainingRun]) -> TrainingRun:
    """This page's run; a new one (from ``factory``) when the settings' signature changed."""
    key = f"run:{page}"
    run = st.session_state.get(key)
    if run is None or run.signature != signature:
        if run is not None and run.history:
            st.toast("Settings changed: started a fresh model (learning rate and epochs keep it).")
        run = factory()
        st.session_state[key] = run
    if common.arrived():
        run.playing = False  # coming back from another page: wait for Play rather than resume unasked
    return run


def reset(page: str) -> None:
    st.session_state.pop(f"run:{page}", None)


def _play(run: TrainingRun) -> None:
    run.playing = not run.done


def _pause(run: TrainingRun) -> None:
    run.playing = False


def _step(run: TrainingRun) -> None:
    run.playing = False
    if run.target_epochs <= run.epochs_done:
        run.target_epochs = run.epochs_done + 1
    run.advance(max_epochs=1)


def _pin(page: str, run: TrainingRun) -> None:
    pins = st.session_state.setdefault(f"pins:{page}", [])
    pins.append({"label": run.label or f"run {len(pins) + 1}", "history": run.frame()})
    del pins[:-MAX_PINS]
    st.toast("Run pinned. Change a setting, then train: both curves share the chart. "
             "(The same settings and seed would draw the very same curve.)", icon=":material/push_pin:")


def pins(page: str) -> list[dict]:
    return st.session_state.get(f"pins:{page}", [])


def controls(page: str, run: TrainingRun) -> None:
    """The button row: Play/Pause, Step, Reset, Pin."""
    # room for the P and S shortcut badges; a fifth column only when there are pins to clear
    cols = st.columns([1.3, 1.2, 1.1, 1.3, 1.5] if pins(page) else [1.3, 1.2, 1.1, 1.3])
    # One button (one key) that reads Pause while playing: a keyboard user's focus stays on it.
    if run.playing:
        cols[0].button("Pause", icon=":material/pause:", key=f"{page}_play", on_click=_pause, args=(run,),
                       type="primary", width="stretch", shortcut="P", help="Pause training (P)")
    else:
        label = "Play" if not run.history else "Finished" if run.done else "Resume"
        cols[0].button(label, icon=":material/play_arrow:", key=f"{page}_play",
                       on_click=_play, args=(run,), type="primary", width="stretch", disabled=run.done,
                       shortcut="P", help="Train until the epoch target; the charts grow as it runs (P)")
    cols[1].button("Step", icon=":material/skip_next:", key=f"{page}_step", on_click=_step, args=(run,),
                   width="stretch", help="Train one more epoch (S)", disabled=run.done, shortcut="S")
    cols[2].button("Reset", icon=":material/restart_alt:", key=f"{page}_reset", on_click=reset, args=(page,),
                   width="stretch", help="A fresh model with the same seed")
    cols[3].button("Pin run", icon=":material/push_pin:", key=f"{page}_pin", on_click=_pin, args=(page, run),
                   width="stretch", disabled=not run.history,
                   help=f"Keep this curve to compare the next run (up to {MAX_PINS})")
    if pins(page):
        cols[4].button(f"Clear {len(pins(page))} pinned", key=f"{page}_unpin",
                       on_click=lambda: st.session_state.pop(f"pins:{page}", None))


def _fmt(value, digits: int = 4, sign: str = "") -> str:
    """A metric value: fixed digits, or scientific when those would round a nonzero value to 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value != 0 and abs(value) < 0.5 * 10**-digits:
        return f"{value:{sign}.2e}"
    return f"{value:{sign}.{digits}f}"


def metrics(run: TrainingRun) -> None:
    last = run.last or run.extra.get("loaded_metrics") or {}
    prev = run.history[-2] if len(run.history) > 1 else {}
    cols = st.columns(5)
    before = run.extra.get("loaded_epochs", 0)
    cols[0].metric("Epoch", f"{run.epochs_done} / {run.target_epochs}",
                   help=f"Counted from the loaded weights, which had trained {before} epochs before they were saved"
                   if "loaded" in run.extra else None)
    if "loaded" in run.extra and not run.history:
        cols[0].caption(f"Loaded: {run.extra['loaded']}" + (f", trained {before} epochs" if before else ""))
    delta = None
    if prev and last.get("loss") is not None:
        delta = _fmt(last["loss"] - prev["loss"], sign="+")
    cols[1].metric("Loss", _fmt(last.get("loss")), delta, delta_color="inverse")
    if last.get("accuracy") is not None:
        cols[2].metric("Train accuracy", _fmt(last.get("accuracy"), 3))
    if last.get("val_accuracy") is not None:
        cols[3].metric("Test accuracy", _fmt(last.get("val_accuracy"), 3))
    cols[4].metric("Training time", f"{last.get('seconds', 0.0):.2f} s")


def history_charts(page: str, run: TrainingRun, log_y: bool = False) -> None:
    """Loss (and accuracy when there is one) with pinned runs overlaid."""
    frames = [charts.long_history(p["history"], ["loss", "train_loss", "val_loss"], p["label"]) for p in pins(page)]
    frames.append(charts.long_history(run.frame(), ["loss", "train_loss", "val_loss"], "current run"))
    loss_df = pd.concat(frames, ignore_index=True)
    acc_frames = [charts.long_history(p["history"], ["accuracy", "val_accuracy"], p["label"]) for p in pins(page)]
    acc_frames.append(charts.long_history(run.frame(), ["accuracy", "val_accuracy"], "current run"))
    acc_df = pd.concat(acc_frames, ignore_index=True)
    cols = st.columns(2) if not acc_df.empty else [st.container()]
    height = 440 if lecture_mode() else 320  # the projector's type is bigger; keep the plot tall
    common.show_chart(cols[0], charts.curves_chart(loss_df, "Loss", "loss", log_y=log_y, height=height),
                      width="stretch")
    if not acc_df.empty:
        common.show_chart(cols[1], charts.curves_chart(acc_df, "Accuracy", "accuracy", height=height),
                          width="stretch")


def panel(page: str, run: TrainingRun, *, epochs: int, lr: float,
          draw: Callable[[TrainingRun], None] | None = None, budget: float = BUDGET,
          per_tick: int | None = None) -> None:
    """Controls + a live area (metrics, progress, charts) that grows while training runs.

    ``draw(run)`` adds the page's own live pictures below the curves. ``per_tick`` caps the
    epochs trained per redraw, so that a fast run still visibly grows."""
    run.target_epochs = epochs
    run.optimizer.lr = lr
    if run.playing and run.done:
        run.playing = False
    controls(page, run)

    @st.fragment(run_every=TICK if run.playing else None)
    def live():
        common.guarded(body)  # a fragment re-runs on its own: it needs its own guard

    def body():
        was_playing = run.playing
        if run.playing:
            run.advance(max_epochs=per_tick, budget=budget)
        metrics(run)
        st.progress(min(run.epochs_done / max(run.target_epochs, 1), 1.0))
        if run.error:
            st.error(run.error)
        history_charts(page, run)
        if draw is not None:
            draw(run)
        if was_playing and not run.playing:
            st.rerun()  # training finished in this tick: redraw the buttons, stop the timer

    live()


# -- save / load ---------------------------------------------------------------------------

def model_bytes(run: TrainingRun, meta: dict) -> bytes:
    buf = io.BytesIO()
    nnlib.save(run.model, buf, meta=meta)
    return buf.getvalue()


def save_load(page: str, run: TrainingRun, meta: dict, accept: Callable[[dict], str | None] | None = None) -> None:
    """Download the trained model (+ a NumPy-only inference snippet); upload one back.
    ``accept(saved_meta)`` may refuse an upload with a reason (e.g. another feature map)."""
    with st.expander("Save or load the model", icon=":material/save:"):
        c1, c2 = st.columns(2)
        trained_for = run.epochs_done + run.extra.get("loaded_epochs", 0)
        c1.download_button("Download model (.npz)", model_bytes(run, {"page": page, "epochs": trained_for, **meta}),
                           file_name=f"nnlib-{page}.npz", mime="application/octet-stream",
                           key=f"{page}_download", disabled=not run.trained)
        c2.download_button("Download inference snippet (.py)", nnlib.io.INFERENCE_SNIPPET,
                           file_name="predict.py", mime="text/x-python", key=f"{page}_snippet")
        upload = st.file_uploader("Load a model saved from this page", type=["npz"], key=f"{page}_upload")
        if upload is not None and st.session_state.get(f"{page}_loaded") != upload.file_id:
            st.session_state[f"{page}_loaded"] = upload.file_id
            run.extra["load_msg"] = load_into(page, run, upload.getvalue(), upload.name, accept)
            st.rerun()  # redraw the whole page (metrics, pictures above) from the loaded weights
        if run.extra.get("load_msg"):  # kept with the run: a fresh run (Reset, new settings) drops it
            ok, text = run.extra["load_msg"]
            (st.success if ok else st.error)(text)


def load_into(page: str, run: TrainingRun, data: bytes, name: str,
              accept: Callable[[dict], str | None] | None = None) -> tuple[bool, str]:
    """Validate an uploaded model and copy its weights into ``run``. Returns (ok, message)."""
    if len(data) > MAX_UPLOAD_MB * 2**20:
        return False, f"{name} is {len(data) / 2**20:.0f} MB; the limit is {MAX_UPLOAD_MB} MB."
    try:
        model, meta = nnlib.load(io.BytesIO(data), return_meta=True)
    except ValueError as err:
        return False, f"Could not load {name}: {err}"
    if meta.get("page") not in (None, page):
        return False, f"{name} was saved from the '{meta.get('page')}' page, not this one."
    refusal = accept(meta) if accept is not None else None
    if refusal:
        return False, f"{name}: {refusal}"
    if model.config() != run.model.config():
        return False, (f"{name} holds {describe(model)}, but this page is set to {describe(run.model)}: "
                       "set the controls to match, then load it again.")
    for key, p in run.model.params().items():
        p[...] = model.params()[key]
    run.extra["loaded"] = name
    epochs = meta.get("epochs")
    run.extra["loaded_epochs"] = epochs if isinstance(epochs, int) and epochs >= 0 else 0
    run.history.clear()
    run.steps.clear()
    run.error, run._gen, run.playing = None, None, False
    run.extra["loaded_metrics"] = run.evaluate()  # the metrics row shows the loaded weights at once
    return True, f"Loaded {name}: {describe(model)}. Press Play to train on from these weights."


def describe(model: nnlib.Sequential) -> str:
    dense = model.dense_layers
    sizes = [dense[0].in_features] + [d.out_features for d in dense] if dense else []
    acts = [type(layer).__name__ for layer in model.layers if not isinstance(layer, nnlib.Dense)]
    return f"a {'-'.join(map(str, sizes))} network ({', '.join(dict.fromkeys(acts))})"
