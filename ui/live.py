"""Live training, shared by every page that trains: Play / Pause / Step / Reset like
TensorFlow Playground, metrics, live Altair curves, pinned runs to compare, and
save/load of the trained model.

The run (model, optimizer, history) lives in ``st.session_state["run:<page>"]``. Widget keys
follow one convention (the browser tests rely on it): ``<page>_play`` (it reads Pause while
playing: one button, so keyboard focus stays on it), ``<page>_step``, ``<page>_reset``,
``<page>_pin``, ``<page>_speed``. Shortcuts: P plays or pauses, S steps.

How a page stays responsive while it trains (issue 12):

* The live area (metrics, progress, curves, the page's own pictures) is one fragment. The page
  around it runs only on a click or a control change, never per tick, so nothing outside the
  fragment goes stale (Streamlit dims an element that a running script has not redrawn yet).
* While playing, one fragment run trains in short slices (``SLICE`` seconds at most, cut at a
  batch, not at an epoch, or between chunks of an epoch's closing evaluation passes) and after
  every slice passes a Streamlit yield point (the progress bar): a click anywhere outside the
  fragment (Pause, a slider) preempts the run there, within a slice. It redraws the metrics and
  curves at most every ``FRAME`` seconds and the page's pictures once per fragment run (``LOOP``
  seconds or more), kept under ``LIGHT_SHARE`` and ``HEAVY_SHARE`` of the time, so training is
  not waiting for drawing and the browser is not redrawing all the time. Every fragment run
  redraws everything it shows first, then trains.
* A full page run while playing (the click that pressed Play, any other click) trains one slice
  before it draws, so the first curve appears at once; that is also what AppTest sees of Play. A
  run in which the learning rate, the epoch target or the speed changed draws at once instead,
  without that slice: the new value is on the page (the progress bar's "lr") ~0.1 s sooner.
"""

from __future__ import annotations

import functools
import io
import math
import re
import time
from collections.abc import Callable

import pandas as pd
import streamlit as st

import nnlib

from . import charts, common, lessons, load, memo, model_diff
from .i18n import N_, _, ngettext
from .params import lecture_mode
from .run import TrainingRun
from .safe_text import plain

TICK = 0.1  # seconds until the fragment's first run after Play (the timer only starts the loop)
SLICE = 0.1  # seconds of training at most between two checks for a click
FRAME = 0.25  # seconds at least between two redraws of the metrics and curves
BATCH_FRAME = 2.0  # ... when only the batch losses of a slow epoch changed (the progress bar moves meanwhile)
LOOP = 3.0  # seconds at least a fragment run trains before it ends to redraw the page's pictures
PROGRESS_EVERY = 0.1  # seconds at least between two updates of the progress bar while training
MAX_CROWD_SLOWDOWN = 8  # on a crowded server redraws come ui.load.crowding() times less often, at most this
LIGHT_SHARE = 0.1  # redrawing the metrics and curves may take at most this share of the time while playing
HEAVY_SHARE = 0.05  # ... and the page's own pictures this share
EVAL_ROWS = 5000  # the Loss metric evaluates the current weights on training sets up to this size
BUDGET = SLICE  # kept for pages that pass budget=
MAX_PINS = 4
# the run stores nnlib's (English) error with one of these prefixes; the page shows a translated explanation
RUN_ERRORS = {"Training diverged: ": N_("Training diverged: {error}"),
              "Training stopped: ": N_("Training stopped: {error}")}
# Loss-chart plot heights (normal, lecture mode): Play, metrics and this chart share one 1280×800 screen.
LOSS_HEIGHT = {False: 270, True: 270}
MAX_UPLOAD_MB = 50

SPEED_STEPS = (1, 10)  # "batches per redraw" choices, offered when an epoch has more than one batch
SPEED_EPOCHS = (1, 2, 5, 10, 25, 100, 1000)
SPEED_HELP = N_("How much training between two redraws while playing: bigger is faster and choppier; "
                "auto is the page's own pace. Step trains one epoch, or the batches chosen here.")


def get_run(page: str, signature: tuple, factory: Callable[[], TrainingRun]) -> TrainingRun:
    """This page's run; a new one (from ``factory``) when the settings' signature changed."""
    key = f"run:{page}"
    run = st.session_state.get(key)
    if run is None or run.signature != signature:
        fresh_note = run is not None and bool(run.history)
        run = factory()
        if fresh_note:  # said inline under the buttons (a toast would cover the metrics)
            run.extra["note"] = _("Settings changed: started a fresh model (learning rate and epochs keep it).")
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


def _step(run: TrainingRun, quota: tuple[str, int] = ("epochs", 1)) -> None:
    """One step: one epoch, or the batches per redraw when the speed is set in batches."""
    run.playing = False
    unit, amount = quota
    if unit == "steps":
        if run.target_epochs <= run.epochs_done:
            run.target_epochs = run.epochs_done + 1
        _note_label(run)
        run.advance(max_steps=amount)
        return
    if run.target_epochs <= run.epochs_done:
        run.target_epochs = run.epochs_done + 1
    _note_label(run)
    run.advance(max_epochs=1)


def _note_label(run: TrainingRun) -> None:
    """Remember the settings each stretch of training had (a pin lists them all)."""
    labels = run.extra.setdefault("labels", [])
    if run.label and (not labels or labels[-1] != run.label):
        labels.append(run.label)


def run_label(run: TrainingRun) -> str:
    """The settings the run really had: "a → b" when they changed while it trained."""
    labels = run.extra.get("labels") or [run.label]
    return " → ".join(label for label in labels if label)


def pin_name(label: str, current: str, number: int) -> str:
    """A pinned run's legend name: its number and what differs from the current run's
    settings (labels list settings separated by "," or "·"), not the whole, mostly shared, label."""
    def parts(text: str) -> list[str]:
        return [part.strip() for part in re.split(r"[,·]", text) if part.strip()]

    mine = parts(current)
    differs = [part for part in parts(label) if part not in mine]
    if not label:
        return _("pin {number}", number=number)
    if not differs:
        return _("pin {number}: same settings", number=number)
    return _("pin {number}: {what}", number=number, what=", ".join(differs))


def _pin(page: str, run: TrainingRun) -> None:
    pins = st.session_state.setdefault(f"pins:{page}", [])
    pins.append({"label": run_label(run) or _("run {number}", number=len(pins) + 1), "history": run.frame()})
    del pins[:-MAX_PINS]
    st.session_state[f"note:{page}"] = _("Run pinned. Change a setting, then train: both curves share the chart. "
                                         "(The same settings and seed would draw the very same curve.)")


def pins(page: str) -> list[dict]:
    return st.session_state.get(f"pins:{page}", [])


def speed_options(run: TrainingRun) -> list[str]:
    steps = [f"s{n}" for n in SPEED_STEPS if run.steps_per_epoch > n] if run.steps_per_epoch > 1 else []
    return ["auto", *steps, *map(str, SPEED_EPOCHS)]


def _speed_label(option: str, per_tick: int) -> str:
    if option == "auto":
        return _("Speed: auto")
    if option.startswith("s"):
        return ngettext("{n} batch/redraw", "{n} batches/redraw", int(option[1:]))  # short: the box is narrow
    return ngettext("{n} epoch/redraw", "{n} epochs/redraw", int(option))


def quota_of(option: str, per_tick: int) -> tuple[str, int]:
    """("epochs" | "steps", how many) trained per redraw for a speed option."""
    if option.startswith("s"):
        return "steps", int(option[1:])
    return "epochs", per_tick if option == "auto" else int(option)


def controls(page: str, run: TrainingRun, per_tick: int = 1) -> tuple[str, int]:
    """The button row: Play/Pause, Step, Reset, Pin, and the speed (per redraw). Returns the
    training quota per redraw: ("epochs" | "steps", how many)."""
    # room for the P and S shortcut badges; a sixth column only when there are pins to clear
    # "Clear pinned" goes under the row: six would squeeze them; the speed box holds "1000 epochs/redraw"
    cols = st.columns([1.25, 1.1, 1.05, 1.2, 1.8])
    options = speed_options(run)
    key = f"{page}_speed"
    if st.session_state.get(key) not in options:
        st.session_state[key] = "auto"
    labels = {o: _speed_label(o, per_tick) for o in options}  # translated now: format_func runs later too
    speed = cols[4].selectbox(_("Per redraw"), options, key=key, label_visibility="collapsed",
                              format_func=labels.get,
                              help=_(SPEED_HELP) + " " + ngettext("auto: {n} epoch per redraw.",
                                                                  "auto: {n} epochs per redraw.", per_tick))
    quota = quota_of(speed, per_tick)
    # One button (one key) that reads Pause while playing: a keyboard user's focus stays on it.
    if run.playing:
        cols[0].button(_("Pause"), icon=":material/pause:", key=f"{page}_play", on_click=_pause, args=(run,),
                       type="primary", width="stretch", shortcut="P", help=_("Pause training (P)"))
    else:
        started = bool(run.history) or run.steps_into_epoch > 0  # paused inside the first epoch: Resume too
        label = _("Play") if not started else _("Finished") if run.done else _("Resume")
        cols[0].button(label, icon=":material/play_arrow:", key=f"{page}_play",
                       on_click=_play, args=(run,), type="primary", width="stretch", disabled=run.done,
                       shortcut="P", help=_("Train until the epoch target; the charts grow as it runs (P)"))
    step_help = _("Train one more epoch (S)") if quota[0] == "epochs" else \
        _("Train {n} more batches (S)", n=quota[1])
    cols[1].button(_("Step"), icon=":material/skip_next:", key=f"{page}_step", on_click=_step, args=(run, quota),
                   width="stretch", help=step_help, disabled=run.done, shortcut="S")
    cols[2].button(_("Reset"), icon=":material/restart_alt:", key=f"{page}_reset", on_click=reset, args=(page,),
                   width="stretch", help=_("A fresh model with the same seed"))
    cols[3].button(_("Pin run"), icon=":material/push_pin:", key=f"{page}_pin", on_click=_pin, args=(page, run),
                   width="stretch", disabled=not run.history,
                   help=_("Keep this curve to compare the next run (up to {n})", n=MAX_PINS))
    note = st.session_state.pop(f"note:{page}", None) or run.extra.pop("note", None)
    if pins(page) or note:
        row = st.container(horizontal=True, gap="small", vertical_alignment="center")
        if pins(page):
            row.button(_("Clear {n} pinned", n=len(pins(page))), key=f"{page}_unpin", type="tertiary",
                       icon=":material/backspace:", on_click=lambda: st.session_state.pop(f"pins:{page}", None))
        if note:
            row.caption(note)
    return quota


def _fmt(value, digits: int = 4, sign: str = "") -> str:
    """A metric value: fixed digits, or scientific when those would round a nonzero value to 0."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value != 0 and abs(value) < 0.5 * 10**-digits:
        return f"{value:{sign}.2e}"
    return f"{value:{sign}.{digits}f}"


def shown_metrics(run: TrainingRun) -> dict:
    """What the metrics row shows, one quantity before training, while training and after a
    save and load: the loss (and accuracy) of the *current weights* on the training data
    (``train_loss`` of the last epoch when the run computes it, else evaluated here when the
    training set is small), the test loss and accuracy of the current weights, and
    ``"what"``, a label saying which quantity it is. Cached per optimizer step.

    A big training set without a full pass after each epoch shows the mean of the epoch's
    batch losses instead, labelled so."""
    last = run.last or {}
    loaded = "loaded" in run.extra and not run.history
    n = 0 if run.x is None else len(run.x)
    # a small training set is evaluated again after every step; a big one (MNIST) only at epoch 0
    # or on loading, and the first epoch's batches leave that value alone until the epoch ends
    steps = run.optimizer.steps if n <= EVAL_ROWS else None
    key = (steps, len(run.history), run.extra.get("loaded"), id(run.model))
    cached = run.extra.get("_shown")
    if cached is not None and cached[0] == key:
        return cached[1]
    out: dict = {"epoch": run.epochs_done}
    if last.get("train_loss") is not None:
        out.update(loss=last["train_loss"], accuracy=last.get("accuracy"),
                   what=_("full pass over the training data after epoch {epoch}", epoch=run.epochs_done))
    elif n <= EVAL_ROWS or loaded or not run.history:
        ev = run.evaluate(max_train_rows=max(n, 1))
        out.update({k: v for k, v in ev.items()})
        out["what"] = _("the current weights on all {n} training rows", n=f"{n:,}")
    else:
        out.update(loss=last.get("loss"), accuracy=last.get("accuracy"),
                   what=_("the batches of epoch {epoch}, averaged (each with the weights of its own step)",
                          epoch=run.epochs_done))
    for k in ("val_loss", "val_accuracy"):
        if last.get(k) is not None:
            out[k] = last[k]
    if "val_loss" not in out and run.train_kwargs.get("validation") is not None and (loaded or not run.history):
        out.update({k: v for k, v in run.evaluate(max_train_rows=0).items() if k.startswith("val_")})
    run.extra["_shown"] = (key, out)
    return out


def metrics(run: TrainingRun, cols: list | None = None) -> None:
    """The metrics row. ``cols``: five placeholders (``st.empty``) to redraw in place while
    playing; by default five new columns."""
    shown = shown_metrics(run)
    prev = run.extra.get("_shown_prev")
    if prev is None or prev[0] != run.epochs_done:
        if run.extra.get("_shown_at") is not None and run.extra["_shown_at"][0] != run.epochs_done:
            run.extra["_shown_prev"] = run.extra["_shown_at"]
        run.extra["_shown_at"] = (run.epochs_done, shown.get("loss"))
    prev = run.extra.get("_shown_prev")
    cols = cols or st.columns(5)
    epoch_metric(run, cols[0])
    _other_metrics(run, cols, shown, prev)


def epoch_metric(run: TrainingRun, where) -> None:
    """The metrics row's first column: the Epoch counter and its captions (redrawn alone, and cheaply,
    whenever an epoch ends while playing, so it keeps pace with the progress bar)."""
    first = where.container()
    before = run.extra.get("loaded_epochs", 0)
    done, target = run.epochs_done, run.target_epochs
    # never "200 / 50": a run trained past a lowered target says so
    value = f"{done} / {target}" if done <= target else _("{done} (target {target})", done=done, target=target)
    first.metric(_("Epoch"), value,
                 help=ngettext("Counted from the loaded weights, which had trained {n} epoch before they were saved",
                               "Counted from the loaded weights, which had trained {n} epochs before they were saved",
                               before) if "loaded" in run.extra else None)
    if done > target:
        first.caption(ngettext("Trained past the new target: Reset to train {target} epoch.",
                               "Trained past the new target: Reset to train {target} epochs.", target, target=target))
    if "loaded" in run.extra and not run.history:
        first.caption(ngettext("Loaded: {name}, trained {n} epoch", "Loaded: {name}, trained {n} epochs", before,
                               name=run.extra["loaded"]) if before
                      else _("Loaded: {name}", name=run.extra["loaded"]))


def _other_metrics(run: TrainingRun, cols: list, shown: dict, prev) -> None:
    if run.history:
        delta = None
        if prev is not None and prev[1] is not None and shown.get("loss") is not None:
            change = shown["loss"] - prev[1]
            delta = _fmt(change, sign="+") if change != 0 else "±0"  # not a red "+0.0000" going up
        still = delta == "±0"
        cols[1].metric(_("Loss"), _fmt(shown.get("loss")), delta, delta_color="off" if still else "inverse",
                       delta_arrow="off" if still else "auto", help=_("Loss of {what}.", what=shown["what"]))
    else:
        where = _("loaded weights") if "loaded" in run.extra else _("at epoch 0")
        cols[1].metric(_("Loss"), _fmt(shown.get("loss")), where, delta_color="off", delta_arrow="off",
                       help=_("Loss of {what}.", what=shown["what"]))
    if shown.get("accuracy") is not None:
        cols[2].metric(_("Train accuracy"), _fmt(shown.get("accuracy"), 3),  # the same quantity as the Loss's
                       help=_("Accuracy of {what}.", what=shown["what"]))
    else:
        cols[2].empty()
    if shown.get("val_accuracy") is not None:
        cols[3].metric(_("Test accuracy"), _fmt(shown.get("val_accuracy"), 3))
    else:
        cols[3].empty()
    cols[4].metric(_("Training time"), f"{(run.last or {}).get('seconds', 0.0):.2f} s")


def progress(run: TrainingRun, where=st) -> None:
    """The progress bar, to the batch, with the learning rate in force:
    "Epoch 3 of 20 · batch 40 of 117 · lr 0.1"."""
    per_epoch, into = run.steps_per_epoch, run.steps_into_epoch
    target = max(run.target_epochs, 1)
    fraction = min((run.epochs_done + into / per_epoch) / target, 1.0)
    lr = f"{run.optimizer.lr:g}"
    mid_epoch = per_epoch > 1 and into > 0
    past = run.epochs_done + mid_epoch > run.target_epochs  # the target was lowered below what was trained
    if mid_epoch:
        template = N_("Epoch {epoch} (target {total}) · batch {batch} of {batches} · lr {lr}") if past else \
            N_("Epoch {epoch} of {total} · batch {batch} of {batches} · lr {lr}")
        text = _(template, epoch=run.epochs_done + 1, total=run.target_epochs, batch=into, batches=per_epoch, lr=lr)
    elif past:  # never "205 of 10 epochs"
        text = _("{done} epochs (target {total}) · lr {lr}", done=run.epochs_done, total=run.target_epochs, lr=lr)
    else:  # before Play too ("0 of 50 epochs"): the caption's line is there from the start, so Play moves nothing
        text = ngettext("{done} of {total} epoch · lr {lr}", "{done} of {total} epochs · lr {lr}", run.target_epochs,
                        done=run.epochs_done, total=run.target_epochs, lr=lr)
    where.progress(fraction, text=text)


def history_charts(page: str, run: TrainingRun, log_y: bool = False, slots: list | None = None) -> None:
    """Loss (and accuracy when there is one) with pinned runs overlaid; pins are named by what
    differs from the current run. While an epoch runs, its batch losses extend the loss curve.
    ``slots``: one or two placeholders to redraw in place (a chart replaced in place is
    updated by the browser, not rebuilt); by default new columns."""
    current = run.label
    names = [pin_name(p["label"], current, i + 1) for i, p in enumerate(pins(page))]
    frames = [charts.long_history(p["history"], ["loss", "train_loss", "val_loss"], name)
              for p, name in zip(pins(page), names, strict=True)]
    frames.append(charts.long_history(run.frame(), ["loss", "train_loss", "val_loss"], charts.current_run()))
    if run.batch_losses and _slow_epochs(run):
        batches = pd.DataFrame(run.batch_losses, columns=["epoch", "value"])
        frames.append(batches.assign(series=_("batch loss"), run=charts.current_run()))
    loss_df = pd.concat(frames, ignore_index=True)
    acc_frames = [charts.long_history(p["history"], ["accuracy", "val_accuracy"], name)
                  for p, name in zip(pins(page), names, strict=True)]
    acc_frames.append(charts.long_history(run.frame(), ["accuracy", "val_accuracy"], charts.current_run()))
    acc_df = pd.concat(acc_frames, ignore_index=True)
    cols = slots or (st.columns(2) if not acc_df.empty else [st.container()])
    height = LOSS_HEIGHT[lecture_mode()]
    # the legends' room: a half-width chart at 1280 px, or the whole column; their type: lecture mode's or not
    legend = {"legend_room": charts.LEGEND_ROOM * (1 if len(cols) > 1 else 2),
              "legend_px": charts.LECTURE_LEGEND_PX if lecture_mode() else charts.LEGEND_PX}
    untouched = loss_df.empty and acc_df.empty  # "Press Play": the same chart for every visitor (ui.memo)
    cut = [name for name in names if charts.fit_label(name, legend["legend_room"], legend["legend_px"]) != name]
    where = cols[0].container() if cut else cols[0]  # the pins' whole names under the chart
    common.show_chart(where, memo.shared(untouched, charts.curves_chart, loss_df, _("Loss"), _("loss"),
                                         log_y=log_y, height=height, **legend), width="stretch")
    if cut:
        where.caption(" · ".join(names))
    if not acc_df.empty and len(cols) > 1:
        common.show_chart(cols[1], charts.curves_chart(acc_df, _("Accuracy"), _("accuracy"), height=height,
                                                       **legend), width="stretch")


def _slow_epochs(run: TrainingRun) -> bool:
    """An epoch takes longer than a redraw: worth showing its batches as they come."""
    if len(run.history) >= 1:
        return run.history[-1]["seconds"] / len(run.history) > FRAME
    return run.last_step is not None and run.last_step["seconds"] > FRAME / 4


def _pending_click(baseline: list) -> bool:
    """A rerun request that a user made (a widget inside the fragment, or anywhere on the page) is
    waiting: end the run so it is served. The fragment's own timer sends the same widget
    states over and over (``is_auto_rerun``); anything else is a click. (A request to rerun the
    whole page would also preempt the run at its next Streamlit call, but the loop makes those
    calls only every ``PROGRESS_EVERY`` seconds.)"""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType

        requests = get_script_run_ctx().script_requests
        if requests._state != ScriptRequestType.RERUN:
            return False
        data = requests._rerun_data
        states = data.widget_states.SerializeToString(deterministic=True) if data.widget_states else b""
    except Exception:  # noqa: BLE001 - a Streamlit internal; without it, clicks wait for the loop's end
        return False
    if not data.is_auto_rerun:
        return True
    if not baseline:
        baseline.append(states)
        return False
    return states != baseline[0]


def _in_fragment_run() -> bool:
    """True while only the fragment re-runs (its timer), False in a run of the whole page."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        return bool(get_script_run_ctx().fragment_ids_this_run)
    except Exception:  # noqa: BLE001
        return False


def _train_slice(run: TrainingRun, quota: tuple[str, int], budget: float, done_in_frame: list,
                 give_up: Callable[[], bool] = lambda: False) -> None:
    """Train up to ``budget`` seconds, never past the frame's quota (``done_in_frame`` counts
    the epochs or steps trained since the last redraw), once one of the server's training slots
    is free (``ui.load.training_slot``; ``give_up()`` says a click waits, and ends the wait)."""
    _note_label(run)
    unit, amount = quota
    left = max(amount - done_in_frame[0], 0)
    if not left:
        return
    budget = load.budget_for_this_tick(budget)  # this session's fair share of the cores
    with load.training_slot(give_up) as granted:
        if not granted:
            return
        if unit == "steps":
            before = run.optimizer.steps
            run.advance(max_steps=left, budget=budget)
            done_in_frame[0] += run.optimizer.steps - before
        else:
            done_in_frame[0] += run.advance(max_epochs=left, budget=budget)


def panel(page: str, run: TrainingRun, *, epochs: int, lr: float,
          draw: Callable[[TrainingRun], None] | None = None, budget: float = SLICE,
          per_tick: int | None = None, log_y: bool = False,
          draw_live: Callable[[TrainingRun], None] | None = None) -> None:
    """Controls + a live area (metrics, progress, charts) that grows while training runs.

    ``draw(run)`` adds the page's own live pictures below the curves (redrawn about every
    ``LOOP`` seconds while playing). ``per_tick`` is the "auto" speed: epochs per redraw,
    so that a fast run still visibly grows. ``log_y`` draws the loss on a log axis. ``draw_live(run)``
    adds a picture that is redrawn with the metrics and curves (every frame while playing), between the
    curves and ``draw``'s pictures: the one the room watches (the playground's decision boundary)."""
    run.target_epochs = epochs
    run.optimizer.lr = lr
    if run.playing and run.done:
        run.playing = False
    quota = controls(page, run, per_tick or 1)
    budget = min(budget, SLICE)
    # a control changed while playing (learning rate, epochs, speed): this run shows it at once and
    # trains nothing; the fragment's timer goes on training with it TICK seconds later
    settings = (lr, epochs, quota)
    control_changed = run.extra.get("_controls", settings) != settings
    run.extra["_controls"] = settings

    @st.fragment(run_every=TICK if run.playing else None)
    def live():
        common.guarded(body)  # a fragment re-runs on its own: it needs its own guard

    def body():
        if run.playing and _in_fragment_run():
            loop()
            return
        was_playing = run.playing
        if run.playing and not control_changed:  # the click on Play: one slice first, so the curve moves at once
            _train_slice(run, quota, budget, [0], functools.partial(_pending_click, []))
        load.show_saturation_notice()  # after the slice: this session counts as training
        slots = _slots()
        light(slots)
        heavy(slots)
        if was_playing and not run.playing:
            st.rerun()  # training finished in this slice: redraw the buttons, stop the timer

    def _slots() -> dict:
        """Placeholders for one run of the fragment, each redrawn in place."""
        has_accuracy = shown_metrics(run).get("accuracy") is not None or any(
            h.get("accuracy") is not None for h in run.history[-1:])
        slots = {"metrics": [c.empty() for c in st.columns(5)], "progress": st.empty(), "error": st.empty()}
        slots["charts"] = [c.empty() for c in (st.columns(2) if has_accuracy else [st.container()])]
        slots["live"] = st.empty()
        slots["pictures"] = st.container()
        return slots

    def light(slots: dict) -> float:
        t0 = time.perf_counter()
        metrics(run, slots["metrics"])
        progress(run, slots["progress"])
        if run.error:
            slots["error"].error(run_error_text(run.error))
        history_charts(page, run, log_y=log_y, slots=slots["charts"])
        if draw_live is not None:
            with slots["live"].container():
                draw_live(run)
        return time.perf_counter() - t0

    def heavy(slots: dict) -> float:
        t0 = time.perf_counter()
        if draw is not None:
            with slots["pictures"]:
                draw(run)
        return time.perf_counter() - t0

    def loop():
        """One fragment run while playing: draw everything, then train slice by slice,
        redrawing the light things every frame, until the loop's time is up (the next run
        redraws the pictures), the run ends, or a click waits."""
        start = time.perf_counter()
        load.show_saturation_notice()
        slots = _slots()
        light_cost = light(slots)
        heavy_cost = heavy(slots)
        crowd = min(load.crowding(), MAX_CROWD_SLOWDOWN)  # sessions per core: draw that much less often
        loop_len = max(LOOP * crowd, heavy_cost / HEAVY_SHARE)
        frame = max(FRAME * crowd, light_cost / LIGHT_SHARE)
        last_draw, done_in_frame, epochs_at_draw, baseline = time.perf_counter(), [0], run.epochs_done, []
        shown_epoch = run.epochs_done
        last_progress = last_draw
        while run.playing and not run.done and time.perf_counter() - start < loop_len:
            # the pace is the speed's amount per FRAME; when a redraw costs more than a FRAME's
            # share, several FRAMEs' worth is trained between two redraws rather than waiting
            grant = quota[1] * (1 + int((time.perf_counter() - last_draw) / FRAME))
            _train_slice(run, (quota[0], grant), budget, done_in_frame, lambda: _pending_click(baseline))
            now = time.perf_counter()
            since = now - last_draw
            quota_met = done_in_frame[0] >= quota[1] * (1 + int(since / FRAME))
            if since >= frame and (done_in_frame[0] >= quota[1] or run.epochs_done != epochs_at_draw) or \
                    since >= max(frame, BATCH_FRAME) and run.batch_losses:
                crowd = min(load.crowding(), MAX_CROWD_SLOWDOWN)
                frame = max(FRAME * crowd, light(slots) / LIGHT_SHARE)
                last_draw, done_in_frame[0], epochs_at_draw = time.perf_counter(), 0, run.epochs_done
                shown_epoch = run.epochs_done
                last_progress = last_draw
            else:
                if now - last_progress >= PROGRESS_EVERY * crowd:  # a Streamlit call: a page rerun preempts here
                    if run.epochs_done != shown_epoch:  # the Epoch counter keeps pace with the bar (the
                        epoch_metric(run, slots["metrics"][0])  # other metrics and the curves: next frame)
                        shown_epoch = run.epochs_done
                    progress(run, slots["progress"])
                    last_progress = now
                if quota_met:  # this FRAME's training is done: wait for the next one (still yielding)
                    time.sleep(min(0.05, FRAME - since % FRAME))
            if _pending_click(baseline):  # any click (a page rerun too) ends this run: it is served next
                break
        if not run.playing or run.done:
            st.rerun()  # finished: redraw the buttons and the page below, stop the timer

    live()


def run_error_text(error: str) -> str:
    """A run's stored error (nnlib's English message after a fixed prefix) as the page shows it:
    a translated explanation followed by the original."""
    for prefix, template in RUN_ERRORS.items():
        if error.startswith(prefix):
            return _(template, error=error[len(prefix):])
    return error


# -- save / load ---------------------------------------------------------------------------

def model_bytes(run: TrainingRun, meta: dict) -> bytes:
    buf = io.BytesIO()
    nnlib.save(run.model, buf, meta=meta)
    return buf.getvalue()


def save_load(page: str, run: TrainingRun, meta: dict, accept: Callable[[dict], str | None] | None = None) -> None:
    """Download the trained model (+ a NumPy-only inference snippet); upload one back.
    ``accept(saved_meta)`` may refuse an upload with a reason (e.g. another feature map)."""
    with st.expander(_("Save or load the model"), icon=":material/save:"):
        c1, c2 = st.columns(2)
        trained_for = run.epochs_done + run.extra.get("loaded_epochs", 0)
        c1.download_button(_("Download model (.npz)"), model_bytes(run, {"page": page, "epochs": trained_for, **meta}),
                           file_name=f"nnlib-{page}.npz", mime="application/octet-stream",
                           key=f"{page}_download", disabled=not run.trained)
        c2.download_button(_("Download inference snippet (.py)"), nnlib.io.INFERENCE_SNIPPET,
                           file_name="predict.py", mime="text/x-python", key=f"{page}_snippet")
        upload = st.file_uploader(_("Load a model saved from this page"), type=["npz"], key=f"{page}_upload")
        if upload is not None and st.session_state.get(f"{page}_loaded") != upload.file_id:
            st.session_state[f"{page}_loaded"] = upload.file_id
            run.extra["load_msg"] = load_into(page, run, upload.getvalue(), upload.name, accept)
            st.rerun()  # redraw the whole page (metrics, pictures above) from the loaded weights
        if run.extra.get("load_msg"):  # kept with the run: a fresh run (Reset, new settings) drops it
            ok, text = run.extra["load_msg"]
            (st.success if ok else st.error)(text)


def load_into(page: str, run: TrainingRun, data: bytes, name: str,
              accept: Callable[[dict], str | None] | None = None) -> tuple[bool, str]:
    """Validate an uploaded model and copy its weights into ``run``. Returns (ok, message).

    The file's architecture is read first (``nnlib.io.read_config``, no weights) and compared
    with the page's model, so a file that does not fit costs nothing more than its bytes; the
    message names each difference (``ui.model_diff``). A model that differs only in precision is
    converted (float32 ↔ float64) and the message says so. ``accept(saved_meta)`` may refuse the
    file with a reason (e.g. another feature map). The file name and anything read from the file
    are shown as plain text (``ui.safe_text.plain``); ``run.extra["loaded"]`` keeps the name in
    that form."""
    shown = plain(name, 60)
    if len(data) > MAX_UPLOAD_MB * 2**20:
        return False, _("{name} is {size} MB; the limit is {limit} MB.", name=shown,
                        size=f"{len(data) / 2**20:.0f}", limit=MAX_UPLOAD_MB)
    try:
        config, meta = nnlib.io.read_config(io.BytesIO(data), name="the file")
    except ValueError as err:
        return False, _("Could not load {name}: {why}", name=shown, why=plain(err, 300))
    if meta.get("page") not in (None, page):
        return False, _("{name} was saved from the “{other}” page, not this one.", name=shown,
                        other=lessons.title_of(meta.get("page")))
    refusal = accept(meta) if accept is not None else None
    if refusal:
        return False, _("{name}: {reason}", name=shown, reason=refusal)
    found = model_diff.differences(config, run.model.config())
    if found and not model_diff.only_precision(found):
        return False, _("{name} does not fit this page's model: {differences}. Set the controls to match, "
                        "then load it again.", name=shown, differences="; ".join(d.text for d in found))
    try:
        model = nnlib.load(io.BytesIO(data), name="the file")  # nnlib's messages stay English; the page explains
    except ValueError as err:
        return False, _("Could not load {name}: {why}", name=shown, why=plain(err, 300))
    for key, p in run.model.params().items():
        p[...] = model.params()[key]  # converts float64 <-> float32 when only the precision differs
    run.extra["loaded"] = shown
    epochs = meta.get("epochs")
    run.extra["loaded_epochs"] = epochs if isinstance(epochs, int) and epochs >= 0 else 0
    run.history.clear()
    run.steps.clear()
    run.error, run._gen, run.playing = None, None, False
    run.extra["loaded_metrics"] = run.evaluate()  # the metrics row shows the loaded weights at once
    if found:
        saved, here = found[0].file, found[0].page
        return True, _("Loaded {name}: {model}, saved in {saved} and converted to this page's {here}. "
                       "Press Play to train on from these weights.",
                       name=shown, model=describe(run.model), saved=plain(saved), here=plain(here))
    return True, _("Loaded {name}: {model}. Press Play to train on from these weights.",
                   name=shown, model=describe(model))


def describe(model: nnlib.Sequential) -> str:
    """E.g. "a 784-100-200-10 network (ReLU, Softmax; float32, with biases)" (Markdown-safe)."""
    config = model.config()
    return _("a {sizes} network ({activations}; {precision}, {biases})", sizes=model_diff.sizes(config),
             activations=model_diff.activations(config), precision=model_diff.precision(config),
             biases=model_diff.biases(config))
