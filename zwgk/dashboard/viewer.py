"""Who is looking: the role and units every dashboard query is checked against."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ROLES = ("leader", "evaluator", "department")


@dataclass(frozen=True, slots=True)
class Viewer:
    """A logged-in user as the query layer sees it.

    Frozen and made of plain values so it is hashable: it is part of every
    cache key, and two viewers with different units never share a cached
    answer.
    """

    username: str
    role: str
    unit_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise PermissionError(f"unknown role {self.role!r}")
        object.__setattr__(self, "unit_ids", tuple(sorted(set(self.unit_ids))))

    @classmethod
    def of(cls, username: str, role: str, unit_ids: Iterable[str] = ()) -> Viewer:
        return cls(username, role, tuple(unit_ids))

    @property
    def sees_all(self) -> bool:
        """Leaders and evaluators see every unit; a department only its own."""
        return self.role in ("leader", "evaluator")

    @property
    def can_write(self) -> bool:
        return self.role == "evaluator"

    def may_see(self, unit_id: str) -> bool:
        return self.sees_all or unit_id in self.unit_ids

    def require_unit(self, unit_id: str) -> None:
        """PermissionError unless this viewer may see ``unit_id``."""
        if not self.may_see(unit_id):
            raise PermissionError(f"用户 {self.username} 无权查看单位 {unit_id} / not allowed to see unit {unit_id}")

    def require_evaluator(self, what: str) -> None:
        if not self.can_write:
            raise PermissionError(f"只有评估人员可以{what} / only evaluators may do this ({self.role})")

    @property
    def cache_key(self) -> str:
        return f"{self.role}:{self.username}:{','.join(self.unit_ids)}"
