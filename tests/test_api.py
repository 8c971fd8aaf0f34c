"""The JSON API (issue 12.4): visitors see public published lessons only, a token reads what its account may,
anonymous lessons never name their department, tokens are hashed and revocable, errors are JSON, limits hold."""

from __future__ import annotations

import csv
import io
import json

import pytest
import requests

from exchange.api import tokens
from exchange.discovery import browse
from exchange.errors import NotFound
from exchange.identity import accounts
from exchange.models import VISITOR
from exchange.transfer import exports, imports
from tests.apiserver import serve
from tests.factories import make_department, make_user
from tests.test_imports import csv_bytes, row

OWN = "Secretive County Health Department"
OTHER = "Open City Health Department"


@pytest.fixture
def world(fresh_db):
    """Two departments; OWN posted a public named lesson, a public anonymous one, a members-only one and a draft."""
    db = fresh_db
    own = make_department(db, name=OWN, state="VT")
    other = make_department(db, name=OTHER, state="MN")
    admin = make_user(db, "admin")
    lessons = [row(1, department=OWN, title="Named public lesson"),
               row(2, department=OWN, title="Anonymous public lesson", anonymous="yes"),
               row(3, department=OWN, title="Members only lesson", visibility="members"),
               row(4, department=OWN, title="A draft", status="draft"),
               row(5, department=OTHER, title="Challenge from the city", kind="challenge")]
    imports.run(db, admin, "lessons", "w.csv", csv_bytes(lessons), "csv")
    with db.read() as cur:
        ids = dict(cur.execute("SELECT title, id FROM lessons").fetchall())
    users = {"own": make_user(db, "member", department_id=own), "other": make_user(db, "member", department_id=other),
             "coordinator": make_user(db, "coordinator", regions=(1, 5)), "admin": admin}
    keys = {name: tokens.create(db, user, f"{name} script") for name, user in users.items()}
    with serve(db) as base:
        yield {"db": db, "base": base, "ids": ids, "users": users, "tokens": keys}


def get(world, path, who=None, **params):
    headers = {"authorization": f"Bearer {world['tokens'][who]}"} if who else {}
    return requests.get(world["base"] + path, params=params, headers=headers, timeout=30)


def titles(answer) -> set[str]:
    return {lesson["title"] for lesson in answer.json()["lessons"]}


def ref_of(world, title: str) -> str:
    with world["db"].read() as cur:
        from exchange.privacy.anonymity import public_refs

        return public_refs(cur, [world["ids"][title]])[world["ids"][title]]


def test_a_visitor_reads_public_published_lessons_only(world):
    assert titles(get(world, "/api/v1/lessons")) == {"Named public lesson", "Anonymous public lesson",
                                                      "Challenge from the city"}
    assert get(world, f"/api/v1/lessons/{ref_of(world, 'Members only lesson')}").status_code == 404
    assert get(world, f"/api/v1/lessons/{ref_of(world, 'A draft')}").status_code == 404


def test_an_anonymous_lesson_never_names_its_department_to_others(world):
    ref = ref_of(world, "Anonymous public lesson")
    for who in (None, "other", "coordinator"):
        lesson = get(world, f"/api/v1/lessons/{ref}", who).json()
        assert lesson["anonymous"] is True and lesson["department"] is None and lesson["state"] is None, who
        listed = [item for item in get(world, "/api/v1/lessons", who).json()["lessons"] if item["ref"] == ref][0]
        assert OWN not in json.dumps(listed) and "VT" not in json.dumps(listed), who
    published = [r for r in get(world, "/api/v1/open-data/lessons.json").json() if r["ref"] == ref]
    assert len(published) == 1 and OWN not in json.dumps(published) and published[0]["state"] is None


def test_the_posting_department_sees_its_own_anonymous_lesson_and_draft_with_its_token(world):
    lesson = get(world, f"/api/v1/lessons/{ref_of(world, 'Anonymous public lesson')}", "own").json()
    assert lesson["department"] == OWN and "anonymous to others" in lesson["attribution"]
    assert get(world, f"/api/v1/lessons/{ref_of(world, 'A draft')}", "own").json()["status"] == "draft"
    assert get(world, f"/api/v1/lessons/{ref_of(world, 'A draft')}", "other").status_code == 404


def test_a_members_token_reads_members_only_lessons(world):
    assert "Members only lesson" in titles(get(world, "/api/v1/lessons", "other"))


def test_lessons_take_find_lessons_own_url_parameters_and_give_its_order(world):
    params = {"kind": "challenge"}
    assert titles(get(world, "/api/v1/lessons", **params)) == {"Challenge from the city"}
    page = get(world, "/api/v1/lessons", sort="oldest", per_page=2).json()
    found = browse.find(world["db"], VISITOR, browse.Filters(sort="oldest", per_page=2))
    assert [lesson["title"] for lesson in page["lessons"]] == [lesson["title"] for lesson in found.lessons]
    assert (page["total"], page["pages"], page["sort"]) == (3, 2, "oldest")
    assert get(world, "/api/v1/lessons", practice="not-a-number").json()["ignored"] == ["practice"]


def test_no_internal_id_leaves_the_api(world):
    body = get(world, "/api/v1/lessons", "admin").json()
    assert all("id" not in lesson and lesson["ref"].startswith("L-") for lesson in body["lessons"])
    with pytest.raises(NotFound):
        from exchange.api import service

        service.lesson(world["db"], VISITOR, str(world["ids"]["Named public lesson"]))  # an id is not a reference


def test_open_data_has_the_api_lessons_columns_and_only_public_lessons(world):
    table = list(csv.DictReader(io.StringIO(get(world, "/api/v1/open-data/lessons.csv").content.decode("utf-8-sig"))))
    assert tuple(table[0]) == exports.FIELDS
    assert {r["title"] for r in table} == {"Named public lesson", "Anonymous public lesson", "Challenge from the city"}
    listed = {lesson["ref"]: lesson for lesson in get(world, "/api/v1/lessons").json()["lessons"]}
    assert {r["ref"]: r for r in get(world, "/api/v1/open-data/lessons.json").json()} == listed


def test_adoption_aggregates_are_for_coordinators_and_administrators(world):
    assert get(world, "/api/v1/adoption").status_code == 401
    refused = get(world, "/api/v1/adoption", "own")
    assert refused.status_code == 403 and "coordinators" in refused.json()["error"]["message"]
    too_few = get(world, "/api/v1/adoption", "coordinator")  # 2 departments: the dashboard service refuses
    assert too_few.status_code == 400 and "too few to show" in too_few.json()["error"]["message"]


def test_adoption_aggregates_at_demo_scale_are_json_with_the_dashboards_suppression(demo_db):
    from exchange.api import service
    from exchange.models import User

    coordinator = User(id=10**6, email="c@example.org", display_name="C", role="coordinator", regions=(5,))
    board = json.loads(json.dumps(service.adoption_aggregates(demo_db, coordinator, {"region": ["5"]})))
    assert board["suppressed_below"] >= 2 and board["filters"]["regions"] == [5]
    assert board["departments"] is None or board["departments"] >= board["suppressed_below"]
    assert "version" not in board and board["heatmap"]


def test_tokens_are_stored_hashed_shown_once_and_revocable(world):
    db, member = world["db"], world["users"]["other"]
    token = world["tokens"]["other"]
    with db.read() as cur:
        assert token not in json.dumps([list(map(str, r)) for r in cur.execute("SELECT * FROM api_tokens").fetchall()])
    listed = tokens.mine(db, member)
    assert len(listed) == 1 and "token" not in listed[0] and token.startswith(listed[0]["prefix"])
    tokens.revoke(db, member, listed[0]["id"])
    answer = get(world, "/api/v1/lessons", "other")
    assert answer.status_code == 401 and "revoked" in answer.json()["error"]["message"]
    assert answer.headers["www-authenticate"] == "Bearer"
    with pytest.raises(NotFound):  # another account's token cannot be revoked by id-guessing
        tokens.revoke(db, member, tokens.mine(db, world["users"]["own"])[0]["id"])


def test_a_deactivated_accounts_token_stops_working(world):
    db = world["db"]
    accounts.set_active(db, world["users"]["admin"], world["users"]["own"].id, False)
    assert get(world, "/api/v1/lessons", "own").status_code == 401


def test_a_malformed_authorization_header_is_refused_not_ignored(world):
    for header in ("Basic abc", "Bearer nope", "Bearer eex_" + "x" * 200):
        answer = requests.get(world["base"] + "/api/v1/lessons", headers={"authorization": header}, timeout=10)
        assert answer.status_code == 401 and answer.json()["error"]["message"]


def test_errors_are_json_with_a_message(world):
    for method, path, status in (("GET", "/api/v1/nothing", 404), ("POST", "/api/v1/lessons", 405),
                                 ("DELETE", "/api/v1/lessons/L-1", 405), ("GET", "/api/v1/lessons/L-doesnotexist", 404)):
        answer = requests.request(method, world["base"] + path, timeout=10)
        assert answer.status_code == status and answer.headers["content-type"] == "application/json"
        assert answer.json()["error"]["status"] == status and answer.json()["error"]["message"]


def test_requests_beyond_the_limit_get_429_with_retry_after(fresh_db):
    with serve(fresh_db, per_minute=3) as base:
        answers = [requests.get(base + "/api/v1/taxonomy", timeout=10) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["retry-after"]) >= 1 and "at most 3 a minute" in answers[-1].json()["error"]["message"]


def test_a_token_needs_a_name_and_accounts_have_a_token_cap(fresh_db):
    member = make_user(fresh_db, "member", department_id=make_department(fresh_db))
    with pytest.raises(Exception, match="required"):
        tokens.create(fresh_db, member, "   ")
    for n in range(tokens.MAX_LIVE):
        tokens.create(fresh_db, member, f"t{n}")
    with pytest.raises(Exception, match="revoke one"):
        tokens.create(fresh_db, member, "one too many")
    with pytest.raises(Exception, match="sign in"):
        tokens.create(fresh_db, VISITOR, "visitor")





def test_the_server_mounts_the_api_beside_streamlit():
    from exchange.ui import web

    paths = {route.path for route in web.ROUTES}
    assert {"/api/v1/lessons", "/api/v1/lessons/{ref}", "/api/v1/openapi.json", "/api/v1/adoption"} <= paths


def test_open_data_follows_a_withdrawn_lesson_at_once(world):
    from exchange import lessons

    before = {r["title"] for r in exports.open_data(world["db"])}
    lessons.withdraw(world["db"], world["users"]["own"], world["ids"]["Named public lesson"])
    assert before - {r["title"] for r in exports.open_data(world["db"])} == {"Named public lesson"}
