"""Sandbox routes: attendance."""
from __future__ import annotations

from .base import Router


def register(router: Router) -> None:
    """Register this domain's routes."""
