"""Flask: ``app.register_blueprint(callback_blueprint(dingtalk_app))``.

>>> from flask import Flask                                       # doctest: +SKIP
>>> web = Flask(__name__)                                         # doctest: +SKIP
>>> web.register_blueprint(callback_blueprint(dingtalk_app, url="/dingtalk/callback"))  # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, jsonify, request

from ._common import Target, handler_of, respond


def callback_view(target: Target) -> Callable[[], Any]:
    """A Flask view function answering DingTalk callbacks for ``target``."""
    handler = handler_of(target)

    def dingtalk_callback() -> Any:
        status, payload = respond(handler, request.args.to_dict(), request.get_data())
        return jsonify(payload), status

    return dingtalk_callback


def callback_blueprint(target: Target, url: str = "/dingtalk/callback",
                       name: str = "dingtalk_callback") -> Blueprint:
    """A blueprint with one POST route at ``url``."""
    blueprint = Blueprint(name, __name__)
    blueprint.add_url_rule(url, view_func=callback_view(target), methods=["POST"])
    return blueprint
