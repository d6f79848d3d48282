"""Tempo, key and a similarity descriptor of audio, measured locally (docs/analysis.md).

decode.py (PyAV → mono 22,050 Hz, the audio's digest), tempo.py (onsets, periodicity, the
metrical level), key.py (HPCP, tuning, key profiles), camelot.py (key names and the Camelot
wheel, pure Python), measure.py (one file end to end), jobs.py and pool.py (the worker
processes), excerpt.py (a stream's first minutes through net/). Importing this package loads
nothing heavy: numpy and PyAV are imported by the modules that compute.
"""
