"""`python -m sanzhua` and the `sanzhua` console script."""

from __future__ import annotations

import gc


def run() -> None:
    """The program: the CLI imported without the garbage collector (importing it makes a
    hundred thousand objects and no garbage: collecting meanwhile is 15 ms of every run,
    issue 17), then `sanzhua.cli.entry`."""
    gc.disable()
    try:
        from sanzhua.cli import entry  # lazy: imported with the collector off
    finally:
        gc.enable()
    entry()


if __name__ == "__main__":
    run()
