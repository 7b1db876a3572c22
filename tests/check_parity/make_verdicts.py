"""Store crm_verify 3.0.2's verdicts on the generated set in verdicts.json
(``python -m tests.check_parity.make_verdicts``; needs the referee)."""

from __future__ import annotations

import os
import sys
import tempfile

from tests.check_parity.generate import generate
from tests.check_parity.referee import main as store

HERE = os.path.dirname(os.path.abspath(__file__))

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        paths = [path for _, path in generate(tmp)]
        sys.exit(store([os.path.join(HERE, "verdicts.json")] + paths))
