"""Import the package's modules, and scikit-learn, numpy and scipy under them,
from a frame where CPython's frame stack has room (see ``_frame_stack``):
40-90 ms less for ``import skperceptron`` and for unpickling a model."""

import importlib

from ._frame_stack import call_with_room

call_with_room(importlib.import_module, "._from_sklearn", __package__)
