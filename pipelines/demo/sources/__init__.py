"""The office's own exports, one module per source (CONTRACTS.md §3): what each source draws from the simulated
network and how it writes its files, with the source's deliberate defects (`DEFECTS`, planned by the generator).
"""
