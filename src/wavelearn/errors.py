"""Exceptions with messages a user can act on."""


class WavelearnError(Exception):
    """Base class of every error wavelearn raises on purpose."""


class ParameterError(WavelearnError, ValueError):
    """A physical or numerical parameter is outside its allowed range."""


class ConvergenceError(WavelearnError, RuntimeError):
    """An eigen-solver returned fewer converged eigenpairs than requested."""

    def __init__(self, message: str, converged: int = 0, requested: int = 0):
        super().__init__(message)
        self.converged = converged
        self.requested = requested


class DataError(WavelearnError, ValueError):
    """A file is not what it should be: wrong format, or inconsistent with its siblings."""
