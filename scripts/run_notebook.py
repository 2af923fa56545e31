#!/usr/bin/env python3
"""Executes one notebook headless with nbclient (used by scripts/reproduce.ts; run it from the project's .venv).

    .venv/bin/python scripts/run_notebook.py IN.ipynb OUT.ipynb [--timeout SECONDS] [--kernel tslab]
                                            [--report REPORT.json] [--kernel-log FILE]

The kernel runs with the notebook's folder as its working directory. The executed notebook (with outputs, also
after a failure, up to and including the failing cell) is written to OUT. Progress goes to stdout, one line per
code cell. On a failing cell the script prints the cell's source and its real error: tslab writes compile and
runtime errors to the cell's stderr stream (nbconvert then shows an empty message), so the error text is taken
from the cell's stderr/error outputs and, failing that, from the kernel process's own stderr (--kernel-log).
Exit status: 0 ok, 1 a cell failed, 2 timeout, 3 kernel died / could not start.
A JSON report ({ok, seconds, cells, failed_cell, error, source}) goes to --report when given.
"""
import argparse
import json
import os
import sys
import time
import traceback

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError


def cell_error_text(cell):
    """The error text a failed tslab cell carries: its stderr streams and error outputs."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            tb = "\n".join(out.get("traceback") or [])
            head = f"{out.get('ename', '')}: {out.get('evalue', '')}".strip(": ")
            parts.append(tb if tb and (not head or head in tb) else "\n".join(x for x in (head, tb) if x))
    return "\n".join(p.rstrip("\n") for p in parts if p and p.strip())


def short(src, n=1):
    line = next((l for l in src.splitlines() if l.strip() and not l.strip().startswith("//")), src.strip())
    return (line[:90] + "...") if len(line) > 90 else line


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per cell; <= 0 means none")
    ap.add_argument("--kernel", default="tslab")
    ap.add_argument("--report")
    ap.add_argument("--kernel-log")
    args = ap.parse_args()

    nb = nbformat.read(args.input, as_version=4)
    workdir = os.path.dirname(os.path.abspath(args.input))
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    n_code = len(code_cells)
    t0 = time.time()
    state = {"start": t0, "done": 0}

    def on_cell_start(cell, cell_index, **_):
        state["start"] = time.time()

    def on_cell_executed(cell, cell_index, **_):
        state["done"] += 1
        dt = time.time() - state["start"]
        print(f"    cell {state['done']:>2}/{n_code}  {dt:7.1f} s  {short(cell.source)}", flush=True)

    client = NotebookClient(
        nb,
        timeout=None if args.timeout <= 0 else int(args.timeout),
        kernel_name=args.kernel,
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": workdir}},
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
    )

    log = open(args.kernel_log, "w+") if args.kernel_log else None
    status, failed, err_text = 0, None, ""
    try:
        kwargs = {"cwd": workdir}
        if log is not None:
            kwargs["stderr"] = log
        client.execute(**kwargs)
    except CellTimeoutError as e:
        status, err_text = 2, f"cell timed out after {args.timeout:.0f} s (raise it with --timeout)\n{str(e)[:2000]}"
    except DeadKernelError as e:
        status, err_text = 3, f"the kernel died: {e}"
    except CellExecutionError as e:
        status, err_text = 1, str(e)
    except Exception as e:  # kernel did not start, etc.
        status, err_text = 3, "".join(traceback.format_exception(type(e), e, e.__traceback__))[-4000:]
    seconds = time.time() - t0

    # The failing cell: the first code cell not executed ok (the one with an error output / last one run).
    if status != 0:
        executed = [i for i in code_cells if nb.cells[i].get("execution_count") is not None or nb.cells[i].get("outputs")]
        errored = [i for i in code_cells if any(o.get("output_type") == "error" for o in nb.cells[i].get("outputs", []))]
        idx = errored[0] if errored else (executed[-1] if executed else (code_cells[0] if code_cells else None))
        if status == 2 and not errored:
            # the timed-out cell is the one after the last completed
            idx = code_cells[min(state["done"], n_code - 1)] if code_cells else None
        if idx is not None:
            cell = nb.cells[idx]
            text = cell_error_text(cell)
            kernel_err = ""
            if log is not None:
                log.flush()
                log.seek(0)
                kernel_err = log.read()[-6000:].strip()
            if status in (2, 3) and kernel_err:
                err_text = f"{err_text}\n--- kernel stderr (last lines) ---\n{kernel_err}"
            if text:
                err_text = text if status == 1 else f"{err_text}\n{text}"
            elif status == 1:
                # nbclient's own message (it carries the source) lacks the error: fall back to the kernel's stderr
                err_text = kernel_err or err_text or "(no error text: the kernel reported a failure without a message)"
            failed = {"index": code_cells.index(idx) + 1, "source": cell.source}

    nbformat.write(nb, args.output)

    if status != 0:
        bar = "=" * 78
        print(bar)
        where = f"code cell {failed['index']}/{n_code}" if failed else "set-up"
        print(f"FAILED in {where} of {os.path.basename(args.input)}")
        if failed:
            print("-" * 30 + " cell source " + "-" * 35)
            print(failed["source"])
        print("-" * 30 + " error " + "-" * 41)
        print(err_text.strip() or "(empty)")
        print(bar, flush=True)

    if args.report:
        with open(args.report, "w") as f:
            json.dump({"ok": status == 0, "status": status, "seconds": seconds, "cells": n_code,
                       "completed": state["done"], "failed_cell": failed, "error": err_text if status else None}, f, indent=1)
    if log is not None:
        log.close()
    sys.exit(status)


if __name__ == "__main__":
    main()
