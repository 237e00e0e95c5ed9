"""文件: media upload (媒体文件), DingPan file upload and custom spaces (钉盘 cspace)."""
from __future__ import annotations

import json
import mimetypes
import os
import re
from typing import Any, Dict, Optional, Tuple, Union

from ..errors import ConfigError, ParameterError
from ..registry import dingtalk
from . import _limits
from ._base import ApiMixin

MB = 1024 * 1024
#: DingTalk's size limit per media type (upload-media-files).
MEDIA_LIMITS: Dict[str, int] = {"image": 20 * MB, "voice": 2 * MB, "video": 20 * MB, "file": 20 * MB}
#: Largest file for a one-step DingPan upload (file/upload/single); bigger ones go in chunks.
SINGLE_UPLOAD_LIMIT = 8 * MB
#: cspace ``domain``: at most 10 bytes, letters and digits.
_DOMAIN = re.compile(r"^[A-Za-z0-9]{1,10}$")

Media = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", Any]


def read_media(media: Media, filename: Optional[str], default_name: str) -> Tuple[bytes, str]:
    """The bytes to send and a file name, read *before* the request (so a retry resends them).

    ``media`` is bytes, a path (``str`` / ``os.PathLike``) or a binary file object.
    """
    if isinstance(media, (bytes, bytearray, memoryview)):
        return bytes(media), filename or default_name
    if isinstance(media, (str, os.PathLike)):
        path = os.fspath(media)
        if not os.path.isfile(path):
            raise ParameterError(f"no such file: {path!r} (pass bytes, a path or a binary file object)")
        with open(path, "rb") as handle:
            return handle.read(), filename or os.path.basename(path)
    reader = getattr(media, "read", None)
    if callable(reader):
        data = reader()
        if isinstance(data, str):
            raise ParameterError("open the file in binary mode ('rb'): got text, not bytes")
        if not isinstance(data, (bytes, bytearray)):
            raise ParameterError(f"the file object's read() returned {type(data).__name__}, not bytes")
        name = getattr(media, "name", None)
        guessed = os.path.basename(name) if isinstance(name, str) and name else None
        return bytes(data), filename or guessed or default_name
    raise ParameterError(f"media must be bytes, a path or a binary file object, not {type(media).__name__}")


def _content_type(filename: str, given: Optional[str]) -> str:
    return given or mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _size_text(size: int) -> str:
    return f"{size / MB:g} MB" if size >= MB else f"{size} bytes"


class FilesMixin(ApiMixin):
    """文件: media upload, DingPan single-file upload and custom spaces."""

    # -- media -----------------------------------------------------------------------------
    @dingtalk("dingtalk.oapi.media.upload")
    def upload_media(self, media_type: str, media: Media, filename: Optional[str] = None,
                     content_type: Optional[str] = None) -> Dict[str, Any]:
        """Upload a media file; returns ``{type, media_id, created_at}``.

        ``media_type``: ``image`` (≤ 20 MB), ``voice`` (≤ 2 MB), ``video`` (≤ 20 MB) or ``file``
        (≤ 20 MB). ``media``: bytes, a path or a binary file object (read before sending).
        Doc: https://open.dingtalk.com/document/orgapp/upload-media-files

        >>> app.upload_media("image", "/tmp/logo.png")["media_id"]  # doctest: +SKIP
        """
        limit = MEDIA_LIMITS.get(media_type) if isinstance(media_type, str) else None
        if limit is None:
            raise ParameterError(f"media_type must be one of {', '.join(MEDIA_LIMITS)}, got {media_type!r}")
        data, name = read_media(media, filename, media_type)
        if not data:
            raise ParameterError("the media file is empty")
        if len(data) > limit:
            raise ParameterError(f"a {media_type} may be at most {_size_text(limit)} (DingTalk's limit), "
                                 f"got {len(data)} bytes")
        answer = self._oapi_upload("/media/upload", {"media": (name, data, _content_type(name, content_type))},
                                   params={"type": media_type}, name="dingtalk.oapi.media.upload", write=True)
        return {"type": answer.get("type") or media_type, "media_id": answer.get("media_id"),
                "created_at": answer.get("created_at")}

    @dingtalk("dingtalk.oapi.file.upload.single")
    def upload_single_file(self, file: Media, filename: Optional[str] = None,
                           agent_id: Optional[Any] = None) -> str:
        """Upload a file (≤ 8 MB) to DingPan in one step; returns its ``media_id`` for
        :meth:`add_to_space` / :meth:`add_to_single_chat`.

        Doc: https://open.dingtalk.com/document/orgapp/single-step-file-upload

        >>> media_id = app.upload_single_file("/tmp/report.pdf")  # doctest: +SKIP
        """
        data, name = read_media(file, filename, "file")
        if not data:
            raise ParameterError("the file is empty")
        if len(data) > SINGLE_UPLOAD_LIMIT:
            raise ParameterError(f"a one-step upload may be at most {_size_text(SINGLE_UPLOAD_LIMIT)} "
                                 f"(DingTalk's limit; upload bigger files in chunks), got {len(data)} bytes")
        params = {"agent_id": self._agent_id(agent_id), "file_size": len(data)}
        answer = self._oapi_upload("/file/upload/single", {"file": (name, data, _content_type(name, None))},
                                   params=params, name="dingtalk.oapi.file.upload.single", write=True)
        return str(answer.get("media_id") or "")

    # -- custom space (钉盘) -------------------------------------------------------------------
    def _agent_id(self, agent_id: Optional[Any]) -> str:
        value = agent_id if agent_id not in (None, "") else self.agent_id
        if value in (None, ""):
            raise ParameterError("agent_id is required: pass it here or to DingTalkApp(agent_id=...)")
        return str(value)

    def _domain(self, domain: Optional[str]) -> Optional[str]:
        value = domain if domain not in (None, "") else self.domain
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not _DOMAIN.match(value):
            raise ParameterError(f"domain must be 1 to 10 letters or digits (DingTalk's rule), got {value!r}")
        return value

    @dingtalk("dingtalk.oapi.cspace.get_custom_space")
    def get_custom_space(self, domain: Optional[str] = None, agent_id: Optional[Any] = None) -> Dict[str, Any]:
        """The app's custom DingPan space: ``{"space_id": ...}``.

        ``domain`` defaults to ``DingTalkApp(domain=...)`` (≤ 10 letters/digits), ``agent_id`` to
        the app's. Doc: https://open.dingtalk.com/document/orgapp/obtain-a-custom-space

        >>> app.get_custom_space()["space_id"]  # doctest: +SKIP
        """
        dom = self._domain(domain)
        agent = agent_id if agent_id not in (None, "") else self.agent_id
        if dom is None and agent in (None, ""):
            raise ConfigError("get_custom_space needs a domain: pass it here or to DingTalkApp(domain=...)")
        data = self._oapi_get("/cspace/get_custom_space", {"domain": dom, "agent_id": agent},
                              name="dingtalk.oapi.cspace.get_custom_space")
        return {"space_id": data.get("spaceid")}

    def get_customer_space(self) -> Dict[str, Any]:
        """The original SDK's early name of :meth:`get_custom_space`.

        Doc: https://open.dingtalk.com/document/orgapp/obtain-a-custom-space

        >>> app.get_customer_space()  # doctest: +SKIP
        """
        return self.get_custom_space()

    @property
    def space_id(self) -> Any:
        """The custom space id (one ``get_custom_space`` call per access).

        Doc: https://open.dingtalk.com/document/orgapp/obtain-a-custom-space

        >>> app.space_id  # doctest: +SKIP
        """
        return self.get_custom_space()["space_id"]

    @dingtalk("dingtalk.oapi.cspace.grant_custom_space")
    def grant_custom_space(self, userid: str, type_: str = "add", path: Optional[str] = None,
                           fileids: Any = None, duration: int = 30, domain: Optional[str] = None,
                           agent_id: Optional[Any] = None) -> Dict[str, Any]:
        """Let a user upload to (``type_="add"``, with ``path``) or download from
        (``type_="download"``, with ``fileids``) the custom space for ``duration`` seconds
        (0 to 3600). Returns DingTalk's whole answer.

        Doc: https://open.dingtalk.com/document/orgapp/authorize-a-user-to-access-a-custom-workspace-of-an-application

        >>> app.grant_custom_space("manager01", "add", path="/")  # doctest: +SKIP
        """
        if type_ not in ("add", "download"):
            raise ParameterError(f"type_ must be 'add' or 'download', got {type_!r}")
        ids = _limits.id_list("fileids", fileids)
        if type_ == "add" and not path:
            raise ParameterError("an 'add' grant needs path (e.g. '/' or '/doc/')")
        if type_ == "download" and not ids:
            raise ParameterError("a 'download' grant needs fileids")
        if isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration <= 3600:
            raise ParameterError(f"duration must be 0 to 3600 seconds (DingTalk's limit), got {duration!r}")
        dom = self._domain(domain)
        params = {"type": type_, "userid": _limits.required("userid", userid), "path": path,
                  "fileids": ",".join(ids) if ids else None, "duration": duration, "domain": dom,
                  "agent_id": agent_id if agent_id not in (None, "") else (None if dom else self.agent_id)}
        return self._oapi_get("/cspace/grant_custom_space", params,
                              name="dingtalk.oapi.cspace.grant_custom_space")

    @dingtalk("dingtalk.oapi.cspace.add_to_single_chat")
    def add_to_single_chat(self, userid: str, media_id: str, file_name: str,
                           agent_id: Optional[Any] = None) -> Dict[str, Any]:
        """Send a DingPan file (``media_id`` from :meth:`upload_single_file`) to a user's chat
        with the app. Returns DingTalk's whole answer.

        Doc: https://open.dingtalk.com/document/orgapp/send-a-file-to-a-specified-user

        >>> app.add_to_single_chat("manager01", media_id, "report.pdf")  # doctest: +SKIP
        """
        params = {"agent_id": self._agent_id(agent_id), "userid": _limits.required("userid", userid),
                  "media_id": _limits.required("media_id", media_id),
                  "file_name": _limits.required("file_name", file_name)}
        return self._oapi_post("/cspace/add_to_single_chat", None, params=params,
                               name="dingtalk.oapi.cspace.add_to_single_chat", write=True)

    @dingtalk("dingtalk.oapi.cspace.add")
    def add_to_space(self, code: str, media_id: str, space_id: Any, folder_id: Any, name: str,
                     overwrite: bool = False, agent_id: Optional[Any] = None) -> Dict[str, Any]:
        """Save an uploaded file (``media_id``) into a DingPan folder the user picked; ``code`` is
        a one-time 免登 auth code. Returns the new entry (``dentry``) as a dict.

        Doc: https://open.dingtalk.com/document/orgapp/add-file-to-user-dingtalk-disk

        >>> app.add_to_space(code, media_id, space_id, folder_id, "report.pdf")  # doctest: +SKIP
        """
        params = {"agent_id": self._agent_id(agent_id), "code": _limits.required("code", code),
                  "media_id": _limits.required("media_id", media_id),
                  "space_id": _limits.required("space_id", space_id),
                  "folder_id": _limits.required("folder_id", folder_id),
                  "name": _limits.required("name", name), "overwrite": "true" if overwrite else "false"}
        data = self._oapi_get("/cspace/add", params, name="dingtalk.oapi.cspace.add", write=True)
        dentry = data.get("dentry")
        if isinstance(dentry, str):
            try:
                dentry = json.loads(dentry)
            except ValueError:
                return {"dentry": dentry}
        return dentry if isinstance(dentry, dict) else {}
