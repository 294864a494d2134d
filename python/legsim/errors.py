"""Exceptions raised by legsim.

Every exception derives from :class:`Error`. Bad input (a parameter, a model-file field, a gait
condition) raises :class:`InputError`, which is also a :class:`ValueError`; a simulation that failed
numerically where numbers were demanded raises :class:`SimulationError` (a :class:`RuntimeError`).
The C++ core's exceptions are translated into these with the same message.
"""


class Error(Exception):
    """Base class of every legsim exception."""


class InputError(Error, ValueError):
    """Bad input: the message names the field, the value and the allowed range."""


class ModelFileError(InputError):
    """A model file that cannot be read: missing, malformed, wrong type, unknown or missing key."""


class SimulationError(Error, RuntimeError):
    """A simulation failed numerically (step-size underflow, non-finite state, no toe-off, ...)."""


__all__ = ["Error", "InputError", "ModelFileError", "SimulationError"]
