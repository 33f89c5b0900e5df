"""Hostile strings through every exporter: no generated file runs or holds code that was not ours.

Every string field an export reads (a program's target, metrics values and keys, provenance; a
core's file path and a run folder's ``pareto.json`` entries; a quantized kernel's metrics) is
filled with strings built to end a docstring or a comment early: quotes, triple quotes,
newlines, ``*/``, trigraphs, NUL, backslashes and escapes, non-ASCII. Each export must then be,
token for token, the export of a plain file (Python: the same syntax tree once string literals
are masked; C: the same preprocessed text), import with no side effect (no file created, the
same globals), compute the same bits as the plain export, and keep the text itself, escaped.
"""

from __future__ import annotations

import ast
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from kernel_checks import REPO_ROOT

from autonumerics.cli import main
from autonumerics.errors import AutonumericsError
from autonumerics.export import export_source
from autonumerics.export.text import c_comment_text, python_text, python_value
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.programfile import ProgramFile

HOSTILE = [
    'exp2"""; open("PWNED", "w").write("1"); """',
    "exp2'''; open('PWNED', 'w').write('1'); '''",
    "exp2 */ int pwned = 42; /*",
    'exp2\nopen("PWNED", "w").write("1")\n#',
    "nul\x00byte",
    # line separators to splitlines(); a lone surrogate
    "non-ASCII \u00e9 \u2603 \U0001f600 \u2028 \x85 \ud800",
    "back\\slash \\N{BULLET} \\x41 \\u00e9 and a last backslash\\",
    'trigraph ??/\nsplices *??/\n/ ?? ??? and a last quote"',
    "{format} %s \r\x0c\x1b\x7f",
    "ends in a trigraph *??/",  # at the end of a comment line, C99 reads a backslash: a line splice
]
ALL_AT_ONCE = "|".join(HOSTILE)
EXPRESSION = "1 + x*(0.6951 + x*(0.2402 + x*0.0557))"
CORE = REPO_ROOT / "autonumerics/kernels/cores/exp2_core.json"
QUANT_KERNEL = REPO_ROOT / "results/quant/gelu_int8_s2m5.json"
HAS_CC = shutil.which("cc") is not None
needs_cc = pytest.mark.skipif(not HAS_CC, reason="no C compiler")


def program_data(text: str) -> dict:
    """A program file with ``text`` in every free-form string field.

    Hostile targets pass: export reads no labels."""
    certificate = {"n_points": text, "exhaustive": False, "dtype": text, "max_ulp": text,
                   "worst_input": text, text: text}
    return {"expression": EXPRESSION, "target": text, "interval": [0, 1], "dtype": "float32",
            "metrics": {"final": certificate, text: [text]},
            "provenance": {text: text, "note": text}}


def code_shape(source: str) -> str:
    """The module's syntax tree with every string literal masked: what it does, not what it says."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = "..."
    return ast.dump(tree)


def c_tokens(header: Path) -> str:
    """The header as the compiler sees it, comments removed (``cc -E -P``); a warning fails it
    (``-Wall -Werror``: a trigraph that splices lines, a comment opened inside a comment)."""
    done = subprocess.run(["cc", "-std=c99", "-Wall", "-Werror", "-E", "-P", str(header)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


IMPORTER = r"""
import json, os, sys
import numpy as np
from autonumerics.sourcefile import load_module
report = {}
for path, function, grid in json.loads(sys.argv[1]):
    module = load_module(path)
    x = np.linspace(-1, 2, 301, dtype=np.float32) if grid == "float" else np.arange(-128, 128)
    y = np.asarray(getattr(module, function)(x))
    report[path] = {"names": sorted(k for k in vars(module) if not k.startswith("__")),
                    "bits": y.view(np.uint32 if y.dtype == np.float32 else np.int32).tolist(),
                    "doc": ascii(module.__doc__), "target": ascii(getattr(module, "TARGET", None)),
                    "metadata": ascii(getattr(module, "METADATA", None))}
report["files"] = sorted(os.listdir("."))
print(json.dumps(report))
"""


def import_in_sandbox(modules: list[tuple[Path, str, str]], sandbox: Path) -> dict:
    """Import each (path, function, grid) in a fresh process whose working folder is ``sandbox``."""
    sandbox.mkdir(exist_ok=True)
    argument = json.dumps([[str(path), function, grid] for path, function, grid in modules])
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "JAX_PLATFORMS": "cpu"}
    done = subprocess.run([sys.executable, "-c", IMPORTER, argument], cwd=sandbox,
                          capture_output=True, text=True, env=env, timeout=300, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def run_c(header: Path, function: str, grid: str) -> list[str]:
    """Compile ``header`` with -Wall -Werror in C99; ``function`` on a grid, as hex bits."""
    driver = header.with_suffix(".c")
    value = "x = -1.0f + 0.01f * (float)i" if grid == "float" else "x = i - 128"
    kind = "float" if grid == "float" else "int32_t"
    driver.write_text('#include <stdio.h>\n#include <string.h>\n#include <stdint.h>\n'
                      f'#include "{header.name}"\n'
                      "int main(void) { for (int i = 0; i < 256; ++i) "
                      f"{{ {kind} x; {value}; {kind} y = {function}(x);"
                      ' uint32_t b; memcpy(&b, &y, 4); printf("%08x\\n", (unsigned)b); }'
                      " return 0; }\n")
    binary = header.with_suffix(".bin")
    subprocess.run(["cc", "-std=c99", "-Wall", "-Werror", "-ffp-contract=off", "-o", str(binary),
                    str(driver), "-lm"], check=True, capture_output=True)
    return subprocess.run([str(binary)], capture_output=True, text=True, check=True).stdout.split()


# --- the escaping functions -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [*HOSTILE, ALL_AT_ONCE])
def test_python_text_is_an_inert_literal_that_reads_back(text: str) -> None:
    escaped = python_text(text)
    assert escaped.isascii() and "\n" not in escaped and '"""' not in escaped
    assert ast.literal_eval(f'"""{escaped}"""') == text
    assert ast.literal_eval(python_value(text)) == text and python_value(text).isascii()


@pytest.mark.parametrize("text", [*HOSTILE, ALL_AT_ONCE])
def test_c_comment_text_cannot_end_or_splice_a_comment(text: str) -> None:
    escaped = c_comment_text(text)
    assert escaped.isascii() and "\n" not in escaped and "\0" not in escaped
    assert "*/" not in escaped and "/*" not in escaped and "??" not in escaped
    assert c_comment_text(escaped) == escaped  # the kernel header re-checks escaped lines


def test_plain_text_is_unchanged() -> None:
    plain = ("exp2 on [-0.5, 0.5]: autonumerics/kernels/cores/exp2_core.json"
             " (log(1+x) - x)/x**2 ^ ' ~ ! < > =")
    assert python_text(plain) == plain and c_comment_text(plain) == plain


def test_values_become_python_that_evaluates_to_them() -> None:
    value = {"inf": math.inf, "list": [-math.inf, 0.5, None, True, "\u00e9\x00"], "tuple": (1,)}
    for pretty in (False, True):
        source = python_value(value, pretty)
        assert source.isascii()
        namespace = {"__builtins__": {"float": float}}
        assert eval(source, namespace) == value  # noqa: S307 - our own literal
    assert math.isnan(eval(python_value(math.nan), {"float": float}))  # noqa: S307


# --- autonumerics export --------------------------------------------------------------------------


def write_program(folder: Path, name: str, data: dict) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("language", ["numpy", "jax"])
def test_python_exports_of_hostile_programs_are_the_plain_export(language: str, tmp_path: Path,
                                                                 capsys) -> None:
    texts = [*HOSTILE, ALL_AT_ONCE]
    modules = []
    for index, text in enumerate(["plain target", *texts]):
        out = tmp_path / f"k{index}.py"
        program = write_program(tmp_path, f"p{index}", program_data(text))
        assert main(["export", str(program), "--to", language, "-o", str(out)]) == 0
        modules.append((out, "kernel", "float"))
    capsys.readouterr()
    clean = modules[0][0].read_text()
    for (path, _, _), text in zip(modules[1:], texts, strict=True):
        source = path.read_text()
        assert source.isascii() and code_shape(source) == code_shape(clean), text
    report = import_in_sandbox(modules, tmp_path / "sandbox")
    assert report["files"] == []  # nothing created on import
    plain = report[str(modules[0][0])]
    for (path, _, _), text in zip(modules[1:], texts, strict=True):
        module = report[str(path)]
        assert module["names"] == plain["names"] and module["bits"] == plain["bits"], text
        assert text in ast.literal_eval(module["doc"])
        assert ast.literal_eval(module["target"]) == text


@needs_cc
def test_c_exports_of_hostile_programs_are_the_plain_export(tmp_path: Path, capsys) -> None:
    headers = []
    for index, text in enumerate(["plain target", *HOSTILE, ALL_AT_ONCE]):
        out = tmp_path / f"k{index}.h"
        program = write_program(tmp_path, f"p{index}", program_data(text))
        assert main(["export", str(program), "--to", "c", "-o", str(out)]) == 0
        headers.append(out)
    capsys.readouterr()
    clean = c_tokens(headers[0])
    for header in headers[1:]:
        assert header.read_text().isascii() and c_tokens(header) == clean, header.read_text()[:300]
    assert run_c(headers[-1], "kernel", "float") == run_c(headers[0], "kernel", "float")


def test_the_api_callables_of_hostile_programs_run_only_the_program(tmp_path: Path,
                                                                    monkeypatch) -> None:
    """``ProgramFile.to_numpy`` / ``to_jax`` run the export's source in this process."""
    monkeypatch.chdir(tmp_path)
    x = np.linspace(-1, 2, 301, dtype=np.float32)
    plain = ProgramFile.from_json(program_data("plain"))
    for text in [*HOSTILE, ALL_AT_ONCE]:
        hostile = ProgramFile.from_json(program_data(text))
        assert np.array_equal(hostile.to_numpy()(x).view(np.uint32),
                              plain.to_numpy()(x).view(np.uint32))
    jitted = ProgramFile.from_json(program_data(ALL_AT_ONCE)).to_jax()
    assert np.array_equal(np.asarray(jitted(x)).view(np.uint32),
                          np.asarray(plain.to_jax()(x)).view(np.uint32))
    assert list(tmp_path.iterdir()) == []


def test_a_program_with_a_non_finite_or_odd_interval_is_refused(tmp_path: Path, capsys) -> None:
    program = tmp_path / "p.json"
    program.write_text('{"expression": "x + 1", "target": "exp2", "interval": [NaN, Infinity]}')
    assert main(["export", str(program), "--to", "numpy"]) == 2
    assert "non-finite" in capsys.readouterr().err
    for interval in ((math.nan, math.inf), ("0", "1'\"\"\""), (0.0,)):
        with pytest.raises(AutonumericsError, match="is not two finite numbers"):
            export_source(ProgramFile(parse_expr("x + 1"), "exp2", interval, "float32"), "numpy")


def cli(args: list[str], cwd: Path, seconds: float = 60) -> subprocess.CompletedProcess:
    """``autonumerics ARGS`` in a fresh process, which must end within ``seconds``."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "autonumerics", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=seconds * 3)
    assert time.monotonic() - started < seconds, args
    return done


def refused(args: list[str], cwd: Path, *messages: str) -> None:
    """Exit status 2, one line on stderr holding ``messages``, no traceback, no output folder."""
    done = cli([*args, "-o", str(cwd / "made" / "out.txt")], cwd)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
    assert all(message in done.stderr for message in messages), done.stderr
    assert not (cwd / "made").exists()


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    """``main(argv)`` in this process: exit status 2 and one line on stderr holding ``message``."""
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2 and len(err.splitlines()) == 1 and message in err, err


def test_a_bad_function_name_is_one_line(tmp_path: Path, capsys) -> None:
    program = write_program(tmp_path, "p", program_data("plain"))
    message = "is not an identifier the export can use"
    refused(["export", str(program), "--to", "c", "--name", 'k(x):\n    pass\nimport os\ndef k'],
            tmp_path, message)
    for name in ("\u00e9", "np", "int", "_fma", "__x", "print", "TARGET"):
        for language in ("jax", "numpy", "c"):
            one_line_error(capsys, ["export", str(program), "--to", language, "--name", name],
                           message)


def test_a_hostile_op_name_is_one_line(tmp_path: Path) -> None:
    program = write_program(tmp_path, "p", {**program_data("plain"), "ops": [HOSTILE[0]]})
    refused(["export", str(program), "--to", "jax"], tmp_path, "ops must be a list of op names")


# --- autonumerics kernel --from and export --full-range -------------------------------------------


def hostile_folder(base: Path, text: str) -> Path:
    """A folder with ``text`` in its path, less NUL and lone surrogates (no file name has them)."""
    name = "".join(c for c in text if c != "\0" and not 0xD800 <= ord(c) <= 0xDFFF)
    folder = base / name.replace("/", "/sub ")
    folder.mkdir(parents=True)
    return folder


def kernel_exports(tmp_path: Path, arguments: list[str], stem: str) -> dict[str, Path]:
    written = {}
    for language, suffix in (("jax", ".py"), ("numpy", "_numpy.py"), ("c", ".h")):
        written[language] = tmp_path / f"{stem}{suffix}"
        assert main([*arguments, "--to", language, "-o", str(written[language])]) == 0
    return written


def test_hostile_core_paths_and_run_folders_are_only_text(tmp_path: Path, capsys) -> None:
    clean = kernel_exports(tmp_path, ["kernel", "exp2", "--from", str(CORE)], "clean")
    cases = []
    texts = [HOSTILE[0], HOSTILE[2], HOSTILE[3], HOSTILE[6], HOSTILE[7], HOSTILE[5]]
    for index, text in enumerate(texts):
        name = f"{text[:20].replace('/', '|')}.json"
        core = hostile_folder(tmp_path / f"cores{index}", text) / name
        core_data = json.loads(CORE.read_text())
        metrics = {**core_data.get("metrics", {}), text: text}
        core.write_text(json.dumps({**core_data, "metrics": metrics}))
        run = hostile_folder(tmp_path / f"runs{index}", text)
        (run / "front").mkdir()
        shutil.copy(core, run / "front" / core.name)
        front = {"front": [{"file": f"front/{core.name}", "final_error": 0.5, "n_ops": 12}]}
        (run / "pareto.json").write_text(json.dumps(front))
        for arguments, stem in ((["kernel", "exp2", "--from", str(core)], f"core{index}"),
                                (["kernel", "exp2", "--from", str(run)], f"run{index}"),
                                (["export", str(core), "--full-range"], f"full{index}")):
            cases.append((kernel_exports(tmp_path, arguments, stem), core))
    capsys.readouterr()
    for written, core in cases:
        for language in ("jax", "numpy"):
            source = written[language].read_text()
            assert source.isascii(), core
            assert code_shape(source) == code_shape(clean[language].read_text()), core
        if HAS_CC:
            assert c_tokens(written["c"]) == c_tokens(clean["c"]), core
    modules = [(path, "exp2", "float") for written in [clean, cases[-1][0]]
               for path in (written["jax"], written["numpy"])]
    report = import_in_sandbox(modules, tmp_path / "sandbox")
    assert report["files"] == []
    assert report[str(modules[2][0])]["bits"] == report[str(modules[0][0])]["bits"]
    assert report[str(modules[3][0])]["bits"] == report[str(modules[1][0])]["bits"]
    assert cases[-1][1].name in ast.literal_eval(report[str(modules[3][0])]["doc"])


@needs_cc
def test_a_kernel_header_from_a_hostile_path_compiles_to_the_same_function(
        tmp_path: Path, capsys) -> None:
    core = hostile_folder(tmp_path, ALL_AT_ONCE) / "core.json"
    shutil.copy(CORE, core)
    clean = tmp_path / "clean.h"
    hostile = tmp_path / "hostile.h"
    assert main(["kernel", "exp2", "--to", "c", "-o", str(clean)]) == 0
    assert main(["kernel", "exp2", "--from", str(core), "--to", "c", "-o", str(hostile)]) == 0
    capsys.readouterr()
    assert run_c(hostile, "approx_exp2", "float") == run_c(clean, "approx_exp2", "float")


@pytest.mark.parametrize(("entry", "message"), [
    ("../outside.json", "is not a path inside the run folder"),
    ("front/../../outside.json", "is not a path inside the run folder"),
    ("ABSOLUTE", "is not a path inside the run folder"),
    ("front/link.json", "is not a path inside the run folder"),
    ("front/a\x00b.json", "file must be a relative path inside the run folder"),
    (42, "file must be a relative path inside the run folder"),
    ("front/missing.json", "does not exist"),
])
def test_a_pareto_file_entry_outside_the_run_folder_is_one_line(entry, message: str,
                                                                tmp_path: Path) -> None:
    shutil.copy(CORE, tmp_path / "outside.json")
    run = tmp_path / "run"
    (run / "front").mkdir(parents=True)
    (run / "front" / "link.json").symlink_to(tmp_path / "outside.json")
    entry = str(tmp_path / "outside.json") if entry == "ABSOLUTE" else entry
    front = {"front": [{"file": entry, "final_error": 0.5, "n_ops": 12}]}
    (run / "pareto.json").write_text(json.dumps(front))
    refused(["kernel", "exp2", "--from", str(run)], tmp_path, "pareto.json: front[0]: ", message)


def test_output_paths_with_markup_are_written_and_reported(tmp_path: Path, capsys) -> None:
    program = write_program(tmp_path, "p", program_data("plain"))
    out = tmp_path / "out[/x]" / "[bold]k.py"
    assert main(["export", str(program), "--to", "numpy", "-o", str(out)]) == 0
    assert main(["kernel", "exp2", "--to", "c", "-o", str(out.with_suffix(".h"))]) == 0
    printed = capsys.readouterr().out
    assert out.is_file() and "[bold]k.py" in printed and "[bold]k.h" in printed


# --- autonumerics quant export --------------------------------------------------------------------


def quant_file(folder: Path, name: str, text: str) -> Path:
    """The shipped gelu int8 kernel, ``text`` in its metrics (keys and values) and provenance."""
    data = json.loads(QUANT_KERNEL.read_text())
    data["metrics"] = {**data["metrics"], text: text, "note": [text, math.nan, math.inf, -math.inf]}
    data["provenance"] = {text: text}
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("language", ["numpy", "jax"])
def test_quant_python_exports_with_hostile_metrics_are_the_plain_export(
        language: str, tmp_path: Path, capsys) -> None:
    modules = []
    for index, text in enumerate(["plain", ALL_AT_ONCE, HOSTILE[0], HOSTILE[3]]):
        out = tmp_path / f"q{index}.py"
        kernel = quant_file(tmp_path, f"q{index}", text)
        assert main(["quant", "export", str(kernel), "--to", language, "-o", str(out)]) == 0
        modules.append((out, "gelu_int8", "int8"))
    capsys.readouterr()
    clean = modules[0][0].read_text()
    for path, _, _ in modules[1:]:
        assert path.read_text().isascii() and code_shape(path.read_text()) == code_shape(clean)
    report = import_in_sandbox(modules, tmp_path / "sandbox")
    assert report["files"] == []
    for (path, _, _), text in zip(modules[1:], [ALL_AT_ONCE, HOSTILE[0], HOSTILE[3]], strict=True):
        module, plain = report[str(path)], report[str(modules[0][0])]
        assert module["names"] == plain["names"] and module["bits"] == plain["bits"]
        # the value, read back
        assert f"{python_value(text)}: {python_value(text)}" in module["metadata"]


@needs_cc
def test_quant_c_export_with_hostile_metrics_is_the_plain_export(tmp_path: Path, capsys) -> None:
    headers = []
    for index, text in enumerate(["plain", ALL_AT_ONCE, HOSTILE[2], HOSTILE[7]]):
        out = tmp_path / f"q{index}.h"
        kernel = quant_file(tmp_path, f"q{index}", text)
        assert main(["quant", "export", str(kernel), "--to", "c", "-o", str(out)]) == 0
        headers.append(out)
    capsys.readouterr()
    for header in headers[1:]:
        assert header.read_text().isascii() and c_tokens(header) == c_tokens(headers[0])
    assert run_c(headers[1], "gelu_int8", "int8") == run_c(headers[0], "gelu_int8", "int8")


def test_a_bad_quant_kernel_name_is_one_line(tmp_path: Path, capsys) -> None:
    message = "is not an identifier the export can use"
    refused(["quant", "export", str(QUANT_KERNEL), "--to", "c", "--name", "x; system"],
            tmp_path, message)
    for name in ("\u00e9", "def", "int", "print", "_rshr", "METADATA"):
        for language in ("jax", "numpy", "c"):
            argv = ["quant", "export", str(QUANT_KERNEL), "--to", language, "--name", name]
            one_line_error(capsys, argv, message)


def test_unusable_quant_metrics_are_one_line(tmp_path: Path, capsys) -> None:
    data = json.loads(QUANT_KERNEL.read_text())
    data["metrics"]["max_lsb_error"] = HOSTILE[0]
    (tmp_path / "k.json").write_text(json.dumps(data))
    refused(["quant", "export", str(tmp_path / "k.json"), "--to", "numpy"], tmp_path,
            "max_lsb_error must be")
    deep: list = []
    for _ in range(400):  # repr and pprint would recurse past Python's limit
        deep = [deep]
    data = {**json.loads(QUANT_KERNEL.read_text()), "metrics": {"deep": deep}}
    (tmp_path / "deep.json").write_text(json.dumps(data))
    one_line_error(capsys, ["quant", "export", str(tmp_path / "deep.json"), "--to", "jax"],
                   "levels deep")
