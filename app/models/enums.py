"""Enums whose members carry a translated label, stored as plain strings."""

from __future__ import annotations

import enum
from typing import ClassVar

from sqlalchemy import Enum


class LabelledEnum(enum.StrEnum):
    labels: ClassVar[dict]  # set after the class body: member -> lazy translated label

    @property
    def label(self) -> str:
        return str(type(self).labels[self])

    @classmethod
    def choices(cls, members=None) -> list[tuple[str, str]]:
        return [(m.value, cls.labels[m]) for m in (members or cls)]


def enum_column(cls: type[enum.Enum], length: int = 12) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])
