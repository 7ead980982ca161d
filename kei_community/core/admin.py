"""Admin helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django.contrib import admin


class ChangedOnSaveAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletions (one, or many from the change list) call `changed(pks)`, so the
    cache tags the site's own services fire for the same edit are fired for an admin edit too."""

    def changed(self, pks: list[int]) -> None:
        raise NotImplementedError

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        self.changed([obj.pk])

    def delete_model(self, request: Any, obj: Any) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        self.changed([pk])

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        self.changed(pks)
