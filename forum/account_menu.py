"""The forum's entries in the account menu (kei_community.core.account_menu discovers this module)."""

from kei_community.core.account_menu import register

register("bookmarks", label="Bookmarks", url_name="forum:bookmarks", icon="bookmark", order=60)
