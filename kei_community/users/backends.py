"""Authentication backends that load the signed-in user with what every page header needs.

The header shows the moderator menu and the unread-notification count on every page; loading
both as annotations on the one user query keeps a signed-in page at two framework queries
(session + user) instead of four.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from kei_community.users.selectors import user_with_header_state


class HeaderStateMixin:
    def get_user(self, user_id: Any) -> Any:
        user = user_with_header_state(user_id)
        if user is None or not self.user_can_authenticate(user):  # type: ignore[attr-defined]
            return None
        return user


class ModelBackend(HeaderStateMixin, DjangoModelBackend):
    pass


class AuthenticationBackend(HeaderStateMixin, AllauthBackend):
    pass
