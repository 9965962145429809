#!/usr/bin/python3
"""Trains the base network of transfer_learning.cpp on the host and writes it as a tinymlp header.

    make_base_model.py OUTPUT.hpp

A 64-32-10 ReLU MLP (PyTorch, float32, seeded) learns scikit-learn's digits, pixels scaled to
[0, 1], on the training split transfer_learning.cpp uses (the 5th, 10th, ... image of each digit
is held out). tools/pytorch_interop.py writes the header (namespace digits_base) exactly as
tinymlp::export_header would. The header is committed (examples/on_device/digits_base_model.hpp),
so that every build and every port starts from the same weights; run this again only to change
the base model.
"""
import os
import sys

import numpy as np
import torch
from torch import nn
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import pytorch_interop  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    torch.manual_seed(0)
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    labels = digits.target
    seen = [0] * 10
    train = []
    for i, label in enumerate(labels):
        if seen[label] % 5 != 4:
            train.append(i)
        seen[label] += 1
    xt = torch.tensor(x[train])
    yt = torch.tensor(labels[train], dtype=torch.int64)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    optimizer = torch.optim.Adam(model.parameters(), 1e-2)
    for _ in range(60):
        order = torch.randperm(len(yt))
        for first in range(0, len(yt), 32):
            batch = order[first:first + 32]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(xt[batch]), yt[batch]).backward()
            optimizer.step()
    with torch.no_grad():
        accuracy = (model(xt).argmax(1) == yt).float().mean().item()
    print("make_base_model.py: train accuracy %.4f" % accuracy)
    pytorch_interop.export_header(model, sys.argv[1], "digits_base")


if __name__ == "__main__":
    main()
