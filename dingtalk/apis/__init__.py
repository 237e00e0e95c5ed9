"""One mixin per DingTalk domain. Each describes calls; :class:`dingtalk.app.AppBase` sends them."""
