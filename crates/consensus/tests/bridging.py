"""An independent fit of the Community Notes matrix-factorization model, to
check Cohort's (crates/consensus/src/bridging.rs) from outside.

Reads JSON on stdin: {"lambda_i", "lambda_f", "ratings": [[u, n, r], ...],
"mu", "participants": [[id, i, f], ...], "statements": [[id, i, f], ...]}.
Writes JSON: the loss and the largest gradient component at Cohort's
parameters (computed here with numpy, from the model's definition), and an
own fit by scipy's L-BFGS from a random start with its loss and statement
intercepts.
"""
import json
import sys

import numpy as np
from scipy.optimize import minimize

d = json.load(sys.stdin)
li, lf = d["lambda_i"], d["lambda_f"]
users = {p[0]: k for k, p in enumerate(d["participants"])}
notes = {s[0]: k for k, s in enumerate(d["statements"])}
U, N = len(users), len(notes)
ru = np.array([users[r[0]] for r in d["ratings"]])
rn = np.array([notes[r[1]] for r in d["ratings"]])
rv = np.array([r[2] for r in d["ratings"]], dtype=float)


def unpack(x):
    return x[0], x[1 : 1 + U], x[1 + U : 1 + 2 * U], x[1 + 2 * U : 1 + 2 * U + N], x[1 + 2 * U + N :]


def loss_grad(x):
    mu, iu, fu, inn, fn = unpack(x)
    e = mu + iu[ru] + inn[rn] + fu[ru] * fn[rn] - rv
    loss = (e * e).sum() + li * (mu * mu + (iu * iu).sum() + (inn * inn).sum()) + lf * ((fu * fu).sum() + (fn * fn).sum())
    g = np.zeros_like(x)
    g[0] = 2 * e.sum() + 2 * li * mu
    g_iu = np.bincount(ru, weights=2 * e, minlength=U) + 2 * li * iu
    g_fu = np.bincount(ru, weights=2 * e * fn[rn], minlength=U) + 2 * lf * fu
    g_in = np.bincount(rn, weights=2 * e, minlength=N) + 2 * li * inn
    g_fn = np.bincount(rn, weights=2 * e * fu[ru], minlength=N) + 2 * lf * fn
    g[1 : 1 + U], g[1 + U : 1 + 2 * U] = g_iu, g_fu
    g[1 + 2 * U : 1 + 2 * U + N], g[1 + 2 * U + N :] = g_in, g_fn
    return loss, g


theirs = np.concatenate(
    [
        [d["mu"]],
        [p[1] for p in d["participants"]],
        [p[2] for p in d["participants"]],
        [s[1] for s in d["statements"]],
        [s[2] for s in d["statements"]],
    ]
)
loss, g = loss_grad(theirs)

rng = np.random.default_rng(1)
start = np.concatenate([[0.0], np.zeros(U), rng.normal(0, 0.1, U), np.zeros(N), rng.normal(0, 0.1, N)])
own = minimize(loss_grad, start, jac=True, method="L-BFGS-B", options={"maxiter": 20000, "maxfun": 40000, "gtol": 1e-10, "ftol": 1e-15})
_, _, _, own_in, _ = unpack(own.x)
json.dump(
    {
        "loss": loss,
        "max_gradient": float(np.abs(g).max()),
        "own_loss": float(own.fun),
        "own_intercepts": {str(s[0]): float(own_in[notes[s[0]]]) for s in d["statements"]},
    },
    sys.stdout,
)
