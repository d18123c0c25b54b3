"""`NOT_GIVEN`: the marker of an argument the caller did not pass."""

from __future__ import annotations

from typing import Final, final

__all__ = ["NOT_GIVEN", "NotGiven"]


@final
class NotGiven:
    """Type of `NOT_GIVEN`: marks an argument the caller did not pass.

    Update methods send only the fields that were given, and ``None`` means "send
    null" (clear the value), so "not given" needs its own marker.
    """

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        """Return the single instance."""
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        """Render as the constant's name."""
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        """Be falsy, like the absence it stands for."""
        return False

    def __reduce__(self) -> str:
        """Unpickle to the same singleton."""
        return "NOT_GIVEN"


#: Default of every optional body argument: leave the field out of the request.
NOT_GIVEN: Final = NotGiven()
