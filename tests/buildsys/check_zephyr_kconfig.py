#!/usr/bin/env python3
"""ctest zephyr_module_kconfig: zephyr/Kconfig parsed with kconfiglib under Zephyr's C++ options
(tests/buildsys/zephyr/Kconfig.cpp). CONFIG_TINYMLP may be enabled only with CONFIG_CPP and a C++17
or later standard; any Kconfig warning (e.g. an undefined symbol) fails.

    check_zephyr_kconfig.py <repository>
"""
import os
import sys

try:
    import kconfiglib
except ImportError:
    print("kconfiglib is not installed (Debian: python3-kconfiglib): skipped")
    sys.exit(77)

CASES = [  # (CPP, chosen standard, whether TINYMLP can be y)
    ("n", None, False),
    ("y", "STD_CPP11", False),
    ("y", "STD_CPP14", False),
    ("y", "STD_CPP17", True),
    ("y", "STD_CPP20", True),
    ("y", "STD_CPP2B", True),
]


def main(root):
    os.environ["TINYMLP_ZEPHYR_DIR"] = os.path.join(root, "zephyr")
    here = os.path.dirname(os.path.abspath(__file__))
    kconf = kconfiglib.Kconfig(os.path.join(here, "zephyr", "Kconfig.cpp"), warn_to_stderr=False)
    failures = list(kconf.warnings)
    tinymlp = kconf.syms.get("TINYMLP")
    if tinymlp is None:
        failures.append("zephyr/Kconfig defines no TINYMLP")
    else:
        for cpp, standard, allowed in CASES:
            kconf.unset_values()
            kconf.syms["CPP"].set_value(cpp)
            if standard:
                kconf.syms[standard].set_value("y")
            tinymlp.set_value("y")
            enabled = tinymlp.str_value == "y"
            print("CPP=%s %-10s -> TINYMLP=%s" % (cpp, standard or "", tinymlp.str_value))
            if enabled != allowed:
                failures.append("CPP=%s %s: TINYMLP %s" % (cpp, standard, "enabled" if enabled else "refused"))
    for failure in failures:
        print("FAIL " + failure)
    if failures:
        return 1
    print("zephyr Kconfig: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
