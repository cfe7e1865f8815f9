"""The test harness behaves like production where it matters."""

from tests.factories import make_user


def test_each_request_sees_its_own_user_even_inside_one_test(api):
    first, second = make_user("public", name="Pertama"), make_user("finance", name="Kedua")
    assert api(first).get("/api/v1/me").json["name"] == "Pertama"
    assert api(second).get("/api/v1/me").json["name"] == "Kedua"
    assert api().get("/api/v1/me").status_code == 401


def test_the_language_choice_of_one_client_does_not_leak_into_another(app):
    english, default = app.test_client(), app.test_client()
    english.post("/language/en")
    assert b'lang="en"' in english.get("/api/v1/docs").data
    assert b'lang="id"' in default.get("/api/v1/docs").data
