"""Recursions that follow user-built chains, run on an explicit stack.

Pacemaker's scheduler recurses along chains the configuration builds
(colocations, orderings, group members): a legal chain of thousands of
resources would exhaust Python's stack.  Such a recursion is written as a
generator: where the C code calls itself, the generator yields the call's
arguments and receives its result; ``drive`` keeps the pending calls on a
list.  The calls run in the same order as the recursion's, so results are
identical; only the Python stack stays flat.
"""

from __future__ import annotations

from typing import Callable, Generator


def drive(start: Generator, expand: Callable[[object], Generator]):
    """Run ``start`` to its return value.  Whatever a generator yields is a
    call: ``expand(call)`` is the generator that makes it, and its return
    value is sent back to the caller.  An exception unwinds the callers as
    it would the recursion (each sees it raised at its ``yield``)."""
    stack = [start]
    result = None
    error: BaseException | None = None
    while stack:
        try:
            if error is not None:
                raised, error = error, None
                call = stack[-1].throw(raised)
            else:
                call = stack[-1].send(result)
        except StopIteration as done:
            stack.pop()
            result = done.value
            continue
        except BaseException as raised:   # noqa: BLE001 - handed to the caller below
            stack.pop()
            if not stack:
                raise
            error = raised
            continue
        stack.append(expand(call))
        result = None
    return result
