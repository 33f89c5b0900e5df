#!/usr/bin/env bash
# An exported JAX kernel works in a fresh virtual environment that has only jax installed.
#
#   scripts/fresh_venv_kernel.sh [PROGRAM.json]     (needs network access for `pip install jax`)
#
# Exports the program (default: the degree-6 float32 Horner polynomial for 2^x) with this
# checkout, creates a new venv, installs only jax (the version installed here), imports the
# kernel there with autonumerics made unimportable, and compares its output with this
# environment's interpreter bit for bit. Without network (pip fails, or OFFLINE=1) the venv
# instead gets links to this environment's copies of jax and its requirements only
# (jax, jaxlib, numpy, scipy, ml_dtypes, opt_einsum), which shows the same thing offline.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
program="${1:-$work/horner6.json}"
if [ $# -eq 0 ]; then
  cat > "$program" <<'JSON'
{"expression": "0x1p0 + x*(0x1.62e42cp-1 + x*(0x1.ebfd38p-3 + x*(0x1.c68b2ep-5 + x*(0x1.3cfb6p-7 + x*(0x1.4748aep-10 + x*0x1.c41242p-13)))))",
 "target": "exp2", "interval": [0, 1], "dtype": "float32"}
JSON
fi
cd "$here"
python -m autonumerics export "$program" --to jax --name kernel -o "$work/kernel.py"
jax_version="$(python -c 'import jax; print(jax.__version__)')"
python -m venv "$work/venv"
if [ "${OFFLINE:-0}" = 1 ] || ! timeout 600 "$work/venv/bin/pip" install --quiet "jax==$jax_version"; then
  echo "pip install jax unavailable: linking this environment's jax and its requirements instead"
  site="$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  python - "$site" <<'PY'
import importlib.metadata as metadata
import os
import sys
from pathlib import Path
from packaging.requirements import Requirement

def closure(name, seen):
    key = name.lower().replace("_", "-")
    if key not in seen:
        seen[key] = dist = metadata.distribution(name)
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                closure(requirement.name, seen)
    return seen

site = Path(sys.argv[1])
for key, dist in sorted(closure("jax", {}).items()):
    tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
    for top in sorted(tops):
        source = Path(dist.locate_file(top))
        if source.exists() and not (site / top).exists() and top != "__pycache__":
            os.symlink(source, site / top)
    print("linked", key, dist.version)
PY
fi
cd "$work"
"$work/venv/bin/python" - <<'PY'
import sys
sys.modules["autonumerics"] = None  # any import of autonumerics would now fail
import numpy as np
import kernel
x = np.random.default_rng(0).uniform(kernel.INTERVAL[0], kernel.INTERVAL[1], 1 << 20).astype(np.float32)
np.save("x.npy", x)
np.save("y.npy", np.asarray(kernel.kernel(x)))
import importlib.metadata
installed = sorted(d.metadata["Name"] for d in importlib.metadata.distributions() if d.metadata["Name"] not in ("pip", "setuptools"))
print("fresh venv:", sys.prefix, "distributions:", installed)
PY
cd "$here"
python - "$program" "$work" <<'PY'
import sys
import numpy as np
from autonumerics.export import kernel_spec, reference_function
from autonumerics.ir.programfile import load_program_file
work = sys.argv[2]
x, y = np.load(f"{work}/x.npy"), np.load(f"{work}/y.npy")
want = reference_function(kernel_spec(load_program_file(sys.argv[1])))(x)
same = (y.view(np.int32) == want.view(np.int32)) | (np.isnan(y) & np.isnan(want))
print(f"bit-identical to the interpreter on {same.mean() * 100:.4f} % of {x.size:,} inputs")
sys.exit(0 if same.all() else 1)
PY
rm -rf "$work"
