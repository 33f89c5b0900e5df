"""`python -m autonumerics` runs the command line."""

import sys

from autonumerics.cli import main

sys.exit(main())
