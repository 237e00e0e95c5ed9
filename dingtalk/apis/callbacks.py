"""回调管理 callback registration."""
from __future__ import annotations

from ._base import ApiMixin


class CallbacksMixin(ApiMixin):
    """回调管理 callback registration."""
