"""Read-only calls of the messages domain (work notices, group chats) that succeed on a fresh sandbox.

``READ_SAMPLES[name]`` are keyword arguments for ``app.run(name, **kw)`` and for the method
registered under ``name``. Note: the seed-shaped work-notice answers carry the call's own
``request_id``, so two calls agree on everything but that key.
"""
from dingtalk.sandbox.routes.chats import SEED_CHAT_ID, SEED_MESSAGE_ID
from dingtalk.sandbox.routes.messages import SEED_TASK_ID

READ_SAMPLES = {
    "dingtalk.corp.message.corpconversation.getsendprogress": {"task_id": SEED_TASK_ID},
    "dingtalk.oapi.message.corpconversation.getsendprogress": {"task_id": SEED_TASK_ID},
    "dingtalk.corp.message.corpconversation.getsendresult": {"task_id": SEED_TASK_ID},
    "dingtalk.oapi.message.corpconversation.getsendresult": {"task_id": SEED_TASK_ID},
    "dingtalk.oapi.chat.get": {"chatid": SEED_CHAT_ID},
    "dingtalk.oapi.chat.getReadList": {"message_id": SEED_MESSAGE_ID, "size": 2},
}
