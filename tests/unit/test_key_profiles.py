"""The key profiles of analysis/key.py: essentia's numbers (src/algorithms/tonal/key.cpp,
checked in docs/analysis.md §4), and each one naming its own keys when it is the chroma."""

from __future__ import annotations

import numpy as np
import pytest

from minion_tui.analysis.key import PROFILES, match

# essentia Key::configure, profileTypesWithOther (bgate, edma) and profileTypes
# (krumhansl, temperley2005), major then minor.
ESSENTIA = {
    "bgate": ((1.00, 0.00, 0.42, 0.00, 0.53, 0.37, 0.00, 0.77, 0.00, 0.38, 0.21, 0.30),
              (1.00, 0.00, 0.36, 0.39, 0.00, 0.38, 0.00, 0.74, 0.27, 0.00, 0.42, 0.23)),
    "edma": ((1.00, 0.29, 0.50, 0.40, 0.60, 0.56, 0.32, 0.80, 0.31, 0.45, 0.42, 0.39),
             (1.00, 0.31, 0.44, 0.58, 0.33, 0.49, 0.29, 0.78, 0.43, 0.29, 0.53, 0.32)),
    "temperley": ((0.748, 0.060, 0.488, 0.082, 0.67, 0.46, 0.096, 0.715, 0.104, 0.366,
                   0.057, 0.4),
                  (0.712, 0.084, 0.474, 0.618, 0.049, 0.46, 0.105, 0.747, 0.404, 0.067,
                   0.133, 0.33)),
    "krumhansl": ((6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
                  (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)),
}


@pytest.mark.parametrize("name", sorted(ESSENTIA))
def test_the_profiles_are_essentias_numbers(name: str) -> None:
    ours_major, ours_minor = PROFILES[name]
    major, minor = ESSENTIA[name]
    assert np.allclose(ours_major, major) and np.allclose(ours_minor, minor)


@pytest.mark.parametrize("name", sorted(PROFILES))
@pytest.mark.parametrize("minor", [False, True])
def test_a_profile_as_the_chroma_is_its_own_key_in_every_rotation(name: str,
                                                                  minor: bool) -> None:
    profile = np.asarray(PROFILES[name][int(minor)], dtype=np.float64)
    for tonic in range(12):
        found_tonic, found_minor, best, _ = match(np.roll(profile, tonic), name)
        assert (found_tonic, found_minor) == (tonic, minor)
        assert best == pytest.approx(1.0)
