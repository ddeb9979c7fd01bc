#!/usr/bin/python3
"""Regenerates Kinglet's test data from Debian's dataset-fashion-mnist package.

    apt-get install dataset-fashion-mnist && /usr/bin/python3 test-data/make-test-data.py

fashion-mnist/: the first 100 images of each class, in file order, of the official
training set and of the official test set, written in the original gzip IDX format.
The indices taken are written to fashion-mnist/indices-{train,test}.txt.

folder-mini/: a small image-folder data set (class sub-folders) made from a few of those
images: PNG and JPEG, grayscale and RGB, of mixed sizes, for folder-reading code.
Only the standard library and PIL (a dependency of python3-torchvision) are used.
"""
import gzip
import os
import struct
import sys

SRC = "/usr/share/datasets/fashion-mnist"
HERE = os.path.dirname(os.path.abspath(__file__))
PER_CLASS = 100
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def write_idx(path, magic, shape, payload):
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * len(shape), *shape)
    # mtime=0 keeps the file byte-identical across regenerations.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(header + payload)


def subset(split):
    (n, rows, cols), pixels = read_idx(f"{SRC}/{split}-images-idx3-ubyte.gz")
    (_,), labels = read_idx(f"{SRC}/{split}-labels-idx1-ubyte.gz")
    taken, counts = [], [0] * 10
    for i in range(n):
        if counts[labels[i]] < PER_CLASS:
            counts[labels[i]] += 1
            taken.append(i)
        if len(taken) == PER_CLASS * 10:
            break
    size = rows * cols
    images = b"".join(pixels[i * size:(i + 1) * size] for i in taken)
    out = os.path.join(HERE, "fashion-mnist")
    name = "train" if split == "train" else "t10k"
    write_idx(f"{out}/{name}-images-idx3-ubyte.gz", 0x803, (len(taken), rows, cols), images)
    write_idx(f"{out}/{name}-labels-idx1-ubyte.gz", 0x801, (len(taken),), bytes(labels[i] for i in taken))
    with open(f"{out}/indices-{'train' if split == 'train' else 'test'}.txt", "w") as f:
        f.write(f"# indices into {SRC}/{split}-*-ubyte.gz, first {PER_CLASS} per class in file order\n")
        f.write("\n".join(str(i) for i in taken) + "\n")
    return rows, cols, pixels, labels


def folder_mini(rows, cols, pixels, labels):
    from PIL import Image
    root = os.path.join(HERE, "folder-mini")
    wanted = {7: "sneaker", 8: "bag", 9: "ankle-boot"}
    seen = {k: 0 for k in wanted}
    size = rows * cols
    for i in range(len(labels)):
        c = labels[i]
        if c not in wanted or seen[c] >= 4:
            continue
        k = seen[c]
        seen[c] += 1
        img = Image.frombytes("L", (cols, rows), pixels[i * size:(i + 1) * size])
        side = (28, 40, 56, 33)[k]
        img = img.resize((side, side + (k % 2) * 7), Image.BILINEAR)
        folder = os.path.join(root, wanted[c])
        os.makedirs(folder, exist_ok=True)
        if k % 2 == 0:   # grayscale PNG
            img.save(f"{folder}/{i:05d}.png")
        else:            # RGB JPEG, tinted so the channels differ
            rgb = Image.merge("RGB", (img, img.point(lambda v: v * 3 // 4), img.point(lambda v: v // 2)))
            rgb.save(f"{folder}/{i:05d}.jpg", quality=90)


if __name__ == "__main__":
    if not os.path.isdir(SRC):
        sys.exit(f"{SRC} not found: apt-get install dataset-fashion-mnist")
    os.makedirs(os.path.join(HERE, "fashion-mnist"), exist_ok=True)
    subset("t10k")
    folder_mini(*subset("train"))
    print("test data written under", HERE)
