#!/usr/bin/env bash
# Export every committed program the same way from this checkout and from an older revision, and
# compare the bytes: a refactor that changes no exporter must print "identical".
#
# Usage: scripts/compare_exports.sh REV   (e.g. scripts/compare_exports.sh HEAD~5; ~10 minutes)
#
# What is exported: every program of results/ (run fronts and curated programs) and every kernel
# core, to JAX, NumPy and C in both float32 semantics (`autonumerics export`); every integer
# kernel of results/quant to JAX, NumPy and C (`autonumerics quant export`); and each full-range
# kernel (`autonumerics kernel`). Both trees run with this checkout's Python environment.
set -euo pipefail
rev=${1:?usage: scripts/compare_exports.sh REV}
repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$repo/.venv/bin/python}
work=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$repo" worktree add --quiet --detach "$work/old" "$rev"

export_all() {  # tree, output folder
    local tree=$1 out=$2 program language semantics ext name
    mkdir -p "$out"
    cd "$tree"
    for program in $(cd "$repo" && git ls-files 'results/*.json' 'autonumerics/kernels/cores/*.json' \
                     | grep -v -e certificate -e pareto -e compare -e '/quant/' -e exports_check \
                               -e bench -e gradients); do
        name=$(echo "$program" | tr / _)
        for language in jax numpy c; do
            ext=py; [ "$language" = c ] && ext=h
            for semantics in xla strict; do
                PYTHONPATH=$tree "$python" -m autonumerics export "$repo/$program" --to "$language" \
                    --semantics "$semantics" -o "$out/${name}_${language}_$semantics.$ext" \
                    >/dev/null 2>>"$out/errors.txt" || true
            done
        done
    done
    for program in "$repo"/results/quant/*_int*.json; do
        name=$(basename "$program" .json)
        for language in jax numpy c; do
            ext=py; [ "$language" = c ] && ext=h
            PYTHONPATH=$tree "$python" -m autonumerics quant export "$program" --to "$language" \
                -o "$out/quant_${name}_$language.$ext" >/dev/null 2>>"$out/errors.txt" || true
        done
    done
    for name in exp2 exp expm1 log2 log log1p erf tanh sigmoid; do
        PYTHONPATH=$tree "$python" -m autonumerics kernel "$name" -o "$out/kernel_$name" \
            >/dev/null 2>>"$out/errors.txt" || true
    done
}

export_all "$work/old" "$work/before" &
export_all "$repo" "$work/after"
wait
count=$(find "$work/after" -type f ! -name errors.txt | wc -l)
# errors.txt differs in its paths (warnings name the module files); each side's exports are compared
if diff -r -x errors.txt "$work/before" "$work/after" >"$work/diff.txt"; then
    echo "identical: $count exported files, against $rev"
else
    cp "$work/diff.txt" "${TMPDIR:-/tmp}/compare_exports.diff"
    grep -e '^Only' -e '^diff' "$work/diff.txt" | head -40
    echo "DIFFERENT from $rev (files above; the whole diff: ${TMPDIR:-/tmp}/compare_exports.diff)"
    exit 1
fi
