"""Joint codebook and power allocation for uplink SCMA (Evangelista et al., arXiv:1805.11722)."""
