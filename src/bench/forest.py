#!/usr/bin/python3
"""The scikit-learn side of `src/bench/run.sh forest`: RandomForestClassifier(100, n_jobs=all
cores) on the training images' pixels / 255 of an IDX folder, scored on its test images, fitted
FITS times in this process with random_state 0, 1, ..., as dev.kinglet.bench.Bench forest does.
Prints 'cold <seconds of the first fit and predict>', 'seconds <median of the others>' and
'accuracy <median>'."""
import gzip
import os
import struct
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data[4 + 4 * dims:], dtype=np.uint8).reshape(shape)


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "test-data/fashion-mnist"
    fits = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    x = read_idx(f"{data}/train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y = read_idx(f"{data}/train-labels-idx1-ubyte.gz")
    xt = read_idx(f"{data}/t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    yt = read_idx(f"{data}/t10k-labels-idx1-ubyte.gz")
    seconds, accuracy = [], []
    for seed in range(fits):
        t0 = time.perf_counter()
        rf = RandomForestClassifier(n_estimators=100, n_jobs=os.cpu_count(), random_state=seed).fit(x, y)
        p = rf.predict_proba(xt)
        seconds.append(time.perf_counter() - t0)
        accuracy.append(np.mean(rf.classes_[p.argmax(1)] == yt))
    print(f"cold {seconds[0]:.3f}")
    print(f"seconds {np.median(seconds[1:] or seconds):.3f}")
    print(f"accuracy {np.median(accuracy):.4f}")


if __name__ == "__main__":
    main()
