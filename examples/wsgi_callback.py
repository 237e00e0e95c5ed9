"""Plain WSGI (gunicorn, uwsgi, wsgiref): every POST is a DingTalk callback.

    gunicorn examples.wsgi_callback:application      # or: python examples/wsgi_callback.py
"""
import logging

from dingtalk.contrib.wsgi import CallbackWSGIApp

try:
    from ._config import app_from_env
except ImportError:  # run as a script
    from _config import app_from_env

dingtalk_app = app_from_env()


@dingtalk_app.callbacks.on("*")
def log_every_event(event):
    logging.getLogger("example").info("event %s", event.type)


application = CallbackWSGIApp(dingtalk_app)

if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    make_server("127.0.0.1", 8080, application).serve_forever()
