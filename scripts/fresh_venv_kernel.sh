#!/usr/bin/env bash
# An exported JAX kernel works in a fresh virtual environment that has only jax installed.
#
#   scripts/fresh_venv_kernel.sh [PROGRAM.json]     (needs network access for `pip install jax`)
#
# Exports the program (default: the degree-6 float32 Horner polynomial for 2^x) with this
# checkout, creates a new venv, installs only jax (the version installed here), imports the
# kernel there with autonumerics made unimportable, and compares its output with this
# environment's interpreter bit for bit.
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
"$work/venv/bin/pip" install --quiet "jax==$jax_version"
cd "$work"
"$work/venv/bin/python" - <<'PY'
import sys
sys.modules["autonumerics"] = None  # any import of autonumerics would now fail
import numpy as np
import kernel
x = np.random.default_rng(0).uniform(kernel.INTERVAL[0], kernel.INTERVAL[1], 1 << 20).astype(np.float32)
np.save("x.npy", x)
np.save("y.npy", np.asarray(kernel.kernel(x)))
print("fresh venv:", sys.prefix, "packages:", sorted(m for m in sys.modules if m in ("jax", "jaxlib", "numpy", "scipy", "autonumerics")))
PY
cd "$here"
python - "$program" "$work" <<'PY'
import sys
import numpy as np
from autonumerics.export import kernel_spec, reference_function
from autonumerics.programfile import load_program_file
work = sys.argv[2]
x, y = np.load(f"{work}/x.npy"), np.load(f"{work}/y.npy")
want = reference_function(kernel_spec(load_program_file(sys.argv[1])))(x)
same = (y.view(np.int32) == want.view(np.int32)) | (np.isnan(y) & np.isnan(want))
print(f"bit-identical to the interpreter on {same.mean() * 100:.4f} % of {x.size:,} inputs")
sys.exit(0 if same.all() else 1)
PY
rm -rf "$work"
