from django.db.models import QuerySet

from kei_community.users.models import User


def public_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True)
