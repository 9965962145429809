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
    pytorch_interop.py import IN.tmlp MODEL.pt OUT.pt
    pytorch_interop.py spell MODEL.pt
MODEL.pt is a torch.save'd nn.Sequential (the whole module, not a state_dict).

The blob format is the one of include/tinymlp/blob.hpp (documented at its top); the header is
byte for byte what tinymlp::export_header writes for the same float parameters.
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
    """printf("%.9g") of a float32 value, as tinymlp::export_header prints it."""
    value = float(value)
    if math.isnan(value):
        return "-nan" if math.copysign(1.0, value) < 0 else "nan"
    return "%.9g" % value


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
        if args.command == "export":
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
