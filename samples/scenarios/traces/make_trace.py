#!/usr/bin/env python3
"""Writes stepping-6mbps.trace: a synthetic Mahimahi (mm-link) trace, one line per 1500-byte delivery
opportunity at that millisecond, repeating every 12 s. The rate steps once a second through the values below
(Mbps), loosely like a cellular link; regenerate with `python3 make_trace.py > stepping-6mbps.trace`."""
RATES_MBPS = [2.4, 1.2, 0.6, 1.8, 3.0, 0.9, 1.5, 6.0, 0.3, 1.2, 2.4, 1.0]
credit = 0.0
for second, mbps in enumerate(RATES_MBPS):
    for ms in range(1000):
        credit += mbps * 1e6 / 1000 / 12000  # opportunities earned this millisecond
        while credit >= 1.0:
            print(second * 1000 + ms + 1)
            credit -= 1.0
