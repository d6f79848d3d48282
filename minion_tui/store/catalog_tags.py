"""Which genres and tags the stored catalog is made of, so Browse can offer the ones the user
actually meets instead of a fixed list.

Plain functions taking the :class:`Store`; run them on its worker thread with
``await store.call(fn, store, ...)``.
"""

from __future__ import annotations

from minion_tui.store.store import Store

# A track counts once per tag, whether the tag is its genre, one of its tags, or both
# (UNION, not UNION ALL, drops the (track, tag) duplicates); case is folded so "House" and
# "house" are one tag.
_COMMON_TAGS = """
SELECT tag, count(*) AS tracks FROM (
    SELECT urn, lower(trim(genre)) AS tag FROM tracks WHERE trim(genre) != ''
    UNION
    SELECT urn, lower(trim(t.value)) FROM tracks, json_each(tracks.tags) AS t
    WHERE t.type = 'text' AND trim(t.value) != ''
)
GROUP BY tag ORDER BY tracks DESC, tag LIMIT ?
"""


def common_tags(store: Store, limit: int = 5) -> list[str]:
    """The ``limit`` genres/tags carried by the most stored tracks, most common first
    (ties in alphabetical order), lower-cased."""
    with store.snapshot() as conn:
        return [str(row[0]) for row in conn.execute(_COMMON_TAGS, (limit,))]
