"""考勤 attendance."""
from __future__ import annotations

from ._base import ApiMixin


class AttendanceMixin(ApiMixin):
    """考勤 attendance."""
