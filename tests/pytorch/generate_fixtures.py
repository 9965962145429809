#!/usr/bin/env python3
"""Generate the PyTorch reference fixtures that the tinymlp C++ tests compare against.

Usage:
    /usr/bin/python3 tests/pytorch/generate_fixtures.py [--out DIR]   # default: tests/fixtures
    /usr/bin/python3 tests/pytorch/generate_fixtures.py --check DIR   # regenerate and compare

File format (little-endian), one file per fixture, <name>.bin:
    8 bytes magic "TMLPFIX1", u32 record_count, then per record:
    u32 name_length, name bytes (ASCII, no NUL), u32 dtype (0 = float32, 1 = int32),
    u32 ndim, u32 dims[ndim], raw data (row-major).

The short fixtures (<name>.bin: outputs, gradients, 3 optimizer steps) are computed in float64 from
float32-representable weights and inputs and stored as float32. The long runs (long_<name>.bin: 50+
optimizer steps over a cycle of batches) are computed in float32, as a user trains in PyTorch, because
a float64 run drifts away from any float32 one over that many steps. Parameter vectors follow the
tinymlp layout: per Dense layer the weights transposed to [In][Out] then the bias; per PReLU its
slope(s).

Exit codes: 0 success (and, with --check, every record matches), 1 mismatch or error,
77 when torch is not importable (lets a calling test report "skipped").
"""
import argparse
import copy
import os
import struct
import sys
import tempfile

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as error:  # pragma: no cover - depends on the machine
    print("generate_fixtures: PyTorch/numpy not available (%s)" % error)
    sys.exit(77)

MAGIC = b"TMLPFIX1"
DTYPE_F32 = 0
DTYPE_I32 = 1
STEPS = 3

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(SCRIPT_DIR, "..", "fixtures"))


# --------------------------------------------------------------------------------------------
# Optimizer configurations
# --------------------------------------------------------------------------------------------
def sgd(lr, momentum=0.0, nesterov=False, wd=0.0, l1=0.0, clip=0.0):
    return dict(kind=0, lr=lr, momentum=momentum, nesterov=nesterov, beta1=0.0, beta2=0.0,
                eps=0.0, wd=wd, l1=l1, clip=clip)


def adam(lr, betas=(0.9, 0.999), eps=1e-8, wd=0.0, l1=0.0, clip=0.0):
    return dict(kind=1, lr=lr, momentum=0.0, nesterov=False, beta1=betas[0], beta2=betas[1],
                eps=eps, wd=wd, l1=l1, clip=clip)


def adamw(lr, betas=(0.9, 0.999), eps=1e-8, wd=0.0):
    return dict(adam(lr, betas, eps, wd), kind=2)


def opt_record(cfg):
    return np.array([cfg["kind"], cfg["lr"], cfg["momentum"], 1.0 if cfg["nesterov"] else 0.0,
                     cfg["beta1"], cfg["beta2"], cfg["eps"], cfg["wd"], cfg["l1"], cfg["clip"]],
                    dtype=np.float64)


def dense_weights(model):
    return [m.weight for m in model if isinstance(m, nn.Linear)]


def make_optimizer(model, cfg, decay_all=False):
    weights = dense_weights(model)
    weight_ids = {id(w) for w in weights}
    others = [p for p in model.parameters() if id(p) not in weight_ids]
    # Coupled L2 weight decay on Dense weights only (tinymlp's default), or with decay_all also on
    # biases and PReLU slopes (tinymlp's Regularization::decay_biases).
    groups = [{"params": weights, "weight_decay": cfg["wd"]}]
    if others:
        groups.append({"params": others, "weight_decay": cfg["wd"] if decay_all else 0.0})
    if cfg["kind"] == 0:
        return torch.optim.SGD(groups, lr=cfg["lr"], momentum=cfg["momentum"], dampening=0.0,
                               nesterov=cfg["nesterov"])
    adam_kind = torch.optim.Adam if cfg["kind"] == 1 else torch.optim.AdamW
    return adam_kind(groups, lr=cfg["lr"], betas=(cfg["beta1"], cfg["beta2"]), eps=cfg["eps"])


# --------------------------------------------------------------------------------------------
# Parameter flattening in tinymlp order
# --------------------------------------------------------------------------------------------
def ordered_params(model):
    """(tensor, transpose) pairs in tinymlp order."""
    out = []
    for m in model:
        if isinstance(m, nn.Linear):
            out.append((m.weight, True))   # torch [Out][In] -> tinymlp [In][Out]
            if m.bias is not None:
                out.append((m.bias, False))
        elif isinstance(m, nn.PReLU):
            out.append((m.weight, False))
        else:
            assert not list(m.parameters(recurse=False)), "unexpected parameters in %r" % m
    # Every parameter appears exactly once.
    assert len(out) == len(list(model.parameters()))
    return out


def param_order(model):
    """Index into model.parameters() of each entry of ordered_params(model)."""
    ids = [id(p) for p in model.parameters()]
    return [ids.index(id(p)) for p, _ in ordered_params(model)]


def flat(model, use_grad=False):
    parts = []
    for p, transpose in ordered_params(model):
        t = p.grad if use_grad else p
        t = t.detach()
        if transpose:
            t = t.t()
        parts.append(t.contiguous().reshape(-1))
    return torch.cat(parts).numpy().astype(np.float64)


# --------------------------------------------------------------------------------------------
# Fixture definitions
# --------------------------------------------------------------------------------------------
def ce_on_logits(model, x, y):
    """Cross-entropy on the logits: the input of a final Softmax layer, if the net has one."""
    has_softmax = isinstance(model[-1], nn.Softmax)
    logits = model[:-1](x) if has_softmax else model(x)
    return F.cross_entropy(logits, y)


def mse_on_output(model, x, y):
    return F.mse_loss(model(x), y)


def bce_logits(model, x, y):
    return F.binary_cross_entropy_with_logits(model(x), y)


def fixture_case_model():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid(), nn.Linear(3, 2), nn.ReLU(),
                          nn.Linear(2, 2), nn.Softmax(dim=1))
    nn.init.xavier_normal_(model[0].weight)
    nn.init.kaiming_normal_(model[2].weight, mode="fan_in", nonlinearity="relu")
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params == 26, n_params
    x = torch.randn(5, 3)
    y = torch.randint(0, 2, (5,))
    opts = {
        "sgd": sgd(0.1),
        "momentum": sgd(0.1, momentum=0.9),
        "nesterov": sgd(0.1, momentum=0.9, nesterov=True),
        "adam": adam(0.01),
        "sgd_wd": sgd(0.1, wd=0.1),
        "sgd_clip": sgd(0.1, clip=0.05),
    }
    return model, x, y, ce_on_logits, opts


def fixture_mlp_784_256_10():
    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    x = torch.rand(8, 784)
    y = torch.randint(0, 10, (8,))
    return model, x, y, ce_on_logits, {"sgd": sgd(0.1)}


def fixture_mlp_784_256_128_10():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    x = torch.rand(8, 784)
    y = torch.randint(0, 10, (8,))
    opts = {"adam_wd": adam(1e-3, wd=1e-4), "momentum": sgd(0.05, momentum=0.9)}
    return model, x, y, ce_on_logits, opts


def fixture_tanh_mse():
    torch.manual_seed(4)
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                          nn.Linear(16, 3))
    x = torch.randn(7, 6)
    y = torch.randn(7, 3)
    opts = {
        "sgd": sgd(0.05),
        "momentum": sgd(0.05, momentum=0.9),
        "nesterov": sgd(0.05, momentum=0.9, nesterov=True),
        "adam": adam(0.01),
        "sgd_wd": sgd(0.05, wd=0.01),
        "adam_wd": adam(0.01, wd=0.01),
        "sgd_l1": sgd(0.05, l1=0.001),
        "sgd_clip": sgd(0.05, clip=0.1),
    }
    return model, x, y, mse_on_output, opts


def fixture_prelu_bce():
    torch.manual_seed(5)
    model = nn.Sequential(nn.Linear(5, 12), nn.PReLU(num_parameters=1), nn.Linear(12, 8),
                          nn.PReLU(num_parameters=8), nn.Linear(8, 3))
    with torch.no_grad():
        for m in model:
            if isinstance(m, nn.PReLU):
                m.weight.add_(0.1 * torch.randn(m.weight.shape))
    x = torch.randn(6, 5)
    y = torch.randint(0, 2, (6, 3)).float()
    opts = {
        "momentum": sgd(0.05, momentum=0.9),
        "nesterov": sgd(0.05, momentum=0.9, nesterov=True),
        "adam": adam(0.01),
    }
    return model, x, y, bce_logits, opts


def fixture_dropout_eval():
    torch.manual_seed(6)
    model = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Dropout(0.5), nn.Linear(20, 4))
    x = torch.randn(9, 10)
    y = torch.randint(0, 4, (9,))
    return model, x, y, ce_on_logits, {"sgd": sgd(0.1), "adam": adam(0.01)}


def fixture_mixed_activations():
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(4, 9), nn.LeakyReLU(0.1), nn.Linear(9, 9, bias=False),
                          nn.Sigmoid(), nn.Linear(9, 5), nn.Softmax(dim=1))
    x = torch.randn(3, 4)
    labels = torch.randint(0, 5, (3,))
    y = F.one_hot(labels, 5).float()
    return model, x, y, mse_on_output, {"sgd": sgd(0.5), "adam": adam(0.01)}


# Long runs: (name, builder); a builder returns model, x, y, loss_fn, optimizer cfg, decay_all,
# batch size and step count. x and y hold BATCHES batches, used in turn.
BATCHES = 4


def long_adam_prelu_leaky_tanh():
    torch.manual_seed(11)
    model = nn.Sequential(nn.Linear(16, 32), nn.PReLU(num_parameters=32), nn.Linear(32, 32),
                          nn.LeakyReLU(0.2), nn.Linear(32, 4), nn.Tanh())
    x = torch.randn(BATCHES * 8, 16)
    y = 0.8 * torch.tanh(torch.randn(BATCHES * 8, 4))
    return model, x, y, mse_on_output, adam(0.01, wd=0.01), False, 8, 50


def long_adam_relu_cross_entropy_decay_all():
    torch.manual_seed(12)
    model = nn.Sequential(nn.Linear(20, 24), nn.ReLU(), nn.Linear(24, 24), nn.ReLU(), nn.Linear(24, 10))
    x = torch.randn(BATCHES * 16, 20)
    y = torch.randint(0, 10, (BATCHES * 16,))
    return model, x, y, ce_on_logits, adam(0.005, wd=0.001), True, 16, 60


def long_adam_sigmoid_bce():
    torch.manual_seed(13)
    model = nn.Sequential(nn.Linear(12, 16), nn.Sigmoid(), nn.Linear(16, 16), nn.Sigmoid(),
                          nn.Linear(16, 3))
    x = torch.randn(BATCHES * 8, 12)
    y = torch.randint(0, 2, (BATCHES * 8, 3)).float()
    return model, x, y, bce_logits, adam(0.02, betas=(0.8, 0.99), eps=1e-6), False, 8, 50


def long_nesterov_tanh_decay_all():
    torch.manual_seed(14)
    model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
    x = torch.randn(BATCHES * 8, 8)
    y = torch.randn(BATCHES * 8, 2)
    return model, x, y, mse_on_output, sgd(0.03, momentum=0.9, nesterov=True, wd=0.01), True, 8, 50


def long_adamw_relu_cross_entropy():
    torch.manual_seed(15)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 10))
    x = torch.randn(BATCHES * 8, 20)
    y = torch.randint(0, 10, (BATCHES * 8,))
    return model, x, y, ce_on_logits, adamw(0.01, wd=0.05), False, 8, 50


def long_adamw_tanh_mse_decay_all():
    torch.manual_seed(16)
    model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 4))
    x = torch.randn(BATCHES * 8, 8)
    y = torch.randn(BATCHES * 8, 4)
    return model, x, y, mse_on_output, adamw(0.005, wd=0.1), True, 8, 50


# Runs with frozen parameters (requires_grad=False): the builder's ninth value lists
# (module index, "all" | "weight"), "weight" freezing a Linear's weight and leaving its bias to train.
def long_frozen_first_adam_relu_cross_entropy():
    torch.manual_seed(17)
    model = nn.Sequential(nn.Linear(20, 24), nn.ReLU(), nn.Linear(24, 24), nn.ReLU(), nn.Linear(24, 10))
    x = torch.randn(BATCHES * 8, 20)
    y = torch.randint(0, 10, (BATCHES * 8,))
    return model, x, y, ce_on_logits, adam(0.01, wd=0.01), False, 8, 60, [(0, "all")]


def long_bias_only_nesterov_tanh_mse_decay_all():
    torch.manual_seed(18)
    model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
    x = torch.randn(BATCHES * 8, 8)
    y = torch.randn(BATCHES * 8, 2)
    return (model, x, y, mse_on_output, sgd(0.03, momentum=0.9, nesterov=True, wd=0.01), True, 8, 50,
            [(0, "all"), (2, "weight")])


def long_frozen_middle_adam_sigmoid_bce():
    torch.manual_seed(19)
    model = nn.Sequential(nn.Linear(12, 16), nn.Sigmoid(), nn.Linear(16, 16), nn.Sigmoid(), nn.Linear(16, 3))
    x = torch.randn(BATCHES * 8, 12)
    y = torch.randint(0, 2, (BATCHES * 8, 3)).float()
    return model, x, y, bce_logits, adam(0.02), False, 8, 50, [(2, "all")]


def long_frozen_dense_adamw_prelu_decay_all():
    torch.manual_seed(20)
    model = nn.Sequential(nn.Linear(16, 32), nn.PReLU(num_parameters=32), nn.Linear(32, 4))
    x = torch.randn(BATCHES * 8, 16)
    y = 0.5 * torch.randn(BATCHES * 8, 4)
    return model, x, y, mse_on_output, adamw(0.01, wd=0.05), True, 8, 50, [(0, "all")]


def long_last_layer_sgd_relu_cross_entropy_batch_1():
    torch.manual_seed(21)
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 8))
    x = torch.randn(BATCHES, 32)
    y = torch.randint(0, 8, (BATCHES,))
    return model, x, y, ce_on_logits, sgd(0.05), False, 1, 60, [(0, "all"), (2, "all")]


LONG_RUNS = [
    ("long_frozen_first_adam_relu_cross_entropy", long_frozen_first_adam_relu_cross_entropy),
    ("long_bias_only_nesterov_tanh_mse_decay_all", long_bias_only_nesterov_tanh_mse_decay_all),
    ("long_frozen_middle_adam_sigmoid_bce", long_frozen_middle_adam_sigmoid_bce),
    ("long_frozen_dense_adamw_prelu_decay_all", long_frozen_dense_adamw_prelu_decay_all),
    ("long_last_layer_sgd_relu_cross_entropy_batch_1", long_last_layer_sgd_relu_cross_entropy_batch_1),
    ("long_adam_prelu_leaky_tanh", long_adam_prelu_leaky_tanh),
    ("long_adam_relu_cross_entropy_decay_all", long_adam_relu_cross_entropy_decay_all),
    ("long_adam_sigmoid_bce", long_adam_sigmoid_bce),
    ("long_nesterov_tanh_decay_all", long_nesterov_tanh_decay_all),
    ("long_adamw_relu_cross_entropy", long_adamw_relu_cross_entropy),
    ("long_adamw_tanh_mse_decay_all", long_adamw_tanh_mse_decay_all),
]


FIXTURES = [
    ("case_model", fixture_case_model),
    ("mlp_784_256_10", fixture_mlp_784_256_10),
    ("mlp_784_256_128_10", fixture_mlp_784_256_128_10),
    ("tanh_mse", fixture_tanh_mse),
    ("prelu_bce", fixture_prelu_bce),
    ("dropout_eval", fixture_dropout_eval),
    ("mixed_activations", fixture_mixed_activations),
]


# --------------------------------------------------------------------------------------------
# Computation
# --------------------------------------------------------------------------------------------
def l1_term(model, l1):
    if l1 <= 0.0:
        return None
    return l1 * sum(w.abs().sum() for w in dense_weights(model))


def build_records(builder):
    model, x, y, loss_fn, opts = builder()
    # Everything created above is float32; compute in float64 from those exact values.
    model = model.double()
    model.eval()  # dropout is the identity throughout
    x = x.double()
    is_labels = y.dtype == torch.int64
    if not is_labels:
        y = y.double()

    records = [("params", flat(model)), ("x", x.numpy())]
    if is_labels:
        records.append(("labels", y.numpy().astype(np.int32)))
    else:
        records.append(("targets", y.numpy()))

    with torch.no_grad():
        output = model(x)
    records.append(("output", output.numpy()))

    model.zero_grad(set_to_none=False)
    loss = loss_fn(model, x, y)
    loss.backward()
    records.append(("loss", np.array([loss.item()])))
    records.append(("grads", flat(model, use_grad=True)))

    for name, cfg in opts.items():
        net = copy.deepcopy(model)
        net.eval()
        optimizer = make_optimizer(net, cfg)
        losses = []
        for _ in range(STEPS):
            optimizer.zero_grad(set_to_none=False)
            loss = loss_fn(net, x, y)
            penalty = l1_term(net, cfg["l1"])
            if penalty is not None:
                loss = loss + penalty
            losses.append(loss.item())
            loss.backward()
            if cfg["clip"] > 0.0:
                torch.nn.utils.clip_grad_norm_(net.parameters(), cfg["clip"])
            optimizer.step()
        records.append(("opt_" + name, opt_record(cfg)))
        records.append(("after_" + name, flat(net)))
        records.append(("losses_" + name, np.array(losses)))
    return records


def build_long_run(builder):
    """float32 training as a user runs it: cfg's optimizer over `steps` steps, batch k % BATCHES."""
    model, x, y, loss_fn, cfg, decay_all, batch, steps, *frozen = builder()
    model.eval()
    for index, what in (frozen[0] if frozen else []):
        module = model[index]
        for name, parameter in module.named_parameters():
            if what == "all" or name == what:
                parameter.requires_grad_(False)
    is_labels = y.dtype == torch.int64
    records = [("params", flat(model)), ("x", x.numpy())]
    if frozen:
        # 1 where a parameter trains, in tinymlp order
        mask = [torch.full_like(p, 1.0 if p.requires_grad else 0.0) for p in model.parameters()]
        for p, m in zip(model.parameters(), mask):
            p.grad = None
        trains = torch.cat([(m.t() if t else m).contiguous().reshape(-1)
                            for (p, t), m in zip(ordered_params(model), [mask[i] for i in param_order(model)])])
        records.append(("trains", trains.numpy().astype(np.int32)))
    records.append(("labels", y.numpy().astype(np.int32)) if is_labels else ("targets", y.numpy()))
    # kind (0 SGD, 1 Adam, 2 AdamW), lr, momentum, nesterov, beta1, beta2, eps, wd, l1, clip, then decay_all, batch, steps
    config = np.concatenate([opt_record(cfg), [1.0 if decay_all else 0.0, batch, steps]])
    records.append(("config", config))
    optimizer = make_optimizer(model, cfg, decay_all)
    losses = []
    for step in range(steps):
        rows = slice((step % BATCHES) * batch, (step % BATCHES + 1) * batch)
        optimizer.zero_grad(set_to_none=False)
        loss = loss_fn(model, x[rows], y[rows])
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    records.append(("losses", np.array(losses)))
    records.append(("after", flat(model)))
    return records


# TFLite's choice of a tensor's scale and zero point, shared with the exporter
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from pytorch_interop import choose_tensor_quantization  # noqa: E402


def build_quantized_mlp():
    """Post-training quantization of a 20-32-16-5 ReLU MLP as TFLite's converter does it (per-tensor
    int8 activations, per-channel symmetric int8 weights, int32 bias), and the int8 outputs that
    PyTorch's own quantized modules (torch.nn.intrinsic.quantized.LinearReLU / torch.nn.quantized.Linear,
    QNNPACK engine) compute with those parameters: the C++ side checks its quantization against the
    parameters and its integer inference against PyTorch's outputs, in LSB."""
    torch.manual_seed(31)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 5))
    calibration = torch.randn(200, 20)
    x = torch.randn(100, 20)
    linears = [model[0], model[2], model[4]]
    relu = [True, True, False]
    with torch.no_grad():  # float32 activations, as the C++ calibration sees them
        tensors = [calibration]
        h = calibration
        for lin, r in zip(linears, relu):
            h = lin(h)
            if r:
                h = torch.relu(h)
            tensors.append(h)
    params = [choose_tensor_quantization(float(t.min()), float(t.max())) for t in tensors]
    records = [("params", flat(model)), ("calibration", calibration.numpy()), ("x", x.numpy())]
    records.append(("tensor_scales", np.array([p[0] for p in params])))
    records.append(("tensor_zero_points", np.array([p[1] for p in params], dtype=np.int32)))
    # QNNPACK, not oneDNN: on CPUs without VNNI oneDNN multiplies with AVX2's vpmaddubsw, whose
    # int16 sums of pairs saturate, so its outputs depend on the CPU; QNNPACK's x86 kernels
    # accumulate in int32 on every CPU
    torch.backends.quantized.engine = "qnnpack"
    import torch.nn.quantized as nnq
    import torch.nn.intrinsic.quantized as nniq
    q = torch.quantize_per_tensor(x, params[0][0], params[0][1] + 128, torch.quint8)
    for k, (lin, r) in enumerate(zip(linears, relu)):
        w = lin.weight.detach()
        largest = w.abs().max(dim=1).values.double()
        wscale = torch.where(largest > 0, (largest / 127).float().double(), torch.ones_like(largest))
        wq = torch.clamp(torch.round(w.double() / wscale[:, None]), -127, 127)
        in_scale = np.float64(np.float32(params[k][0]))
        bias = torch.round(lin.bias.detach().double() / (in_scale * wscale))
        records.append(("weight_scales_%d" % k, wscale.numpy()))
        records.append(("weights_%d" % k, wq.numpy().astype(np.int32)))
        records.append(("bias_%d" % k, bias.numpy().astype(np.int32)))
        qweight = torch._make_per_channel_quantized_tensor(wq.to(torch.int8), wscale, torch.zeros(w.shape[0], dtype=torch.long), 0)
        module = (nniq.LinearReLU if r else nnq.Linear)(lin.in_features, lin.out_features, dtype=torch.qint8)
        module.set_weight_bias(qweight, lin.bias.detach().float())
        module.scale, module.zero_point = params[k + 1][0], params[k + 1][1] + 128
        q = module(q)
    records.append(("torch_output", (q.int_repr().numpy().astype(np.int32) - 128)))
    with torch.no_grad():
        records.append(("float_output", model(x).numpy()))
    return records


def build_schedules():
    """Learning rates of torch.optim.lr_scheduler over 120 steps from a base of 0.1, each as a
    float32 pair (hi, lo) with hi + lo equal to the double to about 1e-14."""
    from torch.optim import lr_scheduler
    makers = {
        "step": lambda o: lr_scheduler.StepLR(o, step_size=7, gamma=0.5),
        "exponential": lambda o: lr_scheduler.ExponentialLR(o, gamma=0.97),
        "cosine": lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=40, eta_min=0.01),
        "linear": lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=10),
    }
    records = []
    for name, make in makers.items():
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        scheduler = make(optimizer)
        rates = []
        for _ in range(120):
            rates.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        rates = np.array(rates, dtype=np.float64)
        hi = rates.astype(np.float32)
        lo = (rates - hi.astype(np.float64)).astype(np.float32)
        records.append(("rates_" + name, np.stack([hi, lo], axis=1)))
    return records


# --------------------------------------------------------------------------------------------
# File I/O
# --------------------------------------------------------------------------------------------
def write_fixture(path, records):
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<I", len(records)))
        for name, array in records:
            array = np.asarray(array)
            if array.dtype.kind == "f":
                dtype, data = DTYPE_F32, array.astype("<f4")
            elif array.dtype.kind in "iu":
                dtype, data = DTYPE_I32, array.astype("<i4")
            else:
                raise TypeError("unsupported dtype %s for %s" % (array.dtype, name))
            assert 1 <= data.ndim <= 4, (name, data.shape)
            encoded = name.encode("ascii")
            f.write(struct.pack("<I", len(encoded)))
            f.write(encoded)
            f.write(struct.pack("<II", dtype, data.ndim))
            f.write(struct.pack("<%dI" % data.ndim, *data.shape))
            f.write(np.ascontiguousarray(data).tobytes())


def read_fixture(path):
    """Returns an ordered list of (name, dtype, dims, numpy array)."""
    with open(path, "rb") as f:
        blob = f.read()
    if blob[:8] != MAGIC:
        raise ValueError("%s: bad magic" % path)
    pos = 8

    def take(n):
        nonlocal pos
        if pos + n > len(blob):
            raise ValueError("%s: truncated" % path)
        chunk = blob[pos:pos + n]
        pos += n
        return chunk

    (count,) = struct.unpack("<I", take(4))
    records = []
    for _ in range(count):
        (name_len,) = struct.unpack("<I", take(4))
        name = take(name_len).decode("ascii")
        dtype, ndim = struct.unpack("<II", take(8))
        dims = struct.unpack("<%dI" % ndim, take(4 * ndim))
        n = int(np.prod(dims)) if ndim else 1
        np_dtype = "<f4" if dtype == DTYPE_F32 else "<i4"
        data = np.frombuffer(take(4 * n), dtype=np_dtype).reshape(dims)
        records.append((name, dtype, tuple(dims), data))
    if pos != len(blob):
        raise ValueError("%s: %d trailing bytes" % (path, len(blob) - pos))
    return records


def generate(out_dir, quiet=False):
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name, build in [(n, lambda b=b: build_records(b)) for n, b in FIXTURES] + \
                       [(n, lambda b=b: build_long_run(b)) for n, b in LONG_RUNS] + \
                       [("schedules", build_schedules), ("quantized_mlp", build_quantized_mlp)]:
        path = os.path.join(out_dir, name + ".bin")
        write_fixture(path, build())
        written.append(path)
        if not quiet:
            print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))
    return written


def compare_files(expected_path, actual_path, relative=1e-6, absolute=1e-7):
    """Returns (ok, max_abs_diff, messages). expected = freshly generated."""
    messages = []
    try:
        expected = read_fixture(expected_path)
        actual = read_fixture(actual_path)
    except (OSError, ValueError) as error:
        return False, float("nan"), [str(error)]
    ok = True
    max_diff = 0.0
    exp_names = [r[0] for r in expected]
    act_names = [r[0] for r in actual]
    if exp_names != act_names:
        ok = False
        messages.append("record names differ: expected %s, got %s" % (exp_names, act_names))
    act_by_name = {r[0]: r for r in actual}
    for name, dtype, dims, data in expected:
        if name not in act_by_name:
            continue
        _, a_dtype, a_dims, a_data = act_by_name[name]
        if a_dtype != dtype or a_dims != dims:
            ok = False
            messages.append("%s: dtype/dims differ: expected %d %s, got %d %s"
                            % (name, dtype, dims, a_dtype, a_dims))
            continue
        if dtype == DTYPE_I32:
            if not np.array_equal(data, a_data):
                ok = False
                messages.append("%s: int32 values differ" % name)
            if data.size:
                max_diff = max(max_diff, float(np.max(np.abs(data.astype(np.int64) -
                                                             a_data.astype(np.int64)))))
            continue
        e = data.astype(np.float64)
        a = a_data.astype(np.float64)
        diff = np.abs(e - a)
        both_nan = np.isnan(e) & np.isnan(a)
        diff = np.where(both_nan, 0.0, diff)
        tolerance = np.maximum(relative * np.maximum(np.abs(e), np.abs(a)), absolute)
        bad = ~(diff <= tolerance)  # NaN in diff counts as bad
        if diff.size:
            max_diff = max(max_diff, float(np.nanmax(diff)) if not np.all(np.isnan(diff))
                           else float("nan"))
        if np.any(bad):
            ok = False
            index = int(np.argmax(bad.reshape(-1)))
            messages.append("%s: %d value(s) out of tolerance, first at flat index %d: "
                            "expected %.9g, got %.9g" % (name, int(bad.sum()), index,
                                                         e.reshape(-1)[index],
                                                         a.reshape(-1)[index]))
    return ok, max_diff, messages


def check(dir_to_check):
    all_ok = True
    with tempfile.TemporaryDirectory(prefix="tinymlp_fixtures_") as tmp:
        generated = generate(tmp, quiet=True)
        for path in generated:
            base = os.path.basename(path)
            target = os.path.join(dir_to_check, base)
            if not os.path.exists(target):
                print("%-26s MISSING in %s" % (base, dir_to_check))
                all_ok = False
                continue
            # PyTorch's float kernels differ in their last bits from CPU to CPU (AVX-512 or
            # AVX2 reductions); over a long run Adam's division by sqrt(v) carries that to about
            # 1e-6 (8e-7 seen on an AVX2-only host against fixtures written with AVX-512). A
            # change of the generator itself moves these values by far more.
            long_run = base.startswith("long_")
            ok, max_diff, messages = compare_files(path, target, *((1e-5, 2e-6) if long_run else (1e-6, 1e-7)))
            print("%-26s %s  max |diff| %.3g" % (base, "ok      " if ok else "MISMATCH", max_diff))
            for message in messages:
                print("    " + message)
            all_ok = all_ok and ok
        known = {os.path.basename(p) for p in generated}
        for extra in sorted(os.listdir(dir_to_check)):
            if extra.endswith(".bin") and extra not in known:
                print("%-26s note: not produced by this generator (not checked)" % extra)
    print("all fixtures match" if all_ok else "fixtures DIFFER")
    return 0 if all_ok else 1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help="output directory (default: tests/fixtures next to this script)")
    parser.add_argument("--check", metavar="DIR",
                        help="regenerate into a temporary directory and compare with DIR")
    args = parser.parse_args(argv)
    if args.check:
        if not os.path.isdir(args.check):
            print("generate_fixtures: %s is not a directory" % args.check)
            return 1
        return check(args.check)
    generate(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
