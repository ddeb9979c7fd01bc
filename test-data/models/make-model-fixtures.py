#!/usr/bin/python3
"""Makes TorchVision model fixtures for Kinglet's architecture parity tests (run with Debian's
python3-torch/python3-torchvision, /usr/bin/python3). Too large to commit (ResNet-50 is ~100 MB):
the tests run this script into target/ when the files are missing.

For each architecture: random weights (seed 0) with random batch-norm statistics, saved with a
default torch.save(model.state_dict()); a fixed input batch and the model's eval-mode output, as
little-endian float32 files, and their shapes in manifest.json.

usage: make-model-fixtures.py OUT_DIR
"""
import json
import os
import sys

import torch
import torchvision

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
models = {
    "resnet18": lambda: torchvision.models.resnet18(),
    "resnet34": lambda: torchvision.models.resnet34(),
    "resnet50": lambda: torchvision.models.resnet50(),
    "mobilenet_v2": lambda: torchvision.models.mobilenet_v2(),
    "mobilenet_v3_small": lambda: torchvision.models.mobilenet_v3_small(),
}
manifest = {"torch": torch.__version__, "torchvision": torchvision.__version__, "models": {}}
x = torch.randn(2, 3, 64, 64)
x.numpy().astype("<f4").tofile(os.path.join(out, "input.f32"))
manifest["input"] = list(x.shape)
for name, make in models.items():
    m = make()
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.5, 0.5)
                mod.running_var.uniform_(0.5, 1.5)
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
                mod.num_batches_tracked.fill_(7)
    m.eval()
    with torch.no_grad():
        y = m(x)
    torch.save(m.state_dict(), os.path.join(out, name + ".pth"))
    y.numpy().astype("<f4").tofile(os.path.join(out, name + "-output.f32"))
    manifest["models"][name] = {"output": list(y.shape),
                                "shapes": {k: list(v.shape) for k, v in m.state_dict().items()}}
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
