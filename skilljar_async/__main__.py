"""``python -m skilljar_async``: the command line."""

import sys

from ._cli import main

sys.exit(main())
