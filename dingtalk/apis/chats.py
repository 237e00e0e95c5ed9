"""群会话 group chats and 机器人 robot messages."""
from __future__ import annotations

from ._base import ApiMixin


class ChatsMixin(ApiMixin):
    """群会话 group chats and 机器人 robot messages."""
