"""Read-only DingTalk names of the ext-contacts / files / callback domain, with kwargs that
succeed on a fresh sandbox: ``app.run(name, **kw) == getattr(app, method)(**kw)``.

Left out on purpose:
* ``dingtalk.oapi.call_back.get_call_back``: a fresh sandbox has no callback registered, so
  DingTalk's answer is the error 71007 回调地址已不存在;
* ``dingtalk.oapi.call_back.get_call_back_failed_result``: not only a read, each call hands out
  (and removes) the next batch of failed events.
"""

_PAGE = {"size": 20, "offset": 0}

READ_SAMPLES = {
    "dingtalk.corp.ext.listlabelgroups": dict(_PAGE),
    "dingtalk.oapi.extcontact.listlabelgroups": {"size": 5, "offset": 3},
    "dingtalk.corp.extcontact.listlabelgroups": {"size": 100, "offset": 0},
    "dingtalk.corp.ext.list": dict(_PAGE),
    "dingtalk.oapi.extcontact.list": {"size": 3, "offset": 2},
    "dingtalk.corp.extcontact.list": {"size": 100, "offset": 0},
    "dingtalk.corp.ext.all": {},
    "dingtalk.oapi.extcontact.get": {"user_id": "ext0001"},
    "dingtalk.corp.extcontact.get": {"user_id": "ext0006"},
    "dingtalk.oapi.cspace.get_custom_space": {"domain": "sandbox"},
}
