"""``python -m tools.codegen [--check]``."""

import sys

from .cli import main

sys.exit(main())
