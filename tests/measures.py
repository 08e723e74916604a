#!/usr/bin/python3
"""The code's measures (issue 15): no file of plugin/ over 600 lines, no
function of plugin/ over 80, no unit-test file over 1000.

    /usr/bin/python3 tests/measures.py [-v]

A function is counted from its first line (return type and name, at the
start of a line) to its closing brace at the start of a line; a static
table initialised at file scope is no function.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMITS = {"plugin file": 600, "function": 80, "unit-test file": 1000}


def c_files(folder):
    for d, _, files in os.walk(os.path.join(ROOT, folder)):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(d, f)


def functions(path):
    """(name, first line, number of lines) of each function definition."""
    lines = open(path).read().split("\n")
    found = []
    i = 0
    while i < len(lines):
        m = re.match(r"^[A-Za-z_][\w \t\*]*?\b(\w+)\s*\(", lines[i])
        if m and not lines[i].rstrip().endswith(";") and not lines[i].startswith(("typedef", "struct", "enum", "union")) or \
                (m and lines[i].startswith(("struct", "enum", "union")) and "(" in lines[i] and "{" not in lines[i]):
            # find the body: the first '{' at line start before any ';' at line end
            j = i
            while j < len(lines) and not lines[j].startswith("{") and not lines[j].rstrip().endswith(";"):
                j += 1
            if j < len(lines) and lines[j].startswith("{"):
                k = j
                while k < len(lines) and not lines[k].startswith("}"):
                    k += 1
                found.append((m.group(1), i + 1, k - i + 1))
                i = k + 1
                continue
        i += 1
    return found


def main():
    verbose = "-v" in sys.argv
    failures = []
    for path in c_files("plugin"):
        rel = os.path.relpath(path, ROOT)
        n = sum(1 for _ in open(path))
        if n > LIMITS["plugin file"]:
            failures.append("%s: %d lines (at most %d)" % (rel, n, LIMITS["plugin file"]))
        for name, line, length in functions(path):
            if verbose:
                print("%4d %s:%d %s" % (length, rel, line, name))
            if length > LIMITS["function"]:
                failures.append("%s:%d: %s is %d lines (at most %d)"
                                % (rel, line, name, length, LIMITS["function"]))
    for path in c_files(os.path.join("tests", "unit")):
        rel = os.path.relpath(path, ROOT)
        n = sum(1 for _ in open(path))
        if n > LIMITS["unit-test file"]:
            failures.append("%s: %d lines (at most %d)" % (rel, n, LIMITS["unit-test file"]))
    for f in failures:
        print(f)
    print("measures: %s" % ("%d over" % len(failures) if failures else "all within"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
