"""Discovery: where tracks worth hearing come from, and in what order to hear them.

rank.py ranks the inbox (the evidence of followed artists, weighted by how much you trust
each); radio.py orders a radio queue from a seed.
"""
