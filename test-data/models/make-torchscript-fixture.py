#!/usr/bin/python3
"""Makes the TorchScript backbone fixture for Kinglet's TorchScriptNet tests (run with Debian's
python3-torch/python3-torchvision, /usr/bin/python3): TorchVision's resnet18 without its
classifier (fc = nn.Identity()), random weights (seed 0) and random batch-norm statistics,
scripted and saved with torch.jit.save as backbone.pt; a fixed input batch and the backbone's
eval-mode output as little-endian float32 files; shapes and the parameter count in manifest.json.

usage: make-torchscript-fixture.py OUT_DIR
"""
import json
import os
import sys

import torch
import torchvision

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
m = torchvision.models.resnet18()
full = sum(p.numel() for p in m.parameters())
m.fc = torch.nn.Identity()
with torch.no_grad():
    for mod in m.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            mod.running_mean.uniform_(-0.5, 0.5)
            mod.running_var.uniform_(0.5, 1.5)
            mod.weight.uniform_(0.5, 1.5)
            mod.bias.uniform_(-0.2, 0.2)
m.eval()
scripted = torch.jit.script(m)
scripted.save(os.path.join(out, "backbone.pt"))
x = torch.randn(2, 3, 64, 64)
with torch.no_grad():
    y = m(x)
x.numpy().astype("<f4").tofile(os.path.join(out, "input.f32"))
y.numpy().astype("<f4").tofile(os.path.join(out, "output.f32"))
with open(os.path.join(out, "not-torchscript.pt"), "wb") as f:
    torch.save(m.state_dict(), f)
manifest = {"torch": torch.__version__, "torchvision": torchvision.__version__,
            "input": list(x.shape), "output": list(y.shape),
            "parameters": sum(p.numel() for p in m.parameters()), "resnet18Parameters": full,
            "parameterTensors": len(list(m.parameters())), "stateKeys": len(m.state_dict())}
with open(os.path.join(out, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
