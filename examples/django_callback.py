"""Django in one file: receive DingTalk events at POST /dingtalk/callback.

    python examples/django_callback.py runserver 8080
"""
import logging
import sys

import django
from django.conf import settings
from django.urls import path

if not settings.configured:
    settings.configure(DEBUG=False, SECRET_KEY="example-only-change-me", ALLOWED_HOSTS=["*"],
                       ROOT_URLCONF=__name__, INSTALLED_APPS=[],
                       MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"])
    django.setup()

from dingtalk.contrib.django import callback_view  # noqa: E402

try:
    from ._config import app_from_env
except ImportError:  # run as a script
    from _config import app_from_env

dingtalk_app = app_from_env()


@dingtalk_app.callbacks.on("bpms_instance_change", "bpms_task_change")
def on_approval(event):
    logging.getLogger("example").info("%s %s", event.type, event.process_instance_id)


urlpatterns = [path("dingtalk/callback", callback_view(dingtalk_app))]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
