"""Finite-alphabet signatures for grant-free NOMA (Yu, Fei, Zheng, Ye, IEEE TVT 2020)."""
