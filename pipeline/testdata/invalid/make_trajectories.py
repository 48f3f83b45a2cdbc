"""Writes the trajectory files of the dataset fixtures here (numpy).

    /usr/bin/python3 make_trajectories.py
"""
import numpy as np

t = np.arange(10 * 16 * 3, dtype=np.float64).reshape(10, 16, 3)
ok = np.sin(0.37 * t) * (1 + t % 3)

np.save("traj_rank.npy", ok[0])                      # (16, 3): no trajectory axis
nan = ok.copy()
nan[3, 5, 1] = np.nan
np.save("traj_nan.npy", nan)
huge = ok.copy()
huge[2, 0, 2] = 1e39                                 # finite in float64, not in float32
np.save("traj_huge.npy", huge)
np.save("traj_short.npy", ok[:, :4].astype(np.float32))  # 4 states per trajectory
np.save("traj_ok.npy", ok.astype(np.float32))        # 10 trajectories of 16 states
