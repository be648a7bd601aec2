"""The reaction guard's companion side: /v1/reaction-check and the `reaction` audit event.

What a salesperson relies on: a competitor's or client's post is recognised by its author's
name or handle (in any script the list uses), red-line text is read like their own posts, a
harmless post has no reasons, nothing of a checked post is stored or logged, and the audit
event names an author only when the author is an org list entry.
"""

from __future__ import annotations

import logging
import sqlite3

import pytest

from companion.audit import AuditStore
from companion.audit.keys import prepare_data_dir
from companion.audit.schema import DB_FILE_NAME, SCHEMA, connect
from companion.detection.org_matchers import OrgMatchers
from companion.detection.orglists import ListEntry
from companion.detection.reaction import match_author
from companion.org import Client, OrgData

RED_LINE = "The election was stolen and everyone who voted for that party is a traitor."
CLEAN = "Great week at the Canton Fair, thanks to everyone who visited our booth!"


def reaction_check(client, **body):
    response = client.post("/v1/reaction-check", json={"site": "linkedin", **body})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize("name, handle, kind, entry", [
    ("Northwind Hardware Co.", "/company/northwind-hardware/", "competitor", "Northwind Hardware Co."),
    ("", "northwind.hardware", "competitor", "Northwind Hardware Co."),  # Instagram: handle only
    ("Ningbo Starlight Hardware Co., Ltd.", "", "competitor", "Ningbo Starlight Hardware Co."),
    ("永康龙工具", "", "competitor", "永康龙工具"),
    ("Hansen Maschinenbau GmbH", "/company/hansen-mb/", "client", "Hansen Maschinenbau GmbH"),
    ("Casa Bellini", "", "client", "Bellini Casa S.r.l."),  # an alias
    ("Anyone", "/company/pacific-kitchen/", "client", "Pacific Kitchen Supply LLC"),
])
def test_author_on_a_list_is_a_reason(client, name, handle, kind, entry):
    body = reaction_check(client, author_name=name, author_handle=handle, text=CLEAN)
    assert body["reasons"] == [kind]
    assert body["listed"] == {"kind": kind, "name": entry}


@pytest.mark.parametrize("name, handle", [
    ("Anna Berg", "/in/anna-berg-4711/"),
    ("Li Wei", "li.wei.sourcing"),
    ("Upkstream Logistics", ""),  # "pks" (a client's short alias) inside a word is not the client
])
def test_other_authors_with_clean_text_have_no_reasons(client, name, handle):
    body = reaction_check(client, author_name=name, author_handle=handle, text=CLEAN)
    assert body == {**body, "reasons": [], "listed": None, "red_line": []}


def test_red_line_text_is_a_reason_whoever_wrote_it(client):
    body = reaction_check(client, author_name="Anna Berg", text=RED_LINE)
    assert body["reasons"] == ["red_line"] and body["red_line"] == ["sensitive_topic"]
    both = reaction_check(client, author_name="Hansen Maschinenbau", text=RED_LINE)
    assert both["reasons"] == ["client", "red_line"]


def test_a_post_that_mentions_a_competitor_is_not_the_competitors_post(client):
    body = reaction_check(client, author_name="Anna Berg", text="Visited Northwind Hardware Co. today.")
    assert body["reasons"] == []


def test_a_handle_on_its_own_line_matches_the_author():
    org = OrgMatchers.build(OrgData(competitors=["brightline.tools"],
                                    clients=[Client("Oceanic Retail Pty Ltd", ("oceanic.retail",))]))
    assert match_author(org, "", "@brightline.tools") == ListEntry("competitor", "brightline.tools")
    assert match_author(org, "", "https://www.instagram.com/brightline_tools/").label == "brightline.tools"
    assert match_author(org, "Oceanic Retail", "").label == "Oceanic Retail Pty Ltd"
    assert match_author(org, "", "oceanicview.retailer") is None  # words, not letters


def test_a_check_stores_and_logs_nothing(client, audit_store, caplog):
    caplog.set_level(logging.DEBUG)
    before = len(list(audit_store.events()))
    reaction_check(client, author_name="Northwind Hardware Co.", author_handle="northwind.hardware",
                   text=RED_LINE)
    assert len(list(audit_store.events())) == before
    assert "election" not in caplog.text and "northwind" not in caplog.text.lower()


# A post id as LinkedIn gives it (19 digits). A short one ("7001") is no test: the event's ids,
# hashes and timestamp are random hex and digits, and held "7001" about once in 400 events.
POST_ID = "urn:li:activity:7203145926718840832"


def test_reaction_event_hashes_the_handle_and_post_and_names_only_a_list_entry(client, audit_store):
    sent = {"site": "linkedin", "action": "react", "decision": "overridden", "reasons": ["competitor"],
            "author_name": "Northwind Hardware Co.", "author_handle": "/company/northwind-hardware/",
            "post_id": POST_ID, "justification": "Congratulating a partner event"}
    response = client.post("/v1/reaction", json=sent)
    assert response.status_code == 200, response.get_data(as_text=True)
    event = list(audit_store.events())[-1]
    assert event["kind"] == "reaction" and event["action"] == "react" and event["platform"] == "linkedin"
    details = event["details"]
    assert details["decision"] == "overridden" and details["reasons"] == ["competitor"]
    assert details["list_entry"] == {"kind": "competitor", "name": "Northwind Hardware Co."}
    assert details["author_hash"].startswith("h1:") and details["post_hash"].startswith("h1:")
    stored = repr(event)
    assert "northwind-hardware" not in stored and POST_ID.rsplit(":", 1)[1] not in stored

    client.post("/v1/reaction", json={**sent, "reasons": ["red_line"], "red_line": ["sensitive_topic"],
                                      "author_name": "Anna Berg", "author_handle": "/in/anna-berg/"})
    other = list(audit_store.events())[-1]
    assert "list_entry" not in other["details"] and other["categories"] == ["sensitive_topic"]
    assert "Anna" not in repr(other) and "anna-berg" not in repr(other)
    assert audit_store.verify().ok


def test_reaction_with_an_unknown_decision_is_refused(client, error_envelope):
    response = client.post("/v1/reaction", json={"site": "linkedin", "action": "react", "decision": "liked"})
    body = error_envelope(response, 400, "invalid_request")
    assert "liked" not in body["error"]["message"]


def test_a_log_from_before_reaction_events_takes_them(tmp_path):
    data_dir = prepare_data_dir(tmp_path / "data")
    conn = connect(data_dir / DB_FILE_NAME)
    old = SCHEMA.replace("'checkpoint', 'reaction'", "'checkpoint'")
    conn.executescript(f"BEGIN;{old}PRAGMA user_version = 1;COMMIT;")
    conn.close()
    store = AuditStore.open(data_dir)
    store.record_reaction(platform="facebook", action="share", decision="cancelled", reasons=["client"],
                          categories=[], author_handle="x", post_id="1", listed=None, justification=None)
    assert [e["kind"] for e in store.events()] == ["reaction"]
    assert store.verify().ok
    store.close()
    with pytest.raises(sqlite3.IntegrityError):  # the append-only triggers survived the change
        with sqlite3.connect(data_dir / DB_FILE_NAME) as raw:
            raw.execute("UPDATE audit_events SET action = 'react'")


def test_reaction_answers_match_the_documented_schemas(client):
    from test_api import conforms

    doc = client.get("/v1/openapi.json").get_json()
    post = doc["paths"]["/v1/reaction-check"]["post"]
    body = reaction_check(client, author_name="Northwind Hardware Co.", text=RED_LINE)
    schema = post["responses"]["200"]["content"]["application/json"]["schema"]
    assert conforms(doc, schema, body) == []
    request_schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert conforms(doc, request_schema, {"site": "myspace"}) != []


# --- who the user reacts as (identities.yaml) ---------------------------------------------------

@pytest.mark.parametrize("site, acting_as, expected", [
    ("linkedin", "Lumen Hardware Co., Ltd.", {"company": True, "name": "Lumen Hardware Co., Ltd."}),
    ("instagram", "@LumenHardware.Official", {"company": True, "name": "lumenhardware.official"}),
    ("facebook", "Li Wei", {"company": False, "name": None}),  # a personal name is not echoed back
    ("linkedin", None, None),
    ("linkedin", "   ", None),
])
def test_a_check_says_whether_the_user_reacts_as_the_company(client, site, acting_as, expected):
    body = reaction_check(client, site=site, author_name="Northwind Hardware Co.", text=CLEAN,
                          **({"acting_as": acting_as} if acting_as is not None else {}))
    assert body["acting"] == expected
    assert body["reasons"] == ["competitor"], "the identity does not change why the post is risky"


def test_a_reaction_event_holds_the_identity_as_a_hash_and_the_company_flag(client, audit_store):
    base = {"site": "linkedin", "action": "react", "decision": "overridden", "reasons": ["competitor"],
            "author_name": "Northwind Hardware Co.", "post_id": "urn:li:activity:7002"}
    for acting_as in ("Lumen Hardware Co., Ltd.", "Li Wei"):
        assert client.post("/v1/reaction", json={**base, "acting_as": acting_as}).status_code == 200
    company, personal = list(audit_store.events())[-2:]
    assert company["details"]["acted_as_company"] is True and personal["details"]["acted_as_company"] is False
    assert company["details"]["acting_hash"].startswith("h1:")
    assert company["details"]["acting_hash"] != personal["details"]["acting_hash"]
    stored = repr([company, personal])
    assert "Li Wei" not in stored and "Lumen Hardware" not in stored


def test_a_reaction_delivered_twice_is_recorded_once(client, audit_store):
    sent = {"site": "instagram", "action": "react", "decision": "allowed_unchecked", "author_handle": "/kenji.mori/",
            "post_id": "/p/C0KM7311/", "delivery_id": "0d7c6a52-3c1e-4d57-9d1c-4c3e0f7b2a11"}
    first = client.post("/v1/reaction", json=sent).get_json()
    again = client.post("/v1/reaction", json=sent).get_json()
    other = client.post("/v1/reaction", json={**sent, "delivery_id": "5e0c1f2a-0000-4000-8000-000000000001"}).get_json()
    assert first["event_id"] == again["event_id"] != other["event_id"]
    ids = [e["event_id"] for e in audit_store.events() if e["kind"] == "reaction"]
    assert ids.count(first["event_id"]) == 1 and len(ids) == 2
    assert audit_store.verify().ok


def test_a_delivery_id_that_is_not_an_id_is_refused(client, error_envelope):
    response = client.post("/v1/reaction", json={"site": "linkedin", "action": "react", "decision": "cancelled",
                                                 "delivery_id": "x' OR 1=1 --"})
    assert "delivery_id" in error_envelope(response, 400, "invalid_request")["error"]["message"]
