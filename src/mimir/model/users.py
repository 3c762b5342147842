"""Roles and scopes: who may do what (docs/api.md#access)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A user's role; each includes the rights of the ones below it."""

    VIEWER = "viewer"  # read everything; own watches and channels
    EDITOR = "editor"  # sources, every watch and channel
    ADMIN = "admin"  # users, API keys, everything

    @property
    def rank(self) -> int:
        return _RANK[self]

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.ADMIN: 2}


class Scope(enum.StrEnum):
    """What an API key may do, within its owner's role."""

    READ = "read"  # GET routes
    WRITE = "write"  # routes that change something
    ADMIN = "admin"  # users, roles and API keys


#: scopes a key is given when none are named, and the order they are listed in
SCOPES: tuple[Scope, ...] = (Scope.READ, Scope.WRITE, Scope.ADMIN)


def normalise_scopes(values: list[str] | tuple[str, ...]) -> tuple[Scope, ...]:
    """The scopes named (ValueError for an unknown one), ``read`` always included, in order."""
    wanted = {Scope(v.strip().lower()) for v in values if v.strip()}
    wanted.add(Scope.READ)
    return tuple(s for s in SCOPES if s in wanted)
