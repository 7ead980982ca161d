import pytest

PAGES = ["/", "/accounts/signup/", "/accounts/login/", "/api/v1/schema/", "/api/v1/docs/", "/listings/", "/forum/", "/states/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_key_pages_answer_200_to_anonymous_visitors(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_healthz_reports_database_cache_and_eager_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "eager"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from kei_community.core import views

    monkeypatch.setattr(views, "_check_database", lambda: "down")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_unknown_page_is_a_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
