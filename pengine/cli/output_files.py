"""Output files written whole or not at all."""

from __future__ import annotations

import os
import tempfile

from pengine.cib.errors import UsageError


def write_atomically(path: str, content: str | bytes) -> None:
    """Temporary file in the same directory, then rename: never half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".pengine-", dir=directory)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)       # as an ordinary new file, not mkstemp's 0600
        if isinstance(content, str):
            content = content.encode("utf-8")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except OSError as error:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
