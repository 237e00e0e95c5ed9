"""Django: ``path("dingtalk/callback", callback_view(dingtalk_app))`` in your urls.py.

The view is CSRF-exempt (DingTalk cannot send a CSRF token; the request is signed instead) and
accepts POST only.
"""
from __future__ import annotations

from typing import Any, Callable

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ._common import Target, handler_of, respond


def callback_view(target: Target) -> Callable[[HttpRequest], Any]:
    """A Django view answering DingTalk callbacks for ``target``."""
    handler = handler_of(target)

    @csrf_exempt
    @require_POST
    def dingtalk_callback(request: HttpRequest) -> JsonResponse:
        status, payload = respond(handler, request.GET.dict(), request.body)
        return JsonResponse(payload, status=status)

    return dingtalk_callback
