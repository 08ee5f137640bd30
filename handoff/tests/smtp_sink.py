#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for fieldcase-handoff's tests.

Usage: python3 smtp_sink.py OUTDIR

Listens on 127.0.0.1, on a port the system picks, and prints "READY <port>"
once it accepts connections. Each accepted message is written to OUTDIR as
NNNN.eml (the raw bytes) with NNNN.json beside it: the envelope (mail_from,
rcpt_tos) and the parsed message (subject, to, message_id, delivery_id, text,
html). The .json is written first and the .eml renamed into place last, both
before the server answers 250 to DATA.

Recipients whose address contains "reject" are refused with 550 (permanent);
those containing "tempfail" with 451 (temporary).

Exits when its standard input closes (the test that started it has ended),
so no server outlives its test. Prints "MISSING aiosmtpd ..." and exits 3 if
aiosmtpd is not installed: python3 -m pip install aiosmtpd
"""

import asyncio
import email
import email.policy
import json
import os
import sys
import threading

try:
    from aiosmtpd.smtp import SMTP
except ImportError:
    print("MISSING aiosmtpd: install it with: python3 -m pip install aiosmtpd", flush=True)
    sys.exit(3)


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "reject" in address:
            return "550 5.1.1 Recipient address rejected"
        if "tempfail" in address:
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.outdir, f"{self.count:04}")
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "from": str(msg["from"]),
            "to": [str(a) for a in msg["to"].addresses] if msg["to"] else [],
            "message_id": str(msg["message-id"]),
            "delivery_id": str(msg["x-fieldcase-delivery"]),
            "content_type": msg.get_content_type(),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
        }
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(meta, f)
        with open(base + ".tmp", "wb") as f:
            f.write(raw)
        os.replace(base + ".tmp", base + ".eml")
        return "250 Message accepted for delivery"


def exit_when_stdin_closes():
    try:
        sys.stdin.buffer.read()
    finally:
        os._exit(0)


async def main(outdir):
    handler = Sink(outdir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="sink.test"), host="127.0.0.1", port=0
    )
    port = server.sockets[0].getsockname()[1]
    print(f"READY {port}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: smtp_sink.py OUTDIR", file=sys.stderr)
        sys.exit(2)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    asyncio.run(main(sys.argv[1]))
