"""The `ssot-audit` command's process (also `python -m ssot_audit`): cli.main() run in a
process that is started for it and ends with it, so it skips what only a long-lived one needs.

- The cyclic collector stays off from the first import on: the audit pauses it anyway while
  it builds its data (pipeline/collector_pause.py), and the collections run over the imports
  and, at the audit's end, over every file's facts were about 0.07 s of a `check` of one file
  on Django. Workers turn it on again for themselves (pipeline/isolation.py).
- The process ends with os._exit, without freeing one by one the objects the audit built
  (every file's facts, the rules' modules): about 0.1 s of that `check` (mypy ends the same
  way). By then each worker is reaped and each report and cache entry written and closed;
  only the standard streams are left to flush.

Programs that call cli.main() or the api in their own process keep Python's defaults.
"""

from __future__ import annotations

import gc
import os
import sys


def run() -> None:
    gc.disable()
    from ssot_audit.cli import main

    try:
        main()
    except SystemExit as exc:
        # As Python itself ends: None is success, a number is the status, anything else is
        # printed and fails.
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass  # a closed pipe (`| head`) or stream: nothing more can reach it
        os._exit(code)
