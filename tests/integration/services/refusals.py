"""What the administrators' operations leave behind: the audit log's actions, and a
refusal's problems as (field, row, message)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from enkat.extensions import db
from enkat.models import AuditEvent
from enkat.services import Refused


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def refusal(call, *args, **kwargs) -> list[tuple]:
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    return [(p.field, p.row, p.message) for p in refused.value.problems]
