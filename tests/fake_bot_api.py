"""A fake Telegram Bot API for tests: an HTTP server on 127.0.0.1 and a PTB request object.

It keeps an update queue served by getUpdates long polling, records every call, validates
texts as Telegram does (HTML entities, allowed tags, 4096 UTF-16 units after parsing), and
can answer sendMessage with 429 flood-control errors for a while.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from telegram.request import BaseRequest, RequestData
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, HTTPError, RequestHandler

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"
BOT_ID = 123456789
BOT_USERNAME = "tin_test_bot"
ALLOWED_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    ]
)
MAX_UNITS = 4096
MAX_DOWNLOAD_BYTES = 20 * 2**20  # getFile refuses larger files
DROPPED = 0  # the status of a call whose connection the fake closed without answering
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_LINK = re.compile(r'\s+href="https?://[^"\s<>]+"')  # what Telegram takes as a link
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
# Parameters that PTB sends as raw strings; every other one is JSON.
_RAW_PARAMETERS = frozenset({"text", "parse_mode", "callback_query_id", "inline_query_id", "url"})


class BadRequest(Exception):
    pass


def parse_telegram_html(text: str) -> str:
    """The visible text of Telegram HTML; BadRequest where Telegram would refuse it."""
    visible: list[str] = []
    stack: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = _TAG.match(text, position)
            if match is None:
                raise BadRequest("Can't parse entities: unexpected '<'")
            closing, name = match.group(1), match.group(2).lower()
            if name not in ALLOWED_TAGS:
                raise BadRequest(f'Can\'t parse entities: unsupported start tag "{name}"')
            if name == "a" and not closing and not _LINK.fullmatch(match.group(3)):
                raise BadRequest("Can't parse entities: wrong HTTP URL")
            if closing:
                if not stack or stack.pop() != name:
                    raise BadRequest(f'Can\'t parse entities: unmatched end tag "{name}"')
            else:
                stack.append(name)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(text, position)
            if match is None:
                raise BadRequest("Can't parse entities: unescaped '&'")
            visible.append(html.unescape(match.group()))
            position = match.end()
        elif char == ">":
            raise BadRequest("Can't parse entities: unescaped '>'")
        else:
            visible.append(char)
            position += 1
    if stack:
        raise BadRequest(f'Can\'t parse entities: unclosed tag "{stack[-1]}"')
    return "".join(visible)


def check_text(text: str, parse_mode: str | None) -> str:
    visible = parse_telegram_html(text) if parse_mode == "HTML" else text
    if not visible.strip():
        raise BadRequest("message text is empty")
    if len(visible.encode("utf-16-le")) // 2 > MAX_UNITS:
        raise BadRequest("message is too long")
    return visible


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    status: int = 0  # the HTTP status the fake answered with


def decode_parameters(pairs: dict[str, str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for key, value in pairs.items():
        if key in _RAW_PARAMETERS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


class FakeBotApi:
    """The Bot API's state and behaviour, independent of the transport."""

    def __init__(
        self, token: str = TOKEN, username: str = BOT_USERNAME, first_update_id: int = 1
    ) -> None:
        self.token = token
        self.bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "Tin", "username": username}
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.flood_remaining = 0  # sendMessage calls still to be answered with 429
        self.acknowledged = 0  # the highest update id the bot confirmed (getUpdates offset - 1)
        self.polls = 0  # getUpdates calls answered
        self.blocked: set[int] = set()  # chats whose user blocked the bot: sends get 403
        self.files: dict[str, bytes] = {}  # file id -> content, as getFile and downloads serve
        self.retry_after = 1
        self._update_ids = itertools.count(first_update_id)
        self._message_ids = itertools.count(1000)
        self._arrived = asyncio.Event()
        self.port: int | None = None
        self._server: HTTPServer | None = None
        # see each sent message's text and buttons, each answered inline query's results
        self.on_message: Callable[[str, dict[str, Any] | None], None] | None = None
        self.on_inline: Callable[[list[dict[str, Any]]], None] | None = None
        # Injected faults: method -> its next calls get "500", "409" or "drop" (the connection).
        self.faults: dict[str, list[str]] = {}
        self.delays: dict[str, float] = {}  # method -> seconds before answering

    @classmethod
    def by_hand(cls) -> FakeBotApi:
        """The fake for a try-out: update ids start from the clock (milliseconds), so a
        restarted fake never reuses ids a bot's inbox remembers from the last run (it would
        take them for redeliveries and answer nothing)."""
        return cls(first_update_id=time.time_ns() // 1_000_000)

    # --- what tests put in -------------------------------------------------------------
    def push(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, kind: payload})
        self._arrived.set()
        return update_id

    def user(self, user_id: int) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
            "language_code": "vi",
        }

    def chat(self, chat_id: int, kind: str = "private") -> dict[str, Any]:
        if kind == "private":
            return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
        return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}

    def new_message(
        self,
        chat: dict[str, Any],
        sender: dict[str, Any],
        text: str | None = None,
        reply_to: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": sender,
            **extra,
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [
                    {
                        "type": "bot_command",
                        "offset": 0,
                        "length": len(command.encode("utf-16-le")) // 2,
                    }
                ]
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.messages[chat["id"], message["message_id"]] = message
        return message

    def send_text(
        self,
        chat_id: int,
        text: str,
        kind: str = "private",
        user_id: int | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A user's message arrives; returns it (for reply_to and assertions)."""
        sender = self.user(user_id if user_id is not None else abs(chat_id))
        message = self.new_message(self.chat(chat_id, kind), sender, text, **extra)
        self.push("message", message)
        return message

    def send_document(
        self,
        chat_id: int,
        file_name: str,
        data: bytes,
        user_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user sends a file in a private chat; returns the message."""
        file_id = f"file{next(self._message_ids)}"
        self.files[file_id] = data
        document = {"file_id": file_id, "file_unique_id": file_id, "file_name": file_name}
        document["file_size"] = len(data)
        sender = self.user(user_id if user_id is not None else abs(chat_id))
        message = self.new_message(self.chat(chat_id), sender, None, reply_to, document=document)
        self.push("message", message)
        return message

    def press(self, bot_message: dict[str, Any], data: str, user_id: int) -> None:
        query = {
            "id": f"cq{next(self._update_ids)}",
            "from": self.user(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": bot_message,
        }
        self.push("callback_query", query)

    def inline(self, text: str, user_id: int) -> str:
        query_id = f"iq{next(self._update_ids)}"
        self.push(
            "inline_query",
            {"id": query_id, "from": self.user(user_id), "query": text, "offset": ""},
        )
        return query_id

    # --- what tests read ---------------------------------------------------------------
    def attempts(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        """Every call of `method` (to `chat_id`), whatever the fake answered."""
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        """The calls of `method` (to `chat_id`) that succeeded."""
        return [c for c in self.attempts(method, chat_id) if c.status == 200]

    def replies_to(self, message: dict[str, Any]) -> list[Call]:
        return [
            c
            for c in self.sent(chat_id=message["chat"]["id"])
            if (c.params.get("reply_parameters") or {}).get("message_id") == message["message_id"]
        ]

    def bot_message(self, call: Call) -> dict[str, Any]:
        return self.messages[call.params["chat_id"], call.params["result_id"]]

    async def wait_for(self, condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting for the bot")
            await asyncio.sleep(0.02)

    # --- the API -----------------------------------------------------------------------
    async def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        call = Call(method, params)
        if method != "getUpdates":
            self.calls.append(call)
        fault = self.faults.get(method, []).pop(0) if self.faults.get(method) else None
        if fault == "drop":
            call.status = DROPPED
            return DROPPED, {}
        if fault == "500":
            call.status = 500
            return 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        if fault == "409":
            call.status = 409
            description = "Conflict: terminated by other getUpdates request"
            return 409, {"ok": False, "error_code": 409, "description": description}
        await asyncio.sleep(self.delays.get(method, 0))
        status, payload = await self._dispatch(method, params)
        call.status = status
        return status, payload

    async def _dispatch(self, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        handler = getattr(self, f"api_{method}", None)
        if handler is None:
            return 200, {"ok": True, "result": True}
        try:
            return 200, {"ok": True, "result": await handler(params)}
        except BadRequest as error:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
        except Blocked:
            description = "Forbidden: bot was blocked by the user"
            return 403, {"ok": False, "error_code": 403, "description": description}
        except FloodWait:
            description = f"Too Many Requests: retry after {self.retry_after}"
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": description,
                "parameters": {"retry_after": self.retry_after},
            }

    async def api_getMe(self, params: dict) -> dict:
        return {**self.bot_user, "can_join_groups": True, "supports_inline_queries": True}

    async def api_getUpdates(self, params: dict) -> list[dict]:
        self.polls += 1
        offset = int(params.get("offset") or 0)
        self.acknowledged = max(self.acknowledged, offset - 1)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 2.0)
        while not self.updates and time.monotonic() < deadline:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return self.updates[: int(params.get("limit") or 100)]

    async def api_sendMessage(self, params: dict) -> dict:
        if self.flood_remaining > 0:
            self.flood_remaining -= 1
            raise FloodWait
        visible = check_text(params["text"], params.get("parse_mode"))
        chat_id = params["chat_id"]
        if chat_id in self.blocked:
            raise Blocked
        reply_to_id = (params.get("reply_parameters") or {}).get("message_id")
        original = self.messages.get((chat_id, reply_to_id))
        chat = original["chat"] if original else self.chat(chat_id)
        message = self.new_message(chat, self.bot_user, visible, reply_to=original)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        params["result_id"] = message["message_id"]  # the recorded Call shares this dict
        params["visible"] = visible
        if self.on_message is not None:
            self.on_message(visible, params.get("reply_markup"))
        return message

    async def api_getFile(self, params: dict) -> dict:
        data = self.files.get(params["file_id"])
        if data is None:
            raise BadRequest("wrong file_id or the file is temporarily unavailable")
        if len(data) > MAX_DOWNLOAD_BYTES:
            raise BadRequest("file is too big")
        file = {"file_id": params["file_id"], "file_unique_id": params["file_id"]}
        return file | {"file_size": len(data), "file_path": f"documents/{params['file_id']}"}

    async def api_editMessageReplyMarkup(self, params: dict) -> dict:
        message = self.messages[params["chat_id"], params["message_id"]]
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def api_answerInlineQuery(self, params: dict) -> bool:
        for result in params["results"]:
            content = result["input_message_content"]
            check_text(content["message_text"], content.get("parse_mode"))
        if self.on_inline is not None:
            self.on_inline(params["results"])
        return True

    # --- transports --------------------------------------------------------------------
    async def start_server(self) -> str:
        """Serve over HTTP on a free port of 127.0.0.1; returns the base URL to give PTB."""
        return await self.start_server_on(0)

    async def start_server_on(self, port: int) -> str:
        api = self

        class Endpoint(RequestHandler):
            async def post(self, token: str, method: str) -> None:
                pairs = dict(parse_qsl(self.request.body.decode("utf-8"), keep_blank_values=True))
                status, payload = await api.handle(token, method, decode_parameters(pairs))
                if status == DROPPED:
                    self.request.connection.close()
                    return
                self.set_status(status)
                self.set_header("Content-Type", "application/json")
                self.finish(json.dumps(payload))

        sockets = bind_sockets(port, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]

        class FileEndpoint(RequestHandler):
            async def get(self, token: str, file_path: str) -> None:
                data = api.files.get(file_path.removeprefix("documents/"))
                if token != api.token or data is None:
                    raise HTTPError(404)
                self.finish(data)

        routes = [(r"/bot([^/]+)/(\w+)", Endpoint), (r"/file/bot([^/]+)/(.+)", FileEndpoint)]
        self._server = HTTPServer(Application(routes))
        self._server.add_sockets(sockets)
        return f"http://127.0.0.1:{self.port}/bot"

    async def stop_server(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()


class FloodWait(Exception):
    pass


class Blocked(Exception):
    pass


class FakeRequest(BaseRequest):
    """A PTB request object that answers from a FakeBotApi without any network."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float:
        return 5.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        token, api_method = url.rsplit("/", 2)[-2].removeprefix("bot"), url.rsplit("/", 1)[-1]
        pairs = request_data.json_parameters if request_data else {}
        status, payload = await self.api.handle(token, api_method, decode_parameters(pairs))
        return status, json.dumps(payload).encode()


BY_HAND_USER = 1
BY_HAND_GROUP = -100123
BY_HAND_HELP = """type a question (a private message), or:
  /group TEXT    TEXT in a group chat (try "/group /ask …" or "/group @{username} …")
  /press         press the first button of the bot's last message that has one
  /inline TEXT   TEXT as an inline query; the results are printed
anything else starting with "/" (/start, /sources…) is a private command; Ctrl-D stops"""


def shown_buttons(markup: dict[str, Any] | None) -> str:
    rows = (markup or {}).get("inline_keyboard") or []
    labels = [f"[{button['text']}]" for row in rows for button in row]
    return f"\n{' '.join(labels)}" if labels else ""


def last_button(api: FakeBotApi) -> tuple[dict[str, Any], str] | None:
    """The bot's latest message with a button, and that button's callback data."""
    for call in reversed(api.sent()):
        message = api.messages.get((call.params["chat_id"], call.params["result_id"]))
        rows = (message or {}).get("reply_markup", {}).get("inline_keyboard") or []
        if message is not None and rows and rows[0]:
            return message, rows[0][0]["callback_data"]
    return None


def typed_by_hand(api: FakeBotApi, line: str) -> str | None:
    """What a line typed into the by-hand fake does; returns a note to print, if any."""
    command, _, rest = line.strip().partition(" ")
    if command == "/group" and rest:
        api.send_text(BY_HAND_GROUP, rest, kind="supergroup", user_id=BY_HAND_USER)
    elif command == "/inline" and rest:
        api.inline(rest, user_id=BY_HAND_USER)
    elif command == "/press":
        found = last_button(api)
        if found is None:
            return "(no message with a button yet)"
        api.press(*found, user_id=BY_HAND_USER)
    elif command in ("/group", "/inline", "/?"):
        return BY_HAND_HELP.format(username=api.bot_user["username"])
    elif line.strip():
        api.send_text(BY_HAND_USER, line.strip())
    return None


def print_inline_results(results: list[dict[str, Any]]) -> None:
    print("\n🔎 inline results:" if results else "\n🔎 no inline results", flush=True)
    for result in results:
        print(f"  • {result['title']} — {result.get('description', '')}", flush=True)


async def serve_by_hand(port: int) -> None:
    """Run the fake on a fixed port; lines typed here arrive as updates (`typed_by_hand`)."""
    api = FakeBotApi.by_hand()
    url = await api.start_server_on(port)
    print(f"fake Bot API on {url}\nstart the bot in another terminal with:")
    print(f"  BOT_TOKEN={api.token} BOT_API_URL={url} BOT_DATA_DIR=$(mktemp -d) python -m bot")
    print(BY_HAND_HELP.format(username=api.bot_user["username"]))
    api.on_message = lambda visible, markup: print(
        f"\n🤖 {visible}{shown_buttons(markup)}\n", flush=True
    )
    api.on_inline = print_inline_results
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        note = typed_by_hand(api, line)
        if note:
            print(note, flush=True)
    await api.stop_server()


if __name__ == "__main__":
    asyncio.run(serve_by_hand(int(sys.argv[1]) if len(sys.argv) > 1 else 8081))
