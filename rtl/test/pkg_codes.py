#!/usr/bin/env python3
"""Checks that rtl/pkg/loom_pkg.sv holds the codes the compiler emits:
  ACT_*  = hw_model/Configs.h `enum class ActCode` (loom_mvu/loom_dwu ACT),
  RND_*  = the order of compiler/numerics/Affine.h `enum class Rounding` (loom_pool RND).
Usage: pkg_codes.py LOOM_ROOT"""
import os
import re
import sys


def read(root, rel):
    with open(os.path.join(root, rel)) as f:
        return f.read()


def main():
    root = sys.argv[1]
    text = read(root, "rtl/pkg/loom_pkg.sv")
    pkg = dict((k, int(v)) for k, v in
               re.findall(r"localparam\s+int\s+(\w+)\s*=\s*(-?\d+)\s*;", text))
    errors = []

    # ACT: hw_model/Configs.h `enum class ActCode { None = 0, Relu = 1, ... }`,
    # the one C++ source of the codes df-to-rtl emits.
    cfg = read(root, "hw_model/Configs.h")
    m = re.search(r"enum class ActCode[^{]*{([^}]*)}", cfg)
    if not m:
        errors.append("enum class ActCode not found in hw_model/Configs.h")
    else:
        pairs = re.findall(r"(\w+)\s*=\s*(\d+)", m.group(1))
        if not pairs:
            errors.append("hw::ActCode has no enumerators with values")
        for name, code in pairs:
            key = "ACT_" + name.upper()
            if pkg.get(key) != int(code):
                errors.append("%s = %s in loom_pkg.sv, hw::ActCode::%s is %s"
                              % (key, pkg.get(key), name, code))

    # RND: numerics::Rounding enumerator order.
    aff = read(root, "compiler/numerics/Affine.h")
    m = re.search(r"enum class Rounding\s*{([^}]*)}", aff)
    if not m:
        errors.append("enum class Rounding not found in compiler/numerics/Affine.h")
    else:
        for i, e in enumerate(x.strip() for x in m.group(1).split(",") if x.strip()):
            key = "RND_" + re.sub(r"(?<!^)([A-Z])", r"_\1", e).upper()
            if pkg.get(key) != i:
                errors.append("%s = %s in loom_pkg.sv, numerics::Rounding::%s is %d"
                              % (key, pkg.get(key), e, i))
    for e in errors:
        print(e)
    print("loom_pkg codes %s" % ("differ" if errors else "match the compiler"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
