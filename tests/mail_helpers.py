"""A real SMTP server for the tests (aiosmtpd on a loopback port) that keeps what it receives."""

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        # The parser keeps the space that folds an encoded header onto its own line.
        return str(self.message["Subject"]).strip()

    @property
    def body(self) -> str:
        return self.message.get_body(("plain",)).get_content()


class _Keep:
    def __init__(self):
        self.received: list[Received] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    """Start and stop it at will on the same port (to test mail retried while it was down)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.keeper = _Keep()
        self.controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        with self.keeper.lock:
            return list(self.keeper.received)

    def start(self):
        self.controller = Controller(self.keeper, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.received) < count:
            time.sleep(0.05)
        return self.received

    def env(self) -> dict:
        """Settings for a worker process that sends through this server."""
        return {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(self.port)}
