"""文件 media upload and 钉盘 cspace."""
from __future__ import annotations

from ._base import ApiMixin


class FilesMixin(ApiMixin):
    """文件 media upload and 钉盘 cspace."""
