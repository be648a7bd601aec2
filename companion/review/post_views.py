"""The posts pages of the /audit blueprint: one row per post, one post, review entries, views, exports.

Routes join `views.bp`, so the laptop and the central service serve them from the one
blueprint, reading through whichever reader and workflow store the app was given.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from typing import Iterator
from urllib.parse import parse_qsl

from flask import Response, redirect, render_template, request, url_for

from companion.audit.chain import canonical_json
from companion.audit.export import EXPORT_FORMATS
from companion.api.security import Forbidden
from companion.errors import NotFound
from companion.review.post_filters import PAGE_SIZE, POST_FIELDS, PostQuery, parse_post_query
from companion.review.posts import Post, central_plan, count_posts, find_posts, post_by_scan
from companion.review.sql import dialect_of
from companion.review.state import review_state
from companion.review.views import _login_page, _page_context, _signed_in, bp, for_display, signed_in_name
from companion.review.workflow import PostReview, WorkflowError

REVIEWER_COOKIE = "pg_reviewer"
EXPORT_BATCH = 500
POST_EXPORT_FIELDS = ("post", "time", "person", "identity", "os_user", "host", "platform", "url_host", "verdict",
                      "outcome", "categories", "rules", "findings", "decisions", "justification", "reviewed",
                      "assignee", "check_seq", "check_hash")


def _with_review(query: PostQuery, state) -> PostQuery:
    """Hand the reviewed posts to a filter that asks for open or reviewed ones."""
    if query.flt.review:
        from dataclasses import replace

        query.flt = replace(query.flt, reviewed=state.workflow.reviewed_posts())
    return query


def _reviewer(state) -> str:
    """The "Your name" field: the signed-in account's name where the host has accounts, else the last name
    typed in this browser."""
    return signed_in_name(state) or request.cookies.get(REVIEWER_COOKIE, "")


@bp.get("/posts")
def posts():
    """The posts, one row each, newest first (or as sorted), 50 to a page."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    query = _with_review(parse_post_query(request.args), state)
    context = {"q": query, "rows": [], "total": 0, "capped": False, "reviews": {}, "views": state.workflow.views(),
               "page_size": PAGE_SIZE, "nav": "posts", "review_chain": state.workflow.verify()}
    if query.errors:
        return render_template("review/posts.html", **_page_context(state, **context)), 400
    d = dialect_of(state.reader)
    plan = central_plan(state.reader, d, query.flt)  # once for the count and the page
    total = count_posts(state.reader, d, query.flt, central=plan)
    rows = find_posts(state.reader, d, query.flt, sort=query.sort, descending=query.descending,
                      limit=PAGE_SIZE + 1, offset=(query.page - 1) * PAGE_SIZE, matching=total, central=plan)
    shown = rows[:PAGE_SIZE]
    for post in shown:  # a row edited by hand still shows, with its unreadable fields emptied
        post.check = for_display(post.check)
    context.update(rows=shown, more=len(rows) > PAGE_SIZE, total=min(total, d.count_cap), capped=total > d.count_cap,
                   reviews=state.workflow.reviews_of([p.check["scan_id"] for p in shown if p.check.get("scan_id")]))
    return render_template("review/posts.html", **_page_context(state, **context))


@bp.get("/posts/<scan_id>")
def post_detail(scan_id: str):
    """One post: its check, findings, every decision, its review entries and the forms to add one."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    post = post_by_scan(state.reader, dialect_of(state.reader), scan_id[:80])
    if post is None:
        raise NotFound("there is no post with this id in the log", "unknown_post")
    error = request.args.get("error") if request.args.get("error") in _ERRORS else None
    return render_template("review/post.html", **_page_context(
        state, post=post, check=for_display(post.check), review=state.workflow.review_of(scan_id),
        reviewer=_reviewer(state), account_name=signed_in_name(state), back=request.args.get("back", ""),
        error=_ERRORS.get(error), nav="posts"))


_ERRORS = {"name": "Say who you are (Your name) before adding a review entry.",
           "comment": "Write a comment first.", "input": "That entry could not be saved: check the fields."}


@bp.post("/posts/<scan_id>/review")
def add_review_entry(scan_id: str):
    """Append a reviewed / reopened / assigned / comment entry to the review chain."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    if post_by_scan(state.reader, dialect_of(state.reader), scan_id[:80]) is None:
        raise NotFound("there is no post with this id in the log", "unknown_post")
    reviewer, account_name = request.form.get("reviewer", ""), signed_in_name(state)
    if account_name:  # entries are made under the signed-in account's name, never another
        if reviewer.strip() not in ("", account_name):
            raise Forbidden(f"review entries are signed with your account name ({account_name})", "wrong_reviewer")
        reviewer = account_name
    target = url_for("review.post_detail", scan_id=scan_id)
    try:
        state.workflow.append(action=request.form.get("action", ""), post=scan_id, reviewer=reviewer,
                              assignee=request.form.get("assignee"), comment=request.form.get("comment"))
    except WorkflowError as exc:
        problem = "name" if "name" in exc.message.lower() else "comment" if "Comment" in exc.message else "input"
        return redirect(f"{target}?error={problem}", 303)
    response = redirect(target, 303)
    if account_name:
        return response
    response.set_cookie(REVIEWER_COOKIE, reviewer.strip()[:120], max_age=365 * 86400, path="/audit",
                        httponly=True, samesite="Strict", secure=request.is_secure)
    return response


@bp.post("/views")
def save_view():
    """Keep the current posts view under a name; it opens again from /audit/views/<name>."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    query = request.form.get("query", "")
    kept = {k: v for k, v in parse_qsl(query) if k in POST_FIELDS and k != "page"}
    from urllib.parse import urlencode

    try:
        state.workflow.save_view(request.form.get("name", ""), urlencode(kept))
    except WorkflowError:
        return redirect(url_for("review.posts") + ("?" + query if query else ""), 303)
    return redirect(url_for("review.posts") + ("?" + urlencode(kept) if kept else ""), 303)


@bp.get("/views/<name>")
def open_view(name: str):
    """A saved view's address: shareable, it opens the posts with that view's filters."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    query = dict(state.workflow.views()).get(name)
    if query is None:
        raise NotFound("there is no saved view with this name", "unknown_view")
    return redirect(url_for("review.posts") + (f"?{query}" if query else ""), 303)


@bp.post("/views/<name>/delete")
def delete_view(name: str):
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    state.workflow.delete_view(name)
    return redirect(url_for("review.posts"), 303)


def post_record(post: Post, review: PostReview | None) -> dict:
    """A post as one export row: who, where, verdict, merged outcome, findings, justification."""
    check = post.check
    details = check.get("details") if isinstance(check.get("details"), dict) else {}
    return {
        "post": check.get("scan_id"), "time": check.get("ts"), "person": post.person,
        "identity": details.get("identity"), "os_user": check.get("os_user"), "host": check.get("host"),
        "platform": check.get("platform"), "url_host": check.get("url_host"), "verdict": check.get("verdict"),
        "outcome": post.outcome, "categories": check.get("categories") or [], "rules": check.get("rules") or [],
        "findings": [{k: f.get(k) for k in ("category", "rule", "excerpt", "source", "image_index")}
                     for f in (check.get("excerpts") or []) if isinstance(f, dict)] if check.get("kind") == "check" else [],
        "decisions": [{"time": d.get("ts"), "action": d.get("action"), "justification": d.get("justification")}
                      for d in post.decisions],
        "justification": post.justification, "reviewed": bool(review and review.reviewed),
        "assignee": review.assignee if review else None, "check_seq": check.get("seq"), "check_hash": check.get("hash"),
    }


def _csv_cell(value) -> str:
    text = value if isinstance(value, str) else ("" if value is None else
                                                 "true" if value is True else "false" if value is False
                                                 else canonical_json(value) if isinstance(value, (list, dict)) else str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _post_export(state, query: PostQuery, fmt: str) -> Iterator[str]:
    """Every matching post in the view's order, in batches so memory stays flat."""
    d = dialect_of(state.reader)
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerow(POST_EXPORT_FIELDS)
        yield out.getvalue()
    offset = 0
    while True:
        batch = find_posts(state.reader, d, query.flt, sort=query.sort, descending=query.descending,
                           limit=EXPORT_BATCH, offset=offset)
        reviews = state.workflow.reviews_of([p.check["scan_id"] for p in batch if p.check.get("scan_id")])
        out = io.StringIO()
        writer = csv.writer(out)
        for post in batch:
            record = post_record(post, reviews.get(post.check.get("scan_id")))
            if fmt == "csv":
                writer.writerow([_csv_cell(record[name]) for name in POST_EXPORT_FIELDS])
            else:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        yield out.getvalue()
        if len(batch) < EXPORT_BATCH:
            return
        offset += EXPORT_BATCH


@bp.get("/posts/export.<fmt>")
def export_posts(fmt: str):
    """Download the posts view (every page) as CSV or JSONL, one row per post with its outcome."""
    state = review_state()
    if not _signed_in(state):
        return _login_page(401)
    if fmt not in EXPORT_FORMATS:
        raise NotFound("exports are .csv or .jsonl", "unknown_format")
    query = _with_review(parse_post_query(request.args), state)
    if query.errors:
        return render_template("review/posts.html", **_page_context(
            state, q=query, rows=[], total=0, capped=False, reviews={}, views=[], page_size=PAGE_SIZE,
            nav="posts")), 400
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = Response(_post_export(state, query, fmt), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="postguard-posts-{stamp}.{fmt}"'
    return response
