#!/usr/bin/env python3
"""Contract test: the standard Python client, simple-salesforce (from PyPI,
unchanged), against the fieldcase demo org.

    python3 simple_salesforce_contract.py BASE_URL [CLIENT_ID CLIENT_SECRET REDIRECT_URI]

BASE_URL is the org's instance URL (http://127.0.0.1:PORT). Exits 0 when every
check passes, 77 when simple-salesforce is not installed (the caller skips),
1 on the first failed check.

simple-salesforce always builds https:// URLs (api.py: f"https://{sf_instance}/
services/data/..."; login.py: f"https://{domain}.salesforce.com/services/oauth2/
token"), and the demo org speaks plain http on loopback. The library is used
unchanged: it is given, through its documented `session=` argument, a
requests.Session whose transport adapter sends those https URLs to the org over
http. Nothing in simple-salesforce is patched.
"""

import base64
import hashlib
import html
import re
import sys
import uuid
from urllib.parse import parse_qs, urlsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    from simple_salesforce import Salesforce
    from simple_salesforce.exceptions import (
        SalesforceMalformedRequest,
        SalesforceMoreThanOneRecord,
        SalesforceResourceNotFound,
    )
except ImportError as exc:  # pragma: no cover - the Rust test skips on 77
    print(f"SKIP: simple-salesforce is not installed ({exc})")
    sys.exit(77)

VERSION = "65.0"
MY_DOMAIN = "fieldcase-demo.my"  # simple-salesforce: https://{domain}.salesforce.com


class ToLoopback(HTTPAdapter):
    """Sends requests for an https host to the demo org's http base URL."""

    def __init__(self, base_url):
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        request.url = self.base_url + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, **kwargs)


def loopback_session(base_url):
    """A requests.Session that reaches the org for the https URLs simple-salesforce builds."""
    netloc = urlsplit(base_url).netloc  # 127.0.0.1:PORT
    s = requests.Session()
    adapter = ToLoopback(base_url)
    s.mount(f"https://{netloc}/", adapter)
    s.mount(f"https://{MY_DOMAIN}.salesforce.com/", adapter)
    return s


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print(f"ok - {what}")


def pkce_tokens(base_url, client_id, redirect_uri):
    """The web-server flow with PKCE, as a browser would drive it, with requests."""
    verifier = base64.urlsafe_b64encode(uuid.uuid4().bytes * 3).decode().rstrip("=")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    browser = requests.Session()
    page = browser.get(
        f"{base_url}/services/oauth2/authorize",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": "py-state",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    check(page.status_code == 200, "authorize shows the login page")
    form = {
        html.unescape(m.group(1)): html.unescape(m.group(2))
        for m in re.finditer(r'<input type="(?:hidden|text)"[^>]*name="([^"]+)" value="([^"]*)"', page.text)
    }
    form.update({"password": "demo", "action": "allow"})
    answer = browser.post(f"{base_url}/services/oauth2/authorize", data=form, allow_redirects=False)
    check(answer.status_code == 302, "the login redirects to the callback")
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    check(query.get("state") == ["py-state"], "state round-trips")
    token = requests.post(
        f"{base_url}/services/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
    )
    check(token.status_code == 200, "the code is exchanged for tokens")
    body = token.json()
    check("expires_in" not in body and isinstance(body["issued_at"], str), "Salesforce's token response shape")
    return body


def main(argv):
    base_url = argv[1].rstrip("/")
    client_id = argv[2] if len(argv) > 2 else "fieldcase-demo"
    client_secret = argv[3] if len(argv) > 3 else "demo-secret"
    redirect_uri = argv[4] if len(argv) > 4 else "http://127.0.0.1:9/callback"

    # 1. simple-salesforce's own OAuth code: client credentials on a "My Domain".
    sf = Salesforce(
        consumer_key=client_id,
        consumer_secret=client_secret,
        domain=MY_DOMAIN,
        version=VERSION,
        session=loopback_session(base_url),
    )
    check(sf.sf_instance == urlsplit(base_url).netloc, "instance_url from the token response")

    # 2. describe
    describe = sf.Case.describe()
    fields = {f["name"]: f for f in describe["fields"]}
    check(fields["Intake_Key__c"]["externalId"] and fields["Intake_Key__c"]["unique"], "describe: Intake_Key__c is a unique external id")
    check(fields["Priority"]["restrictedPicklist"], "describe: Priority is a restricted picklist")
    check(sf.Asset.describe()["keyPrefix"] == "02i", "describe Asset")

    # 3. create and get
    created = sf.Case.create({"Subject": "simple-salesforce create", "Priority": "Low", "AssetId": "02i000000000004AAA"})
    check(created["success"] and created["errors"] == [] and created["id"].startswith("500"), "create")
    case = sf.Case.get(created["id"])
    check(case["Subject"] == "simple-salesforce create" and case["Status"] == "New", "get")
    check(case["attributes"]["type"] == "Case", "get: attributes")

    # 4. upsert: created, then updated
    key = str(uuid.uuid4())
    status = sf.Case.upsert(f"Intake_Key__c/{key}", {"Subject": "upserted", "Priority": "High"})
    check(status == 201, "upsert creates (201)")
    status = sf.Case.upsert(f"Intake_Key__c/{key}", {"Subject": "upserted again"})
    check(status == 200, "upsert updates (200)")
    raw = sf.Case.upsert(f"Intake_Key__c/{key}", {"Subject": "third"}, raw_response=True)
    check(raw.json()["created"] is False, "upsert body says created: false")
    by_key = sf.Case.get_by_custom_id("Intake_Key__c", key)
    check(by_key["Subject"] == "third", "get_by_custom_id")

    # 5. errors arrive as simple-salesforce's exceptions
    try:
        sf.Case.create({"Priority": "Urgent"})
        check(False, "a bad picklist value is refused")
    except SalesforceMalformedRequest as e:
        check(e.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "restricted picklist error")
    try:
        sf.Case.get("500000000000000AAA")
        check(False, "an unknown id is 404")
    except SalesforceResourceNotFound:
        check(True, "unknown id raises SalesforceResourceNotFound")
    sf.Case.create({"Subject": "a", "External_Ref__c": "WO-9"})
    sf.Case.create({"Subject": "b", "External_Ref__c": "WO-9"})
    try:
        sf.Case.upsert("External_Ref__c/WO-9", {"Subject": "c"})
        check(False, "two matches are 300")
    except SalesforceMoreThanOneRecord:
        check(True, "300 raises SalesforceMoreThanOneRecord")

    # 6. query
    result = sf.query(f"SELECT Id, CaseNumber, Subject FROM Case WHERE Intake_Key__c = '{key}'")
    check(result["totalSize"] == 1 and result["done"] and result["records"][0]["Subject"] == "third", "query")
    count = sf.query("SELECT COUNT() FROM Case")
    check(count["totalSize"] == 4, "query COUNT()")
    check(len(sf.query_all("SELECT Id FROM Case")["records"]) == 4, "query_all")

    # 7. files: base64 JSON through the library, multipart through its session
    data = b"demo-org bytes"
    cv = sf.ContentVersion.create(
        {"Title": "note", "PathOnClient": "note.txt", "VersionData": base64.b64encode(data).decode(), "FirstPublishLocationId": created["id"]}
    )
    check(cv["success"], "ContentVersion create (base64)")
    files = sf.query(f"SELECT Id, Checksum FROM ContentVersion WHERE FirstPublishLocationId = '{created['id']}'")
    check(files["records"][0]["Checksum"] == hashlib.md5(data).hexdigest(), "Checksum is the MD5 of the bytes")
    multipart = sf.session.post(
        f"{sf.base_url}sobjects/ContentVersion",
        headers={"Authorization": f"Bearer {sf.session_id}"},
        files={
            "entity_content": (None, '{"PathOnClient": "p.bin", "FirstPublishLocationId": "%s"}' % created["id"], "application/json"),
            "VersionData": ("p.bin", b"\x00\x01binary", "application/octet-stream"),
        },
    )
    check(multipart.status_code == 201, "ContentVersion create (multipart)")

    # 8. composite through sf.restful
    composite = sf.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": True,
            "compositeRequest": [
                {"method": "POST", "url": f"/services/data/v{VERSION}/sobjects/Case", "referenceId": "newCase", "body": {"Subject": "via composite"}},
                {"method": "GET", "url": f"/services/data/v{VERSION}/sobjects/Case/@{{newCase.id}}", "referenceId": "readBack"},
            ],
        },
    )
    parts = composite["compositeResponse"]
    check(parts[0]["httpStatusCode"] == 201 and parts[1]["body"]["Subject"] == "via composite", "composite with @{ref.id}")

    # 9. API usage from Sforce-Limit-Info, and limits()
    check(sf.api_usage["api-usage"].used > 0 and sf.api_usage["api-usage"].total == 100000, "api_usage parsed from Sforce-Limit-Info")
    check("DailyApiRequests" in sf.limits(), "limits()")

    # 10. an expired session: simple-salesforce logs in again by itself
    old = sf.session_id
    requests.post(f"{base_url}/__demo/faults", json={"expire_access_tokens": True}).raise_for_status()
    again = sf.Case.get(created["id"])
    check(again["Id"] == created["id"] and sf.session_id != old, "401 INVALID_SESSION_ID makes simple-salesforce refresh its session")

    # 11. a session from the web-server flow, handed to Salesforce(instance_url=..., session_id=...)
    tokens = pkce_tokens(base_url, client_id, redirect_uri)
    direct = Salesforce(
        instance_url=tokens["instance_url"],
        session_id=tokens["access_token"],
        version=VERSION,
        session=loopback_session(base_url),
    )
    check(direct.query("SELECT COUNT() FROM Case")["totalSize"] == 5, "Salesforce(instance_url=..., session_id=...) queries")
    print("simple-salesforce contract: all checks passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except AssertionError as exc:
        print(f"FAILED: {exc}")
        sys.exit(1)
