"""Errors raised by the drafter, each saying what to do next.

DrafterError
 +-- ConfigError        bad or missing configuration (backend, key, paths)
 +-- InputError         bad user input (a file, a column, a value)
 |    +-- RowError      one batch row is unusable; the rest of the batch runs
 +-- ModelError         the embedded model cannot be found, assembled or started
 +-- BackendError       the chat backend failed (connection, timeout, bad reply)
 +-- RetrievalError     the guidance index cannot be built or queried
"""

from __future__ import annotations


class DrafterError(Exception):
    """Base class: the message is one line a person can act on."""


class ConfigError(DrafterError):
    pass


class InputError(DrafterError):
    pass


class RowError(InputError):
    pass


class ModelError(DrafterError):
    pass


class BackendError(DrafterError):
    pass


class RetrievalError(DrafterError):
    pass


class TruncatedReply(BackendError):
    """The model's reply was cut at the token limit: retry with more room."""
