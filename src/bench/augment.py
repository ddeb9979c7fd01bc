#!/usr/bin/python3
"""The TorchVision side of `src/bench/run.sh augment`, and the maker of its images.

    augment.py make DIR [N]    writes N RGB JPEGs of 320x256 (Fashion-MNIST items from
                               test-data, enlarged and tinted) in DIR/<class>/
    augment.py run DIR         RandomResizedCrop(224), flip, rotation 15, ColorJitter(0.4, 0.4,
                               0.4), ToTensor, Normalize, collate: a DataLoader with as many
                               workers as cores, batch 64, decoding every image every time
                               (PIL). Prints 'img/s <value>' per round.
"""
import gzip
import os
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def make(out, n):
    from PIL import Image
    root = os.path.join(HERE, "..", "..", "test-data", "fashion-mnist")
    with gzip.open(os.path.join(root, "train-images-idx3-ubyte.gz")) as f:
        data = f.read()
    with gzip.open(os.path.join(root, "train-labels-idx1-ubyte.gz")) as f:
        labels = f.read()[8:]
    pixels = data[16:]
    for i in range(n):
        img = Image.frombytes("L", (28, 28), pixels[i * 784:(i + 1) * 784]).resize((320, 256), Image.BICUBIC)
        tint = ((i * 37) % 200 + 55, (i * 91) % 200 + 55, (i * 53) % 200 + 55)
        rgb = Image.merge("RGB", [img.point(lambda v, t=t: v * t // 255) for t in tint])
        d = os.path.join(out, f"class{labels[i]}")
        os.makedirs(d, exist_ok=True)
        rgb.save(os.path.join(d, f"{i:04d}.jpg"), quality=90)


def run(root, rounds, seconds):
    import torch
    import torchvision.transforms as T
    from torchvision.datasets import ImageFolder
    torch.set_num_threads(1)
    tf = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.RandomRotation(15),
                    T.ColorJitter(0.4, 0.4, 0.4), T.ToTensor(),
                    T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    loader = torch.utils.data.DataLoader(ImageFolder(root, tf), batch_size=64, shuffle=True,
                                         num_workers=os.cpu_count(), persistent_workers=True)
    for _ in loader:  # warm-up: workers started
        break
    for _ in range(rounds):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for x, y in loader:
                done += x.shape[0]
                if time.perf_counter() - start >= seconds:
                    break
        print(f"img/s {done / (time.perf_counter() - start):.1f}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 512)
    else:
        run(sys.argv[2], 1, float(sys.argv[3]) if len(sys.argv) > 3 else 10)
