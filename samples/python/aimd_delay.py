#!/usr/bin/env python3
"""Delay-based AIMD for `rtcstack sim --cc-process NAME="python3 aimd_delay.py"` (docs/cc-research.md).

One JSON object per line on stdin (init, feedback, tick, end); one answer line per request on stdout.
Virtual time waits for each answer, so runs stay deterministic. Parameters arrive in init["params"].
"""
import json
import sys

rate = base = last_fb = None
last_cut = -1e9
for line in sys.stdin:
    msg = json.loads(line)
    kind = msg["type"]
    if kind == "end":
        break
    if kind == "init":
        p = msg["params"]
        threshold, beta = p.get("thresholdMs", 50) / 1000, p.get("beta", 0.85)
        increase, hold = p.get("increaseBps", 50000), p.get("holdMs", 300) / 1000
        lo, hi, rate = msg["minBps"], msg["maxBps"], msg["startBps"]
    elif kind == "feedback" and msg["packets"]:
        now, pkts = msg["now"], msg["packets"]
        delays = [q["arrival"] - q["sent"] for q in pkts if q["arrival"] is not None]
        lost = len(pkts) - len(delays)
        if delays:
            base = min([base] + delays if base is not None else delays)
        queue = sum(delays) / len(delays) - base if delays else float("inf")
        if queue > threshold or lost > 0.1 * len(pkts):
            if now - last_cut >= hold:
                rate, last_cut = rate * beta, now
        elif last_fb is not None:
            rate += increase * (now - last_fb)
        rate, last_fb = min(max(rate, lo), hi), now
    print(json.dumps({"targetBps": rate, "pacingBps": 2.5 * rate}), flush=True)
