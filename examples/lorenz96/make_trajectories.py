"""Lorenz 1996 trajectories for sdapipe's dataset stage.

Writes an NPY of float64 trajectories (trajectory, time, variable) in
physical units: the 40-variable Lorenz 1996 system with forcing F = 8,
integrated by classical RK4 steps of dt = 0.05 from perturbed equilibria,
each step plus Gaussian noise of variance q = dt (a stochastic chain, as
the noisy Lorenz 1963 system of sdapipe's own study), recorded after a
burn-in onto the attractor.

    /usr/bin/python3 make_trajectories.py --out l96.npy
"""
import argparse

import numpy as np


def tendency(x, forcing):
    """dx_i/dt = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + F, indices mod the size."""
    return (np.roll(x, -1, -1) - np.roll(x, 2, -1)) * np.roll(x, 1, -1) - x + forcing


def rk4(x, dt, forcing):
    k1 = tendency(x, forcing)
    k2 = tendency(x + dt / 2 * k1, forcing)
    k3 = tendency(x + dt / 2 * k2, forcing)
    k4 = tendency(x + dt * k3, forcing)
    return x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


def trajectories(n, length, variables=40, forcing=8.0, dt=0.05, q=0.05, burn_in=500, seed=0):
    """n independent trajectories of length states, (n, length, variables)."""
    rng = np.random.default_rng(seed)
    x = forcing + rng.standard_normal((n, variables))

    def step(x):
        return rk4(x, dt, forcing) + np.sqrt(q) * rng.standard_normal(x.shape)

    for _ in range(burn_in):
        x = step(x)
    out = np.empty((n, length, variables))
    for t in range(length):
        x = step(x)
        out[:, t] = x
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="l96.npy")
    ap.add_argument("--trajectories", type=int, default=512)
    ap.add_argument("--length", type=int, default=256)
    ap.add_argument("--variables", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    np.save(a.out, trajectories(a.trajectories, a.length, a.variables, seed=a.seed))
