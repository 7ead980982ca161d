"""The forum's use of the cache layer (kei_community.core.caching).

- Region "forum.data": what the index, a category page and a thread page show the same to every reader
  (rows and post cards as rendered markup with the reader's slots cut out, and the few fields the
  reader's marks need), as primitives. A thread page's data is keyed under its thread's tag; the index
  and category pages record the tags of the categories, threads and members they show.
- Region "forum.page": anonymous pages, whole (kei_community.core.page_cache), keeping only `?page=`.
- Services fire tags with `forum.services._changed`: a post, a title, a moderation action fire the
  thread's and its category's tags; a reaction or a post edit only the thread's; a member renaming
  themselves fires theirs (kei_community.users), which every row and card naming them recorded.
"""

from __future__ import annotations

from kei_community.core.page_cache import positive_int

PAGE_QUERY = {"page": positive_int()}  # the only query parameter forum pages understand
