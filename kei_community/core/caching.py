"""The one cache layer of the project: named regions, release-versioned keys, tag invalidation.

Every app caches through this module (see docs/caching.md):

- A **region** is a named kind of cached part with its TTL in `settings.CACHE_REGIONS`
  ("forum.thread": 600, ...). An undeclared region is a configuration error.
- Every key starts with the **release** (kei_community.core.cache_release: a hash of the templates and
  the code, computed once at startup), so a deploy never reads a value of an old shape.
- **Tags** (kei_community.core.cache_tags) name the data a part shows. The versions of the tags known
  before reading (`tags=`) are fetched with one `get_many` and are part of the key. Tags a part only
  learns while it is built (the members named on a page, the listings on a result page) are reported
  with `depends_on(...)`; the part records their versions and is checked with one `get_many` when read.
  Parts read or built inside another part's build report their tags to it, so a whole page knows every
  tag of every fragment on it.
- Only primitives go in: str, bytes, int, float, bool, None and lists, tuples and dicts of those
  (rendered HTML is a str). A part holding anything else (a model instance, a lazy string, a date) is
  not stored and an error is logged; tests/conftest.py fails any test that tries.
- It fails open: the backend (kei_community.core.cache.FailOpenRedisCache) turns every Redis error into a
  miss, and a part whose tag versions cannot be read is built and served, never stored.
- **A local copy** (`Part(..., local=True)`, used for whole pages): each process also keeps the entries it
  stored or read in its own memory (an LRU of `settings.CACHE_LOCAL_BYTES`), and serves one after a single
  MGET shows that every tag it was stored with (and the layer's `LOCAL_TAG`) is still at the same version:
  one round trip, no body fetched or unpickled. A copy checked less than `settings.CACHE_LOCAL_TRUST_MS` ago
  is served without a check (micro-caching: at most that many milliseconds behind a tag fired by another
  process; a tag fired in this process drops the trust at once). Any tag fired makes the copy stale.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar, Token
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured

from kei_community.core import cache_release
from kei_community.core.cache_tags import VERSION_PREFIX, fresh_version

logger = logging.getLogger(__name__)

T = TypeVar("T")
PRIMITIVES = (str, bytes, int, float, bool, type(None))
_MAX_NAME = 100

_release: str | None = None


def release() -> str:
    """This process's release version (computed once)."""
    global _release
    if _release is None:
        _release = cache_release.compute()
    return _release


def set_release(value: str | None) -> None:
    """Use another release version (None: compute it again from the files), as a deploy would. This process's
    local copies were made by the old release: they are dropped."""
    global _release
    _release = value
    _local.clear()


def region_disabled(region: str) -> bool:
    """settings.CACHE_REGIONS_DISABLED names the region (or is "*"): its parts are built every time."""
    disabled = getattr(settings, "CACHE_REGIONS_DISABLED", ())
    return bool(disabled) and ("*" in disabled or region in disabled)


def region_ttl(region: str) -> int:
    try:
        return int(settings.CACHE_REGIONS[region])
    except KeyError:
        raise ImproperlyConfigured(f"Cache region {region!r} is not declared in settings.CACHE_REGIONS.") from None


# --- tag versions -------------------------------------------------------------------------------------


def _read_versions(tags: Sequence[str]) -> list[int | None]:
    """The stored version of each tag, None where missing: one MGET (or dictionary read) through the
    backend's `get_ints` when it has one (kei_community.core.cache), else one get_many. Pages check a few
    dozen tags per request, so the per-key work of get_many (making and validating each key) is skipped."""
    backend = caches["default"]
    getter = getattr(backend, "get_ints", None)
    if getter is None:
        found = backend.get_many([VERSION_PREFIX + t for t in tags])
        return [found.get(VERSION_PREFIX + t) for t in tags]
    made = backend.__dict__.setdefault("_kei_tag_keys", {})
    if len(made) > 100_000:
        made.clear()
    keys = []
    for tag in tags:
        key = made.get(tag)
        if key is None:
            key = made[tag] = backend.make_and_validate_key(VERSION_PREFIX + tag)
        keys.append(key)
    return list(getter(keys))


def _read(keys: list[str]) -> list[Any]:
    """The stored entries under these layer keys (None where missing): one MGET or dictionary read through
    the backend's `get_made` when it has one, else one get_many."""
    backend = caches["default"]
    getter = getattr(backend, "get_made", None)
    if getter is None:
        found = backend.get_many(keys)
        return [found.get(key) for key in keys]
    return list(getter([backend.make_key(key) for key in keys]))


def tag_versions(tags: Iterable[str]) -> dict[str, int] | None:
    """The current version of each tag (one read; a missing tag is given a fresh version). None when
    the cache cannot be reached: the caller builds and does not store."""
    tags = list(dict.fromkeys(tags))
    if not tags:
        return {}
    versions: dict[str, int] = {}
    for tag, value in zip(tags, _read_versions(tags), strict=True):
        if value is None:
            fresh = fresh_version()
            if cache.add(VERSION_PREFIX + tag, fresh, None):
                value = fresh
            else:  # someone else set it first, or the cache is down
                value = cache.get(VERSION_PREFIX + tag)
                if value is None:
                    return None
        versions[tag] = int(value)
    return versions


# --- what a part depends on ---------------------------------------------------------------------------


class _Collector:
    """The tags reported while one part is built, and whether it may be stored."""

    __slots__ = ("storable", "tags")

    def __init__(self) -> None:
        self.tags: set[str] = set()
        self.storable = True


_collectors: ContextVar[tuple[_Collector, ...]] = ContextVar("cache_collectors", default=())


def depends_on(*tags: str) -> None:
    """The part being built shows these tags' data (and so does every part around it)."""
    for collector in _collectors.get():
        collector.tags.update(tags)


def dont_store() -> None:
    """The part being built (and every part around it) must not be stored: it shows something that
    changes without a tag being fired (a photo still being processed)."""
    for collector in _collectors.get():
        collector.storable = False


def building() -> bool:
    """Whether a part is being built (for callers that want to know if they may be stored)."""
    return bool(_collectors.get())


# --- primitives only ---------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """`value` with str subclasses (SafeString) made plain str; TypeError for anything not primitive."""
    kind = type(value)
    if kind in PRIMITIVES:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if kind is list or kind is tuple:
        return kind(plain(v) for v in value)
    if kind is dict:
        out = {}
        for k, v in value.items():
            if type(k) not in PRIMITIVES and not isinstance(k, str):
                raise TypeError(f"cache keys of dicts must be primitive, not {type(k).__name__}")
            out[plain(k)] = plain(v)
        return out
    raise TypeError(f"only primitives and rendered HTML are cached, not {kind.__module__}.{kind.__qualname__}")


def _store_many(entries: dict[str, Any], ttl: int) -> None:
    """The one place the layer writes (tests/conftest.py watches it)."""
    cache.set_many(entries, ttl)


# --- parts -------------------------------------------------------------------------------------------


def _key(region: str, name: str, versions: Mapping[str, int], tags: Sequence[str]) -> str:
    if len(name) > _MAX_NAME or any(c.isspace() for c in name):
        name = hashlib.sha256(name.encode()).hexdigest()[:32]
    key = f"c:{release()}:{region}:{name}"
    if tags:
        stamp = ".".join(str(versions[t]) for t in tags)
        if len(stamp) > 64:  # many tags (a radius search's areas): a digest keeps the key short
            stamp = hashlib.sha256(stamp.encode()).hexdigest()[:32]
        key += ":" + stamp
    return key


# --- the local copy (level 1) of whole pages ------------------------------------------------------------

# Always checked with a local copy's tags: bumping it (or clearing the cache) makes every process drop its copies.
LOCAL_TAG = "caching:local"


class _Local:
    """This process's copies of `local=True` parts: (region, name) -> [key, deps, value, expires, size, checked
    at, epoch], in LRU order, at most `settings.CACHE_LOCAL_BYTES` of text in all (0: none kept). `epoch` moves
    on whenever this process fires a tag: no copy checked before is trusted without a check."""

    def __init__(self) -> None:
        self.entries: OrderedDict[tuple[str, str], list[Any]] = OrderedDict()
        self.size = 0
        self.epoch = 0
        self.lock = threading.Lock()

    def get(self, region: str, name: str) -> list[Any] | None:
        with self.lock:
            entry = self.entries.get((region, name))
            if entry is not None:
                self.entries.move_to_end((region, name))
        return entry

    def put(self, region: str, name: str, key: str, deps: tuple, value: Any) -> None:
        limit = int(getattr(settings, "CACHE_LOCAL_BYTES", 0))
        size = _text_size(value)
        with self.lock:
            self._drop((region, name))
            if size > limit // 4:  # never let one entry push most others out
                return
            now = time.monotonic()
            self.entries[region, name] = [key, deps, value, now + region_ttl(region), size, now, self.epoch]
            self.size += size
            while self.size > limit and self.entries:
                self._drop(next(iter(self.entries)))

    def drop(self, region: str, name: str) -> None:
        with self.lock:
            self._drop((region, name))

    def trusted(self, entry: list[Any], now: float) -> bool:
        """Whether a copy may be served without a check: checked less than `CACHE_LOCAL_TRUST_MS` ago, no tag
        fired by this process since, and no part being built around it (a part built now records its tags'
        current versions, which an unchecked copy may be behind: it would be stored stale until its TTL)."""
        trust = float(getattr(settings, "CACHE_LOCAL_TRUST_MS", 0)) / 1000
        return bool(trust) and entry[6] == self.epoch and now - entry[5] < trust and not _collectors.get()

    def trusted_value(self, region: str, name: str) -> tuple[tuple, Any] | None:
        """(deps, value) of a copy that may be served without a check (`trusted`), else None."""
        entry = self.get(region, name)
        if entry is None:
            return None
        now = time.monotonic()
        if now >= entry[3] or not self.trusted(entry, now):
            return None
        return entry[1], entry[2]

    def _drop(self, at: tuple[str, str]) -> None:
        entry = self.entries.pop(at, None)
        if entry is not None:
            self.size -= entry[4]

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


_local = _Local()


def local_clear() -> None:
    """Forget this process's local copies (tests; other processes drop theirs when `LOCAL_TAG` is bumped)."""
    _local.clear()


def local_distrust() -> None:
    """This process fired a tag: check every local copy before serving it again (cache_tags.bump)."""
    _local.epoch += 1


def _text_size(value: Any) -> int:
    """Roughly the bytes a value holds: its strings' lengths (a page is a few strings and numbers)."""
    if isinstance(value, str | bytes):
        return len(value) + 50
    if isinstance(value, list | tuple):
        return sum(_text_size(v) for v in value) + 50
    if isinstance(value, dict):
        return sum(_text_size(k) + _text_size(v) for k, v in value.items()) + 50
    return 50


class Part:
    """One cached part: `get()`, or build it inside `with part.build():` and `set(value)`.

    `local=True`: also keep a copy in this process (see the module's docstring) and serve it after one check of
    its tags' versions."""

    __slots__ = ("key", "region", "name", "tags", "local", "_collector", "_token", "_hit")

    def __init__(self, region: str, name: str, *, tags: Sequence[str] = (), local: bool = False) -> None:
        self.region = region
        self.name = name
        self.tags = tuple(dict.fromkeys(tags))
        self.local = local and bool(getattr(settings, "CACHE_LOCAL_BYTES", 0))
        self._hit: tuple[tuple, Any] | None = None
        self._collector: _Collector | None = None
        self._token: Token[tuple[_Collector, ...]] | None = None
        if region_disabled(region):  # read nothing, store nothing (nor any part around this one)
            self.key: str | None = None
            return
        versions: dict[str, int] | None = None
        if self.local:
            versions = self._check_local()
            if self._hit is not None and versions is None:  # a copy trusted without a check: nothing to read
                self.key = None
                return
        if versions is None or any(tag not in versions for tag in self.tags):
            versions = tag_versions(self.tags) if self.tags else {}
        self.key = None if versions is None else _key(region, name, versions, self.tags)

    def _check_local(self) -> dict[str, int] | None:
        """Look for this process's copy and check it with one read of every tag it depends on: on success
        `_hit` holds it. Returns the versions read (so a stale copy costs no second read of the page's tags)."""
        entry = _local.get(self.region, self.name)
        if entry is None:
            return None
        key, deps, value, expires, _, checked_at, epoch = entry
        now = time.monotonic()
        if now >= expires:
            _local.drop(self.region, self.name)
            return None
        if _local.trusted(entry, now):
            self._hit = (deps, value)
            return None  # the key is not needed: nothing is read or stored
        tags = [*self.tags, *(tag for tag, _ in deps)]  # deps hold LOCAL_TAG
        found = _read_versions(tags)
        versions = {tag: value for tag, value in zip(tags, found, strict=True) if value is not None}
        if (
            len(versions) == len(set(tags))
            and all(versions[tag] == version for tag, version in deps)
            and _key(self.region, self.name, versions, self.tags) == key
        ):
            self._hit = (deps, value)
            entry[5], entry[6] = now, _local.epoch
        else:
            _local.drop(self.region, self.name)
        return versions

    def get(self) -> Any:
        """The stored value (None when missing, stale or unreachable). A hit reports its tags."""
        if self._hit is not None:
            deps, value = self._hit
            depends_on(*self.tags, *(tag for tag, _ in deps))
            return value
        if self.key is None:
            dont_store()  # tag versions unreadable: nothing around this part may be stored either
            return None
        entry = _read([self.key])[0]
        if entry is None:
            return None
        deps, value = entry
        if deps and not _current(deps):
            return None
        depends_on(*self.tags, *(tag for tag, _ in deps))
        if self.local:
            self._keep_locally(tuple(deps), value)
        return value

    def _keep_locally(self, deps: tuple, value: Any) -> None:
        """Copy an entry into this process's memory, recording `LOCAL_TAG`'s version with its tags."""
        assert self.key is not None
        versions = tag_versions([LOCAL_TAG])
        if versions is not None:
            _local.put(self.region, self.name, self.key, (*deps, (LOCAL_TAG, versions[LOCAL_TAG])), value)

    def build(self) -> _Building:
        return _Building(self)

    def set(self, value: Any, *, last: str | None = None) -> bool:
        """Store `value` (after a `with part.build():`, with the tags reported while building). False when
        it was not stored: unreachable cache, `dont_store()`, or not primitive. `last`: also store the bare
        value under that key (get_or_build's single_flight serves it while the part is rebuilt)."""
        collector = self._collector
        if self.key is None or (collector is not None and not collector.storable):
            return False
        deps: tuple[tuple[str, int], ...] = ()
        if collector is not None:
            extra = sorted(collector.tags.difference(self.tags))
            if extra:
                versions = tag_versions(extra)
                if versions is None:
                    return False
                deps = tuple((tag, versions[tag]) for tag in extra)
        try:
            entry = plain((deps, value))
        except TypeError as exc:
            logger.error("cache region %s: not stored: %s", self.region, exc)
            return False
        _store_many({self.key: entry, **({last: entry[1]} if last else {})}, region_ttl(self.region))
        if self.local:
            self._keep_locally(*entry)
        return True


class _Building:
    """`with part.build():` collects what the part depends on (and tells the parts around it)."""

    __slots__ = ("part",)

    def __init__(self, part: Part) -> None:
        self.part = part

    def __enter__(self) -> Part:
        collector = _Collector()
        self.part._collector = collector
        self.part._token = _collectors.set((*_collectors.get(), collector))
        return self.part

    def __exit__(self, *exc: object) -> None:
        part = self.part
        assert part._token is not None
        _collectors.reset(part._token)
        collector = part._collector
        assert collector is not None
        depends_on(*part.tags, *collector.tags)
        if not collector.storable:
            dont_store()


def _current(deps: Sequence[tuple[str, int]]) -> bool:
    """Whether every recorded tag version is still the current one (one read)."""
    found = _read_versions([tag for tag, _ in deps])
    return all(value == version for value, (_, version) in zip(found, deps, strict=True))


# How long one process may hold a part's build lock (single_flight) before another may build it too.
BUILD_LOCK_SECONDS = 10


def get_or_build(
    region: str,
    name: str,
    build: Callable[[], T],
    *,
    tags: Sequence[str] = (),
    single_flight: bool = False,
    local: bool = False,
) -> T:
    """The cached part, or `build()` stored under it.

    `local=True` (a part read on most requests of a hot page: a listing page's data, a search's results block,
    a state's outlook): this process also keeps a copy (`Part(..., local=True)`), served after one check of its
    tags, or with none within `CACHE_LOCAL_TRUST_MS`. The value is shared by every request of the process:
    callers must not change it.

    `single_flight=True` (an expensive part that writes invalidate often: a search's matches): when the part is
    stale, one process rebuilds it (a lock in the cache, `BUILD_LOCK_SECONDS` at most) while every other
    reader is served the last value built, marked not storable (`dont_store()`), instead of all of them
    building it at once. A reader finds no last value (the first build, an eviction): it builds too."""
    part = Part(region, name, tags=tags, local=local)
    value = part.get()
    if value is not None:
        return value  # type: ignore[no-any-return]
    base = _key(region, name, {}, ()) if single_flight and part.key is not None else None
    locked = False
    if base is not None:
        locked = bool(cache.add(base + ":building", 1, BUILD_LOCK_SECONDS))
        if not locked:
            last = _read([base + ":last"])[0]
            if last is not None:  # another process is building it: serve what it replaces
                dont_store()
                return last  # type: ignore[no-any-return]
    try:
        with part.build():
            value = build()
        part.set(value, last=base + ":last" if base is not None else None)
    finally:
        if locked and base is not None:
            cache.delete(base + ":building")
    return value


def get_or_build_many(
    region: str,
    items: Mapping[str, Sequence[str]],
    build: Callable[[list[str]], Mapping[str, T]],
    *,
    local: bool = False,
) -> dict[str, T]:
    """Many parts of one region at once: `items` maps each name to its tags. One get_many for every tag
    version, one for the parts; `build(missing_names)` returns the missing ones, stored with set_many.

    `local=True` (the result cards of a search page): this process also keeps a copy of each part, served
    without any read while trusted (`CACHE_LOCAL_TRUST_MS`, outside a build); the others are read as above
    and kept again. The values are shared by the process's requests: callers must not change them."""
    if not items:
        return {}
    if region_disabled(region):
        dont_store()
        return dict(build(list(items)))
    keep = local and bool(getattr(settings, "CACHE_LOCAL_BYTES", 0))
    if not keep:
        return _get_or_build_many(region, items, build, keep=False)
    out: dict[str, T] = {}
    for name, tags in items.items():
        hit = _local.trusted_value(region, name)
        if hit is not None:
            deps, value = hit
            out[name] = value
            depends_on(*tags, *(tag for tag, _ in deps))
    if len(out) < len(items):
        rest = {name: tags for name, tags in items.items() if name not in out}
        out.update(_get_or_build_many(region, rest, build, keep=True))
    return out


def _get_or_build_many(
    region: str, items: Mapping[str, Sequence[str]], build: Callable[[list[str]], Mapping[str, T]], *, keep: bool
) -> dict[str, T]:
    all_tags = [tag for tags in items.values() for tag in tags]
    versions = tag_versions([*all_tags, LOCAL_TAG] if keep else all_tags)
    if versions is None:
        return dict(build(list(items)))
    local_version = versions.pop(LOCAL_TAG, None) if keep else None
    keys = {name: _key(region, name, versions, tuple(dict.fromkeys(tags))) for name, tags in items.items()}
    found = dict(zip(keys.values(), _read(list(keys.values())), strict=True))
    out: dict[str, T] = {}
    recorded: list[tuple[str, int]] = []
    for name, key in keys.items():
        entry = found.get(key)
        if entry is not None:
            deps, value = entry
            out[name] = value
            recorded.extend(deps)
    if recorded and not _current(recorded):  # rare: drop the parts whose recorded tags moved on
        current = dict(zip([tag for tag, _ in recorded], _read_versions([tag for tag, _ in recorded]), strict=True))
        for name, key in keys.items():
            entry = found.get(key)
            if entry is not None and any(current.get(t) != v for t, v in entry[0]):
                out.pop(name, None)
    depends_on(*versions, *(tag for tag, _ in recorded))
    if local_version is not None:
        for name in out:
            deps = tuple(found[keys[name]][0])
            _local.put(region, name, keys[name], (*deps, (LOCAL_TAG, local_version)), out[name])
    missing = [name for name in items if name not in out]
    if not missing:
        return out
    collector = _Collector()
    token = _collectors.set((*_collectors.get(), collector))
    try:
        built = dict(build(missing))
    finally:
        _collectors.reset(token)
    depends_on(*collector.tags)
    if not collector.storable:
        dont_store()
    out.update(built)
    extra = sorted(collector.tags.difference(all_tags))
    dep_versions = tag_versions(extra) if extra else {}
    if dep_versions is None or not collector.storable:
        return out
    deps = tuple((tag, dep_versions[tag]) for tag in extra)
    try:
        entries = {keys[name]: plain((deps, value)) for name, value in built.items() if name in keys}
    except TypeError as exc:
        logger.error("cache region %s: not stored: %s", region, exc)
        return out
    _store_many(entries, region_ttl(region))
    if local_version is not None:
        for name in built:
            if name in keys:
                _local.put(region, name, keys[name], (*deps, (LOCAL_TAG, local_version)), entries[keys[name]][1])
    return out
