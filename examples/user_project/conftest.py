# The sandbox fixtures (dingtalk_sandbox, dingtalk_sandbox_server, dingtalk_app_factory).
# pytest also loads them by itself when dingtalk-python is installed; naming the plugin here
# keeps the suite working without the entry point (e.g. PYTEST_DISABLE_PLUGIN_AUTOLOAD=1).
pytest_plugins = ["dingtalk.testing"]
