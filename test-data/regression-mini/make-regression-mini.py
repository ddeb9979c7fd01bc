#!/usr/bin/python3
"""Makes test-data/regression-mini/: 240 Fashion-MNIST test images (from the committed subset in
test-data/fashion-mnist), each shifted sideways by a seeded random 0..6 pixels so that the
items are not all centred, saved as PNG, and manifest.csv with two targets computed from the
saved pixels themselves:

  brightness  mean pixel value / 255                      (unchanged by a flip)
  asymmetry   (mean of the left half - mean of the right half) / 255 * 4
              (negated exactly by a horizontal flip: the halves trade places)

The factor 4 only brings asymmetry to about the scale of brightness. Run from the repository
root: /usr/bin/python3 test-data/regression-mini/make-regression-mini.py
"""
import gzip
import os
import random

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "fashion-mnist", "t10k-images-idx3-ubyte.gz")
COUNT, SHIFT, SEED = 240, 6, 4

with gzip.open(SRC, "rb") as f:
    raw = f.read()
n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows, cols)

rng = random.Random(SEED)
picked = sorted(rng.sample(range(n), COUNT))
os.makedirs(os.path.join(HERE, "images"), exist_ok=True)
lines = ["path,brightness,asymmetry"]
for k, i in enumerate(picked):
    dx = rng.randint(-SHIFT, SHIFT)
    img = np.zeros_like(images[i])
    if dx >= 0:
        img[:, dx:] = images[i][:, :cols - dx]
    else:
        img[:, :dx] = images[i][:, -dx:]
    name = "images/%04d.png" % i
    Image.fromarray(img, mode="L").save(os.path.join(HERE, name), optimize=True)
    px = img.astype(np.float64) / 255
    brightness = px.mean()
    asymmetry = (px[:, :cols // 2].mean() - px[:, cols - cols // 2:].mean()) * 4
    lines.append("%s,%.6f,%.6f" % (name, brightness, asymmetry))
with open(os.path.join(HERE, "manifest.csv"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote %d images and manifest.csv" % COUNT)
