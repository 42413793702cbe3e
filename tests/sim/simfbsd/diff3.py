"""Three-way merge of text files, as ``diff3 -E -m`` / ``merge(1)`` produce it.

freebsd-update(8) merges /etc with ``diff3 -E -m -L "current version" -L OLD -L NEW current old new``
(src: usr.sbin/freebsd-update/freebsd-update.sh upgrade_merge()) and etcupdate(8) with
``diff3 -E -m -L yours -L "..." -L "..."`` (usr.sbin/etcupdate/etcupdate.sh merge_file()).
Changes on one side only are taken; the same change on both sides is taken once; different
changes to the same lines are a conflict, written with diff3's markers::

    <<<<<<< LABEL1
    (current lines)
    =======
    (new lines)
    >>>>>>> LABEL3

(``-E``: the base lines are not shown.)  Hunks are found with difflib, so on unusual inputs the
conflict regions may be cut differently from diff3's; the merged result of non-overlapping
changes is the same.

``show_base``: ``diff3 -m`` (no ``-E``) also writes the base lines after ``||||||| LABEL2``.

Interface: merge(mine, base, theirs, labels=(l1, l2, l3), show_base=False) -> (text, conflicts: bool)
"""

import difflib


def _hunks(base, other):
    """[(base_start, base_end, other_lines)] for every change from base to other."""
    out = []
    sm = difflib.SequenceMatcher(a=base, b=other, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            out.append((i1, i2, other[j1:j2]))
    return out


def merge(mine, base, theirs, labels=("mine", "base", "theirs"), show_base=False):
    a = mine.splitlines(keepends=True)
    o = base.splitlines(keepends=True)
    b = theirs.splitlines(keepends=True)
    changes = [(s, e, lines, 0) for s, e, lines in _hunks(o, a)] + [(s, e, lines, 1) for s, e, lines in _hunks(o, b)]
    changes.sort(key=lambda c: (c[0], c[1]))
    out, pos, conflicts, i = [], 0, False, 0
    while i < len(changes):
        start, end, _lines, _side = changes[i]
        group = [changes[i]]
        i += 1
        # a region: every change overlapping (or touching, for insertions) the first one
        while i < len(changes) and (changes[i][0] < end or (changes[i][0] == end == start) or changes[i][0] == start):
            group.append(changes[i])
            end = max(end, changes[i][1])
            i += 1
        out.extend(o[pos:start])
        sides = {g[3] for g in group}
        if len(sides) == 1:
            cur = start
            for s, e, lines, _side in group:
                out.extend(o[cur:s])
                out.extend(lines)
                cur = e
            out.extend(o[cur:end])
        else:
            mine_text = _side_text(o, start, end, [g for g in group if g[3] == 0])
            their_text = _side_text(o, start, end, [g for g in group if g[3] == 1])
            if mine_text == their_text:
                out.extend(mine_text)
            else:
                conflicts = True
                out.append(f"<<<<<<< {labels[0]}\n")
                out.extend(_terminated(mine_text))
                if show_base:  # diff3 -m without -E: the original lines too
                    out.append(f"||||||| {labels[1]}\n")
                    out.extend(_terminated(o[start:end]))
                out.append("=======\n")
                out.extend(_terminated(their_text))
                out.append(f">>>>>>> {labels[2]}\n")
        pos = end
    out.extend(o[pos:])
    return "".join(out), conflicts


def _side_text(o, start, end, group):
    """Lines start..end of base with one side's changes applied."""
    res, cur = [], start
    for s, e, lines, _side in group:
        res.extend(o[cur:s])
        res.extend(lines)
        cur = e
    res.extend(o[cur:end])
    return res


def _terminated(lines):
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines
