"""Run a call where CPython's frame stack has room to grow.

CPython 3.11+ keeps Python frames in chunks of a per-thread stack and frees a
chunk as soon as the frame at its base returns. Code that loops at a depth
straddling a chunk boundary maps and unmaps memory on every call
(CPython issue gh-142183, fixed by caching one chunk in 3.13 and 3.14 patch
releases only). Importing scikit-learn, numpy and scipy is such a loop: from
inside a package's ``__init__`` (one or more import levels deeper than a
plain ``import sklearn``), it made ~5,000 extra mmap/munmap pairs, 40-90 ms,
depending on how deep the importer happened to be.

``call_with_room`` calls a function from a frame reserving many local slots,
so that CPython opens a fresh, large chunk for it and everything the call
does fits there. Fits loop at whatever depth the caller (a notebook, joblib's
workers, a grid search) happens to be: a warm iris fit took 27 ms at most
depths and 40-45 ms at a few.
"""

import types

# 8192 slots: a 128 KiB chunk with ~64 KiB free above the roomy frame, more
# than the deepest import chain of scikit-learn's dependencies uses
_SLOTS = 8192


def _call(function, args, kwargs):
    return function(*args, **kwargs)


def _roomy(function):
    code = function.__code__
    names = code.co_varnames + tuple(f"_slot{i}" for i in range(_SLOTS))
    try:
        code = code.replace(co_varnames=names, co_nlocals=len(names))
    except (AttributeError, TypeError, ValueError):  # not CPython's code objects
        return function
    return types.FunctionType(code, function.__globals__, function.__name__)


_call_with_room = _roomy(_call)


def call_with_room(function, *args, **kwargs):
    """``function(*args, **kwargs)``, run in a fresh chunk of the frame stack.

    Costs ~50 microseconds: for imports and whole fits, not per-batch calls.
    """
    return _call_with_room(function, args, kwargs)
