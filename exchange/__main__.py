"""`python -m exchange ...` runs the command-line interface."""

import sys

from exchange.cli import main

sys.exit(main())
