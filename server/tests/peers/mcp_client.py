"""An AI assistant's side of fieldcase's MCP server, driven by the official
MCP Python SDK (`mcp` on PyPI), which nobody here wrote.

Usage: mcp_client.py MCP_URL EMAIL PASSWORD

The SDK finds the authorization server from the 401, registers itself,
and runs the authorization code flow with PKCE; its redirect handler plays
the person's browser with plain HTTP: signs in to fieldcase as EMAIL, opens
the consent page and posts its form. Then it lists the tools, finds an
asset, structures notes, proposes an intake, prints `PROPOSED <intake_id>`
and polls get_intake_status until the case number is there (a dispatcher
approves it meanwhile), and prints the last status as JSON: `STATUS {...}`.
"""

import asyncio
import html.parser
import json
import sys
from urllib.parse import parse_qs, urlparse

import httpx2
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

REDIRECT = "http://127.0.0.1:9/callback"


class Memory:
    def __init__(self):
        self.tokens = None
        self.client = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


class HiddenInputs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = {}
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")

    def handle_data(self, data):
        self.text.append(data)


class Person:
    """The person at the browser: signs in, reads the consent page, allows."""

    def __init__(self, base: str, email: str, password: str):
        self.base = base
        self.email = email
        self.password = password
        self.result = None
        self.consent_text = ""

    async def redirect(self, authorization_url: str) -> None:
        async with httpx2.AsyncClient(follow_redirects=False) as web:
            origin = {"Origin": self.base}
            signed_in = await web.post(
                f"{self.base}/api/v1/session",
                json={"email": self.email, "password": self.password},
                headers=origin,
            )
            signed_in.raise_for_status()
            page = await web.get(authorization_url)
            assert page.status_code == 200, (page.status_code, page.text)
            parser = HiddenInputs()
            parser.feed(page.text)
            self.consent_text = " ".join(" ".join(parser.text).split())
            form = dict(parser.fields, decision="allow")
            answer = await web.post(f"{self.base}/oauth/authorize", data=form, headers=origin)
            assert answer.status_code == 303, (answer.status_code, answer.text)
            location = answer.headers["location"]
            assert location.startswith(REDIRECT), location
            q = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
            self.result = AuthorizationCodeResult(code=q["code"], state=q.get("state"), iss=q.get("iss"))

    async def callback(self) -> AuthorizationCodeResult:
        return self.result


def structured(result):
    assert not result.is_error, result.content
    return result.structured_content


async def main(url: str, email: str, password: str) -> None:
    parsed = urlparse(url)
    base = f"{parsed.scheme}://{parsed.netloc}"
    person = Person(base, email, password)
    storage = Memory()
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name="Python MCP SDK test client",
            redirect_uris=[REDIRECT],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
            scope="assets:read intakes:propose intakes:read",
        ),
        storage=storage,
        redirect_handler=person.redirect,
        callback_handler=person.callback,
    )
    async with httpx2.AsyncClient(auth=provider, timeout=30) as http:
        async with streamable_http_client(url, http_client=http) as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write) as session:
                await session.initialize()
                print("CONSENT " + json.dumps(person.consent_text), flush=True)
                tools = await session.list_tools()
                names = sorted(t.name for t in tools.tools)
                print("TOOLS " + json.dumps(names), flush=True)
                found = structured(await session.call_tool("find_assets", {"name": "feed pump"}))
                asset = found["assets"][0]
                notes = "Feed pump seal is leaking, water on the floor by the pump. Error E42. Needs a new seal."
                proposal = structured(
                    await session.call_tool("structure_notes", {"asset_id": asset["asset_id"], "notes": notes})
                )
                print("STRUCTURED " + json.dumps(proposal), flush=True)
                made = structured(
                    await session.call_tool(
                        "propose_intake",
                        {
                            "asset_id": asset["asset_id"],
                            "notes": notes,
                            "fields": {"Priority": "High"},
                            "idempotency_key": "python-sdk-1",
                        },
                    )
                )
                print("PROPOSED " + made["intake_id"] + " " + made["status"], flush=True)
                status = None
                for _ in range(240):
                    status = structured(
                        await session.call_tool("get_intake_status", {"intake_id": made["intake_id"]})
                    )
                    if status.get("case_number"):
                        break
                    await asyncio.sleep(0.25)
                print("STATUS " + json.dumps(status), flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
