#!/usr/bin/env python3
"""ctest arduino_xor_model_header: the committed examples/arduino/XorInference/xor_model.h is what
generate_xor_model writes now, up to float rounding of the training (the host build's kernels
may round differently from the build that wrote it).

    compare_model_header.py <generate_xor_model> <committed header> <scratch header>
"""
import re
import subprocess
import sys

NUMBER = re.compile(r"-?\d+\.?\d*(?:e[-+]?\d+)?f")


def split(text):
    return NUMBER.sub("#", text), [float(n[:-1]) for n in NUMBER.findall(text)]


def main(generator, committed, fresh):
    subprocess.run([generator, fresh], check=True)
    shape_c, values_c = split(open(committed).read())
    shape_f, values_f = split(open(fresh).read())
    if shape_c != shape_f or len(values_c) != len(values_f):
        print("FAIL %s differs from what generate_xor_model writes (%s) beyond its numbers" % (committed, fresh))
        return 1
    worst = max(abs(a - b) for a, b in zip(values_c, values_f))
    print("%d parameters, largest difference %.3g" % (len(values_c), worst))
    if worst > 1e-4:
        print("FAIL the committed weights are not the ones the generator trains: regenerate %s" % committed)
        return 1
    print("xor_model.h: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
