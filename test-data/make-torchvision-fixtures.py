#!/usr/bin/python3
"""Makes test-data/torchvision/: outputs of TorchVision 0.14 (PIL backend) for the deterministic
ops Kinglet implements in OpenCV, on two images of test-data/folder-mini. Kinglet's
TorchVisionParityTest compares against them.

    /usr/bin/python3 test-data/make-torchvision-fixtures.py   (needs python3-torchvision)

The PIL-decoded input is kept too ({k}-input.u8), so ops are compared on identical pixels.
Each output is raw bytes: uint8 HWC for image ops, float32 little-endian CHW for normalize;
manifest.json lists input, op, parameters, file, dtype and shape.
"""
import json
import os

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "torchvision")
INPUTS = ["folder-mini/bag/00035.jpg", "folder-mini/ankle-boot/00015.png"]
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = []
    for k, rel in enumerate(INPUTS):
        img = Image.open(os.path.join(HERE, rel))
        img = img.convert("RGB" if img.mode not in ("L",) else "L")
        raw = np.asarray(img, dtype=np.uint8)
        raw = raw[:, :, None] if raw.ndim == 2 else raw
        raw.tofile(os.path.join(OUT, f"{k}-input.u8"))
        manifest.append({"input": rel, "op": "decode", "params": {}, "file": f"{k}-input.u8", "dtype": "uint8", "shape": list(raw.shape)})
        ops = {
            "hflip": ({}, T.RandomHorizontalFlip(p=1.0)),
            "vflip": ({}, T.RandomVerticalFlip(p=1.0)),
            "centerCrop": ({"size": [20, 24]}, T.CenterCrop((20, 24))),
            "pad": ({"pixels": 3, "mode": "reflect"}, T.Pad(3, padding_mode="reflect")),
            "resizeDown": ({"size": [16, 20]}, T.Resize((16, 20), interpolation=T.InterpolationMode.BILINEAR)),
            "resizeUp": ({"size": [64, 72]}, T.Resize((64, 72), interpolation=T.InterpolationMode.BILINEAR)),
        }
        for name, (params, op) in ops.items():
            out = np.asarray(op(img), dtype=np.uint8)
            if out.ndim == 2:
                out = out[:, :, None]
            file = f"{k}-{name}.u8"
            out.tofile(os.path.join(OUT, file))
            manifest.append({"input": rel, "op": name, "params": params, "file": file, "dtype": "uint8", "shape": list(out.shape)})
        mean, std = (MEAN, STD) if img.mode == "RGB" else ([0.5], [0.25])
        t = T.Normalize(mean, std)(T.ToTensor()(img)).numpy().astype("<f4")
        file = f"{k}-normalize.f32"
        t.tofile(os.path.join(OUT, file))
        manifest.append({"input": rel, "op": "normalize", "params": {"mean": mean, "std": std}, "file": file,
                         "dtype": "float32", "shape": list(t.shape)})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"torchvision": __import__("torchvision").__version__, "fixtures": manifest}, f, indent=1)
    print("wrote", len(manifest), "fixtures to", OUT)


if __name__ == "__main__":
    main()
