"""Media upload, DingPan single-file upload and custom spaces over real HTTP against the sandbox."""
from __future__ import annotations

import io

import pytest
import requests

from dingtalk import DingTalkApp
from dingtalk.errors import APIError, ConfigError, ParameterError, SystemBusyError
from dingtalk.sandbox.routes.files import FilesState

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4 + b"\r\n--not-a-boundary\r\n"


def sent(sb, key):
    return [r for r in sb.requests if r["key"] == key]


def files_state(sb) -> FilesState:
    return sb.state.domain("files", FilesState)


def stored(sb, media_id):
    with sb.state.lock:
        return dict(files_state(sb).media[media_id])


@pytest.fixture
def app(fresh_sandbox):
    creds = fresh_sandbox.credentials
    app = DingTalkApp(name="files", app_key=creds["app_key"], app_secret=creds["app_secret"],
                      corp_id=creds["corp_id"], agent_id=creds["agent_id"], domain="sandbox",
                      oapi_url=fresh_sandbox.url, top_url=fresh_sandbox.top_url, api_url=fresh_sandbox.url,
                      timeout=5.0, backoff=0.01)
    yield app
    app.close()


# -- media upload -----------------------------------------------------------------------------------
def test_upload_media_bytes(app, fresh_sandbox):
    out = app.upload_media("image", PNG, filename="logo.png")
    assert set(out) == {"type", "media_id", "created_at"} and out["type"] == "image"
    assert out["media_id"].startswith("@") and isinstance(out["created_at"], int)
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"], req["query"]["type"]) == ("/media/upload", "POST", "image")
    assert req["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="media"; filename="logo.png"' in req["body"] and PNG in req["body"]
    media = stored(fresh_sandbox, out["media_id"])
    assert (media["data"], media["filename"], media["type"], media["content_type"]) == \
        (PNG, "logo.png", "image", "image/png")


def test_upload_media_from_path_and_file_object(app, fresh_sandbox, tmp_path):
    path = tmp_path / "周报.pdf"
    path.write_bytes(b"%PDF-1.4 sandbox" * 100)
    by_path = app.upload_media("file", path)
    by_str = app.upload_media("file", str(path))
    with open(path, "rb") as handle:
        by_handle = app.upload_media("file", handle)
    for out in (by_path, by_str, by_handle):
        media = stored(fresh_sandbox, out["media_id"])
        assert media["data"] == path.read_bytes() and media["filename"] == "周报.pdf"
    video = app.upload_media("video", io.BytesIO(b"\x00\x00\x00\x18ftypmp42"), filename="clip.mp4")
    assert video["type"] == "video" and stored(fresh_sandbox, video["media_id"])["filename"] == "clip.mp4"
    voice = app.run("dingtalk.oapi.media.upload", media_type="voice", media=b"#!AMR\n" + b"\x01" * 50)
    assert stored(fresh_sandbox, voice["media_id"])["type"] == "voice"


def test_a_resent_upload_carries_the_whole_file(app, fresh_sandbox, tmp_path):
    """The token is refused once: the SDK refreshes it and sends the request again. A file
    object given by the caller was read before the first try, so the resend is complete."""
    path = tmp_path / "photo.jpg"
    path.write_bytes(PNG * 50)
    app.get_access_token()
    fresh_sandbox.inject("/media/upload", errcode=40014)
    with open(path, "rb") as handle:
        out = app.upload_media("image", handle)
    uploads = sent(fresh_sandbox, "/media/upload")
    assert len(uploads) == 2 and all(path.read_bytes() in r["body"] for r in uploads)
    assert stored(fresh_sandbox, out["media_id"])["data"] == path.read_bytes()


@pytest.mark.parametrize("media_type,size", [("voice", 2 * MB + 1), ("image", 20 * MB + 1)])
def test_upload_media_size_limits(app, fresh_sandbox, media_type, size):
    before = len(fresh_sandbox.requests)
    with pytest.raises(ParameterError) as info:
        app.upload_media(media_type, b"\0" * size)
    assert "DingTalk's limit" in str(info.value)
    assert len(fresh_sandbox.requests) == before


def test_upload_media_argument_checks(app, fresh_sandbox, tmp_path):
    before = len(fresh_sandbox.requests)
    text_file = tmp_path / "a.txt"
    text_file.write_text("hello", encoding="utf-8")
    with open(text_file, "r", encoding="utf-8") as handle, pytest.raises(ParameterError):
        app.upload_media("file", handle)
    for media_type, media in (("gif", PNG), ("image", b""), ("file", str(tmp_path / "missing.doc")),
                              ("file", 12345), (None, PNG)):
        with pytest.raises(ParameterError):
            app.upload_media(media_type, media)
    assert len(fresh_sandbox.requests) == before


def test_sandbox_media_errors(app, fresh_sandbox):
    url = fresh_sandbox.url + "/media/upload"
    token = app.access_token

    def post(kind, **kwargs):
        return requests.post(url, params={"access_token": token, "type": kind}, timeout=5, **kwargs).json()

    assert post("voice", files={"media": ("a.amr", b"\0" * (2 * MB + 1))})["errcode"] == 45001
    assert post("gif", files={"media": ("a.gif", b"GIF89a")})["errcode"] == 40004
    assert post("image", files={"other": ("a.png", PNG)})["errcode"] == 41005
    assert post("image", files={"media": ("a.png", b"")})["errcode"] == 44001
    assert post("image", json={"media": "x"}) == {"errcode": 43008, "errmsg": "参数需要multipart类型"}


# -- DingPan single upload ------------------------------------------------------------------------------
def test_upload_single_file(app, fresh_sandbox):
    media_id = app.upload_single_file(b"quarterly numbers", filename="q3.xlsx")
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"]) == ("/file/upload/single", "POST")
    assert req["query"]["agent_id"] == fresh_sandbox.credentials["agent_id"] and req["query"]["file_size"] == "17"
    assert b'name="file"; filename="q3.xlsx"' in req["body"]
    assert stored(fresh_sandbox, media_id)["data"] == b"quarterly numbers"
    before = len(fresh_sandbox.requests)
    with pytest.raises(ParameterError):
        app.upload_single_file(b"\0" * (8 * MB + 1))
    with pytest.raises(ParameterError):
        app.upload_single_file(b"")
    assert len(fresh_sandbox.requests) == before


# -- custom space ---------------------------------------------------------------------------------------
def test_get_custom_space(app, fresh_sandbox):
    space = app.get_custom_space()
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"]) == ("/cspace/get_custom_space", "GET")
    assert req["query"]["domain"] == "sandbox" and req["query"]["agent_id"] == fresh_sandbox.credentials["agent_id"]
    assert set(space) == {"space_id"} and space["space_id"].isdigit()
    assert app.get_customer_space() == space and app.space_id == space["space_id"]
    other = app.get_custom_space(domain="Other1")
    assert other["space_id"] != space["space_id"]
    assert app.run("dingtalk.oapi.cspace.get_custom_space", domain="other1") == other


def test_get_custom_space_checks(app, fresh_sandbox):
    before = len(fresh_sandbox.requests)
    for bad in ("toolongdomain", "中文", "a-b"):
        with pytest.raises(ParameterError):
            app.get_custom_space(domain=bad)
    creds = fresh_sandbox.credentials
    bare = DingTalkApp(name="bare", app_key=creds["app_key"], app_secret=creds["app_secret"],
                       oapi_url=fresh_sandbox.url)
    with pytest.raises(ConfigError):
        bare.get_custom_space()
    assert len(fresh_sandbox.requests) == before
    # sandbox side: a domain DingTalk would refuse
    token = app.access_token
    body = requests.get(fresh_sandbox.url + "/cspace/get_custom_space",
                        params={"access_token": token, "domain": "bad-domain!"}, timeout=5).json()
    assert body["errcode"] == 72001


def test_grant_custom_space(app, fresh_sandbox):
    answer = app.grant_custom_space("user0003", "add", path="/报表/")
    assert answer["errcode"] == 0
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"]) == ("/cspace/grant_custom_space", "GET")
    assert {k: req["query"][k] for k in ("type", "userid", "path", "duration", "domain")} == \
        {"type": "add", "userid": "user0003", "path": "/报表/", "duration": "30", "domain": "sandbox"}
    app.grant_custom_space("user0003", "download", fileids=["101", "102"], duration=3600)
    assert fresh_sandbox.requests[-1]["query"]["fileids"] == "101,102"
    with fresh_sandbox.state.lock:
        grants = list(files_state(fresh_sandbox).grants)
    assert [(g["type"], g["userid"], g["duration"]) for g in grants] == [("add", "user0003", 30),
                                                                         ("download", "user0003", 3600)]
    with pytest.raises(APIError) as info:
        app.grant_custom_space("nobody", "add", path="/")
    assert info.value.errcode == 60121


@pytest.mark.parametrize("kwargs", [
    {"type_": "upload", "path": "/"}, {"type_": "add"}, {"type_": "download"},
    {"type_": "add", "path": "/", "duration": 3601}, {"type_": "add", "path": "/", "duration": -1},
])
def test_grant_custom_space_limits(app, fresh_sandbox, kwargs):
    before = len(fresh_sandbox.requests)
    with pytest.raises(ParameterError):
        app.grant_custom_space("user0003", **kwargs)
    assert len(fresh_sandbox.requests) == before


def test_add_to_single_chat(app, fresh_sandbox):
    media_id = app.upload_single_file(b"contract text", filename="合同.docx")
    answer = app.add_to_single_chat("user0005", media_id, "合同.docx")
    assert answer["errcode"] == 0
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"]) == ("/cspace/add_to_single_chat", "POST")
    assert {k: req["query"][k] for k in ("agent_id", "userid", "media_id", "file_name")} == \
        {"agent_id": fresh_sandbox.credentials["agent_id"], "userid": "user0005", "media_id": media_id,
         "file_name": "合同.docx"}
    with fresh_sandbox.state.lock:
        assert files_state(fresh_sandbox).chat_files[-1]["userid"] == "user0005"
    with pytest.raises(APIError) as info:
        app.add_to_single_chat("user0005", "#unknown", "x.txt")
    assert (info.value.errcode, info.value.errmsg) == (40007, "不合法的媒体文件id")
    before = len(fresh_sandbox.requests)
    with pytest.raises(ParameterError):
        app.add_to_single_chat("user0005", media_id, "")
    assert len(fresh_sandbox.requests) == before


def test_add_to_space(app, fresh_sandbox):
    space_id = app.space_id
    media_id = app.upload_single_file(b"v1", filename="notes.txt")
    dentry = app.add_to_space("code-1", media_id, space_id, "0", "notes.txt")
    req = fresh_sandbox.requests[-1]
    assert (req["key"], req["method"]) == ("/cspace/add", "GET")
    assert {k: req["query"][k] for k in ("code", "media_id", "space_id", "folder_id", "name", "overwrite")} == \
        {"code": "code-1", "media_id": media_id, "space_id": space_id, "folder_id": "0", "name": "notes.txt",
         "overwrite": "false"}
    assert (dentry["name"], dentry["spaceId"], dentry["size"], dentry["version"]) == ("notes.txt", space_id, 2, 1)
    renamed = app.add_to_space("code-2", media_id, space_id, "0", "notes.txt")
    assert renamed["name"] == "notes(1).txt"
    replaced = app.add_to_space("code-3", media_id, space_id, "0", "notes.txt", overwrite=True)
    assert (replaced["id"], replaced["version"]) == (dentry["id"], 2)
    with pytest.raises(APIError) as info:            # a code is good for one call only
        app.add_to_space("code-1", media_id, space_id, "0", "other.txt")
    assert info.value.errcode == 40078
    with pytest.raises(APIError) as info:
        app.add_to_space("code-4", "#nope", space_id, "0", "other.txt")
    assert info.value.errcode == 40007


def test_add_to_space_is_a_write_not_retried(app, fresh_sandbox):
    space_id = app.space_id
    media_id = app.upload_single_file(b"data", filename="a.txt")
    fresh_sandbox.inject("/cspace/add", errcode=-1)
    with pytest.raises(SystemBusyError):
        app.add_to_space("code-9", media_id, space_id, "0", "a.txt")
    assert fresh_sandbox.calls["/cspace/add"] == 1
    fresh_sandbox.inject("/cspace/get_custom_space", errcode=-1)   # a read is retried
    assert app.get_custom_space()["space_id"] == space_id
    assert fresh_sandbox.calls["/cspace/get_custom_space"] == 3
