#!/usr/bin/python3
"""Move networks between PyTorch and tinymlp: weight blobs and C++ headers.

A torch.nn.Sequential made of the layers tinymlp has maps to one tinymlp network type:

    nn.Linear(In, Out[, bias=False])  Dense<In, Out> / Dense<In, Out, Bias::off>
    nn.ReLU                           ReLU
    nn.LeakyReLU(slope)               LeakyReLU<Num, Den>   (smallest Den <= 1000 giving the slope in float32)
    nn.PReLU(1) / nn.PReLU(N)         PReLU<Slopes::shared> / PReLU<Slopes::per_unit>
    nn.Sigmoid, nn.Tanh, nn.Identity  Sigmoid, Tanh, Identity
    nn.Softmax(dim=-1, 1 or None)     Softmax               (None: torch takes dim 1 of a [batch, features] input)
    nn.Dropout(p)                     Dropout<100 p>        (100 p must be an integer)

The first module must be an nn.Linear (a tinymlp network's first layer fixes the input size).
Parameters are laid out as in tinymlp: per Dense layer the weights TRANSPOSED to [In][Out]
(torch keeps [Out][In]), then the bias; per PReLU its slope(s).

As a module:
    spell(model) -> "Dense<6, 16>, PReLU<Slopes::per_unit>, ..."   signature(spelling) -> FNV-1a 64
    export_blob(model, path)   export_header(model, path, namespace)   load_blob(path, model)

As a command (/usr/bin/python3, which has torch):
    pytorch_interop.py export MODEL.pt OUT.tmlp [--header OUT.hpp [--namespace NAME]]
    pytorch_interop.py export MODEL.pt OUT.tmlp --quantize int8|int16 --calibration SAMPLES.npy [--header ...]
    pytorch_interop.py import IN.tmlp MODEL.pt OUT.pt
    pytorch_interop.py spell MODEL.pt
MODEL.pt is a torch.save'd nn.Sequential (the whole module, not a state_dict).

The blob format is the one of include/tinymlp/blob.hpp (documented at its top); the header is
byte for byte what tinymlp::export_header writes for the same float parameters. With --quantize,
the model is quantized as tinymlp::quantize() does it (quantize_model: TFLite's rules, min/max
ranges of the calibration samples) and written as the integer blob of quantized_blob.hpp and the
header of quantized_export.hpp; integer_predict() is the integer arithmetic in Python.
"""
import argparse
import math
import struct
import sys
import zlib

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError:  # pragma: no cover - depends on the machine
    np = None
    torch = None
    nn = None

MAGIC = b"TMLP"
BLOB_VERSION = 1
HEADER_BYTES = 40
CHECKSUM_BYTES = 4
BYTE_ORDER_LITTLE = 1
BYTE_ORDER_BIG = 2
# magic, version, byte order, scalar bytes, topology, parameter count, state count, steps,
# optimizer id, total bytes (the prefix "<" or ">" is added for the blob's byte order)
HEADER_FIELDS = "4sHBBQIIQII"
assert struct.calcsize("<" + HEADER_FIELDS) == HEADER_BYTES

MAX_LEAKY_DENOMINATOR = 1000

# Words a C++ namespace name cannot be.
CPP_KEYWORDS = frozenset("""
    alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t
    char32_t class compl concept const consteval constexpr constinit const_cast continue co_await
    co_return co_yield decltype default delete do double dynamic_cast else enum explicit export
    extern false float for friend goto if inline int long mutable namespace new noexcept not not_eq
    nullptr operator or or_eq private protected public register reinterpret_cast requires return
    short signed sizeof static static_assert static_cast struct switch template this thread_local
    throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t while
    xor xor_eq""".split())


class InteropError(ValueError):
    """A model tinymlp cannot represent, or a bad argument."""


class BlobError(ValueError):
    """A blob that load_blob refuses. `kind` is the name tinymlp's to_string(BlobStatus) gives the
    same fault ("truncated", "bad magic", "unsupported version", "wrong byte order",
    "wrong scalar type", "wrong topology", "wrong parameter count", "inconsistent size",
    "bad checksum")."""

    def __init__(self, kind, message):
        super().__init__("%s: %s" % (kind, message))
        self.kind = kind


def _require_torch():
    if torch is None:
        raise InteropError("PyTorch/numpy are not importable (run with /usr/bin/python3)")


# ------------------------------------------------------------------------------------------------
# Topology
# ------------------------------------------------------------------------------------------------
def leaky_relu_fraction(slope):
    """(Num, Den) with the smallest Den <= 1000 such that float32(Num) / float32(Den), computed
    in float32 as tinymlp does, equals float32(slope)."""
    target = np.float32(slope)
    if not np.isfinite(target):
        raise InteropError("LeakyReLU slope %r is not finite" % (slope,))
    for den in range(1, MAX_LEAKY_DENOMINATOR + 1):
        centre = int(round(float(target) * den))
        for num in (centre, centre - 1, centre + 1):
            if abs(num) > 2**31 - 1:
                continue
            if np.float32(num) / np.float32(den) == target:
                return num, den
    raise InteropError("LeakyReLU slope %r is no fraction Num/Den with Den <= %d in float32"
                       % (slope, MAX_LEAKY_DENOMINATOR))


def _layers(model):
    """[(spelling without prefix, spelling with "tinymlp::" prefix, module)] for every module,
    checking the sizes of adjacent layers."""
    _require_torch()
    if not isinstance(model, nn.Sequential):
        raise InteropError("expected a torch.nn.Sequential, got %s" % type(model).__name__)
    modules = list(model)
    if not modules:
        raise InteropError("the nn.Sequential is empty: a tinymlp network needs at least one layer")
    if not isinstance(modules[0], nn.Linear):
        raise InteropError("module 0 (%s) must be an nn.Linear: a tinymlp network's first layer fixes "
                           "the input size" % (modules[0],))
    width = modules[0].in_features
    out = []
    for index, module in enumerate(modules):
        where = "module %d (%s)" % (index, module)
        if isinstance(module, nn.Linear):
            if module.in_features != width:
                raise InteropError("%s takes %d inputs but the layer before gives %d"
                                   % (where, module.in_features, width))
            width = module.out_features
            if module.bias is not None:
                text = "{p}Dense<%d, %d>" % (module.in_features, module.out_features)
            else:
                text = "{p}Dense<%d, %d, {p}Bias::off>" % (module.in_features, module.out_features)
        elif isinstance(module, nn.PReLU):
            if module.num_parameters == 1:
                text = "{p}PReLU<{p}Slopes::shared>"
            elif module.num_parameters == width:
                text = "{p}PReLU<{p}Slopes::per_unit>"
            else:
                raise InteropError("%s has %d slopes for %d units (tinymlp: 1 shared or one per unit)"
                                   % (where, module.num_parameters, width))
        elif isinstance(module, nn.LeakyReLU):
            try:
                num, den = leaky_relu_fraction(module.negative_slope)
            except InteropError as error:
                raise InteropError("%s: %s" % (where, error)) from None
            text = "{p}LeakyReLU<%d, %d>" % (num, den)
        elif isinstance(module, nn.ReLU):
            text = "{p}ReLU"
        elif isinstance(module, nn.Sigmoid):
            text = "{p}Sigmoid"
        elif isinstance(module, nn.Tanh):
            text = "{p}Tanh"
        elif isinstance(module, nn.Identity):
            text = "{p}Identity"
        elif isinstance(module, nn.Softmax):
            # dim None: torch picks dim 1 for the 2-D [batch, features] input a Sequential of
            # Linear layers takes, which is tinymlp's Softmax.
            if module.dim not in (-1, 1, None):
                raise InteropError("%s: tinymlp's Softmax works over the features of each sample; "
                                   "dim must be -1, 1 or None, not %r" % (where, module.dim))
            text = "{p}Softmax"
        elif isinstance(module, nn.Dropout):
            if type(module) is not nn.Dropout:
                raise InteropError("%s is not supported: only plain nn.Dropout maps to tinymlp" % where)
            percent = module.p * 100.0
            rounded = int(round(percent))
            if abs(percent - rounded) > 1e-9 * max(1.0, abs(percent)) or not 0 <= rounded < 100:
                raise InteropError("%s: p * 100 must be an integer in [0, 100) for tinymlp's "
                                   "Dropout<Percent>, got %r" % (where, percent))
            text = "{p}Dropout<%d>" % rounded
        else:
            raise InteropError("%s is not supported: tinymlp has Linear, ReLU, LeakyReLU, PReLU, "
                               "Sigmoid, Tanh, Identity, Softmax and Dropout" % where)
        out.append((text.format(p=""), text.format(p="tinymlp::"), module))
    return out


def spell(model):
    """The tinymlp layer list of `model`, as Network::spell_layers writes it."""
    return ", ".join(plain for plain, _, _ in _layers(model))


def spell_qualified(model):
    """The layer list with every name qualified by "tinymlp::" (as in an exported header)."""
    return ", ".join(qualified for _, qualified, _ in _layers(model))


def signature(spelling):
    """FNV-1a 64 of the spelling (Network::topology_signature)."""
    value = 0xCBF29CE484222325
    for byte in spelling.encode("ascii"):
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def _parameter_slots(model):
    """[(tensor, transposed)] in tinymlp's parameter order."""
    slots = []
    for _, _, module in _layers(model):
        if isinstance(module, nn.Linear):
            slots.append((module.weight, True))
            if module.bias is not None:
                slots.append((module.bias, False))
        elif isinstance(module, nn.PReLU):
            slots.append((module.weight, False))
    return slots


def parameter_count(model):
    return sum(tensor.numel() for tensor, _ in _parameter_slots(model))


def flat_parameters(model):
    """Every parameter of `model` in tinymlp's layout, as a float32 numpy array."""
    pieces = []
    with torch.no_grad():
        for tensor, transposed in _parameter_slots(model):
            value = tensor.detach().cpu().to(torch.float32)
            if transposed:
                value = value.t()
            pieces.append(value.contiguous().numpy().reshape(-1))
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(pieces).astype(np.float32, copy=False)


def set_flat_parameters(model, values):
    """Copies `values` (tinymlp layout) into the parameters of `model`."""
    slots = _parameter_slots(model)
    expected = sum(tensor.numel() for tensor, _ in slots)
    values = np.asarray(values).reshape(-1)
    if values.size != expected:
        raise InteropError("%d values for a model of %d parameters" % (values.size, expected))
    at = 0
    with torch.no_grad():
        for tensor, transposed in slots:
            n = tensor.numel()
            piece = torch.from_numpy(np.array(values[at:at + n], copy=True))
            if transposed:
                piece = piece.reshape(tensor.shape[1], tensor.shape[0]).t()
            else:
                piece = piece.reshape(tensor.shape)
            tensor.copy_(piece.to(dtype=tensor.dtype, device=tensor.device))
            at += n


# ------------------------------------------------------------------------------------------------
# Blobs
# ------------------------------------------------------------------------------------------------
def blob_bytes(model):
    """The blob of `model` (float32, little endian, parameters only) as bytes."""
    params = flat_parameters(model).astype("<f4")
    count = params.size
    total = HEADER_BYTES + count * 4 + CHECKSUM_BYTES
    if total > 0xFFFFFFFF:
        raise InteropError("the model is too large for a blob (%d bytes)" % total)
    header = struct.pack("<" + HEADER_FIELDS, MAGIC, BLOB_VERSION, BYTE_ORDER_LITTLE, 4,
                         signature(spell(model)), count, 0, 0, 0, total)
    body = header + params.tobytes()
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)


def export_blob(model, path):
    """Writes the parameters of `model` as a tinymlp blob (what tinymlp::save_blob writes for the
    same network on a little-endian machine)."""
    data = blob_bytes(model)
    with open(path, "wb") as out:
        out.write(data)
    return len(data)


def read_blob_header(data):
    """The header fields of a blob as a dict (no checks beyond the magic and byte order)."""
    if len(data) < HEADER_BYTES + CHECKSUM_BYTES:
        raise BlobError("truncated", "%d bytes, less than the %d of an empty blob"
                        % (len(data), HEADER_BYTES + CHECKSUM_BYTES))
    if data[:4] != MAGIC:
        raise BlobError("bad magic", "the file starts with %r, not %r: not a tinymlp blob" % (data[:4], MAGIC))
    order = data[6]
    if order == BYTE_ORDER_LITTLE:
        prefix = "<"
    elif order == BYTE_ORDER_BIG:
        prefix = ">"
    else:
        raise BlobError("wrong byte order", "byte-order byte is %d (1 little endian, 2 big endian)" % order)
    fields = struct.unpack(prefix + HEADER_FIELDS, data[:HEADER_BYTES])
    names = ("magic", "version", "byte_order", "scalar_bytes", "topology", "parameter_count",
             "state_count", "steps", "optimizer", "total_bytes")
    header = dict(zip(names, fields))
    header["prefix"] = prefix
    return header


def check_blob(data, model):
    """Checks every field of blob `data` against `model`, then the CRC, in the order
    tinymlp::load_blob does; returns the parameters as a numpy array (tinymlp layout, the blob's
    scalar type). Raises BlobError naming the first fault."""
    header = read_blob_header(data)
    prefix = header["prefix"]
    if header["version"] != BLOB_VERSION:
        raise BlobError("unsupported version", "format version %d, this reader knows version %d"
                        % (header["version"], BLOB_VERSION))
    scalar = header["scalar_bytes"]
    if scalar not in (4, 8):
        raise BlobError("wrong scalar type", "scalar size %d bytes (4 float or 8 double)" % scalar)
    spelling = spell(model)
    expected_topology = signature(spelling)
    if header["topology"] != expected_topology:
        raise BlobError("wrong topology", "the blob's topology signature 0x%016x is not the model's "
                        "0x%016x (%s)" % (header["topology"], expected_topology, spelling))
    count = parameter_count(model)
    if header["parameter_count"] != count:
        raise BlobError("wrong parameter count", "the blob holds %d parameters, the model has %d "
                        "(same topology: a damaged header)" % (header["parameter_count"], count))
    expected_total = (HEADER_BYTES + CHECKSUM_BYTES +
                      (header["parameter_count"] + header["state_count"]) * scalar)
    if header["total_bytes"] != expected_total:
        raise BlobError("inconsistent size", "the header says %d bytes, its counts (%d parameters, "
                        "%d state scalars of %d bytes) make %d" % (header["total_bytes"],
                                                                  header["parameter_count"],
                                                                  header["state_count"], scalar,
                                                                  expected_total))
    total = header["total_bytes"]
    if len(data) < total:
        raise BlobError("truncated", "%d bytes, the header says %d" % (len(data), total))
    end = total - CHECKSUM_BYTES
    stored = struct.unpack(prefix + "I", data[end:total])[0]
    computed = zlib.crc32(data[:end]) & 0xFFFFFFFF
    if stored != computed:
        raise BlobError("bad checksum", "stored CRC-32 0x%08x, computed 0x%08x: damaged data"
                        % (stored, computed))
    dtype = np.dtype(("<" if prefix == "<" else ">") + ("f4" if scalar == 4 else "f8"))
    return np.frombuffer(data, dtype=dtype, count=count, offset=HEADER_BYTES).astype(
        np.float32 if scalar == 4 else np.float64)


def load_blob(path, model):
    """Checks the blob at `path` against `model` and copies its parameters into it (Dense weights
    transposed back to torch's [Out][In]). A training blob's optimizer state is ignored. On any
    error (BlobError) the model is left untouched. Returns the header fields."""
    with open(path, "rb") as source:
        data = source.read()
    return load_blob_bytes(data, model)


def load_blob_bytes(data, model):
    params = check_blob(data, model)
    set_flat_parameters(model, params)
    header = read_blob_header(data)
    del header["prefix"]
    return header


# ------------------------------------------------------------------------------------------------
# C++ header
# ------------------------------------------------------------------------------------------------
def _format_float(value):
    """printf("%.9g") of a float32 value with ".0" after a whole number, as tinymlp::export_header
    prints it (the caller appends the f)."""
    value = float(value)
    if math.isnan(value):
        return "-nan" if math.copysign(1.0, value) < 0 else "nan"
    text = "%.9g" % value
    return text + ".0" if all(c == "-" or c.isdigit() for c in text) else text


def header_text(model, namespace):
    """The C++ header tinymlp::export_header writes for `model`'s parameters (float)."""
    params = flat_parameters(model)
    count = params.size
    qualified = spell_qualified(model)
    lines = [
        "// A trained tinymlp network, generated by tinymlp::export_header.\n"
        "#pragma once\n#include <cstdint>\n\n#include <tinymlp/network_view.hpp>\n#include <tinymlp/tinymlp.hpp>\n\n"
        "namespace %s {\n\n"
        "using Network = tinymlp::Network<float, tinymlp::DefaultTarget, %s>;\n"
        "inline constexpr std::uint64_t topology_signature = 0x%016xULL;\n\n"
        "alignas(tinymlp::storage_alignment) inline constexpr float parameters[%d] = {\n"
        % (namespace, qualified, signature(spell(model)), count)
    ]
    for i, value in enumerate(params):
        lead = "    " if i % 8 == 0 else ""
        tail = "\n" if i + 1 == count else (",\n" if i % 8 == 7 else ", ")
        lines.append("%s%sf%s" % (lead, _format_float(value), tail))
    lines.append(
        "};\nstatic_assert(Network::parameter_count == %d, \"tinymlp: parameter count of the exported network\");\n\n"
        "inline constexpr tinymlp::NetworkView<Network> network{parameters};\n\n"
        "}  // namespace %s\n" % (count, namespace))
    return "".join(lines)


def check_namespace(namespace):
    """Raises InteropError unless `namespace` is a C++ namespace name ("model", "board::model")."""
    parts = namespace.split("::")
    if not all(part.isascii() and part.isidentifier() and part not in CPP_KEYWORDS for part in parts):
        raise InteropError("namespace %r is not a C++ namespace name" % (namespace,))


def export_header(model, path, namespace):
    """Writes `model` as the C++ header tinymlp::export_header(net, file, namespace) writes."""
    check_namespace(namespace)
    text = header_text(model, namespace)
    with open(path, "w", encoding="ascii", newline="") as out:
        out.write(text)
    return len(text)


# ------------------------------------------------------------------------------------------------
# Integer networks: post-training quantization as tinymlp::quantize() does it (TFLite's rules),
# and the quantized blob and header of include/tinymlp/quantized_blob.hpp and quantized_export.hpp
# ------------------------------------------------------------------------------------------------
def _round_half_away(x):
    return math.copysign(math.floor(abs(x) + 0.5), x)


def choose_tensor_quantization(rmin, rmax):
    """TFLite's ChooseQuantizationParams<int8_t>: (scale as float32, zero point)."""
    qmin, qmax = -128.0, 127.0
    rmin, rmax = min(rmin, 0.0), max(rmax, 0.0)
    if rmax == rmin:
        raise InteropError("a calibration tensor is constant (all %r): no scale" % rmin)
    scale = (rmax - rmin) / (qmax - qmin)
    zp_min, zp_max = qmin - rmin / scale, qmax - rmax / scale
    err_min = abs(qmin) - abs(rmin / scale)
    err_max = abs(qmax) - abs(rmax / scale)
    zp = zp_min if err_min < err_max else zp_max
    zp = -128 if zp < qmin else 127 if zp > qmax else int(_round_half_away(zp))
    return float(np.float32(scale)), zp


def choose_symmetric_quantization(rmin, rmax):
    """The int16 tensors' choice: zero point 0, scale max(|rmin|, |rmax|) / 32767 as float32."""
    largest = max(abs(rmin), abs(rmax))
    if largest == 0:
        raise InteropError("a calibration tensor is all zeros: no scale")
    return float(np.float32(largest / 32767)), 0


def quantize_multiplier(scale):
    """TFLite's QuantizeMultiplier: (multiplier in [2^30, 2^31) or 0, shift)."""
    if scale == 0:
        return 0, 0
    q, shift = math.frexp(scale)
    q_fixed = int(_round_half_away(q * 2.0**31))
    if q_fixed == 2**31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    if shift > 30:
        raise InteropError("multiplier %r is beyond what int32 arithmetic can apply" % scale)
    return q_fixed, shift


def _integer_layers(model):
    """[(nn.Linear, ReLU after it)] of a model QuantizedNetwork takes: Linear with a bias, ReLU,
    Identity, Dropout, and a final Softmax (left out: the outputs are logits)."""
    _layers(model)  # the same checks of kinds and sizes
    modules = list(model)
    out = []
    for index, module in enumerate(modules):
        if isinstance(module, nn.Linear):
            if module.bias is None:
                raise InteropError("module %d (%s): the integer path needs a bias" % (index, module))
            out.append([module, False])
        elif isinstance(module, nn.ReLU):
            out[-1][1] = True
        elif isinstance(module, (nn.Identity, nn.Dropout)):
            pass
        elif isinstance(module, nn.Softmax) and index == len(modules) - 1:
            pass
        else:
            raise InteropError("module %d (%s) has no integer form: QuantizedNetwork takes Linear, ReLU, "
                               "Identity, Dropout and a final Softmax" % (index, module))
    return [tuple(pair) for pair in out]


def quantize_model(model, calibration, activation="int8"):
    """Post-training quantization of `model` on `calibration` ([N][in] float32) with min/max
    ranges, as tinymlp::quantize(net, samples, N, q) computes it: per-channel symmetric int8
    weights, per-tensor activations (int8: TFLite's asymmetric choice; int16: symmetric), int32
    (int16: int64) bias, multipliers by QuantizeMultiplier. Returns a dict: "input" (scale, zero
    point), "layers" [{weights [Out][In] int8, bias (int8: the input offset folded in, as
    tinymlp stores it), multipliers [(m, shift)], params (input offset, output offset, min, max),
    output (scale, zero point)}], "activation"."""
    _require_torch()
    if activation not in ("int8", "int16"):
        raise InteropError("activation must be int8 or int16, not %r" % (activation,))
    narrow = activation == "int8"
    layers = _integer_layers(model)
    x = torch.as_tensor(np.asarray(calibration, dtype=np.float32))
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] != layers[0][0].in_features:
        raise InteropError("calibration must be [N > 0][%d] samples" % layers[0][0].in_features)
    if not torch.isfinite(x).all():
        raise InteropError("calibration holds a non-finite value")
    choose = choose_tensor_quantization if narrow else choose_symmetric_quantization
    with torch.no_grad():
        tensors = [x]
        h = x
        for linear, relu in layers:
            h = linear(h)
            if relu:
                h = torch.relu(h)
            tensors.append(h)
    quantizations = [choose(float(t.min()), float(t.max())) for t in tensors]
    lowest, highest = (-128, 127) if narrow else (-32768, 32767)
    bias_limit = 2147483647.0 if narrow else 140737488355328.0 / 2
    result = {"activation": activation, "input": quantizations[0], "layers": []}
    for k, (linear, relu) in enumerate(layers):
        w = linear.weight.detach().double().numpy()  # [Out][In], float32 values
        b = linear.bias.detach().double().numpy()
        in_scale, in_zp = quantizations[k]
        out_scale, out_zp = quantizations[k + 1]
        weights = np.zeros(w.shape, dtype=np.int64)
        bias, multipliers = [], []
        for o in range(w.shape[0]):
            largest = float(np.max(np.abs(w[o])))
            weight_scale = float(np.float32(largest / 127)) if largest > 0 else 1.0
            row = [max(-127, min(127, int(_round_half_away(v / weight_scale)))) for v in w[o]]
            weights[o] = row
            tflite_bias = _round_half_away(float(b[o]) / (in_scale * weight_scale))
            if not -bias_limit <= tflite_bias <= bias_limit:
                raise InteropError("layer %d channel %d: the bias is beyond int%d at this scale"
                                   % (k, o, 32 if narrow else 64))
            m = quantize_multiplier(in_scale * weight_scale / out_scale)
            if not narrow and m[1] > 14:
                raise InteropError("layer %d channel %d: an int16 multiplier shifts left by more than 14" % (k, o))
            multipliers.append(m)
            if narrow:  # the input offset folded in, wrapping as int32 sums do
                folded = (int(tflite_bias) + (-in_zp) * sum(row)) & 0xFFFFFFFF
                bias.append(folded - (1 << 32) if folded >= 1 << 31 else folded)
            else:
                bias.append(int(tflite_bias))
        result["layers"].append({
            "weights": weights, "bias": bias, "multipliers": multipliers,
            "params": (-in_zp, out_zp, out_zp if relu else lowest, highest),
            "output": (out_scale, out_zp)})
    return result


def quantize_inputs(quantized, x):
    """Float samples to the network's integer inputs (round half away from zero, saturating), as
    QuantizedNetwork::quantize_input does."""
    scale, zp = quantized["input"]
    lowest, highest = (-128, 127) if quantized["activation"] == "int8" else (-32768, 32767)
    x = np.asarray(x, dtype=np.float32)
    q = np.vectorize(lambda v: _round_half_away(float(np.float32(v) / np.float32(scale))))(x) + zp
    return np.clip(q, lowest, highest).astype(np.int64)


def _requantize(acc, multiplier, shift):
    """TFLite's MultiplyByQuantizedMultiplier on an int32 sum (wrapping shift left, doubling high
    multiply with rounding, rounding right shift)."""
    left, right = max(shift, 0), max(-shift, 0)
    shifted = ((acc << left) + 2**31) % 2**32 - 2**31
    high = (shifted * multiplier + (1 << 30)) >> 31
    mask = (1 << right) - 1
    remainder = high & mask
    threshold = (mask >> 1) + (1 if high < 0 else 0)
    return (high >> right) + (1 if remainder > threshold else 0)


def _requantize_wide(acc, multiplier, shift):
    reduced = (multiplier + (1 << 15)) >> 16 if multiplier < 0x7FFF0000 else 0x7FFF
    result = (((acc * reduced) >> (14 - shift)) + 1) >> 1
    return max(-2**31, min(2**31 - 1, result))


def integer_predict(quantized, xq):
    """The integer outputs ([N][out]) of `quantized` for integer inputs `xq` ([N][in]): an
    independent implementation of the arithmetic tinymlp's kernels (and CMSIS-NN's) do."""
    narrow = quantized["activation"] == "int8"
    h = [list(map(int, row)) for row in np.asarray(xq)]
    for layer in quantized["layers"]:
        w = layer["weights"]
        lo, hi = layer["params"][2], layer["params"][3]
        out_offset = layer["params"][1]
        nxt = []
        for row in h:
            outputs = []
            for o in range(w.shape[0]):
                dot = int(np.dot(np.asarray(row, dtype=np.int64), w[o]))
                m, shift = layer["multipliers"][o]
                if narrow:  # the bias holds the input offset's share: the sum of x w alone
                    acc = ((layer["bias"][o] + dot + 2**31) % 2**32) - 2**31
                    value = _requantize(acc, m, shift) + out_offset
                else:
                    value = _requantize_wide(layer["bias"][o] + dot, m, shift)
                outputs.append(max(lo, min(hi, value)))
            nxt.append(outputs)
        h = nxt
    return np.asarray(h, dtype=np.int64)


def quantized_blob_bytes(model, quantized):
    """The blob tinymlp::save_blob writes for the QuantizedNetwork `quantized` of `model`
    (little endian)."""
    narrow = quantized["activation"] == "int8"
    body = bytearray(struct.pack("<fi", *quantized["input"]))
    for layer in quantized["layers"]:
        body += np.asarray(layer["weights"], dtype="<i1").tobytes()
        body += np.asarray(layer["bias"], dtype="<i4" if narrow else "<i8").tobytes()
        for m, shift in layer["multipliers"]:
            body += struct.pack("<ii", m, shift)
        body += struct.pack("<iiii", *layer["params"])
        body += struct.pack("<fi", *layer["output"])
    total = HEADER_BYTES + len(body) + CHECKSUM_BYTES
    header = struct.pack("<" + HEADER_FIELDS, MAGIC, BLOB_VERSION, BYTE_ORDER_LITTLE, 1 if narrow else 2,
                         signature(spell(model)), len(body), 0, 0, 0, total)
    data = header + bytes(body)
    return data + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def quantized_header_text(model, quantized, namespace):
    """The C++ header tinymlp::export_header writes for the QuantizedNetwork (quantized_export.hpp)."""
    narrow = quantized["activation"] == "int8"
    lines = [
        "// A quantized tinymlp network, generated by tinymlp::export_header.\n"
        "#pragma once\n#include <cstdint>\n\n#include <tinymlp/tinymlp.hpp>\n\n"
        "namespace %s {\n\n"
        "using Network = tinymlp::Network<float, tinymlp::DefaultTarget, %s>;\n"
        "using Quantized = tinymlp::QuantizedNetwork<Network, std::%s>;\n"
        "inline constexpr std::uint64_t topology_signature = 0x%016xULL;\n\n"
        "inline constexpr Quantized network{\n    {%sf, %d}"
        % (namespace, spell_qualified(model), "int8_t" if narrow else "int16_t", signature(spell(model)),
           _format_float(quantized["input"][0]), quantized["input"][1])]
    for k, layer in enumerate(quantized["layers"]):
        weights = np.asarray(layer["weights"]).reshape(-1)
        lines.append(",\n    Quantized::layer_type<%d>{\n        {" % k)
        lines.append("".join("%s%d" % ("" if i == 0 else (",\n         " if i % 24 == 0 else ", "), v)
                             for i, v in enumerate(weights)))
        lines.append("},\n        {")
        lines.append("".join("%s%dLL" % ("" if o == 0 else (",\n         " if o % 8 == 0 else ", "), v)
                             for o, v in enumerate(layer["bias"])))
        lines.append("},\n        {")
        lines.append("".join("%s{%d, %d}" % ("" if o == 0 else (",\n         " if o % 4 == 0 else ", "), m, s)
                             for o, (m, s) in enumerate(layer["multipliers"])))
        lines.append("},\n        {%d, %d, %d, %d},\n        {%sf, %d}}" % (
            tuple(layer["params"]) + (_format_float(layer["output"][0]), layer["output"][1])))
    weight_bytes = sum(np.asarray(layer["weights"]).size for layer in quantized["layers"])
    lines.append("};\nstatic_assert(Quantized::weight_bytes == %d, \"tinymlp: weights of the exported network\");\n\n"
                 "}  // namespace %s\n" % (weight_bytes, namespace))
    return "".join(lines)


def export_quantized(model, calibration, blob_path, activation="int8", header_path=None, namespace="model"):
    """Quantizes `model` on `calibration` and writes the integer blob (and header); returns the
    quantization (quantize_model's dict)."""
    if header_path:
        check_namespace(namespace)
    quantized = quantize_model(model, calibration, activation)
    with open(blob_path, "wb") as out:
        out.write(quantized_blob_bytes(model, quantized))
    if header_path:
        with open(header_path, "w", encoding="ascii", newline="") as out:
            out.write(quantized_header_text(model, quantized, namespace))
    return quantized


# ------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------
def _load_model(path):
    try:
        model = torch.load(path, map_location="cpu")
    except OSError:
        raise
    except Exception as error:  # torch.load raises many kinds (RuntimeError, UnpicklingError, ...)
        raise InteropError("%s: not a file torch.save wrote (%s: %s)"
                           % (path, type(error).__name__, str(error).splitlines()[0] if str(error) else ""))
    if not isinstance(model, nn.Sequential):
        raise InteropError("%s holds a %s, not a torch.save'd nn.Sequential" % (path, type(model).__name__))
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description="Convert between PyTorch nn.Sequential models and tinymlp.")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write a model's parameters as a tinymlp blob (and header)")
    export.add_argument("model", help="torch.save'd nn.Sequential")
    export.add_argument("blob", help="output blob")
    export.add_argument("--header", help="also write a C++ header, as tinymlp::export_header does")
    export.add_argument("--namespace", default="model", help="namespace of the header (default: model)")
    export.add_argument("--quantize", choices=("int8", "int16"),
                        help="write the integer network instead (needs --calibration)")
    export.add_argument("--calibration", help="calibration samples: a .npy or torch.save'd tensor [N][in]")
    imp = commands.add_parser("import", help="load a blob into a model's architecture and save it")
    imp.add_argument("blob", help="input blob")
    imp.add_argument("model", help="torch.save'd nn.Sequential giving the architecture")
    imp.add_argument("out", help="output .pt (the whole nn.Sequential)")
    spl = commands.add_parser("spell", help="print the tinymlp layer list and topology signature")
    spl.add_argument("model", help="torch.save'd nn.Sequential")
    args = parser.parse_args(argv)

    if torch is None:
        print("pytorch_interop: PyTorch/numpy are not importable (run with /usr/bin/python3)", file=sys.stderr)
        return 1
    try:
        if args.command == "export" and args.quantize:
            if args.header:
                check_namespace(args.namespace)  # before anything is written
            if not args.calibration:
                raise InteropError("--quantize needs --calibration samples")
            model = _load_model(args.model)
            calibration = (np.load(args.calibration) if args.calibration.endswith(".npy")
                           else torch.load(args.calibration, map_location="cpu").numpy())
            quantized = export_quantized(model, calibration, args.blob, args.quantize, args.header, args.namespace)
            weights = sum(np.asarray(layer["weights"]).size for layer in quantized["layers"])
            print("%s: %s network, %d weight bytes, input scale %.9g zero point %d, topology 0x%016x (%s)"
                  % (args.blob, args.quantize, weights, quantized["input"][0], quantized["input"][1],
                     signature(spell(model)), spell(model)))
            if args.header:
                print("%s: namespace %s" % (args.header, args.namespace))
        elif args.command == "export":
            if args.header:
                check_namespace(args.namespace)  # before anything is written
            model = _load_model(args.model)
            size = export_blob(model, args.blob)
            print("%s: %d parameters, %d bytes, topology 0x%016x (%s)"
                  % (args.blob, parameter_count(model), size, signature(spell(model)), spell(model)))
            if args.header:
                export_header(model, args.header, args.namespace)
                print("%s: namespace %s" % (args.header, args.namespace))
        elif args.command == "import":
            model = _load_model(args.model)
            header = load_blob(args.blob, model)
            torch.save(model, args.out)
            print("%s: %d parameters loaded from %s%s" % (
                args.out, header["parameter_count"], args.blob,
                " (optimizer state ignored)" if header["state_count"] else ""))
        else:
            model = _load_model(args.model)
            spelling = spell(model)
            print(spelling)
            print("topology signature 0x%016x, %d parameters" % (signature(spelling), parameter_count(model)))
    except (InteropError, BlobError, OSError) as error:
        print("pytorch_interop: %s" % error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
