#!/usr/bin/python3
"""Makes test-data/weights/: small PyTorch weight files for Kinglet's StateDictTest, and checks
the files Kinglet writes. Never loads a file it did not make itself.

    /usr/bin/python3 test-data/weights/make-weights-fixtures.py          (needs python3-torch)
    /usr/bin/python3 test-data/weights/make-weights-fixtures.py check-module FILE
    /usr/bin/python3 test-data/weights/make-weights-fixtures.py check-tensors FILE

`check-module` loads FILE (.pth through torch.load, .safetensors by hand) into Net with
load_state_dict(strict=True) and compares it with module.pth; `check-tensors` compares FILE with
tensors.pth. Both print "ok N tensors" or the first difference, and exit non-zero on one.

Files: module.pth (torch.save of Net's OrderedDict state dict, pickle protocol 2),
module-protocol4.pth, module-deflated.pth (the same zip re-packed with deflate),
module.safetensors, checkpoint.pth ({"model", "optimizer", "epoch"}), tensors.pth (one tensor
per dtype, transposed, expanded, two views of one storage, 0-dim, empty), tensors.safetensors
(the contiguous ones), malicious.pth (a pickle that would call os.system), truncated.pth,
legacy.pth (_use_new_zipfile_serialization=False), bigendian.pth (byteorder "big"),
torchscript.pt; expected.json holds dtype, shape and values of module.pth and tensors.pth.
There is no safetensors package for Debian's Python: this script writes and reads that format
itself (8-byte little-endian header length, JSON header, data).
"""
import collections
import json
import os
import struct
import sys
import zipfile

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = "/tmp/kinglet-weights-PWNED"
SAFETENSORS_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
                      torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
                      torch.uint8: "U8", torch.bool: "BOOL"}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).mean((2, 3)))


class Evil:
    """What a hostile checkpoint looks like: unpickling it would run a shell command."""

    def __reduce__(self):
        return (os.system, ("touch " + MARKER,))


def trained_net():
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    loss = net(torch.randn(2, 3, 6, 6)).square().mean()  # train mode: BN statistics move, num_batches_tracked = 1
    loss.backward()
    opt.step()
    return net, opt


def all_tensors():
    t = collections.OrderedDict()
    t["float32"] = torch.tensor([[1.5, -2.25, 3.0], [0.0, 1e-3, -7.75]], dtype=torch.float32)
    t["float64"] = torch.tensor([1 / 3, -2.5e300, 5e-310], dtype=torch.float64)
    t["float16"] = torch.tensor([0.5, -1.25, 65504.0, 0.1], dtype=torch.float16)
    t["bfloat16"] = torch.tensor([1.0, -0.5, 3.14159, 1e20], dtype=torch.bfloat16)
    t["int64"] = torch.tensor([-2 ** 62, 0, 2 ** 40 + 1], dtype=torch.int64)
    t["int32"] = torch.tensor([-2 ** 31, 7, 2 ** 31 - 1], dtype=torch.int32)
    t["int16"] = torch.tensor([-32768, 1, 32767], dtype=torch.int16)
    t["int8"] = torch.tensor([-128, 0, 127], dtype=torch.int8)
    t["uint8"] = torch.tensor([0, 128, 255], dtype=torch.uint8)
    t["bool"] = torch.tensor([True, False, True])
    t["transposed"] = torch.arange(12, dtype=torch.float32).reshape(3, 4).t()  # strides (1, 4)
    t["expanded"] = torch.tensor([1.0, 2.0]).expand(3, 2)  # stride 0
    base = torch.arange(24, dtype=torch.float32)
    t["shared_a"] = base[2:8].view(2, 3)  # storage offset 2
    t["shared_b"] = base[10:22:3]  # same storage, offset 10, stride 3
    t["scalar"] = torch.tensor(42, dtype=torch.int64)  # 0-dim, like num_batches_tracked
    t["empty"] = torch.zeros(0, 3)
    return t


def describe(tensors):
    return {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                "values": v.flatten().tolist()} for k, v in tensors.items()}


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for k, v in tensors.items():
        raw = v.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        header[k] = {"dtype": SAFETENSORS_DTYPES[v.dtype], "shape": list(v.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read_safetensors(path):
    code = {v: k for k, v in SAFETENSORS_DTYPES.items()}
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n], object_pairs_hook=collections.OrderedDict)
    out = collections.OrderedDict()
    for k, h in header.items():
        if k == "__metadata__":
            continue
        b, e = h["data_offsets"]
        dtype = code[h["dtype"]]
        raw = bytearray(data[8 + n + b:8 + n + e])
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[k] = flat.reshape(h["shape"]).clone()
    return out


def repack(src, dst, compression, extra=None):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression) as zout:
        names = zin.namelist()
        for name in names:
            zout.writestr(name, zin.read(name))
        for name, data in (extra or {}).items():
            zout.writestr(names[0].split("/")[0] + "/" + name, data)


def make():
    out = lambda name: os.path.join(HERE, name)
    net, opt = trained_net()
    sd = net.state_dict()
    assert isinstance(sd, collections.OrderedDict)
    torch.save(sd, out("module.pth"))
    torch.save(sd, out("module-protocol4.pth"), pickle_protocol=4)
    repack(out("module.pth"), out("module-deflated.pth"), zipfile.ZIP_DEFLATED)
    repack(out("module.pth"), out("bigendian.pth"), zipfile.ZIP_STORED, {"byteorder": "big"})
    write_safetensors(out("module.safetensors"), sd, {"format": "pt"})
    torch.save({"model": sd, "optimizer": opt.state_dict(), "epoch": 3}, out("checkpoint.pth"))
    tensors = all_tensors()
    torch.save(tensors, out("tensors.pth"))
    write_safetensors(out("tensors.safetensors"),
                      collections.OrderedDict((k, v) for k, v in tensors.items() if v.is_contiguous()), {"made-by": "kinglet"})
    torch.save({"weight": torch.ones(2), "payload": Evil()}, out("malicious.pth"))  # pickled, never called
    with open(out("module.pth"), "rb") as f:
        whole = f.read()
    with open(out("truncated.pth"), "wb") as f:
        f.write(whole[:len(whole) // 2])
    torch.save(collections.OrderedDict(weight=torch.ones(2)), out("legacy.pth"), _use_new_zipfile_serialization=False)
    torch.jit.save(torch.jit.script(net), out("torchscript.pt"))
    with open(out("expected.json"), "w") as f:
        json.dump({"torch": torch.__version__, "marker": MARKER, "module": describe(sd), "tensors": describe(tensors)}, f, indent=1)
    print("wrote fixtures to", HERE)


def load(path):
    if path.endswith(".safetensors"):
        return read_safetensors(path)
    sd = torch.load(path)
    if not isinstance(sd, collections.OrderedDict):
        sys.exit(f"{path}: torch.load returned {type(sd).__name__}, expected OrderedDict")
    return sd


def compare(path, got, want):
    if list(got) != list(want):
        sys.exit(f"{path}: keys {list(got)} != {list(want)}")
    for k, w in want.items():
        g = got[k]
        if g.dtype != w.dtype or g.shape != w.shape or not torch.equal(g, w):
            sys.exit(f"{path}: {k} is {g.dtype} {list(g.shape)} {g.flatten().tolist()}, expected {w.dtype} {list(w.shape)} {w.flatten().tolist()}")
    print("ok", len(want), "tensors")


def main():
    if len(sys.argv) == 1:
        make()
    elif len(sys.argv) == 3 and sys.argv[1] == "check-module":
        got = load(sys.argv[2])
        Net().load_state_dict(got, strict=True)
        compare(sys.argv[2], got, torch.load(os.path.join(HERE, "module.pth")))
    elif len(sys.argv) == 3 and sys.argv[1] == "check-tensors":
        compare(sys.argv[2], load(sys.argv[2]), torch.load(os.path.join(HERE, "tensors.pth")))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
