#!/usr/bin/python3
"""Round trips between PyTorch and tinymlp through tools/pytorch_interop.py.

Usage: /usr/bin/python3 tests/interop/test_interop.py DRIVER_EXE
       /usr/bin/python3 tests/interop/test_interop.py --skip REASON   (reports a skipped test)
DRIVER_EXE is the interop_roundtrip program (tests/interop/interop_roundtrip.cpp), built for the
same network as make_model() below.

Checks:
  0. spell() and signature() of the torch model equal the C++ spelling and topology signature;
     the blob Python writes equals, byte for byte, the one tinymlp::save_blob writes again.
  1. torch -> blob -> tinymlp predict == torch outputs (1e-6 relative, 1e-7 absolute).
  2. torch -> blob -> torch (load_blob into a fresh model): identical parameters and outputs.
  3. blob -> tinymlp training (Adam, SoftmaxCrossEntropy) -> blob -> torch: the same predictions
     as tinymlp (same tolerances) and the same arg-max; a training blob (Adam state) loads too.
  4. export_header from Python equals, byte for byte, the header tinymlp::export_header writes.
  5. Every kind of damage is refused by load_blob, each with its own message, the same kind the
     C++ loader reports, and the model is left untouched.
  6. The command line (spell, export --header, import), its one-line errors for a file that is
     no saved model and for a bad --namespace (refused before any file is written), and the
     errors for models tinymlp cannot represent, each naming the module.
Prints the largest errors seen. Exit 0 pass, 1 fail, 77 skipped (no torch).
"""
import copy
import math
import os
import struct
import subprocess
import sys
import tempfile
import zlib

if len(sys.argv) == 3 and sys.argv[1] == "--skip":
    print("test_interop: skipped: %s" % sys.argv[2])
    sys.exit(77)

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as error:  # pragma: no cover - depends on the machine
    print("test_interop: PyTorch/numpy not available (%s): skipped" % error)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.normpath(os.path.join(HERE, "..", "..", "tools"))
sys.path.insert(0, TOOLS)
import pytorch_interop as interop  # noqa: E402

RELATIVE = 1e-6
ABSOLUTE = 1e-7
INPUTS = 6
CLASSES = 3
SAMPLES = 64

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL: %s" % what)
    return condition


def make_model(seed, leaky=0.1):
    """The network of interop_roundtrip.cpp, with random weights and PReLU slopes."""
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(6, 16), nn.PReLU(16), nn.Linear(16, 12), nn.LeakyReLU(leaky),
        nn.Linear(12, 8, bias=False), nn.Tanh(), nn.Linear(8, 3), nn.Softmax(dim=1))
    with torch.no_grad():
        model[1].weight.uniform_(-0.6, 0.6)  # slopes of both signs, not the 0.25 default
        for module in model:
            if isinstance(module, nn.Linear):
                module.weight.mul_(1.5)  # some Tanh saturation and confident outputs
    model.eval()
    return model


def run(driver, *args, expect_ok=True):
    result = subprocess.run([driver] + [str(a) for a in args], capture_output=True, text=True)
    if expect_ok and result.returncode != 0:
        raise RuntimeError("%s %s failed (%d): %s%s" % (driver, " ".join(map(str, args)), result.returncode,
                                                       result.stdout, result.stderr))
    return result


def write_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def torch_outputs(model, x):
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def compare(name, got, want):
    """Largest absolute and relative errors of got against want; checks the tolerance."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    diff = np.abs(got - want)
    largest_abs = float(diff.max())
    relative = diff / np.maximum(np.abs(want), np.finfo(np.float32).tiny)
    largest_rel = float(relative.max())
    ok = bool(np.all(diff <= ABSOLUTE + RELATIVE * np.abs(want)))
    significant = np.abs(want) >= 1e-3
    largest_rel_significant = float(relative[significant].max()) if significant.any() else 0.0
    print("  %-45s max |error| %.3e, max relative error %.3e (%.3e on outputs >= 1e-3)  %s"
          % (name, largest_abs, largest_rel, largest_rel_significant, "ok" if ok else "OUT OF TOLERANCE"))
    check(ok, "%s: outputs differ beyond %g relative + %g absolute" % (name, RELATIVE, ABSOLUTE))
    return largest_abs, largest_rel


def same_parameters(a, b):
    return all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def fnv1a32(text):
    value = 2166136261
    for byte in text:
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


def reseal(data):
    """Rewrites the CRC of a (little-endian) blob after a deliberate header change."""
    body = bytes(data[:-4])
    return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)


def patched(blob, offset, fmt, value):
    data = bytearray(blob)
    struct.pack_into(fmt, data, offset, value)
    return reseal(data)


def main():
    if len(sys.argv) != 2:
        print("usage: %s DRIVER_EXE" % sys.argv[0])
        return 1
    driver = os.path.abspath(sys.argv[1])
    torch.set_num_threads(1)
    rng = np.random.default_rng(20240607)

    with tempfile.TemporaryDirectory(prefix="tinymlp_interop_") as tmp:
        path = lambda name: os.path.join(tmp, name)  # noqa: E731
        model = make_model(1)
        x = (rng.standard_normal((SAMPLES, INPUTS)) * 1.5).astype(np.float32)
        write_f32(path("x.bin"), x)

        # 0. Identity of the network on both sides; the blob layout byte for byte.
        print("0. topology and blob layout")
        spelling = interop.spell(model)
        cpp_spell = run(driver, "spell").stdout.splitlines()
        print("  %s\n  signature 0x%016x, %d parameters" % (spelling, interop.signature(spelling),
                                                          interop.parameter_count(model)))
        check(spelling == cpp_spell[0], "spell(): %r, C++ spells %r" % (spelling, cpp_spell[0]))
        check("0x%016x %d" % (interop.signature(spelling), interop.parameter_count(model)) == cpp_spell[1],
              "signature/parameter count differ from C++: %r" % cpp_spell[1])
        interop.export_blob(model, path("model.tmlp"))
        run(driver, "resave", path("model.tmlp"), path("resaved.tmlp"))
        with open(path("model.tmlp"), "rb") as f:
            blob = f.read()
        with open(path("resaved.tmlp"), "rb") as f:
            check(f.read() == blob, "the blob Python writes differs from tinymlp::save_blob's")
        check(len(blob) == 40 + 4 * interop.parameter_count(model) + 4, "blob size")

        # 1. torch -> blob -> tinymlp
        print("1. torch -> blob -> tinymlp predict")
        want = torch_outputs(model, x)
        run(driver, "predict", path("model.tmlp"), path("x.bin"), path("y.bin"))
        got = np.fromfile(path("y.bin"), dtype="<f4").reshape(SAMPLES, CLASSES)
        err1 = compare("tinymlp vs torch (float32)", got, want)
        reference = copy.deepcopy(model).double()
        exact = torch_outputs(reference, x.astype(np.float64))
        print("  (against the float64 forward pass: tinymlp max |error| %.3e, torch float32 %.3e)"
              % (np.abs(got - exact).max(), np.abs(want - exact).max()))
        check(np.array_equal(got.argmax(1), want.argmax(1)), "arg-max differs between tinymlp and torch")

        # 2. torch -> blob -> torch
        print("2. torch -> blob -> torch")
        fresh = make_model(2)
        check(not same_parameters(fresh, model), "the fresh model must start from other weights")
        header = interop.load_blob(path("model.tmlp"), fresh)
        check(header["state_count"] == 0 and header["parameter_count"] == interop.parameter_count(model),
              "header fields of a parameters-only blob")
        identical = same_parameters(fresh, model)
        check(identical, "parameters differ after torch -> blob -> torch")
        again = torch_outputs(fresh, x)
        check(np.array_equal(again, want), "outputs differ after torch -> blob -> torch")
        print("  parameters identical: %s, outputs identical: %s (max |error| %.3e)"
              % (identical, np.array_equal(again, want), np.abs(again - want).max()))

        # 3. tinymlp training -> blob -> torch
        print("3. tinymlp training -> blob -> torch")
        mixing = rng.standard_normal((INPUTS, CLASSES))
        labels = (x.astype(np.float64) @ mixing).argmax(1).astype("<i4")
        labels.tofile(path("labels.bin"))
        result = run(driver, "train", path("model.tmlp"), path("x.bin"), path("labels.bin"),
                     path("trained.tmlp"), path("trained_state.tmlp"))
        print("  " + result.stdout.strip())
        run(driver, "predict", path("trained.tmlp"), path("x.bin"), path("y_trained.bin"))
        got = np.fromfile(path("y_trained.bin"), dtype="<f4").reshape(SAMPLES, CLASSES)
        trained = make_model(3)
        interop.load_blob(path("trained.tmlp"), trained)
        check(not same_parameters(trained, model), "training changed no parameter")
        want = torch_outputs(trained, x)
        err3 = compare("torch (tinymlp-trained weights) vs tinymlp", want, got)
        argmax_same = np.array_equal(got.argmax(1), want.argmax(1))
        check(argmax_same, "arg-max differs between torch and tinymlp after training")
        accuracy = float((want.argmax(1) == labels).mean())
        print("  same arg-max on all %d samples: %s; training accuracy %.3f (before: %.3f)"
              % (SAMPLES, argmax_same, accuracy, float((torch_outputs(model, x).argmax(1) == labels).mean())))
        with_state = make_model(4)
        header = interop.load_blob(path("trained_state.tmlp"), with_state)
        check(header["state_count"] == 2 * interop.parameter_count(model) and header["steps"] > 0
              and header["optimizer"] == fnv1a32(b"Adam"), "header fields of a training blob: %r" % header)
        check(same_parameters(with_state, trained), "a training blob loads other parameters than the plain blob")
        print("  training blob (Adam state, %d steps) accepted, same parameters: %s"
              % (header["steps"], same_parameters(with_state, trained)))

        # 4. Header export, byte for byte
        print("4. export_header: Python vs C++")
        special = make_model(5)
        with torch.no_grad():
            values = [0.0, -0.0, 1e-45, 1.17549435e-38, 3.4028235e38, -1e30, 0.1, 1.0, 123456789.0,
                      -2.5e-8, 1e-5, 100000000.0, 0.333333343, 16777217.0]
            special[0].weight.view(-1)[:len(values)] = torch.tensor(values, dtype=torch.float32)
            special[1].weight[0] = 1e-20
        for name, net, blob_path in (("initial", model, path("model.tmlp")),
                                     ("trained", trained, path("trained.tmlp")),
                                     ("special values", special, path("special.tmlp"))):
            if name == "special values":
                interop.export_blob(net, blob_path)
            run(driver, "header", blob_path, path("cpp.hpp"))
            interop.export_header(net, path("py.hpp"), "model")
            with open(path("cpp.hpp"), "rb") as f:
                cpp_text = f.read()
            with open(path("py.hpp"), "rb") as f:
                py_text = f.read()
            same = cpp_text == py_text
            if not same:
                for a, b in zip(cpp_text.decode().splitlines(), py_text.decode().splitlines()):
                    if a != b:
                        print("  first differing line:\n    C++:    %s\n    Python: %s" % (a, b))
                        break
            check(same, "header of the %s weights differs from the C++ one" % name)
            print("  %-15s %6d bytes, identical: %s" % (name, len(cpp_text), same))

        # 5. Damage: each kind refused, with its own message, as the C++ loader does.
        print("5. damaged blobs")
        flip = bytearray(blob)
        flip[40 + 4 * 37 + 2] ^= 0x10
        flip_crc = bytearray(blob)
        flip_crc[-1] ^= 0x01
        other = make_model(1, leaky=0.2)
        interop.export_blob(other, path("other.tmlp"))
        with open(path("other.tmlp"), "rb") as f:
            other_blob = f.read()
        cases = [
            ("truncated", "truncated by one byte", blob[:-1]),
            ("truncated", "truncated inside the header", blob[:30]),
            ("bad checksum", "one bit flipped in a parameter", bytes(flip)),
            ("bad checksum", "one bit flipped in the CRC", bytes(flip_crc)),
            ("wrong topology", "blob of LeakyReLU<1, 5> for LeakyReLU<1, 10>", other_blob),
            ("bad magic", "magic TMLQ", patched(blob, 3, "<B", ord("Q"))),
            ("unsupported version", "format version 2", patched(blob, 4, "<H", 2)),
            ("wrong byte order", "byte-order byte 3", patched(blob, 6, "<B", 3)),
            ("wrong scalar type", "scalar size 2", patched(blob, 7, "<B", 2)),
            ("wrong parameter count", "parameter count + 1", patched(blob, 16, "<I", interop.parameter_count(model) + 1)),
            ("inconsistent size", "total size + 4", patched(blob, 36, "<I", len(blob) + 4)),
        ]
        messages = {}
        victim = make_model(6)
        before = copy.deepcopy(victim)
        for kind, what, data in cases:
            name = path("damaged.tmlp")
            with open(name, "wb") as f:
                f.write(data)
            try:
                interop.load_blob(name, victim)
                check(False, "%s: load_blob accepted it" % what)
                continue
            except interop.BlobError as error:
                python_kind, message = error.kind, str(error)
            cpp = run(driver, "predict", name, path("x.bin"), path("y_damaged.bin"), expect_ok=False)
            cpp_kind = cpp.stderr.strip().replace("load_blob: ", "")
            check(python_kind == kind, "%s: refused as %r, expected %r" % (what, python_kind, kind))
            check(cpp.returncode == 1 and cpp_kind == kind, "%s: the C++ loader says %r (exit %d)"
                  % (what, cpp.stderr.strip(), cpp.returncode))
            check(same_parameters(victim, before), "%s: a refused load changed the model" % what)
            messages.setdefault(kind, set()).add(message.split(":")[0])
            print("  %-45s -> %s" % (what, message))
        check(len(messages) == len({kind for kind, _, _ in cases}), "one message per kind of damage")
        # Also loadable: a big-endian blob, a double blob, trailing bytes after the blob.
        header = interop.read_blob_header(blob)
        params = np.frombuffer(blob, dtype="<f4", offset=40, count=header["parameter_count"])
        big = struct.pack(">" + interop.HEADER_FIELDS, b"TMLP", 1, 2, 4, header["topology"],
                          header["parameter_count"], 0, 0, 0, header["total_bytes"]) + params.astype(">f4").tobytes()
        big += struct.pack(">I", zlib.crc32(big) & 0xFFFFFFFF)
        wide_total = 40 + 8 * header["parameter_count"] + 4
        wide = struct.pack("<" + interop.HEADER_FIELDS, b"TMLP", 1, 1, 8, header["topology"],
                           header["parameter_count"], 0, 0, 0, wide_total) + params.astype("<f8").tobytes()
        wide += struct.pack("<I", zlib.crc32(wide) & 0xFFFFFFFF)
        for what, data, cpp_kind in (("big-endian blob", big, "wrong byte order"),
                                     ("double blob", wide, "wrong scalar type"),
                                     ("blob followed by 16 spare bytes", blob + bytes(16), None)):
            loaded = make_model(7)
            interop.load_blob_bytes(data, loaded)
            check(same_parameters(loaded, model), "%s: other parameters" % what)
            with open(path("variant.tmlp"), "wb") as f:
                f.write(data)
            cpp = run(driver, "predict", path("variant.tmlp"), path("x.bin"), path("y_variant.bin"), expect_ok=False)
            if cpp_kind:
                check(cpp.returncode == 1 and cpp.stderr.strip() == "load_blob: " + cpp_kind,
                      "%s: the C++ loader says %r" % (what, cpp.stderr.strip()))
            else:
                check(cpp.returncode == 0, "%s: the C++ loader refused it: %s" % (what, cpp.stderr.strip()))
            print("  %-45s -> loaded by Python%s" % (what, " (C++ on this host: %s)" % cpp_kind if cpp_kind else
                                                     ", and by C++"))

        # 6. Command line, and models tinymlp cannot represent.
        print("6. command line and unsupported models")
        torch.save(model, path("model.pt"))
        tool = os.path.join(TOOLS, "pytorch_interop.py")
        out = subprocess.run([sys.executable, tool, "spell", path("model.pt")], capture_output=True, text=True)
        check(out.returncode == 0 and out.stdout.splitlines()[0] == spelling, "CLI spell: %r" % out.stdout)
        out = subprocess.run([sys.executable, tool, "export", path("model.pt"), path("cli.tmlp"),
                              "--header", path("cli.hpp"), "--namespace", "model"], capture_output=True, text=True)
        check(out.returncode == 0, "CLI export: %s" % out.stderr)
        with open(path("cli.tmlp"), "rb") as f:
            check(f.read() == blob, "CLI export wrote another blob")
        run(driver, "header", path("model.tmlp"), path("cpp.hpp"))
        with open(path("cli.hpp"), "rb") as f, open(path("cpp.hpp"), "rb") as g:
            check(f.read() == g.read(), "CLI --header differs from the C++ header")
        torch.save(make_model(8), path("arch.pt"))
        out = subprocess.run([sys.executable, tool, "import", path("trained.tmlp"), path("arch.pt"),
                              path("imported.pt")], capture_output=True, text=True)
        check(out.returncode == 0, "CLI import: %s" % out.stderr)
        if out.returncode == 0:
            imported = torch.load(path("imported.pt"))
            check(same_parameters(imported, trained), "CLI import loaded other parameters")
        with open(path("damaged_cli.tmlp"), "wb") as f:
            f.write(patched(blob, 36, "<I", len(blob) + 4))
        out = subprocess.run([sys.executable, tool, "import", path("damaged_cli.tmlp"), path("arch.pt"),
                              path("never.pt")], capture_output=True, text=True)
        check(out.returncode == 1 and "inconsistent size" in out.stderr and not os.path.exists(path("never.pt")),
              "CLI import of a damaged blob: %r" % out.stderr)
        print("  CLI spell, export --header, import: ok; damaged import refused: %s" % out.stderr.strip())

        # A file that is no saved model: one line naming the file, no traceback, for each command.
        with open(path("corrupt.pt"), "wb") as f:
            f.write(b"PK\x03\x04 not a zip archive, nor a pickle" + bytes(range(256)))
        for command in (["spell", path("corrupt.pt")], ["export", path("corrupt.pt"), path("corrupt.tmlp")],
                        ["import", path("model.tmlp"), path("corrupt.pt"), path("corrupt_out.pt")]):
            out = subprocess.run([sys.executable, tool] + command, capture_output=True, text=True)
            check(out.returncode == 1 and "Traceback" not in out.stderr and len(out.stderr.splitlines()) == 1
                  and out.stderr.startswith("pytorch_interop: %s: " % path("corrupt.pt")),
                  "CLI %s of a corrupt .pt: exit %d, %r" % (command[0], out.returncode, out.stderr))
        check(not os.path.exists(path("corrupt.tmlp")) and not os.path.exists(path("corrupt_out.pt")),
              "CLI wrote a file for a corrupt .pt")
        print("  corrupt .pt refused: %s" % out.stderr.strip())

        # A bad namespace is refused before the blob or the header is written.
        for bad in ("9lives", "a-b", "a:b", "::a", "a::", "a::::b", "int", ""):
            for stale in (path("ns.tmlp"), path("ns.hpp")):
                if os.path.exists(stale):
                    os.remove(stale)
            out = subprocess.run([sys.executable, tool, "export", path("model.pt"), path("ns.tmlp"),
                                  "--header", path("ns.hpp"), "--namespace", bad], capture_output=True, text=True)
            check(out.returncode == 1 and "not a C++ namespace name" in out.stderr,
                  "CLI --namespace %r: exit %d, %r" % (bad, out.returncode, out.stderr))
            check(not os.path.exists(path("ns.tmlp")) and not os.path.exists(path("ns.hpp")),
                  "CLI --namespace %r left a file behind" % bad)
        out = subprocess.run([sys.executable, tool, "export", path("model.pt"), path("ns.tmlp"),
                              "--header", path("ns.hpp"), "--namespace", "board::model_2"],
                             capture_output=True, text=True)
        check(out.returncode == 0 and os.path.exists(path("ns.hpp")), "CLI --namespace board::model_2: %r" % out.stderr)
        print("  bad namespaces refused before writing; nested namespace accepted")

    spellings = [
        (nn.Sequential(nn.Linear(3, 2), nn.LeakyReLU()), "Dense<3, 2>, LeakyReLU<1, 100>"),
        (nn.Sequential(nn.Linear(3, 2), nn.LeakyReLU(1 / 3)), "Dense<3, 2>, LeakyReLU<1, 3>"),
        (nn.Sequential(nn.Linear(3, 2), nn.LeakyReLU(-0.25)), "Dense<3, 2>, LeakyReLU<-1, 4>"),
        (nn.Sequential(nn.Linear(3, 4), nn.PReLU(), nn.Dropout(0.2), nn.Sigmoid(), nn.Identity(),
                       nn.Linear(4, 2, bias=False), nn.ReLU(), nn.Softmax(dim=-1)),
         "Dense<3, 4>, PReLU<Slopes::shared>, Dropout<20>, Sigmoid, Identity, Dense<4, 2, Bias::off>, ReLU, Softmax"),
        (nn.Sequential(nn.Linear(3, 2), nn.Softmax()), "Dense<3, 2>, Softmax"),
    ]
    for net, expected in spellings:
        check(interop.spell(net) == expected, "spell: %r, expected %r" % (interop.spell(net), expected))
    # nn.Softmax() (dim None) on a [batch, features] input is the softmax over dim 1, tinymlp's Softmax.
    logits = torch.randn(5, 4, dtype=torch.float64)
    implicit = nn.Sequential(nn.Softmax())(logits)
    check(torch.equal(implicit, torch.softmax(logits, dim=1)), "nn.Softmax() on 2-D input is not softmax over dim 1")
    check(interop.signature("Dense<784, 256>, ReLU, Dense<256, 10>") == interop.signature(
        interop.spell(nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)))), "signature")
    refused = [
        (nn.Sequential(nn.Linear(3, 2), nn.GELU()), "module 1 (GELU(approximate='none')) is not supported"),
        (nn.Sequential(nn.ReLU(), nn.Linear(3, 2)), "must be an nn.Linear"),
        (nn.Sequential(nn.Linear(3, 2), nn.Softmax(dim=0)), "dim must be -1, 1 or None"),
        (nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.125)), "p * 100 must be an integer"),
        (nn.Sequential(nn.Linear(3, 2), nn.LeakyReLU(1e-7)), "module 1 (LeakyReLU(negative_slope=1e-07)): "),
        (nn.Sequential(nn.Linear(3, 2), nn.LeakyReLU(1e-7)), "Den <= 1000"),
        (nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.LeakyReLU(float("nan"))), "module 2 (LeakyReLU("),
        (nn.Sequential(nn.Linear(3, 4), nn.PReLU(3)), "3 slopes for 4 units"),
        (nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 2)), "takes 5 inputs but the layer before gives 4"),
    ]
    for net, words in refused:
        try:
            interop.spell(net)
            check(False, "spell accepted %s" % net)
        except interop.InteropError as error:
            check(words in str(error), "error %r does not say %r" % (str(error), words))
    print("  %d spellings and %d refusals as expected" % (len(spellings), len(refused)))

    print("largest errors: torch -> tinymlp predict %.3e abs / %.3e rel; tinymlp-trained -> torch %.3e abs / %.3e rel"
          % (err1[0], err1[1], err3[0], err3[1]))
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all interop checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
