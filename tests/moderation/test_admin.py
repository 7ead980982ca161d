import pytest

from tests.factories import AuditLogEntryFactory, StaffFactory


@pytest.fixture
def superuser(db):
    return StaffFactory(is_superuser=True)


def test_audit_log_is_listed_in_the_admin(client, superuser):
    AuditLogEntryFactory(target_repr="admin-visible-entry")
    client.force_login(superuser)
    response = client.get("/admin/moderation/auditlogentry/")
    assert response.status_code == 200
    assert b"admin-visible-entry" in response.content


def test_audit_log_cannot_be_added_in_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/moderation/auditlogentry/add/").status_code == 403


def test_audit_log_entry_cannot_be_deleted_in_the_admin(client, superuser):
    entry = AuditLogEntryFactory()
    client.force_login(superuser)
    assert client.post(f"/admin/moderation/auditlogentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    entry.refresh_from_db()


def test_reports_are_listed_in_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/moderation/report/").status_code == 200
