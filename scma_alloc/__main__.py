"""``python -m scma_alloc``: see :mod:`scma_alloc.cli`."""

from .cli import main

raise SystemExit(main())
