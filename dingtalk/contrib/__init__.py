"""Ready-made callback endpoints for web frameworks, each a few lines over
:class:`dingtalk.callback.CallbackHandler`:

* :mod:`dingtalk.contrib.flask` — ``callback_blueprint(app)`` / ``callback_view(app)``
* :mod:`dingtalk.contrib.django` — ``callback_view(app)``
* :mod:`dingtalk.contrib.wsgi` — ``CallbackWSGIApp(app)`` for any WSGI server

A tampered or malformed request gets HTTP 400 (never 500) and one log line without secrets.
"""
