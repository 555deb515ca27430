"""``python -m gfnoma ...``: same as the ``gfnoma`` console script."""

import sys

from gfnoma.cli import main

if __name__ == "__main__":
    sys.exit(main())
