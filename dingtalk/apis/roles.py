"""角色 roles and role groups."""
from __future__ import annotations

from ._base import ApiMixin


class RolesMixin(ApiMixin):
    """角色 roles and role groups."""
