"""pengine: Pacemaker's scheduler in Python.

The pipeline, one folder per stage (docs/architecture.md): ``cib`` (the configuration model and
its readers) -> ``rules`` -> ``status`` (the working state of one run) -> ``schedule`` (the
phases) -> ``transitions`` (graph, renderings, executor) and ``analyses``; ``cli`` on top, and
``common`` (scores, dates, options) under everything.
"""

# cib/, grammar/ and transitions/ sit at the top of the repository, beside pengine/, and
# the wheel installs them as pengine.cib, pengine.grammar and pengine.transitions
# (pyproject's package-dir), so that only one name lands in site-packages.  A source
# checkout (python -m pengine.cli with PYTHONPATH=checkout, as the tests run it) has no
# such install step: there the repository root joins this package's search path, so that
# pengine.cib is ../cib.  An installed pengine has no pyproject.toml beside it and is
# left alone.
import os as _os

_ROOT = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if (_os.path.isfile(_os.path.join(_ROOT, "pyproject.toml"))
        and _os.path.isfile(_os.path.join(_ROOT, "cib", "__init__.py"))
        and _ROOT not in __path__):
    __path__.append(_ROOT)
del _os, _ROOT
