"""Example configuration from environment variables (never hard-code secrets).

DINGTALK_APP_KEY, DINGTALK_APP_SECRET, DINGTALK_CORP_ID, DINGTALK_AGENT_ID,
DINGTALK_CALLBACK_TOKEN, DINGTALK_AES_KEY, and optionally DINGTALK_OAPI_URL (e.g. a sandbox
started with ``python -m dingtalk sandbox``) and DINGTALK_REDIS_URL.
"""
import os

from dingtalk import DingTalkApp


def app_from_env() -> DingTalkApp:
    env = os.environ
    cache = None
    if env.get("DINGTALK_REDIS_URL"):
        from dingtalk.cache import RedisCache
        cache = RedisCache.from_url(env["DINGTALK_REDIS_URL"])
    base = env.get("DINGTALK_OAPI_URL", "https://oapi.dingtalk.com")
    return DingTalkApp(
        name=env.get("DINGTALK_NAME", "example"), cache=cache,
        app_key=env["DINGTALK_APP_KEY"], app_secret=env["DINGTALK_APP_SECRET"],
        corp_id=env.get("DINGTALK_CORP_ID"), agent_id=env.get("DINGTALK_AGENT_ID"),
        token=env["DINGTALK_CALLBACK_TOKEN"], aes_key=env["DINGTALK_AES_KEY"],
        oapi_url=base,
        top_url=env.get("DINGTALK_TOP_URL", base + "/router/rest" if "DINGTALK_OAPI_URL" in env
                        else "https://eco.taobao.com/router/rest"),
        api_url=env.get("DINGTALK_API_URL", base if "DINGTALK_OAPI_URL" in env else "https://api.dingtalk.com"),
    )
