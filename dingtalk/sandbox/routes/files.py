"""Files: ``/media/upload`` (multipart), ``/file/upload/single`` and DingPan ``/cspace/*``.

Uploaded bytes are kept in :class:`FilesState` (``state.domain("files", ...)``) under the
``media_id`` they were given, so tests can compare what arrived with what was sent.

Multipart bodies: the dispatcher answers 43009 "post参数需要json类型" to any POST body that is
not JSON, except for handlers marked with :func:`multipart`, which parse ``ctx.body`` themselves.
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any, Dict, List, Mapping, Optional

from .base import Ctx, Handler, Router, bool_param, int_param, str_param

DOMAIN = "files"
MB = 1024 * 1024
#: DingTalk's media limits per type.
MEDIA_LIMITS = {"image": 20 * MB, "voice": 2 * MB, "video": 20 * MB, "file": 20 * MB}
SINGLE_UPLOAD_LIMIT = 8 * MB
_DOMAIN_RE = re.compile(r"^[A-Za-z0-9]{1,10}$")
_BOUNDARY = re.compile(r'boundary=(?:"([^"]+)"|([^;\s]+))', re.I)
_DISPOSITION_PARAM = re.compile(r';\s*([A-Za-z*]+)="((?:[^"\\]|\\.)*)"|;\s*([A-Za-z*]+)=([^;\s]+)')


class Part:
    """One part of a multipart/form-data body."""

    __slots__ = ("name", "filename", "content_type", "data")

    def __init__(self, name: str, filename: Optional[str], content_type: str, data: bytes) -> None:
        self.name = name
        self.filename = filename
        self.content_type = content_type
        self.data = data


def parse_multipart(body: bytes, content_type: str) -> Optional[Dict[str, Part]]:
    """The parts of a ``multipart/form-data`` body by field name; None if it is not one."""
    if "multipart/form-data" not in content_type.lower():
        return None
    found = _BOUNDARY.search(content_type)
    if not found:
        return None
    delimiter = b"--" + (found.group(1) or found.group(2)).encode("latin-1")
    parts: Dict[str, Part] = {}
    chunks = body.split(delimiter)
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        if data.endswith(b"\r\n"):
            data = data[:-2]
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        fields = {}
        for m in _DISPOSITION_PARAM.finditer(disposition):
            key = (m.group(1) or m.group(3)).lower()
            fields[key] = m.group(2) if m.group(1) else m.group(4)
        name = fields.get("name")
        if name is None:
            continue
        parts[name] = Part(name, fields.get("filename"),
                           headers.get("content-type", "text/plain"), data)
    return parts


def multipart(handler: Handler) -> Handler:
    """Mark a handler that takes multipart/form-data: the dispatcher passes the raw body in ``ctx.body``."""
    handler.multipart = True  # type: ignore[attr-defined]
    return handler


class FilesState:
    """Media, DingPan spaces, grants and files of one sandbox (hold ``state.lock``)."""

    def __init__(self, state: Any) -> None:
        self.media: Dict[str, Dict[str, Any]] = {}
        self.spaces: Dict[str, str] = {}          # domain or "agent:<id>" → space id
        self.grants: List[Dict[str, Any]] = []
        self.dentries: List[Dict[str, Any]] = []
        self.chat_files: List[Dict[str, Any]] = []
        self.used_codes: set = set()
        self._counter = 0
        self._next_dentry = 1

    def new_media_id(self, prefix: str) -> str:
        self._counter += 1
        digest = hashlib.sha1(f"sandbox-media-{self._counter}".encode("utf-8")).hexdigest()
        return f"{prefix}{digest[:24]}"

    def space_for(self, key: str) -> str:
        space = self.spaces.get(key)
        if space is None:
            digest = hashlib.sha1(("sandbox-space:" + key.lower()).encode("utf-8")).hexdigest()
            space = self.spaces[key] = str(1000000000 + int(digest[:8], 16) % 8999999999)
        return space


def _files(ctx: Ctx) -> FilesState:
    return ctx.state.domain(DOMAIN, FilesState)


def _parts(ctx: Ctx) -> Dict[str, Part]:
    parts = parse_multipart(ctx.body, ctx.headers.get("content-type", ""))
    if parts is None:
        raise ctx.error(43008, "参数需要multipart类型")
    return parts


def _now_ms() -> int:
    return int(time.time() * 1000)


# -- uploads -------------------------------------------------------------------------------
@multipart
def media_upload(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /media/upload?type=image|voice|video|file``, multipart field ``media``."""
    kind = str_param(ctx, params, "type", required=True)
    if kind not in MEDIA_LIMITS:
        raise ctx.error(40004, "不合法的媒体文件类型")
    part = _parts(ctx).get("media")
    if part is None:
        raise ctx.error(41005, "缺少多媒体文件数据")
    if not part.data:
        raise ctx.error(44001, "多媒体文件为空")
    if len(part.data) > MEDIA_LIMITS[kind]:
        raise ctx.error(45001, "多媒体文件大小超过限制")
    created = _now_ms()
    with ctx.lock:
        files = _files(ctx)
        media_id = files.new_media_id("@lA")
        files.media[media_id] = {"type": kind, "filename": part.filename or "", "source": "media",
                                 "content_type": part.content_type, "data": part.data,
                                 "size": len(part.data), "created_at": created}
    return {"type": kind, "media_id": media_id, "created_at": created}


@multipart
def file_upload_single(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /file/upload/single?agent_id=&file_size=``, multipart field ``file`` → ``media_id``."""
    _check_agent(ctx, params)
    size = int_param(ctx, params, "file_size", required=True, minimum=1)
    part = _parts(ctx).get("file")
    if part is None:
        raise ctx.error(41005, "缺少多媒体文件数据")
    if not part.data:
        raise ctx.error(44001, "多媒体文件为空")
    if len(part.data) != size:
        raise ctx.error(40006, "不合法的文件大小")
    if len(part.data) > SINGLE_UPLOAD_LIMIT:
        raise ctx.error(45001, "多媒体文件大小超过限制")
    with ctx.lock:
        files = _files(ctx)
        media_id = files.new_media_id("#iAEH")
        files.media[media_id] = {"type": "file", "filename": part.filename or "", "source": "cspace",
                                 "content_type": part.content_type, "data": part.data,
                                 "size": len(part.data), "created_at": _now_ms()}
    return {"media_id": media_id}


# -- custom space ---------------------------------------------------------------------------------
def _check_agent(ctx: Ctx, params: Mapping[str, Any], required: bool = True) -> Optional[str]:
    agent = str_param(ctx, params, "agent_id", required=required)
    if agent is not None and agent != ctx.state.credentials.agent_id:
        raise ctx.error(40056, "不合法的agentid")
    return agent


def _space_key(ctx: Ctx, params: Mapping[str, Any]) -> str:
    domain = str_param(ctx, params, "domain")
    if domain is not None:
        if not _DOMAIN_RE.match(domain):
            raise ctx.error(72001, "获取钉盘空间失败")
        return domain.lower()
    agent = _check_agent(ctx, params, required=False)
    if agent is None:
        raise ctx.missing("domain")
    return "agent:" + agent


def cspace_get_custom_space(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /cspace/get_custom_space?domain=&agent_id=`` → ``spaceid`` (stable per domain)."""
    if params.get("agent_id"):
        _check_agent(ctx, params)
    key = _space_key(ctx, params)
    with ctx.lock:
        return {"spaceid": _files(ctx).space_for(key)}


def cspace_grant_custom_space(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /cspace/grant_custom_space?type=add|download&userid=&path=|fileids=&duration=``."""
    kind = str_param(ctx, params, "type", required=True)
    if kind not in ("add", "download"):
        raise ctx.invalid("type")
    userid = str_param(ctx, params, "userid", required=True)
    path = str_param(ctx, params, "path")
    fileids = [f for f in (str_param(ctx, params, "fileids") or "").split(",") if f.strip()]
    if kind == "add" and not path:
        raise ctx.missing("path")
    if kind == "download" and not fileids:
        raise ctx.missing("fileids")
    duration = int_param(ctx, params, "duration", 30)
    if duration is None or not 0 <= duration <= 3600:
        duration = 30  # DingTalk: out of range or missing → 30 s
    key = _space_key(ctx, params)
    with ctx.lock:
        if userid not in ctx.state.users:
            raise ctx.error(60121, "找不到该用户")
        files = _files(ctx)
        files.grants.append({"space_id": files.space_for(key), "userid": userid, "type": kind,
                             "path": path, "fileids": fileids, "duration": duration,
                             "expires_at": time.time() + duration})
    return {}


def cspace_add_to_single_chat(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``POST /cspace/add_to_single_chat?agent_id=&userid=&media_id=&file_name=``."""
    agent = _check_agent(ctx, params)
    userid = str_param(ctx, params, "userid", required=True)
    media_id = str_param(ctx, params, "media_id", required=True)
    file_name = str_param(ctx, params, "file_name", required=True)
    with ctx.lock:
        if userid not in ctx.state.users:
            raise ctx.error(60121, "找不到该用户")
        files = _files(ctx)
        if media_id not in files.media:
            raise ctx.error(40007, "不合法的媒体文件id")
        files.chat_files.append({"agent_id": agent, "userid": userid, "media_id": media_id,
                                 "file_name": file_name})
    return {}


def _free_name(taken: List[str], name: str) -> str:
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 1
    while True:
        candidate = f"{stem}({n}){'.' + ext if ext else ''}"
        if candidate not in taken:
            return candidate
        n += 1


def cspace_add(ctx: Ctx, params: Dict[str, Any]) -> Dict[str, Any]:
    """``GET /cspace/add?agent_id=&code=&media_id=&space_id=&folder_id=&name=&overwrite=``.

    ``code`` is a one-time auth code (any unused string here). Answers ``dentry`` as JSON text.
    """
    _check_agent(ctx, params)
    code = str(str_param(ctx, params, "code", required=True))
    media_id = str(str_param(ctx, params, "media_id", required=True))
    space_id = str(str_param(ctx, params, "space_id", required=True))
    folder_id = str(str_param(ctx, params, "folder_id", required=True))
    name = str(str_param(ctx, params, "name", required=True))
    overwrite = bool_param(ctx, params, "overwrite", False)
    if re.search(r'[\\/:*?"<>|]', name):
        raise ctx.invalid("name", "文件名不能包含非法字符")
    with ctx.lock:
        files = _files(ctx)
        if code in files.used_codes:
            raise ctx.error(40078, "不存在的临时授权码")
        if space_id not in files.spaces.values():
            raise ctx.error(72001, "获取钉盘空间失败")
        media = files.media.get(media_id)
        if media is None:
            raise ctx.error(40007, "不合法的媒体文件id")
        files.used_codes.add(code)
        same_folder = [d for d in files.dentries if d["spaceId"] == space_id and d["parentId"] == folder_id]
        existing = next((d for d in same_folder if d["name"] == name), None)
        if existing is not None and overwrite:
            existing.update(size=media["size"], version=existing["version"] + 1, modifiedTime=_now_ms(),
                            mediaId=media_id)
            return {"dentry": json.dumps(existing, ensure_ascii=False)}
        final = _free_name([d["name"] for d in same_folder], name)
        dentry = {"spaceId": space_id, "parentId": folder_id, "id": str(files._next_dentry),
                  "name": final, "path": f"/{final}" if folder_id == "0" else f"/{folder_id}/{final}",
                  "type": "file", "size": media["size"], "version": 1,
                  "createTime": _now_ms(), "modifiedTime": _now_ms(), "mediaId": media_id}
        files._next_dentry += 1
        files.dentries.append(dentry)
        return {"dentry": json.dumps(dentry, ensure_ascii=False)}


def register(router: Router) -> None:
    router.post("/media/upload")(media_upload)
    router.post("/file/upload/single")(file_upload_single)
    router.get("/cspace/get_custom_space")(cspace_get_custom_space)
    router.get("/cspace/grant_custom_space")(cspace_grant_custom_space)
    router.post("/cspace/add_to_single_chat")(cspace_add_to_single_chat)
    router.get("/cspace/add")(cspace_add)
