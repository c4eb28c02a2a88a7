"""Errors the CLI reports as one line and a non-zero exit, never a traceback."""


class GanzooError(Exception):
    """A problem with the user's input or environment; the message names the fix."""


class ConfigError(GanzooError, ValueError):
    """A setting that is unknown or out of range."""


class RunError(GanzooError):
    """A run that cannot be found, created or read."""


class DataError(GanzooError):
    """A dataset that cannot be found or read. Dataset plugins raise it."""


class TrainingDiverged(GanzooError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""
