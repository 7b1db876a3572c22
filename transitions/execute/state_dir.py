"""The state directory of ``pengine run``: the CIB with its status section.

``DIR/cib.xml`` is always a whole document: it is written to a temporary
file in the same directory, flushed to disk and renamed over the old one,
so that ``pengine status`` (or a crash) never sees half of it.  A lock file
keeps two runs from sharing one directory.
"""

from __future__ import annotations

import fcntl
import os
import tempfile

from pengine.cib import model as m
from pengine.cib.errors import UsageError

CIB_FILE = "cib.xml"
LOCK_FILE = ".lock"


class StateDir:
    def __init__(self, path: str):
        self.path = path
        self._lock_fd: int | None = None

    @property
    def cib_path(self) -> str:
        return os.path.join(self.path, CIB_FILE)

    def create(self) -> None:
        try:
            os.makedirs(self.path, exist_ok=True)
        except OSError as error:
            raise UsageError(f"cannot create state directory {self.path}: "
                             f"{error.strerror or error}") from None

    def lock(self) -> None:
        """Refuse a second run on the same directory."""
        path = os.path.join(self.path, LOCK_FILE)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise UsageError(f"cannot lock {path}: {error.strerror or error}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise UsageError(f"state directory {self.path} is in use by another "
                             "'pengine run'") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock_fd = fd

    def unlock(self) -> None:
        if self._lock_fd is not None:
            # when the run stopped, for 'pengine status' (a killed run leaves its pid)
            import time
            os.ftruncate(self._lock_fd, 0)
            os.lseek(self._lock_fd, 0, os.SEEK_SET)
            os.write(self._lock_fd, f"stopped {int(time.time())}\n".encode())
            os.close(self._lock_fd)
            self._lock_fd = None

    def controller(self) -> tuple[bool, int | None, float | None]:
        """(running, pid, since): whether a 'pengine run' holds the directory;
        if not, since when (its recorded stop, else the last status it wrote)."""
        path = os.path.join(self.path, LOCK_FILE)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return False, None, _mtime(self.cib_path)
        try:
            text = os.read(fd, 100).decode(errors="replace").split()
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                pid = int(text[0]) if text and text[0].isdigit() else None
                return True, pid, None
            if len(text) == 2 and text[0] == "stopped" and text[1].isdigit():
                return False, None, float(text[1])
            return False, None, _mtime(self.cib_path)   # killed: its last status
        finally:
            os.close(fd)

    def load(self) -> m.Cib | None:
        """The saved CIB, or None when there is none yet."""
        if not os.path.exists(self.cib_path):
            return None
        from pengine.cib.load import load_cib
        return load_cib([self.cib_path])

    def save(self, cib: m.Cib) -> None:
        from pengine.cib.cib_xml import write_cib
        write_atomically(self.cib_path, write_cib(cib))


def _mtime(path: str) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def write_atomically(path: str, content: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".cib-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
