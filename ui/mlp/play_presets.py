"""The 2-D playground's defaults and its named experiments, each with a predict-then-run text."""

from __future__ import annotations

from ..i18n import N_
from ..presets import Preset

PLAY_DEFAULTS = {
    "g_problem": "classification", "g_source": "builtin", "g_data": "moons", "g_rdata": "sine", "g_classes": 2,
    "g_noise": 0.2, "g_n": 300, "g_test": 0.3,
    "g_fx1": True, "g_fx2": True, "g_fx1sq": False, "g_fx2sq": False, "g_fx1x2": False, "g_fsin1": False,
    "g_fsin2": False,
    "g_layers": 2, "g_w1": 8, "g_w2": 8, "g_w3": 8, "g_w4": 8, "g_w5": 8, "g_w6": 8,
    "g_act": "relu", "g_opt": "adam", "g_lr": 0.03, "g_batch": 32, "g_epochs": 200,
    "g_reg": "none", "g_reg_rate": 0.001, "g_drop": 0.0, "g_drop_each": False,
    "g_drop1": 0.0, "g_drop2": 0.0, "g_drop3": 0.0, "g_drop4": 0.0, "g_drop5": 0.0, "g_drop6": 0.0,
    "g_sched": "constant", "g_warm": 0, "g_step_every": 100, "g_step_gamma": 0.5, "g_egamma": 0.99,
}
D = PLAY_DEFAULTS
# Every preset sets the data, network and training controls it relies on (and resets the others),
# so that it describes its run whatever was set before.
BASE = {k: v for k, v in D.items()}

OVERFIT = {**BASE, "g_noise": 0.45, "g_n": 100, "g_test": 0.5, "g_layers": 3, "g_w1": 32, "g_w2": 32,
           "g_w3": 32, "g_lr": 0.01, "g_epochs": 1000}

PLAY_PRESETS = {
    "pg_moons": Preset(N_("Moons, a small ReLU net"), BASE,
                       N_("Predict: two layers of 8 ReLU units. How many epochs until the boundary bends between "
                          "the moons? Watch the thumbnails: each unit is a straight cut; the next layer combines "
                          "them.")),
    "pg_xor": Preset(N_("XOR with 2 hidden units"), {**BASE, "g_data": "xor", "g_layers": 1, "g_w1": 2,
                                                     "g_act": "tanh", "g_epochs": 300},
                     N_("Predict: XOR needs two straight cuts. Can 2 tanh units make them? Try the seed a few "
                        "times — then give the layer 4 units.")),
    "pg_spirals": Preset(N_("Spirals need depth"), {**BASE, "g_data": "spirals", "g_noise": 0.05, "g_n": 500,
                                                    "g_layers": 3, "g_w1": 16, "g_w2": 16, "g_w3": 16,
                                                    "g_act": "tanh", "g_lr": 0.01, "g_epochs": 500},
                         N_("Predict: three tanh layers of 16 units on two interleaved spirals. Will the boundary "
                            "follow the arms? Compare with 1 hidden layer of 16.")),
    "pg_overfit": Preset(N_("Overfitting with a tiny training set"), OVERFIT,
                         N_("Predict: 50 noisy training points, three layers of 32. The boundary will wrap around "
                            "single points (circles); the test points (triangles) won't follow. Watch the test "
                            "loss climb.")),
    "pg_l2": Preset(N_("L2 tames the overfitting preset"), {**OVERFIT, "g_reg": "l2", "g_reg_rate": 0.01},
                    N_("Predict: the overfitting preset again, with L2 weight decay λ = 0.01 pulling every weight "
                       "towards 0. Does the boundary still wrap single points? Pin this run, run the overfitting "
                       "preset, and compare the test-loss curves.")),
    "pg_dropout": Preset(N_("Dropout vs no dropout on noisy circles"), {
        **BASE, "g_data": "circles", "g_noise": 0.2, "g_n": 200, "g_test": 0.5, "g_layers": 2, "g_w1": 32,
        "g_w2": 32, "g_lr": 0.01, "g_epochs": 500, "g_drop": 0.3},
        N_("Predict: noisy circles, two layers of 32, dropout 0.3: each step trains a random thinned network. "
           "Pin the run, set the dropout rate to 0 and train again: which test loss ends lower, and which "
           "boundary is smoother?")),
    "pg_features": Preset(N_("Features instead of depth: circles with x₁² and x₂²"), {
        **BASE, "g_data": "circles", "g_noise": 0.1, "g_fx1": False, "g_fx2": False, "g_fx1sq": True,
        "g_fx2sq": True, "g_layers": 0, "g_lr": 0.1, "g_epochs": 100},
        N_("Predict: no hidden layer at all — a logistic regression — but it sees x₁² and x₂² instead of x₁ and "
           "x₂. A circle is x₁² + x₂² = r², a straight line in those features. Then switch the squares off and "
           "x₁, x₂ on: what can a straight line do with circles?")),
    "pg_spirals3": Preset(N_("Three spirals need softmax"), {
        **BASE, "g_data": "spirals", "g_classes": 3, "g_noise": 0.05, "g_n": 500, "g_test": 0.3, "g_layers": 3,
        "g_w1": 32, "g_w2": 32, "g_w3": 32, "g_act": "tanh", "g_lr": 0.01, "g_epochs": 300},
        N_("Predict: three spiral arms, three classes. A sigmoid gives one probability; a softmax output layer "
           "gives one per class, summing to 1. Each region takes its class's colour, paler where the network "
           "hesitates between two arms.")),
    "pg_sine": Preset(N_("Sine fit: how many ReLU units"), {
        **BASE, "g_problem": "regression", "g_rdata": "sine", "g_noise": 0.1, "g_n": 200, "g_layers": 1,
        "g_w1": 8, "g_act": "relu", "g_lr": 0.03, "g_epochs": 500},
        N_("Predict: a ReLU network's output is a broken line, one bend per unit at most. With 8 units, how "
           "smooth is the fitted sine? Pin it, then try 3 units and 32 units.")),
    "pg_schedule": Preset(N_("Warm-up + cosine vs constant learning rate"), {
        **BASE, "g_data": "spirals", "g_noise": 0.05, "g_n": 500, "g_layers": 3, "g_w1": 16, "g_w2": 16,
        "g_w3": 16, "g_act": "tanh", "g_lr": 0.1, "g_epochs": 300, "g_sched": "cosine", "g_warm": 20},
        N_("Predict: Adam with a large rate, 0.1, that climbs from 0.01 over 20 epochs of warm-up, then glides "
           "down a cosine to 0.001 (the rate is drawn under the loss). Pin the run, then set the schedule to "
           "constant with no warm-up: can the same network still learn the spirals at a constant 0.1?")),
}
