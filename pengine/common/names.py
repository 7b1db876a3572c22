"""How Pacemaker orders names: case-insensitively, digit runs as numbers.

Node lists are kept in this order (pe__cmp_node_name), so "node2" comes
before "node10"; it decides iteration order wherever Pacemaker walks nodes.
"""

from __future__ import annotations

import functools


def numeric_strcasecmp(s1: str, s2: str) -> int:
    """pcmk__numeric_strcasecmp: case-insensitive, digit runs compared as numbers."""
    i = j = 0
    n1, n2 = len(s1), len(s2)
    while i < n1 and j < n2:
        c1, c2 = s1[i], s2[j]
        if c1.isdigit() and c2.isdigit() and c1.isascii() and c2.isascii():
            e1 = i
            while e1 < n1 and s1[e1].isascii() and s1[e1].isdigit():
                e1 += 1
            e2 = j
            while e2 < n2 and s2[e2].isascii() and s2[e2].isdigit():
                e2 += 1
            v1, v2 = int(s1[i:e1]), int(s2[j:e2])
            if v1 != v2:
                return -1 if v1 < v2 else 1
            l1, l2 = e1 - i, e2 - j
            if l1 != l2:
                return -1 if l1 < l2 else 1
            i, j = e1, e2
        else:
            o1, o2 = ord(c1.lower()), ord(c2.lower())
            if o1 != o2:
                return -1 if o1 < o2 else 1
            i += 1
            j += 1
    if i < n1:
        return 1
    if j < n2:
        return -1
    return 0


name_key = functools.cmp_to_key(numeric_strcasecmp)
