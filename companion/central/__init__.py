"""The central service: one place for the whole sales force, over PostgreSQL.

    settings.py     CentralSettings: one list, each with a default and a help string
    errors.py       the errors the service answers with (one JSON envelope, or an error page)
    schema.py       its tables beside the audit store's (postguard_events, postguard_laptops)
    short_search.py the index for one- and two-character searches, built without holding events back
    store_build.py  what the review page lacks, built in the background by one instance while all serve
    db.py           a connection per request; nothing held between requests (stateless)
    devices.py      enrollment codes, one revocable token per laptop
    ingest.py       audit events from enrolled laptops into postguard_events, exactly once
    accounts.py     reviewers and admins: argon2 password hashes, sign-in throttled in the database
    sessions.py     signed session cookies and the CSRF token every form carries
    drafts.py       drafts sent for approval, encrypted at rest (AES-GCM), their content hash
    approvals.py    the approval queue: submit, list, decide, purge after the retention
    api.py          /api/v1: enroll, events, approvals (laptops, bearer token)
    web.py          /signin, /signout, /approvals, /admin/devices (people, session + CSRF)
    health.py       /health: the database, and how far the background build is
    app.py          create_central_app(settings): the only place the service's Flask app is assembled
    client.py       the laptop's side: enroll, send events, relay approval requests
    relay.py        /v1/approvals on the companion: the extension's request, relayed

Several `postguard central serve` processes can run behind a load balancer: they share
nothing but the database and the two key files.
"""
