#!/usr/bin/env bash
# The wheel works on its own: build it, install it in a fresh venv, use it from an empty folder.
#
#   scripts/wheel_smoke.sh            (CI runs it after the tests; 2-4 minutes, most of it pip)
#
# From an empty folder, with the repository out of sight, it
#   1. imports every kernel from autonumerics.jax and autonumerics.jax.fast and jits, vmaps and
#      differentiates it
#      (gradients checked against the calculus at a few points),
#   2. runs `autonumerics kernel tanh -o t.py` and `autonumerics export CORE --full-range` (cores
#      are package data) and imports what they wrote,
#   3. runs a 10-second autonumerics.search(...) with workers=2 from a script without a
#      `if __name__ == "__main__"` guard (the pool must not re-run the script).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python -m pip wheel --quiet --no-deps --no-build-isolation -w "$work/wheel" "$here" 2>/dev/null \
  || python -m pip wheel --quiet --no-deps -w "$work/wheel" "$here"
python -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/wheel/autonumerics-*.whl
mkdir "$work/empty"
cd "$work/empty"
export PYTHONPATH=""  # nothing from the checkout: only the installed wheel

echo "1. kernels from autonumerics.jax: jit, vmap, grad"
"$work/venv/bin/python" - <<'PY'
import jax
import jax.numpy as jnp
import numpy as np

import autonumerics
import autonumerics.jax as ajax
from autonumerics.kernels import KERNELS

assert "site-packages" in autonumerics.__file__, autonumerics.__file__
x = jnp.float32([0.25, 0.5, 1.5])
sig = lambda v: 1 / (1 + np.exp(-v))
phi = lambda v: np.exp(-v * v / 2) / np.sqrt(2 * np.pi)
z = lambda v: np.sqrt(8 / np.pi) * (v + 0.044715 * v**3)
derivatives = {"exp2": lambda v: 2**v * np.log(2), "exp": np.exp, "expm1": np.exp, "log2": lambda v: 1 / (v * np.log(2)),
               "log": lambda v: 1 / v, "log1p": lambda v: 1 / (1 + v),
               "erf": lambda v: 2 / np.sqrt(np.pi) * np.exp(-v * v), "tanh": lambda v: 1 / np.cosh(v) ** 2,
               "sigmoid": lambda v: np.exp(-v) / (1 + np.exp(-v)) ** 2,
               "gelu": lambda v: 0.5 * (1 + np.vectorize(__import__("math").erf)(v / np.sqrt(2))) + v * phi(v),
               "gelu_tanh": lambda v: sig(z(v)) + v * sig(z(v)) * sig(-z(v)) * np.sqrt(8 / np.pi) * (1 + 3 * 0.044715 * v**2),
               "silu": lambda v: sig(v) * (1 + v * sig(-v)), "softplus": sig, "log_sigmoid": lambda v: sig(-v)}
accurate = [name for name in ajax.__all__ if name != "fast"]
assert set(KERNELS) == set(accurate) | {f"{name}_fast" for name in ajax.fast.__all__}
assert set(accurate) <= set(derivatives) and set(ajax.fast.__all__) <= set(derivatives)
for label, module, names in (("", ajax, accurate), ("fast.", ajax.fast, ajax.fast.__all__)):
    for name in names:
        function = getattr(module, name)
        y = jax.jit(function)(x)
        grads = jax.vmap(jax.grad(function))(x)
        np.testing.assert_allclose(np.asarray(grads), derivatives[name](np.float64(x)), rtol=1e-5)
        assert function(jnp.ones(2, jnp.bfloat16)).dtype == jnp.bfloat16
        print(f"   {label}{name}: {np.asarray(y)}, grad {np.asarray(grads)}")
PY

echo "2. autonumerics kernel tanh -o t.py"
"$work/venv/bin/autonumerics" --version
"$work/venv/bin/autonumerics" kernel tanh -o t.py
"$work/venv/bin/python" -c "import numpy as np, t; print('   t.tanh(0.5) =', np.asarray(t.tanh(np.float32(0.5))))"
if "$work/venv/bin/python" -c "import autonumerics.jax as a, sys; sys.exit('tanh' not in a.fast.__all__)"; then
    echo "   autonumerics kernel tanh --tier fast -o tf.py"
    "$work/venv/bin/autonumerics" kernel tanh --tier fast -o tf.py
    "$work/venv/bin/python" -c "import numpy as np, tf; print('   tf.tanh_fast(0.5) =', np.asarray(tf.tanh_fast(np.float32(0.5))))"
fi

echo "   autonumerics export CORE --full-range (a packaged core: the kernel it is the main core of)"
core="$("$work/venv/bin/python" -c 'from autonumerics.kernels.base import CORES_DIR; print(CORES_DIR / "exp2_core.json")')"
"$work/venv/bin/autonumerics" export "$core" --full-range --to numpy -o e.py
"$work/venv/bin/python" -c "import numpy as np, e; y = e.exp2(np.float32([0.5, -126.0])); assert y[0] == np.float32(2**0.5); print('   e.exp2:', y)"

echo "3. a 10-second search with 2 workers from a script without a main guard"
cat > search_without_guard.py <<'PY'
import autonumerics

print("   the script's top level runs")  # once: the worker processes must not re-run it
result = autonumerics.search("exp2", (0, 1), time_budget="10s", workers=2)
print("   front:", [(member.n_ops, f"{member.error:.3g}") for member in result.front])
print("   best with <= 6 ops:", result.best(max_ops=6))
PY
timeout 300 "$work/venv/bin/python" search_without_guard.py | tee search.log
test "$(grep -c "top level runs" search.log)" = 1
rm search.log
left="$(ls -A | grep -v -x -e __pycache__ -e search_without_guard.py -e t.py -e tf.py -e e.py || true)"
if [ -n "$left" ]; then echo "the in-memory search left files behind: $left"; exit 1; fi
echo "wheel smoke check passed"
