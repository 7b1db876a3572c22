"""``python -m pengine.cli``: the same as the ``pengine`` command."""

import sys

from pengine.cli import main

sys.exit(main())
