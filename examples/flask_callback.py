"""Flask: receive DingTalk events at POST /dingtalk/callback.

    FLASK_APP=examples/flask_callback.py flask run --port 8080
"""
import logging

from flask import Flask

from dingtalk.contrib.flask import callback_blueprint

try:
    from ._config import app_from_env
except ImportError:  # run as a script
    from _config import app_from_env

dingtalk_app = app_from_env()


@dingtalk_app.callbacks.on("user_add_org", "user_modify_org", "user_leave_org")
def on_user_change(event):
    logging.getLogger("example").info("%s: %s", event.type, event.user_ids)


@dingtalk_app.callbacks.on("bpms_instance_change")
def on_approval(event):
    logging.getLogger("example").info("approval %s %s %s", event.process_instance_id, event.change, event.result)


app = Flask(__name__)
app.register_blueprint(callback_blueprint(dingtalk_app, url="/dingtalk/callback"))
