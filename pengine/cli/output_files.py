"""Output files written whole or not at all."""

from __future__ import annotations

import os
import tempfile

from pengine.cib.errors import UsageError


def write_atomically(path: str, content: str | bytes) -> None:
    """Temporary file in the same directory, then rename: never half a file
    (a symlink followed, a FIFO or device written as a stream: write_all)."""
    if path == "":
        raise UsageError("the output file name is empty")
    if os.path.islink(path) or _is_stream(os.path.realpath(path)):
        write_all([(path, content)])
        return
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


def check_output_paths(paths: list[tuple[str, str]]) -> None:
    """Usage errors before any work: an empty name, the same file twice
    (``[(flag, path), ...]``)."""
    seen: dict[str, str] = {}
    for flag, path in paths:
        if path is None:
            continue
        if path == "":
            raise UsageError(f"{flag}: the file name is empty")
        key = os.path.realpath(path)
        if key in seen:
            raise UsageError(f"{seen[key]} and {flag} name the same file {path}")
        seen[key] = flag


def write_all(files: list[tuple[str, str | bytes]]) -> None:
    """Write every file or none.

    Each regular (or new) file is first written whole to a temporary file
    beside it; only when all are ready are they renamed into place, so a
    failure (``-O /nonexistent/x.xml``) leaves no file of the set behind.  A
    symlink is followed (its target is replaced, never the link itself); a
    FIFO or a device is written as a stream, after the regular files are
    staged, since it cannot be staged; a FIFO without a reader is refused
    rather than waited on."""
    staged: list[tuple[str, str]] = []
    streams: list[tuple[str, bytes]] = []
    try:
        for path, content in files:
            data = content.encode("utf-8") if isinstance(content, str) else content
            target = os.path.realpath(path)
            if _is_stream(target):
                streams.append((path, data))
                continue
            staged.append((_stage(path, target, data), target))
        for path, data in streams:
            _write_stream(path, data)
        for tmp, target in staged:
            try:
                os.replace(tmp, target)
            except OSError as error:
                raise UsageError(f"cannot write {target}: {error.strerror or error}") from None
    finally:
        for tmp, _ in staged:
            if os.path.lexists(tmp):
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def _is_stream(path: str) -> bool:
    import stat
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _stage(path: str, target: str, data: bytes) -> str:
    if os.path.isdir(target):
        raise UsageError(f"cannot write {path}: it is a directory")
    directory = os.path.dirname(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".pengine-", dir=directory)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
        if os.path.exists(target):
            mode = os.stat(target).st_mode & 0o7777     # replacing a file keeps its mode
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as error:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    return tmp


def _write_stream(path: str, data: bytes) -> None:
    import errno
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ENXIO:
            raise UsageError(f"cannot write {path}: it is a FIFO that no process reads") from None
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        os.set_blocking(fd, True)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
