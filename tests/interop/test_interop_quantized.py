#!/usr/bin/python3
"""Integer networks from PyTorch to tinymlp through tools/pytorch_interop.py.

Usage: /usr/bin/python3 tests/interop/test_interop_quantized.py DRIVER_EXE
       /usr/bin/python3 tests/interop/test_interop_quantized.py --skip REASON
DRIVER_EXE is interop_quantized (tests/interop/interop_quantized.cpp), built for make_model()'s
network.

For int8 and int16 activations:
  1. pytorch_interop quantizes the model (TFLite's rules) and writes the integer blob; tinymlp
     loads it and its integer outputs equal, byte for byte, pytorch_interop.integer_predict's
     (the same arithmetic written again in Python);
  2. the blob tinymlp saves again is the blob Python wrote, byte for byte;
  3. the header Python writes is the one tinymlp::export_header writes for the loaded network;
  4. (int8) PyTorch's own quantized modules (QNNPACK), given the same parameters, are at most 1
     LSB from those outputs;
  5. the command line writes the same blob and header, and refuses a model with no integer form.
Exit 0 pass, 1 fail, 77 skipped (no torch).
"""
import os
import subprocess
import sys
import tempfile

if len(sys.argv) == 3 and sys.argv[1] == "--skip":
    print("test_interop_quantized: skipped: %s" % sys.argv[2])
    sys.exit(77)

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError:
    print("test_interop_quantized: skipped: PyTorch/numpy not importable")
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "tools", "pytorch_interop.py")
sys.path.insert(0, os.path.dirname(TOOL))
import pytorch_interop as pi  # noqa: E402

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message)


def make_model():
    torch.manual_seed(7)
    return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 12), nn.ReLU(), nn.Dropout(0.1),
                         nn.Linear(12, 3), nn.Softmax(dim=1)).eval()


def torch_quantized_outputs(model, quantized, x):
    """PyTorch's quantized LinearReLU / Linear on QNNPACK with the same parameters (int8).

    Not oneDNN: on CPUs without VNNI its int8 kernels multiply with AVX2's vpmaddubsw, whose
    int16 sums of pairs saturate (here up to 26 LSB off), so its outputs depend on the CPU.
    QNNPACK's x86 kernels (SSE2) widen to int16 and accumulate in int32 on every CPU."""
    import torch.nn.quantized as nnq
    import torch.nn.intrinsic.quantized as nniq
    torch.backends.quantized.engine = "qnnpack"
    linears = [m for m in model if isinstance(m, nn.Linear)]
    relu = [True, True, False]
    scale, zp = quantized["input"]
    q = torch.quantize_per_tensor(torch.as_tensor(x, dtype=torch.float32), scale, zp + 128, torch.quint8)
    for k, (linear, r) in enumerate(zip(linears, relu)):
        w = linear.weight.detach()
        largest = w.abs().max(dim=1).values.double()
        wscale = torch.where(largest > 0, (largest / 127).float().double(), torch.ones_like(largest))
        wq = torch.as_tensor(quantized["layers"][k]["weights"]).to(torch.int8)
        qweight = torch._make_per_channel_quantized_tensor(wq, wscale, torch.zeros(w.shape[0], dtype=torch.long), 0)
        module = (nniq.LinearReLU if r else nnq.Linear)(linear.in_features, linear.out_features, dtype=torch.qint8)
        module.set_weight_bias(qweight, linear.bias.detach().float())
        module.scale, module.zero_point = quantized["layers"][k]["output"][0], quantized["layers"][k]["output"][1] + 128
        q = module(q)
    return q.int_repr().numpy().astype(np.int64) - 128


def main():
    driver = sys.argv[1]
    model = make_model()
    rng = np.random.default_rng(3)
    calibration = rng.standard_normal((256, 6)).astype(np.float32)
    x = rng.standard_normal((64, 6)).astype(np.float32) * 1.2
    with tempfile.TemporaryDirectory() as work:
        path = lambda name: os.path.join(work, name)  # noqa: E731
        for activation, dtype in (("int8", np.int8), ("int16", np.int16)):
            quantized = pi.export_quantized(model, calibration, path(activation + ".tmlp"), activation,
                                            path(activation + ".hpp"), "model")
            xq = pi.quantize_inputs(quantized, x)
            expected = pi.integer_predict(quantized, xq)
            xq.astype(dtype).tofile(path("x.bin"))
            subprocess.run([driver, "predict", activation, path(activation + ".tmlp"), path("x.bin"), path("y.bin")],
                           check=True)
            got = np.fromfile(path("y.bin"), dtype=dtype).reshape(expected.shape).astype(np.int64)
            differ = int(np.count_nonzero(got != expected))
            print("%s: %d of %d outputs differ from pytorch_interop.integer_predict" % (activation, differ, got.size))
            check(differ == 0, "%s outputs differ" % activation)
            subprocess.run([driver, "resave", activation, path(activation + ".tmlp"), path("again.tmlp")], check=True)
            with open(path(activation + ".tmlp"), "rb") as a, open(path("again.tmlp"), "rb") as b:
                check(a.read() == b.read(), "%s: tinymlp's save_blob differs from the blob Python wrote" % activation)
            subprocess.run([driver, "header", activation, path(activation + ".tmlp"), path("cpp.hpp")], check=True)
            with open(path(activation + ".hpp")) as a, open(path("cpp.hpp")) as b:
                check(a.read() == b.read(), "%s: the header differs from tinymlp::export_header's" % activation)
            if activation == "int8":
                reference = torch_quantized_outputs(model, quantized, x)
                worst = int(np.max(np.abs(reference - expected)))
                print("int8: PyTorch's quantized modules: largest difference %d LSB, %d of %d outputs differ"
                      % (worst, int(np.count_nonzero(reference != expected)), reference.size))
                check(worst <= 1, "int8: more than 1 LSB from PyTorch's quantized modules")
        # the command line: the same files, and a refusal before anything is written
        torch.save(model, path("model.pt"))
        np.save(path("calibration.npy"), calibration)
        subprocess.run([sys.executable, TOOL, "export", path("model.pt"), path("cli.tmlp"), "--quantize", "int8",
                        "--calibration", path("calibration.npy"), "--header", path("cli.hpp")], check=True)
        with open(path("cli.tmlp"), "rb") as a, open(path("int8.tmlp"), "rb") as b:
            check(a.read() == b.read(), "the command line's blob differs")
        with open(path("cli.hpp")) as a, open(path("int8.hpp")) as b:
            check(a.read() == b.read(), "the command line's header differs")
        torch.save(nn.Sequential(nn.Linear(6, 4), nn.Tanh(), nn.Linear(4, 2)), path("tanh.pt"))
        result = subprocess.run([sys.executable, TOOL, "export", path("tanh.pt"), path("no.tmlp"), "--quantize", "int8",
                                 "--calibration", path("calibration.npy")], capture_output=True, text=True)
        check(result.returncode == 1 and "no integer form" in result.stderr and not os.path.exists(path("no.tmlp")),
              "a Tanh model is refused before anything is written: %r" % result.stderr)
    if failures:
        print("test_interop_quantized: %d failure(s)" % len(failures))
        return 1
    print("test_interop_quantized: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
