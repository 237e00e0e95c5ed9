"""Every operation of the original SDK exists under its original name; run() equals the methods;
the original README's examples run as written against the sandbox."""
from __future__ import annotations

import importlib
import pkgutil
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from dingtalk import DingTalkApp

# docs/seed-api.md §1 (tables), the early aliases it lists, and §1j's local callback helpers.
SEED_NAMES = """
access_token get_access_token refresh_access_token jsapi_ticket get_jsapi_ticket refresh_jsapi_ticket
jsapi_signature sign signature timestamp run methods get_request_url space_id
get_user_list get_dept_user_list get_all_dept_user_list get_all_org_users get_all_users get_user get_user_info
create_user update_user delete_user get_user_departments get_org_user_count get_user_by_code
get_department_list get_dempartment_list get_department get_dempartment create_department update_department
delete_department get_department_id_list get_all_department_id_list
get_corp_role_list get_all_corp_role_list get_role_simple_list get_role_group add_roles_for_emps remove_roles_for_emps
get_label_groups get_all_label_groups get_ext_list get_all_ext_list add_corp_ext update_corp_ext delete_corp_ext
create_bpms_instance get_bpms_instance_list get_all_bpms_instance_list
async_send_msg get_msg_send_result get_msg_send_progress
get_schedule_list get_simple_groups get_attendance_record_list
get_custom_space get_customer_space
register_callback update_callback get_call_back_failed_result
encrypt decrypt encrypt_text decrypt_text encrypt_str decrypt_str generate_callback_signature
check_callback_signature generate_signature check_signature return_success check_url
""".split()

# run() names the original registered (README era and 1.0.0; the fake ".all" names included).
SEED_RUN_NAMES = """
dingtalk.corp.ext.listlabelgroups dingtalk.corp.ext.list dingtalk.corp.ext.add dingtalk.corp.ext.all
dingtalk.smartwork.bpms.processinstance.create dingtalk.smartwork.bpms.processinstance.list
dingtalk.smartwork.bpms.processinstance.all
dingtalk.corp.message.corpconversation.asyncsend dingtalk.corp.message.corpconversation.getsendresult
dingtalk.corp.message.corpconversation.getsendprogress
dingtalk.corp.role.list dingtalk.corp.role.all dingtalk.corp.role.simplelist dingtalk.corp.role.getrolegroup
""".split()


@pytest.fixture(scope="module")
def offline_app():
    return DingTalkApp(name="surface", corp_id="dingcorp", corp_secret="s", agent_id="1",
                       oapi_url="http://127.0.0.1:9", top_url="http://127.0.0.1:9/router/rest",
                       api_url="http://127.0.0.1:9")


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_seed_operation_exists(name):
    assert hasattr(DingTalkApp, name), f"the original's {name} is missing"


@pytest.mark.parametrize("name", SEED_RUN_NAMES)
def test_every_seed_run_name_is_registered(offline_app, name):
    assert name in offline_app.methods


def test_methods_are_the_named_methods(offline_app):
    """app.methods[name] is the very method run(name) calls, for every registered name."""
    assert len(offline_app.methods) > 0
    for name in offline_app.methods:
        attr = offline_app.methods.python_name(name)
        assert offline_app.methods[name] == getattr(offline_app, attr)


def _read_samples():
    import tests.apis as pkg

    samples = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("samples_"):
            samples.update(importlib.import_module(f"tests.apis.{info.name}").READ_SAMPLES)
    return samples


READ_SAMPLES = _read_samples()


@pytest.mark.parametrize("name", sorted(READ_SAMPLES))
def test_run_equals_the_named_method(fresh_app, name):
    kwargs = READ_SAMPLES[name]
    attr = fresh_app.methods.python_name(name)
    by_name = fresh_app.run(name, **kwargs)
    direct = getattr(fresh_app, attr)(**kwargs)
    if isinstance(by_name, dict):  # request ids differ between two calls
        by_name = {k: v for k, v in by_name.items() if k != "request_id"}
        direct = {k: v for k, v in direct.items() if k != "request_id"}
    assert by_name == direct


def test_get_request_url_is_encoded_and_china_time(offline_app, sandbox, make_app):
    app = make_app(clock=lambda: 0.0)
    url = app.get_request_url("dingtalk.corp.ext.list", partner_id="p1")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert url.startswith(sandbox.top_url + "?")
    assert query["method"] == "dingtalk.corp.ext.list" and query["timestamp"] == "1970-01-01 08:00:00"
    assert sandbox.token_valid(query["session"]) and query["partner_id"] == "p1"


def test_original_readme_examples_run_as_written(sandbox):
    """docs/seed-README.md's quick start, with the sandbox's URLs and credentials."""
    import memcache  # noqa: F401  (the README's Memcached client imports)
    creds = sandbox.credentials
    cache = None  # the README passes a redis/memcache client; the cache tests cover those
    app = DingTalkApp(name='test', cache=cache,
                      agent_id=creds["agent_id"],
                      corp_id=creds["corp_id"],
                      corp_secret=creds["corp_secret"],
                      aes_key='4g5j64qlyl3zvetqxz5jiocdr586fn2zvjpa8zls3ij',
                      oapi_url=sandbox.url, top_url=sandbox.top_url, api_url=sandbox.url)
    label_groups = app.get_label_groups()
    assert label_groups and {"name", "color", "labels"} <= set(label_groups[0])
    start_time = datetime(year=2017, month=6, day=1, hour=1, minute=1, second=1, microsecond=1)
    data = app.get_bpms_instance_list(process_code='PROC-SANDBOX-LEAVE', start_time=start_time)
    assert data["instance_list"] and data["success"] is True
    data = app.run('dingtalk.corp.ext.listlabelgroups', size=20, offset=0)
    assert data == app.get_label_groups(size=20, offset=0)
    fake = app.get_bpms_instance_list(process_code='PROC-FF6Y4BE1N2-B3OQZGC9RLR4SY1MTNLQ1-91IFWS3',
                                      start_time=start_time)
    assert fake["instance_list"] == []  # the original's tests: a fake process code gives an empty list


def test_run_dispatches_every_registered_name_to_its_method():
    """For every name: run(name, *args, **kwargs) calls exactly the registered method with them."""
    app = DingTalkApp(name="dispatch", corp_id="dingcorp", corp_secret="s", oapi_url="http://127.0.0.1:9")
    for name in app.methods:
        attr = app.methods.python_name(name)
        setattr(app, attr, lambda *a, _attr=attr, **k: (_attr, a, k))  # shadows the method on this instance
        assert app.run(name, 1, key="v") == (attr, (1,), {"key": "v"})
    assert len(app.methods) >= 100
