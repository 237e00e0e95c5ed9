"""State of one sandbox: credentials, access tokens, jsapi tickets and a seeded company.

Everything is guarded by one re-entrant lock, :attr:`SandboxState.lock`. Handlers take it
while they read or change data. The seeded data is deterministic (same data in every
sandbox); only tokens, tickets and request ids are random.

Token rules (DingTalk's): one current token per app; a repeat ``gettoken`` within validity
returns the same token and extends it; after expiry (real or forced by
:meth:`SandboxState.expire_tokens`) the next call issues a new one. Ticket rule (strict):
every issue invalidates the app's previous ticket.

Company data: ``departments`` (id -> record; the root is 1), ``users`` (userid -> the
``/user/get`` record; its ``roles`` kept in step with the role memberships), ``role_groups``
and ``role_members`` (role id -> {userid: manage-scope dept ids}; the "默认" group
:data:`SYSTEM_ROLE_GROUP` holds DingTalk's system roles), and H5 login codes (``auth_codes``:
:meth:`SandboxState.issue_auth_code` makes one-time codes, :data:`SANDBOX_AUTH_CODE` is a
reusable one).
"""
from __future__ import annotations

import collections
import copy
import datetime as _dt
import hashlib
import random
import secrets
import string
import threading
import time
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

CST = _dt.timezone(_dt.timedelta(hours=8), "GMT+8")
_ALNUM = string.ascii_lowercase + string.digits
_ALNUM_MIXED = string.ascii_letters + string.digits

#: token check results
TOKEN_OK = "ok"
TOKEN_UNKNOWN = "unknown"
TOKEN_EXPIRED = "expired"


class Credentials:
    """The one corp / app the sandbox knows (both credential styles)."""

    __slots__ = ("corp_id", "corp_secret", "app_key", "app_secret", "agent_id")

    def __init__(self, corp_id: str, corp_secret: str, app_key: str, app_secret: str,
                 agent_id: str) -> None:
        self.corp_id = corp_id
        self.corp_secret = corp_secret
        self.app_key = app_key
        self.app_secret = app_secret
        self.agent_id = str(agent_id)

    def as_dict(self) -> Dict[str, str]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __repr__(self) -> str:  # no secrets
        return f"Credentials(corp_id={self.corp_id!r}, app_key={self.app_key!r}, agent_id={self.agent_id!r})"


class _Grant:
    """An issued access token or jsapi ticket."""

    __slots__ = ("value", "app", "expires_at", "revoked")

    def __init__(self, value: str, app: str, expires_at: float) -> None:
        self.value = value
        self.app = app
        self.expires_at = expires_at
        self.revoked = False


def ms(text: str) -> int:
    """``'YYYY-MM-DD HH:MM:SS'`` (GMT+8) → epoch milliseconds."""
    moment = _dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)
    return int(moment.timestamp() * 1000)


class SandboxState:
    """Tokens, tickets and company data of one sandbox (see the module docstring)."""

    def __init__(self, credentials: Credentials, *, token_ttl: int = 7200,
                 ticket_ttl: int = 7200) -> None:
        self.lock = threading.RLock()
        self.credentials = credentials
        self.token_ttl = int(token_ttl)
        self.ticket_ttl = int(ticket_ttl)
        self._rng = random.Random(secrets.randbits(64))
        self._clock_offset = 0.0
        # app id -> secret; app ids are "corp:<corpid>" and "app:<appkey>"
        self.apps: Dict[str, str] = {
            f"corp:{credentials.corp_id}": credentials.corp_secret,
            f"app:{credentials.app_key}": credentials.app_secret,
        }
        self._tokens: Dict[str, _Grant] = {}
        self._token_order: List[str] = []
        self._current_token: Dict[str, str] = {}
        self._tickets: Dict[str, _Grant] = {}
        self._ticket_order: List[str] = []
        self._current_ticket: Dict[str, str] = {}
        self._last_ticket_app: Optional[str] = None
        # company data
        seed = _seed()
        self.corp_name: str = seed["corp_name"]
        self.departments: Dict[int, Dict[str, Any]] = {d["id"]: d for d in seed["departments"]}
        self.users: Dict[str, Dict[str, Any]] = {u["userid"]: u for u in seed["users"]}
        self.label_groups: List[Dict[str, Any]] = seed["label_groups"]
        self.ext_contacts: List[Dict[str, Any]] = seed["ext_contacts"]
        # roles: groups in display order, each {"groupId", "group_name", "roles": [{"id",
        # "role_name"}]}; members: role id -> {userid: [manage-scope dept ids]}
        self.role_groups: List[Dict[str, Any]] = seed["role_groups"]
        self.role_members: Dict[int, Dict[str, List[int]]] = seed["role_members"]
        self._next_role_id = 1001
        self._next_role_group_id = 2001
        self._next_dept_id = 101
        # H5 login codes (免登码): code -> [userid, expires_at (None = never), single use]
        self.auth_codes: Dict[str, List[Any]] = {SANDBOX_AUTH_CODE: [SANDBOX_AUTH_CODE_USER, None, False]}
        for userid in self.users:
            self.sync_user_roles(userid)
        self.process_instances: List[Dict[str, Any]] = seed["process_instances"]
        self.process_codes = {"PROC-SANDBOX-LEAVE"}
        self.tasks: Dict[int, Dict[str, Any]] = {}
        self._next_task_id = 610000000001
        self._next_userid = 1
        self._domains: Dict[str, Any] = {}
        self._pending_domains: Dict[str, Dict[str, Any]] = {}  # saved domain states, applied on first use
        self.push_settings: Dict[str, Any] = {}  # set by Sandbox for the callback pusher

    def domain(self, name: str, factory: Callable[["SandboxState"], Any]) -> Any:
        """The state object of one domain module, made by ``factory(self)`` on first use.

        Route modules keep their own data (chats, attendance, ...) this way instead of adding
        fields here: ``ctx.state.domain("attendance", AttendanceState)``. Hold ``self.lock``
        while reading or changing it.
        """
        with self.lock:
            value = self._domains.get(name)
            if value is None:
                value = self._domains[name] = factory(self)
                saved = self._pending_domains.pop(name, None)
                if saved is not None:  # a state file was loaded: the saved data wins over the seed
                    from .persist import restore_attributes
                    restore_attributes(value, saved)
            return value

    def make_grant(self, value: str, app: str, expires_at: float, revoked: bool = False) -> "_Grant":
        """A token or ticket record (used when loading a saved state)."""
        grant = _Grant(value, app, expires_at)
        grant.revoked = revoked
        return grant

    # -- time ----------------------------------------------------------------------
    def now(self) -> float:
        """Monotonic seconds, shifted by :meth:`advance_clock` (token/ticket expiry)."""
        return time.monotonic() + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the expiry clock forward (tests of real expiry without sleeping)."""
        with self.lock:
            self._clock_offset += float(seconds)

    # -- random ids ------------------------------------------------------------------
    def request_id(self) -> str:
        """A 13-char lowercase alphanumeric id, like DingTalk's ``15s9in2w1yat9``."""
        return "".join(self._rng.choices(_ALNUM, k=13))

    def v1_request_id(self) -> str:
        """An uppercase UUID like the v1.0 API's ``requestid``."""
        raw = "%032X" % self._rng.getrandbits(128)
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"

    # -- apps and tokens -------------------------------------------------------------------
    def authenticate(self, app: str, secret: Optional[str]) -> bool:
        """True when ``secret`` is the secret of ``app`` (``corp:<id>`` / ``app:<key>``)."""
        expected = self.apps.get(app)
        return expected is not None and secret is not None and secrets.compare_digest(
            expected.encode("utf-8"), str(secret).encode("utf-8"))

    def issue_token(self, app: str) -> Tuple[str, int]:
        """The app's current token (extended), or a new one. Returns ``(token, expires_in)``."""
        with self.lock:
            now = self.now()
            current = self._tokens.get(self._current_token.get(app, ""))
            if current is not None and not current.revoked and current.expires_at > now:
                current.expires_at = now + self.token_ttl
                return current.value, self.token_ttl
            token = secrets.token_hex(16)
            self._tokens[token] = _Grant(token, app, now + self.token_ttl)
            self._token_order.append(token)
            self._current_token[app] = token
            return token, self.token_ttl

    def check_token(self, token: Optional[str]) -> Tuple[str, Optional[str]]:
        """``(TOKEN_OK|TOKEN_UNKNOWN|TOKEN_EXPIRED, app)`` for an access token."""
        if not token:
            return TOKEN_UNKNOWN, None
        with self.lock:
            grant = self._tokens.get(token)
            if grant is None:
                return TOKEN_UNKNOWN, None
            if grant.revoked or grant.expires_at <= self.now():
                return TOKEN_EXPIRED, grant.app
            return TOKEN_OK, grant.app

    def token_valid(self, token: Optional[str]) -> bool:
        return self.check_token(token)[0] == TOKEN_OK

    def expire_tokens(self) -> int:
        """Force expiry of every issued token; returns how many were still valid."""
        with self.lock:
            now = self.now()
            count = 0
            for grant in self._tokens.values():
                if not grant.revoked and grant.expires_at > now:
                    count += 1
                grant.revoked = True
            self._current_token.clear()
            return count

    def issued_tokens(self) -> List[str]:
        with self.lock:
            return list(self._token_order)

    # -- jsapi tickets -----------------------------------------------------------------------
    def issue_ticket(self, app: str) -> Tuple[str, int]:
        """A new ticket for ``app``; the app's previous ticket stops being valid."""
        with self.lock:
            old = self._tickets.get(self._current_ticket.get(app, ""))
            if old is not None:
                old.revoked = True
            ticket = "".join(self._rng.choices(_ALNUM_MIXED, k=86))
            self._tickets[ticket] = _Grant(ticket, app, self.now() + self.ticket_ttl)
            self._ticket_order.append(ticket)
            self._current_ticket[app] = ticket
            self._last_ticket_app = app
            return ticket, self.ticket_ttl

    def ticket_valid(self, ticket: Optional[str]) -> bool:
        if not ticket:
            return False
        with self.lock:
            grant = self._tickets.get(ticket)
            return grant is not None and not grant.revoked and grant.expires_at > self.now()

    def current_ticket(self) -> Optional[str]:
        """The most recently issued ticket, if it is still valid."""
        with self.lock:
            if self._last_ticket_app is None:
                return None
            ticket = self._current_ticket.get(self._last_ticket_app)
            return ticket if self.ticket_valid(ticket) else None

    def issued_tickets(self) -> List[str]:
        with self.lock:
            return list(self._ticket_order)

    # -- helpers for handlers (call with the lock held) ---------------------------------------
    def new_task_id(self) -> int:
        task_id = self._next_task_id
        self._next_task_id += 1
        return task_id

    def new_userid(self) -> str:
        while True:
            userid = f"26{self._next_userid:014d}"
            self._next_userid += 1
            if userid not in self.users:
                return userid

    def dept_children(self, dept_id: int) -> List[int]:
        """Ids of the direct sub-departments of ``dept_id``, by ``order`` then id."""
        children = [d for d in self.departments.values() if d.get("parentid") == dept_id]
        children.sort(key=lambda d: (_order_key(d.get("order")), d["id"]))
        return [d["id"] for d in children]

    def dept_descendants(self, dept_id: int) -> List[int]:
        """Ids of every department below ``dept_id`` (depth first, by ``order`` then id)."""
        out: List[int] = []
        for child in self.dept_children(dept_id):
            out.append(child)
            out.extend(self.dept_descendants(child))
        return out

    def dept_path(self, dept_id: int) -> List[int]:
        """``dept_id`` and its parents up to the root: ``[dept_id, parent, ..., 1]``."""
        path: List[int] = []
        current: Optional[int] = dept_id
        while current is not None and current in self.departments and current not in path:
            path.append(current)
            current = self.departments[current].get("parentid")
        return path

    def new_dept_id(self) -> int:
        while self._next_dept_id in self.departments:
            self._next_dept_id += 1
        dept_id = self._next_dept_id
        self._next_dept_id += 1
        return dept_id

    # -- roles (call with the lock held) -------------------------------------------------------
    def find_role(self, role_id: Any) -> Optional[Tuple[Dict[str, Any], Dict[str, Any]]]:
        """``(group, role)`` of a role id, or None."""
        for group in self.role_groups:
            for role in group["roles"]:
                if str(role["id"]) == str(role_id):
                    return group, role
        return None

    def find_role_group(self, group_id: Any) -> Optional[Dict[str, Any]]:
        for group in self.role_groups:
            if str(group["groupId"]) == str(group_id):
                return group
        return None

    def new_role_id(self) -> int:
        role_id = self._next_role_id
        self._next_role_id += 1
        return role_id

    def new_role_group_id(self) -> int:
        group_id = self._next_role_group_id
        self._next_role_group_id += 1
        return group_id

    def user_roles(self, userid: str) -> List[Dict[str, Any]]:
        """The roles of a user as ``/user/get`` lists them: ``[{id, name, groupName}]``."""
        out = []
        for group in self.role_groups:
            for role in group["roles"]:
                if userid in self.role_members.get(role["id"], {}):
                    out.append({"id": role["id"], "name": role["role_name"],
                                "groupName": group["group_name"]})
        return out

    def sync_user_roles(self, userid: str) -> None:
        """Copy the user's role memberships into ``users[userid]["roles"]``."""
        user = self.users.get(userid)
        if user is not None:
            user["roles"] = self.user_roles(userid)

    def forget_user(self, userid: str) -> None:
        """Remove a deleted user from every role."""
        for members in self.role_members.values():
            members.pop(userid, None)

    # -- H5 login codes --------------------------------------------------------------------------
    def issue_auth_code(self, userid: str, ttl: float = 300.0) -> str:
        """A one-time 免登码 for ``userid``, valid ``ttl`` seconds (DingTalk: 5 minutes)."""
        with self.lock:
            code = secrets.token_hex(16)
            self.auth_codes[code] = [userid, self.now() + ttl, True]
            return code

    def take_auth_code(self, code: str) -> Optional[str]:
        """The userid of a valid code (a one-time code is used up), else None."""
        with self.lock:
            entry = self.auth_codes.get(code)
            if entry is None:
                return None
            userid, expires_at, once = entry
            if once:
                del self.auth_codes[code]
            if expires_at is not None and expires_at <= self.now():
                return None
            return userid if userid in self.users else None


def _order_key(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class Traffic:
    """Counters of one sandbox: calls per route key, TCP connections, recorded requests.

    Methods take the sandbox lock; :meth:`record` may also be called with it held.
    """

    def __init__(self, lock: "threading.RLock", max_requests: int = 10000) -> None:
        self.lock = lock
        self.calls: "collections.Counter[str]" = collections.Counter()
        self.connections = 0
        self.requests: Deque[Dict[str, Any]] = collections.deque(maxlen=max_requests)

    def connection(self) -> None:
        with self.lock:
            self.connections += 1

    def record(self, key: str, entry: Dict[str, Any]) -> None:
        with self.lock:
            self.calls[key] += 1
            self.requests.append(entry)

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.connections = 0
            self.requests.clear()


# -- the seeded company -----------------------------------------------------------------------
def unionid_for(userid: str) -> str:
    """A stable unionid for a userid (DingTalk's look: mixed-case alphanumerics + 'iE')."""
    digest = hashlib.sha256(("sandbox-union:" + userid).encode("utf-8")).digest()
    return "".join(_ALNUM_MIXED[b % len(_ALNUM_MIXED)] for b in digest[:22]) + "iE"


def make_user(userid: str, name: str, mobile: str, departments: List[int], *, position: str = "",
              email: str = "", is_admin: bool = False, is_boss: bool = False,
              active: bool = True, hired: str = "2018-03-01 09:00:00", jobnumber: str = "",
              leader_in: Tuple[int, ...] = ()) -> Dict[str, Any]:
    """A user record as ``/user/get`` returns it."""
    return {
        "userid": userid,
        "unionid": unionid_for(userid),
        "openId": unionid_for("open:" + userid),
        "name": name,
        "mobile": mobile,
        "stateCode": "86",
        "tel": "",
        "workPlace": "杭州",
        "remark": "",
        "email": email,
        "orgEmail": "",
        "active": active,
        "isAdmin": is_admin,
        "isBoss": is_boss,
        "isHide": False,
        "isSenior": False,
        "department": list(departments),
        "position": position,
        "jobnumber": jobnumber,
        "hiredDate": ms(hired),
        "avatar": "",
        "extattr": {},
        "orderInDepts": "{%s}" % ",".join(f"{d}:{100 + i}" for i, d in enumerate(departments)),
        "isLeaderInDepts": "{%s}" % ",".join(f"{d}:{'true' if d in leader_in else 'false'}"
                                             for d in departments),
        "roles": [],
    }


_DEPARTMENTS = (
    # id, name, parentid
    (1, "示例科技有限公司", None),
    (2, "研发中心", 1),
    (3, "产品部", 1),
    (4, "市场部", 1),
    (5, "人力行政部", 1),
    (6, "后端组", 2),
    (7, "前端组", 2),
    (8, "测试组", 2),
)

_USERS = (
    # userid, name, mobile, departments, position, admin, boss, active, hired, leader_in
    ("manager0001", "王建国", "13800000001", [1], "总经理", True, True, True, "2017-01-03 09:00:00", (1,)),
    ("user0002", "李娜", "13800000002", [2], "研发总监", True, False, True, "2017-02-13 09:00:00", (2,)),
    ("user0003", "张伟", "13800000003", [6], "后端工程师", False, False, True, "2018-07-02 09:00:00", (6,)),
    ("user0004", "刘洋", "13800000004", [6], "后端工程师", False, False, True, "2019-04-15 09:00:00", ()),
    ("user0005", "陈静", "13800000005", [7], "前端工程师", False, False, True, "2019-09-02 09:00:00", (7,)),
    ("user0006", "杨帆", "13800000006", [7, 3], "全栈工程师", False, False, True, "2020-05-11 09:00:00", ()),
    ("user0007", "赵敏", "13800000007", [8], "测试工程师", False, False, True, "2020-11-23 09:00:00", (8,)),
    ("user0008", "黄磊", "13800000008", [3], "产品经理", False, False, True, "2021-03-01 09:00:00", (3,)),
    ("user0009", "周婷", "13800000009", [4], "市场经理", False, False, True, "2021-08-16 09:00:00", (4,)),
    ("user0010", "吴强", "13800000010", [4], "销售代表", False, False, False, "2022-02-21 09:00:00", ()),
    ("user0011", "徐丽", "13800000011", [5], "HRBP", False, False, True, "2023-06-05 09:00:00", (5,)),
    ("user0012", "孙浩", "13800000012", [6], "实习生", False, False, True, "2025-07-01 09:00:00", ()),
)

_LABEL_GROUPS = (
    # name, color, [(label name, id)]
    ("客户类型", -15220075, [("潜在客户", 1001), ("意向客户", 1002), ("成交客户", 1003)]),
    ("客户来源", -5314486, [("展会", 2001), ("官网", 2002), ("转介绍", 2003), ("电话营销", 2004)]),
    ("客户级别", -14643537, [("A级", 3001), ("B级", 3002), ("C级", 3003)]),
    ("行业", -693197, [("制造业", 4001), ("互联网", 4002), ("零售", 4003), ("教育", 4004)]),
    ("跟进状态", -11048043, [("待跟进", 5001), ("跟进中", 5002), ("已流失", 5003)]),
)

_EXT_CONTACTS: Tuple[Tuple[Any, ...], ...] = (
    # userid, name, mobile, title, company, follower, label ids, share depts, share users, address, remark
    ("ext0001", "马晓东", "13900000001", "采购经理", "杭州云帆制造有限公司", "user0009", [1002, 2001, 4001],
     [4], [], "杭州市余杭区文一西路1号", "展会认识"),
    ("ext0002", "林小红", "13900000002", "技术总监", "上海星河网络科技有限公司", "user0009", [1003, 2002, 4002],
     [], ["user0008"], "上海市浦东新区张江路88号", ""),
    ("ext0003", "郑国强", "13900000003", "总经理", "苏州远航零售连锁有限公司", "user0010", [1001, 2004, 4003],
     [4], [], "苏州市工业园区星湖街99号", "需要报价"),
    ("ext0004", "何佳", "13900000004", "校长助理", "宁波启明教育集团", "user0009", [1002, 2003, 4004, 3002],
     [], [], "宁波市鄞州区天童南路5号", ""),
    ("ext0005", "高峰", "13900000005", "IT主管", "南京汇通物流有限公司", "user0010", [1001, 5001],
     [], [], "南京市江宁区双龙大道18号", ""),
    ("ext0006", "罗敏", "13900000006", "运营总监", "杭州青禾电子商务有限公司", "user0009", [1003, 3001, 4002],
     [3, 4], ["user0002"], "杭州市西湖区古墩路66号", "重点客户"),
    ("ext0007", "梁超", "13900000007", "财务经理", "合肥德信机械有限公司", "user0010", [5003, 4001],
     [], [], "合肥市高新区望江西路12号", ""),
)

_ROLE_GROUPS: Tuple[Tuple[int, str, List[Tuple[int, str]]], ...] = (
    # group id, name, [(role id, role name)]; "默认" holds DingTalk's system roles
    (1001, "默认", [(1, "主管理员"), (2, "子管理员"), (3, "负责人"), (4, "主管")]),
    (1002, "职务", [(11, "总经理"), (12, "部门经理"), (13, "财务"), (14, "出纳")]),
    (1003, "岗位", [(21, "研发"), (22, "产品"), (23, "销售"), (24, "人事")]),
)

#: The roles of the "默认" group cannot be edited, assigned or deleted through the API.
SYSTEM_ROLE_GROUP = 1001

_ROLE_MEMBERS: Dict[int, List[Tuple[str, Tuple[int, ...]]]] = {
    # role id: [(userid, manage-scope dept ids)]
    1: [("manager0001", ())],
    2: [("user0002", (2,))],
    4: [("user0002", (2,)), ("user0003", (6,)), ("user0005", (7,)), ("user0007", (8,)),
        ("user0008", (3,)), ("user0009", (4,)), ("user0011", (5,))],
    11: [("manager0001", ())],
    12: [("user0002", (2,)), ("user0008", (3,)), ("user0009", (4,))],
    13: [("user0011", ())],
    21: [("user0002", ()), ("user0003", ()), ("user0004", ()), ("user0005", ()), ("user0006", ()),
         ("user0007", ()), ("user0012", ())],
    22: [("user0006", ()), ("user0008", ())],
    23: [("user0009", ()), ("user0010", ())],
    24: [("user0011", ())],
}

#: A reusable H5 login code (免登码) of the sandbox, for demos and sample calls; real codes are
#: single-use and live 5 minutes (see :meth:`SandboxState.issue_auth_code`).
SANDBOX_AUTH_CODE = "sandboxauthcode0002"
SANDBOX_AUTH_CODE_USER = "user0002"

_INSTANCES = (
    # originator, dept, created, finished (None = running), result, leave type, start, end, days, reason
    ("user0003", 6, "2017-06-12 10:21:05", "2017-06-12 15:02:41", "agree", "年假", "2017-06-19", "2017-06-20", "2", "家中有事"),
    ("user0005", 7, "2018-09-03 09:12:30", "2018-09-03 11:40:00", "agree", "事假", "2018-09-05", "2018-09-05", "1", "办理证件"),
    ("user0004", 6, "2019-12-20 17:45:12", "2019-12-21 09:05:33", "refuse", "年假", "2019-12-30", "2020-01-03", "5", "元旦出游"),
    ("user0007", 8, "2021-04-02 08:30:00", "2021-04-02 10:15:20", "agree", "病假", "2021-04-02", "2021-04-02", "1", "发烧"),
    ("user0008", 3, "2022-10-08 14:05:46", "2022-10-09 09:30:00", "agree", "调休", "2022-10-10", "2022-10-10", "1", "加班调休"),
    ("user0006", 7, "2023-07-17 11:11:11", "2023-07-17 18:00:02", "agree", "年假", "2023-07-24", "2023-07-28", "5", "暑期休假"),
    ("user0009", 4, "2024-02-01 09:00:00", "2024-02-01 12:30:45", "agree", "事假", "2024-02-05", "2024-02-06", "2", "搬家"),
    ("user0011", 5, "2025-05-06 16:20:00", "2025-05-07 10:00:00", "agree", "婚假", "2025-05-19", "2025-05-28", "10", "结婚"),
    ("user0012", 6, "2026-03-09 10:00:00", None, "", "事假", "2026-03-16", "2026-03-16", "1", "学校答辩"),
    ("user0003", 6, "2026-06-22 09:30:00", None, "", "年假", "2026-07-06", "2026-07-10", "5", "暑期休假"),
)


def _instance_id(index: int) -> str:
    digest = hashlib.sha1(f"sandbox-instance-{index}".encode("utf-8")).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _seed() -> Dict[str, Any]:
    departments = [
        {"id": i, "name": name, **({"parentid": parent} if parent else {}),
         "autoAddUser": parent is not None, "createDeptGroup": parent is not None, "order": i}
        for i, name, parent in _DEPARTMENTS
    ]
    users = [
        make_user(uid, name, mobile, depts, position=pos, email=f"{uid}@example.com",
                  is_admin=admin, is_boss=boss, active=active, hired=hired,
                  jobnumber=f"SB{n:04d}", leader_in=leader)
        for n, (uid, name, mobile, depts, pos, admin, boss, active, hired, leader)
        in enumerate(_USERS, start=1)
    ]
    label_groups = [
        {"name": name, "color": color, "labels": [{"name": ln, "id": lid} for ln, lid in labels]}
        for name, color, labels in _LABEL_GROUPS
    ]
    ext_contacts = [
        {"userid": uid, "name": name, "mobile": mobile, "state_code": "86", "title": title,
         "company_name": company, "follower_user_id": follower, "label_ids": list(labels),
         "share_dept_ids": list(depts), "share_user_ids": list(share_users), "address": address,
         "remark": remark}
        for uid, name, mobile, title, company, follower, labels, depts, share_users, address, remark
        in _EXT_CONTACTS
    ]
    role_groups = [
        {"groupId": group_id, "group_name": group,
         "roles": [{"id": rid, "role_name": rname} for rid, rname in roles]}
        for group_id, group, roles in _ROLE_GROUPS
    ]
    role_members: Dict[int, Dict[str, List[int]]] = {
        rid: {} for _, _, roles in _ROLE_GROUPS for rid, _ in roles}
    for rid, members in _ROLE_MEMBERS.items():
        role_members[rid] = {uid: list(scope) for uid, scope in members}
    names = {u[0]: u[1] for u in _USERS}
    instances = []
    for n, (who, dept, created, finished, result, kind, start, end, days, reason) in enumerate(_INSTANCES, 1):
        instances.append({
            "process_code": "PROC-SANDBOX-LEAVE",
            "process_instance_id": _instance_id(n),
            "business_id": f"{created[:4]}{n:011d}",
            "title": f"{names[who]}提交的请假",
            "originator_userid": who,
            "originator_dept_id": str(dept),
            "approver_userid_list": ["user0002", "manager0001"],
            "cc_userid_list": ["user0011"],
            "status": "COMPLETED" if finished else "RUNNING",
            "process_instance_result": result,
            "create_time": created,
            "finish_time": finished,
            "form_component_values": [
                {"name": "请假类型", "value": kind},
                {"name": "开始时间", "value": start},
                {"name": "结束时间", "value": end},
                {"name": "请假天数", "value": days},
                {"name": "请假事由", "value": reason},
            ],
        })
    return copy.deepcopy({
        "corp_name": _DEPARTMENTS[0][1],
        "departments": departments,
        "users": users,
        "label_groups": label_groups,
        "ext_contacts": ext_contacts,
        "role_groups": role_groups,
        "role_members": role_members,
        "process_instances": instances,
    })


__all__ = ["SandboxState", "Traffic", "Credentials", "CST", "ms", "make_user", "unionid_for",
           "TOKEN_OK", "TOKEN_UNKNOWN", "TOKEN_EXPIRED", "SYSTEM_ROLE_GROUP", "SANDBOX_AUTH_CODE",
           "SANDBOX_AUTH_CODE_USER"]
