"""Malformed requests answer 4xx, never a server error (ASVS V2.2, V4.1, V13.4).

Every POST endpoint of the URL map gets garbage bodies (wrong types, huge numbers, impossible
dates, control characters, non-UTF-8 bytes, repeated keys, JSON, multipart, thousands of keys) as
a user who may use it; every GET page gets garbage query strings.
"""

from __future__ import annotations

import itertools

import pytest
from wtforms.fields import FieldList, FormField

from tests.helpers.auth import login
from tests.helpers.form_classes import all_form_classes, unbound_fields
from tests.helpers.routes import ROUTES, url_for_family
from tests.helpers.routes import access_world as access_world  # noqa: F401 (a fixture)

GARBAGE = [
    "",
    "abc",
    "99999999999999999999999",
    "-1",
    "2024-13-45",
    "0000-00-00",
    "\x00",
    "1e309",
    "NaN",
    "\u0661\u0662",  # Arabic-Indic digits: int() takes them
    "x" * 5000,
    "%ff%fe",
    "../../etc/passwd",
    "//evil.example/",
    "/x\r\nSet-Cookie: a=b",
    "25:99",
    " ",
]

QUERIES = [
    "page=abc&status=%ff&focus=zzz&moments=x&worker=abc&from=2024-13-45&to=0000-00-00&signal=x",
    "page=-1&q=" + "x" * 3000 + "&lang=xx&version=abc&moment=abc&moment=99999999999999999999&date=2024-13-45",
    "page=99999999999999999999&worker=99999999999999999999&version=-5&lang=&next=//evil.example",
    "status=closed&status=open&page=1&page=2&from=2024-02-30&to=2024-01-01&worker=-1",
]

# Who uses each kind of route in the fuzzing (so the request reaches the form, not a 404).
ACTOR = {
    "public": "worker_a",
    "user": "worker_a",
    "case": "worker_a",
    "family": "worker_a",
    "family_lead": "lead_a",
    "lead": "lead_a",
    "admin": "admin",
}
# Run last: they end the login or change who may log in.
LAST = ("auth.logout", "admin.reset_password", "admin.edit_user")


def _field_names(form_class, prefix: str = "") -> set[str]:
    names = set()
    for name, unbound in unbound_fields(form_class):
        inner, in_list = unbound, False
        while issubclass(inner.field_class, FieldList):
            inner, in_list = inner.args[0], True
        full = f"{prefix}{name}"
        if issubclass(inner.field_class, FormField):
            sub = inner.args[0]
            for index in (0, 1, 29) if in_list else (None,):
                sub_prefix = f"{full}-{index}-" if index is not None else f"{full}-"
                names |= _field_names(sub, sub_prefix)
        elif in_list:
            names |= {f"{full}-0", f"{full}-1"}
        else:
            names.add(full)
    return names


def _all_field_names() -> list[str]:
    names = {"csrf_token", "password", "code", "next"}
    for form_class in all_form_classes():
        names |= _field_names(form_class)
    return sorted(names)


def _bodies(names: list[str]) -> list[dict]:
    bodies = [{}]
    for shift in range(0, len(GARBAGE), 3):
        bodies.append({name: GARBAGE[(i + shift) % len(GARBAGE)] for i, name in enumerate(names)})
    # Repeated keys: every field twice, with different garbage.
    bodies.append({name: [GARBAGE[i % len(GARBAGE)], GARBAGE[(i + 5) % len(GARBAGE)]] for i, name in enumerate(names)})
    # Far more list entries than any form allows.
    bodies.append(
        {f"moments-{i}-description": "x" for i in range(2000)} | {f"goals-{i}-title": "x" for i in range(500)}
    )
    return bodies


RAW_BODIES = [
    ("application/x-www-form-urlencoded", b"display_name=\xff\xfe\xfd&summary=%ff%fe&first_name=\xc3\x28&x=%"),
    ("application/x-www-form-urlencoded", b"&&&==&=%&a=%zz&" * 100),
    ("application/json", b'{"display_name": "x", "broken": '),
    ("application/json", b"[1, 2, 3]"),
    ("multipart/form-data; boundary=zzz", b'--zzz\r\nContent-Disposition: form-data; name="summary"\r\n\r\n\xff\r\n'),
    ("multipart/form-data", b"no boundary at all"),
    ("text/plain", b"\x00\x01\x02"),
]


def _post_targets(app) -> list[tuple[str, str]]:
    targets = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint in ROUTES:
            targets.append((rule.endpoint, ROUTES[rule.endpoint]))
    return sorted(targets, key=lambda item: (item[0] in LAST, LAST.index(item[0]) if item[0] in LAST else 0, item[0]))


def test_garbage_posts_never_cause_a_server_error(app, access_world, make):  # noqa: F811
    make.consent(access_world.family_a)
    names = _all_field_names()
    assert "moments-0-description" in names and "new_stress-kind" in names
    bodies = _bodies(names)
    clients = {}
    failures = []
    targets = _post_targets(app)
    assert len(targets) >= 20
    for endpoint, (_method, template, rule) in targets:
        who = ACTOR.get(rule, "worker_a")
        if who not in clients:
            clients[who] = app.test_client()
            login(clients[who], getattr(access_world, who))
        client = clients[who]
        url = url_for_family(template, access_world, "family_a").split("?")[0]
        for body in bodies:
            response = client.post(url, data=body)
            if response.status_code >= 500:
                failures.append(f"POST {url} ({endpoint}) with {sorted(body)[:3]}...: {response.status_code}")
        for content_type, raw in RAW_BODIES:
            response = client.post(url, data=raw, content_type=content_type)
            if response.status_code >= 500:
                failures.append(f"POST {url} ({endpoint}) as {content_type} {raw[:30]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_garbage_query_strings_never_cause_a_server_error(app, access_world, make):  # noqa: F811
    failures = []
    for who, kinds in (("worker_a", ("public", "user", "case", "family")), ("lead_a", ("lead", "family_lead"))):
        client = app.test_client()
        login(client, getattr(access_world, who))
        for endpoint, (method, template, rule) in ROUTES.items():
            if method != "GET" or rule not in kinds or endpoint == "plans.print_pdf":
                continue
            base = url_for_family(template, access_world, "family_a").split("?")[0]
            for query in QUERIES:
                response = client.get(f"{base}?{query}")
                if response.status_code >= 500:
                    failures.append(f"GET {base}?{query[:60]} ({endpoint}): {response.status_code}")
    assert not failures, "\n".join(failures)


def test_missing_or_wrong_csrf_token_is_refused_with_400(app, access_world):  # noqa: F811
    from app import create_app

    strict = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    client.post("/login", data={"email": access_world.worker_a.email, "password": "x"})  # no token
    for endpoint, (_method, template, _rule) in _post_targets(app):
        url = url_for_family(template, access_world, "family_a").split("?")[0]
        for token in (None, "garbage", "x" * 5000):
            data = {} if token is None else {"csrf_token": token}
            response = client.post(url, data=data)
            assert response.status_code in (302, 400), f"{endpoint} with token {str(token)[:10]}"
            if response.status_code == 302:  # not logged in: to the login page, nothing done
                assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/login", "/language"])
def test_anonymous_garbage_posts(client, path):
    for body in itertools.islice(_bodies(["email", "password", "next", "language", "code"]), 6):
        assert client.post(path, data=body).status_code < 500
    for content_type, raw in RAW_BODIES:
        assert client.post(path, data=raw, content_type=content_type).status_code < 500


def test_json_bodies_are_refused_with_400(app, world, client):
    login(client, world.worker_a)
    for raw in (b"[1, 2, 3]", b'{"display_name": "Family JSON", "start_date": "2024-01-01"}'):
        response = client.post("/families/new", data=raw, content_type="application/json")
        assert response.status_code == 400
        assert "The request could not be read" in response.get_data(as_text=True)
    assert client.get("/families/?q=JSON").get_data(as_text=True).count("Family JSON") == 0


def test_nul_characters_are_refused_with_400(app, world, client):
    login(client, world.worker_a)
    response = client.post("/families/new", data={"display_name": "Family\x00Nul", "start_date": "2024-01-01"})
    assert response.status_code == 400
    assert client.get("/families/?q=%00").status_code == 400
    assert "Nul" not in client.get("/families/").get_data(as_text=True)  # nothing was saved
