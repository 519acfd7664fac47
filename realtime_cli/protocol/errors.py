"""Exceptions a user can cause or meet, each carrying a one-line message that says what to do.

Defined at the bottom layer so every layer raises the same types and the CLI can turn them into exit codes.
"""

from __future__ import annotations


class RtagentError(Exception):
    """Base of rtagent's own errors; `str(exc)` is a complete sentence for the user."""


class UserError(RtagentError):
    """Bad input from the user: configuration, arguments, missing key. The CLI exits with code 2."""


class ConfigError(UserError):
    """A configuration value is unknown, missing or of the wrong type; the message names the key."""


class RealtimeConnectionError(RtagentError):
    """The realtime service could not be reached, refused us, or went away."""


class ModelBehaviorError(RtagentError):
    """The model did something unexpected: called an unknown tool, sent arguments that are not JSON."""


RealtimeError = RtagentError  # the name before `RealtimeError` became the error event (see realtime_cli.RealtimeError)
