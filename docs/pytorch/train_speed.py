"""PyTorch's training throughput on one thread, for comparison with `dotnet run -c Release --project Benchmarks -- learning`.

Fashion-MNIST's first training images (10,000 for the MLP, 2,000 for the small CNN, 500 for the LEAF CNN), one epoch of
plain SGD, shuffled minibatches; prints samples per second of the epoch (best of three) and the test accuracy after it. Needs Debian's python3-torch and dataset-fashion-mnist:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 docs/pytorch/train_speed.py [mlp|small-cnn|leaf-cnn]
"""
import gzip
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

FOLDER = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(f"{FOLDER}/{name}", "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(count, rows * cols).astype(np.float32) / 255
    return np.frombuffer(data, np.uint8, offset=8).astype(np.int64)


def cnn(dense):
    """LEAF's FEMNIST network (dense 2048) or the small CNN (dense 128): same-padded 5x5 convolutions of 32 and 64."""
    return nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, dense), nn.ReLU(), nn.Linear(dense, 10))


NETWORKS = {
    # name: (network, batch, learning rate, images per epoch)
    "mlp": (lambda: nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)), 32, 0.1, 10000),
    "small-cnn": (lambda: cnn(128), 32, 0.05, 2000),
    "leaf-cnn": (lambda: cnn(2048), 10, 0.05, 500),
}


def main():
    torch.set_num_threads(1)
    name = sys.argv[1] if len(sys.argv) > 1 else "mlp"
    make, batch, lr, count = NETWORKS[name]
    x = torch.from_numpy(idx("train-images-idx3-ubyte.gz")[:count])
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz")[:count])
    best = 0.0
    for run in range(3):
        torch.manual_seed(run)
        model = make()
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        loss = nn.CrossEntropyLoss()
        order = torch.randperm(len(x))
        start = time.perf_counter()
        for first in range(0, len(x), batch):
            chosen = order[first:first + batch]
            optimizer.zero_grad()
            loss(model(x[chosen]), y[chosen]).backward()
            optimizer.step()
        best = max(best, len(x) / (time.perf_counter() - start))
    test_x = torch.from_numpy(idx("t10k-images-idx3-ubyte.gz"))
    test_y = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz"))
    with torch.no_grad():
        accuracy = (model(test_x).argmax(1) == test_y).float().mean().item()
    print(f"{name}: {best:,.0f} samples/s (best of 3 epochs of {count:,}, batch {batch}, one thread); test accuracy {accuracy:.1%}")


if __name__ == "__main__":
    main()
