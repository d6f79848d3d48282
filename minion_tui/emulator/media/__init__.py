"""Audio made up on the spot: the synthesised phrases, their encodings and containers, artwork
and waveforms."""
