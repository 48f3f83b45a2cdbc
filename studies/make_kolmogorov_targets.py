"""Make the observation files of the Kolmogorov study's two synthetic scenarios.

Run from this directory with Debian's python3-numpy:

    /usr/bin/python3 make_kolmogorov_targets.py [resolution]

Both files hold one observation set, shape (1, M), float32, in the velocity
units the study trains on (no standardisation):

  circle.npy  the "unlikely final state" of docs/method.md §4.3: the
              vorticity (as coded, grid-index units) of the last state,
              times the annulus mask {0.4 < X² + Y² < 0.6} on
              linspace(-1, 1) × linspace(-1, 1), should equal 0.6·64/R on
              the ring and 0 elsewhere: the reference's 0.6 is at 64×64,
              and on R×R fields the same physical vorticity reads 64/R
              times as large in grid-index units (1.2 for the study's 32×32).
  loop.npy    the periodic trajectory: x_1 − x_L = 0, all zeros, for the
              (2, R, R) difference of the first and last states.
"""
import sys

import numpy as np

r = int(sys.argv[1]) if len(sys.argv) > 1 else 32
x = np.linspace(-1, 1, r)
xx, yy = np.meshgrid(x, x, indexing="ij")  # X along axis -2, Y along axis -1
mask = ((xx**2 + yy**2) > 0.4) & ((xx**2 + yy**2) < 0.6)
target = 0.6 * 64 / r  # the reference's 0.6 at 64×64, in grid-index units
np.save("circle.npy", (target * mask.astype(np.float32)).reshape(1, r * r))
np.save("loop.npy", np.zeros((1, 2 * r * r), dtype=np.float32))
print(f"circle.npy: {mask.sum()} ring points of {r * r}; loop.npy: {2 * r * r} zeros")
