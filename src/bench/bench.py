#!/usr/bin/python3
"""The Python PyTorch side of src/bench/run.sh: the same small CNN, data and batch size as
dev.kinglet.bench.Bench. Prints one line per round: 'img/s <value>'."""
import argparse
import gzip
import os
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCnn(nn.Module):
    def __init__(self, classes=10, c1=32, c2=64, hidden=128, dropout=0.25, size=28):
        super().__init__()
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(c1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(c2)
        self.fc1 = nn.Linear(c2 * (size // 2) ** 2, hidden)
        self.fc2 = nn.Linear(hidden, classes)
        self.dropout = dropout

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.max_pool2d(x, 2, 2)
        x = F.relu(self.fc1(x.flatten(1)))
        x = F.dropout(x, self.dropout, self.training)
        return self.fc2(x)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "eval"])
    p.add_argument("--data", default="test-data/fashion-mnist")
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--batch", type=int, default=0)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    split = "train" if a.mode == "train" else "t10k"
    images = read_idx(f"{a.data}/{split}-images-idx3-ubyte.gz").float().div_(255).unsqueeze(1)
    labels = read_idx(f"{a.data}/{split}-labels-idx1-ubyte.gz").long()
    mean, std = images.mean(), images.std()
    images = (images - mean) / std
    model = SmallCnn()
    batch = a.batch or (64 if a.mode == "train" else 256)
    n = images.shape[0]
    if a.mode == "train":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        model.train()
        g = torch.Generator().manual_seed(42)

        def work():
            perm = torch.randperm(n, generator=g)
            done = 0
            for s in range(0, n - batch + 1, batch):
                idx = perm[s:s + batch]
                x, y = images[idx], labels[idx]
                opt.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                opt.step()
                loss.item()
                done += batch
            return done
    else:
        model.eval()

        def work():
            correct = 0
            with torch.inference_mode():
                for s in range(0, n, batch):
                    logits = model(images[s:s + batch])
                    correct += (logits.argmax(1) == labels[s:s + batch]).sum().item()
            return n

    work()  # warm-up
    for _ in range(a.rounds):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < a.seconds:
            done += work()
        print(f"img/s {done / (time.perf_counter() - start):.1f}", flush=True)


if __name__ == "__main__":
    main()
