"""Hypothesis strategies for what a user may paste as a provider's link."""

from __future__ import annotations

from hypothesis import strategies as st


def link_like_text(scheme: str, hosts: list[str], alphabet: str, *,
                   id_size: int) -> st.SearchStrategy[str]:
    """Any text, an https URL on one of ``hosts`` whose path is drawn from ``alphabet``, or a
    URN-like ``scheme:collection:id`` (ids up to ``id_size`` characters)."""
    return st.one_of(
        st.text(max_size=60),
        st.builds(lambda host, path: f"https://{host}/{path}", st.sampled_from(hosts),
                  st.text(alphabet=alphabet, max_size=40)),
        st.builds(lambda c, i: f"{scheme}:{c}:{i}", st.text(max_size=10),
                  st.text(max_size=id_size)),
    )
