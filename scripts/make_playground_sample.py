"""Write data/playground_sample.csv: a small synthetic table in the format the MLP
playground's CSV upload reads (a header row, numeric feature columns, a class column and a
numeric column to predict). Run: python scripts/make_playground_sample.py"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(2024)
fruits = {"apple": (7.5, 7.0), "lemon": (8.5, 5.5), "orange": (7.8, 7.8)}  # mean length, width in cm
rows = []
for fruit, (length, width) in fruits.items():
    n = 50
    le = rng.normal(length, 0.5, n)
    wi = rng.normal(width, 0.45, n)
    weight = 2.6 * le * wi + rng.normal(0, 6, n)  # grams, roughly an ellipsoid's volume
    rows.append(pd.DataFrame({"length_cm": le.round(2), "width_cm": wi.round(2), "weight_g": weight.round(1),
                              "fruit": fruit}))
table = pd.concat(rows, ignore_index=True).sample(frac=1, random_state=1).reset_index(drop=True)
out = Path(__file__).resolve().parents[1] / "data" / "playground_sample.csv"
table.to_csv(out, index=False)
print(f"wrote {len(table)} rows to {out}")
