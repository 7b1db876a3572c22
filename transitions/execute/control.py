"""The local control socket of ``pengine run``: how commands reach the running node.

``pengine run`` listens on ``STATE_DIR/control.sock`` (a Unix socket, owner
only).  A client (the agents' ``crm_attribute``/``crm_master``/
``attrd_updater``, ``pengine configure``, ``pengine resource ...``,
``pengine status``) writes one JSON object on one line, ``{"kind": ...,
"args": {...}}``, and reads one JSON line back: ``{"ok": bool, "text": str,
"data": ...}``.  The server thread only passes each request, with the way to
answer it, to the controller's queue: the controller's one thread decides,
and may answer much later (once the coordinator has accepted a change).
"""

from __future__ import annotations

import json
import os
import socket
import threading
from typing import Callable

from attrs import frozen

SOCKET_FILE = "control.sock"
MAX_REQUEST = 16 * 1024 * 1024
ENV_SOCKET = "PENGINE_CONTROL_SOCKET"


class ControlError(Exception):
    """The running pengine cannot be reached (or answered nonsense)."""


@frozen
class ControlRequest:
    kind: str
    args: dict
    answer: Callable[[dict], None]


def socket_path(state_dir: str) -> str:
    """STATE_DIR/control.sock; a deep state directory's socket lives in the
    runtime directory instead, under a name derived from the state
    directory's path (a Unix socket's path has at most 107 bytes)."""
    path = os.path.join(os.path.abspath(state_dir), SOCKET_FILE)
    if len(path.encode()) < 100:
        return path
    import hashlib
    digest = hashlib.sha256(os.path.abspath(state_dir).encode()).hexdigest()[:20]
    runtime = "/run" if os.geteuid() == 0 and os.path.isdir("/run") else \
        (os.environ.get("XDG_RUNTIME_DIR") or "/tmp")
    return os.path.join(runtime, f"pengine-{digest}.sock")


def answer(ok: bool, text: str = "", data=None) -> dict:
    return {"ok": ok, "text": text, "data": data}


class ControlServer:
    """Accepts connections on a thread; each request goes to ``post``."""

    def __init__(self, path: str, post: Callable[[ControlRequest], None]):
        self.path = path
        self.post = post
        self.sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            sock.bind(self.path)
        finally:
            os.umask(old)
        sock.listen(16)
        self.sock = sock
        self._thread = threading.Thread(target=self._serve, name="control", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        sock, self.sock = self.sock, None
        if sock is not None:
            try:
                sock.close()
            finally:
                try:
                    os.unlink(self.path)
                except OSError:
                    pass

    def _serve(self) -> None:
        while self.sock is not None:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            body = json.loads(_read_line(conn))
            if not isinstance(body, dict) or not isinstance(body.get("kind"), str):
                raise ValueError("a request is an object with a kind")
            args = body.get("args") or {}
            if not isinstance(args, dict):
                raise ValueError("args must be an object")
        except (OSError, ValueError) as error:
            _send(conn, answer(False, f"bad request: {error}"))
            return
        conn.settimeout(None)
        self.post(ControlRequest(body["kind"], args, lambda reply: _send(conn, reply)))


def _read_line(conn: socket.socket) -> str:
    chunks = []
    size = 0
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if b"\n" in chunk or size > MAX_REQUEST:
            break
    return b"".join(chunks).split(b"\n", 1)[0].decode()


def _send(conn: socket.socket, reply: dict) -> None:
    try:
        conn.sendall(json.dumps(reply).encode() + b"\n")
    except OSError:
        pass            # the client gave up
    finally:
        conn.close()


def ask(path: str, kind: str, args: dict | None = None, timeout: float = 60.0) -> dict:
    """Send one request to the pengine listening on ``path``; its answer."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        try:
            sock.connect(path)
        except OSError as error:
            raise ControlError(f"no running 'pengine run' at {path} "
                               f"({error.strerror or error})") from None
        try:
            sock.sendall(json.dumps({"kind": kind, "args": args or {}}).encode() + b"\n")
            line = _read_line(sock)
        except socket.timeout:
            raise ControlError(f"no answer from {path} within {timeout:g}s") from None
        except OSError as error:
            raise ControlError(f"{path}: {error.strerror or error}") from None
    finally:
        sock.close()
    try:
        reply = json.loads(line)
    except ValueError:
        reply = None
    if not isinstance(reply, dict) or "ok" not in reply:
        raise ControlError(f"{path} closed the connection without an answer")
    return reply
