"""A tiny SMTP server for tests: accepts every message on 127.0.0.1 and keeps it in memory.

with SmtpSink() as sink:
    app.config.update(SMTP_HOST=sink.host, SMTP_PORT=sink.port)
    ...
    [msg] = sink.messages   # email.message.EmailMessage
"""

from __future__ import annotations

import email
import socketserver
import threading
from email import policy
from typing import Self


class _Handler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._reply("220 sink.test ESMTP ready")
        in_data, data, rcpts = False, [], []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    msg = email.message_from_bytes(b"".join(data), policy=policy.default)
                    self.server.sink.received(msg, list(rcpts))
                    in_data, data, rcpts = False, [], []
                    self._reply("250 2.0.0 queued")
                else:
                    data.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == b"HELO":
                self._reply("250 sink.test")
            elif verb == b"RCPT":
                rcpts.append(line.split(b":", 1)[1].strip().strip(b"<>").decode())
                self._reply("250 2.1.5 ok")
            elif verb in (b"MAIL", b"RSET", b"NOOP"):
                self._reply("250 2.0.0 ok")
            elif verb == b"DATA":
                in_data = True
                self._reply("354 end with <CRLF>.<CRLF>")
            elif verb == b"QUIT":
                self._reply("221 2.0.0 bye")
                return
            else:
                self._reply("502 5.5.2 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpSink:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.sink = self
        self.host, self.port = self._server.server_address
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def received(self, msg, rcpts) -> None:
        with self._lock:
            self.messages.append(msg)
            self.recipients.append(rcpts)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
