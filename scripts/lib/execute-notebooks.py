"""Executes notebooks for scripts/lib/run-notebook.ts, one after the other in one Python process.

`jupyter nbconvert --execute` costs a Python start and the import of nbconvert (about a second on
this machine kind) for every notebook; this worker pays it once. It runs what that command runs:
nbconvert's NotebookExporter with its ExecutePreprocessor on (the kernel, the cell timeout, errors
allowed, the notebook's folder as the kernel's cwd) and its default preprocessors (which merge
consecutive stream outputs), and writes the exporter's output as the command's writer does.

Protocol: one JSON object per line on stdin, {"notebook", "output", "timeout"}; for each, one line on
stdout, PREFIX then {"notebook", "ok", "log", "seconds"} as JSON. Anything else that would reach
stdout (the kernels inherit it) goes to stderr. The worker ends at the end of stdin.
"""
import json
import os
import sys
import time
import traceback

from nbconvert.exporters import NotebookExporter
from traitlets.config import Config


PREFIX = "softnet-lab-notebook-result "


def execute(job):
    started = time.time()
    log = ""
    ok = True
    try:
        config = Config()
        config.ExecutePreprocessor.enabled = True
        config.ExecutePreprocessor.kernel_name = "tslab"
        config.ExecutePreprocessor.timeout = job["timeout"]
        config.ExecutePreprocessor.allow_errors = True
        folder = os.path.dirname(os.path.abspath(job["notebook"]))
        body, _ = NotebookExporter(config=config).from_filename(job["notebook"], resources={"metadata": {"path": folder}})
        # as nbconvert: a run that stopped (a timeout, a dead kernel) writes no notebook
        tmp = job["output"] + ".partial"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(tmp, job["output"])
    except Exception:  # the caller reports the notebook as failed with this log
        ok = False
        log = traceback.format_exc()
    return {"notebook": job["notebook"], "ok": ok, "log": log, "seconds": time.time() - started}


def main():
    # the answers go to the original stdout; everything else this process or the kernels it starts
    # write there (they inherit fd 1) goes to stderr, so nothing can break a protocol line
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if line.strip():
            answers.write(PREFIX + json.dumps(execute(json.loads(line))) + "\n")
            answers.flush()


if __name__ == "__main__":
    main()
