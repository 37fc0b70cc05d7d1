#!/usr/bin/env python3
"""Expected drift statistics for @mltel/quality, computed with numpy and scipy.

Writes datasets.json next to this script: for each dataset the reference and current samples
(fixed seed) and the values that packages/quality/src/stats/*.test.ts compare against:
  - bin edges: numpy.quantile (default "linear") of the reference at k/BINS, k = 0..BINS, unique;
  - bin counts: [underflow (< e0), numpy.histogram(x, edges)..., overflow (> e_last)], one inner
    bin [e0, e0] when there is a single edge;
  - PSI: sum (q' - p') ln(q'/p'), p' = max(p, 1e-4), q' = max(q, 1e-4) (numpy);
  - Jensen-Shannon distance: scipy.spatial.distance.jensenshannon(p, q, base=2);
  - Hellinger: sqrt(0.5 * sum (sqrt p - sqrt q)^2) (numpy);
  - KS: scipy.stats.ks_2samp(ref, cur).statistic;
  - Wasserstein: scipy.stats.wasserstein_distance(ref, cur).
The formulas must stay the same as in packages/quality/src/stats/binned.ts.

CI has no scipy, so datasets.json is checked in. To regenerate (Debian: apt-get install
python3-numpy python3-scipy; made with numpy 2.4.6, scipy 1.17.1):
    python3 packages/quality/test/expected/generate.py
"""
import json
import os

import numpy as np
import scipy
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp, wasserstein_distance

SEED = 20261122
BINS = 10
PSI_EPSILON = 1e-4


def edges_of(ref):
    return np.unique(np.quantile(ref, np.arange(BINS + 1) / BINS))


def counts_of(x, edges):
    x = np.asarray(x)
    under = int(np.sum(x < edges[0]))
    over = int(np.sum(x > edges[-1]))
    if len(edges) == 1:
        inner = [int(np.sum(x == edges[0]))]
    else:
        inner = [int(c) for c in np.histogram(x, bins=edges)[0]]
    return [under, *inner, over]


def binned(ref_counts, cur_counts):
    r = np.asarray(ref_counts, dtype=float)
    c = np.asarray(cur_counts, dtype=float)
    p = r / r.sum()
    q = c / c.sum()
    pp = np.maximum(p, PSI_EPSILON)
    qq = np.maximum(q, PSI_EPSILON)
    return {
        "psi": float(np.sum((qq - pp) * np.log(qq / pp))),
        "js": float(jensenshannon(p, q, base=2)),
        "hellinger": float(np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2))),
    }


def numeric(name, ref, cur):
    ref = np.round(np.asarray(ref, dtype=float), 6)
    cur = np.round(np.asarray(cur, dtype=float), 6)
    edges = edges_of(ref)
    rc = counts_of(ref, edges)
    cc = counts_of(cur, edges)
    expected = binned(rc, cc)
    expected["ks"] = float(ks_2samp(ref, cur).statistic)
    expected["wasserstein"] = float(wasserstein_distance(ref, cur))
    return {
        "name": name,
        "type": "numeric",
        "reference": ref.tolist(),
        "current": cur.tolist(),
        "edges": edges.tolist(),
        "referenceCounts": rc,
        "currentCounts": cc,
        "expected": expected,
    }


def categorical(name, ref, cur):
    values, counts = np.unique(ref, return_counts=True)
    # Most frequent first, ties by name: the order ProfileBuilder keeps.
    order = sorted(range(len(values)), key=lambda i: (-counts[i], str(values[i])))
    categories = [str(values[i]) for i in order]
    rc = [int(counts[i]) for i in order] + [0]
    index = {c: i for i, c in enumerate(categories)}
    cc = [0] * (len(categories) + 1)
    for v in cur:
        cc[index.get(str(v), len(categories))] += 1
    return {
        "name": name,
        "type": "categorical",
        "reference": [str(v) for v in ref],
        "current": [str(v) for v in cur],
        "categories": categories,
        "referenceCounts": rc,
        "currentCounts": cc,
        "expected": binned(rc, cc),
    }


def main():
    rng = np.random.default_rng(SEED)
    n_ref, n_cur = 5000, 3000
    base = rng.normal(0, 1, n_ref)
    datasets = [
        numeric("normal_mean_shift", base, rng.normal(0.5, 1, n_cur)),
        numeric("normal_variance_shift", base, rng.normal(0, 2, n_cur)),
        numeric("normal_no_shift", base, rng.normal(0, 1, n_cur)),
        numeric("heavy_tails", rng.standard_t(3, n_ref), rng.standard_cauchy(n_cur)),
        numeric("empty_bins", base, rng.normal(3, 0.05, n_cur)),
        numeric("single_value", np.full(2000, 5.0), np.where(rng.random(1000) < 0.8, 5.0, 6.0)),
        categorical(
            "categorical_new_category",
            rng.choice(["a", "b", "c"], n_ref, p=[0.5, 0.3, 0.2]),
            rng.choice(["a", "b", "c", "d"], n_cur, p=[0.4, 0.3, 0.1, 0.2]),
        ),
    ]
    out = {
        "generator": "packages/quality/test/expected/generate.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "seed": SEED,
        "bins": BINS,
        "psiEpsilon": PSI_EPSILON,
        "datasets": datasets,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "datasets.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
