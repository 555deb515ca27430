"""``python -m scma_alloc``: see :mod:`scma_alloc._cli`."""

from ._cli import main

# Guarded: worker processes started with "spawn"/"forkserver" import this module as
# ``__mp_main__`` and must not run the command line again.
if __name__ == "__main__":
    raise SystemExit(main())
