#!/usr/bin/env python3
"""Clients that never connect: POST a valid WHIP offer N times and never do ICE (issue 12).

Starts nothing itself: run `rtcstack serve` first (loopback), then point this at it with the server's PID.
The offer's candidates are removed, so the server's checks have nowhere to go and every call waits for its
connect deadline (--connect-timeout of serve). While it posts and afterwards, every --sample seconds, it prints the
server's RSS (/proc/PID/status VmRSS), open descriptors (/proc/PID/fd) and the sessions /status reports.

  rtcstack serve --rate-limit 0 --connect-timeout 30 &
  benchmarks/never-connect.py --pid $! --count 4000 --observe 60

Standard library only (Debian's python3). Sends only to the URL given (loopback by default).
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def read_rss_kib(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def count_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def get_status(host, port, token):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    conn.request("GET", "/status", headers=headers)
    body = conn.getresponse().read()
    conn.close()
    return json.loads(body)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8080/whip")
    p.add_argument("--pid", type=int, required=True, help="the serve process, for RSS and descriptors")
    p.add_argument("--offer", default=os.path.join(os.path.dirname(__file__), "..", "tests", "RtcStack.WebRtc.Tests",
                                                   "Jsep", "Fixtures", "chromium-156-offer.sdp"))
    p.add_argument("--count", type=int, default=4000)
    p.add_argument("--connections", type=int, default=4, help="keep-alive connections posting in parallel")
    p.add_argument("--sample", type=float, default=5.0, help="seconds between samples")
    p.add_argument("--observe", type=float, default=60.0, help="seconds to keep sampling after the last POST")
    p.add_argument("--token", default=None)
    a = p.parse_args()

    url = urllib.parse.urlparse(a.url)
    host, port = url.hostname, url.port or 80
    with open(a.offer, encoding="ascii") as f:
        lines = [l for l in f.read().replace("\r\n", "\n").split("\n") if not l.startswith("a=candidate")
                 and not l.startswith("a=end-of-candidates")]
    offer = "\r\n".join(l for l in lines if l) + "\r\n"

    statuses = {}
    lock = threading.Lock()
    per_conn = [a.count // a.connections + (1 if i < a.count % a.connections else 0) for i in range(a.connections)]

    def poster(n):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        headers = {"Content-Type": "application/sdp"}
        if a.token:
            headers["Authorization"] = f"Bearer {a.token}"
        for _ in range(n):
            try:
                conn.request("POST", url.path, body=offer, headers=headers)
                r = conn.getresponse()
                r.read()
                code = r.status
            except (OSError, http.client.HTTPException) as e:
                code = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
            with lock:
                statuses[code] = statuses.get(code, 0) + 1
        conn.close()

    start = time.monotonic()
    print(f"t s\tRSS KiB\tfds\tsessions\tcreated\tremoved\tposted", flush=True)

    def sample():
        try:
            s = get_status(host, port, a.token)
            sess, created, removed = s.get("sessions"), s.get("sessionsCreated"), s.get("sessionsRemoved")
        except (OSError, ValueError, http.client.HTTPException) as e:
            sess = created = removed = type(e).__name__
        with lock:
            posted = sum(statuses.values())
        print(f"{time.monotonic() - start:.0f}\t{read_rss_kib(a.pid)}\t{count_fds(a.pid)}\t{sess}\t{created}\t"
              f"{removed}\t{posted}", flush=True)

    sample()
    threads = [threading.Thread(target=poster, args=(n,)) for n in per_conn]
    for t in threads:
        t.start()
    next_sample = time.monotonic() + a.sample
    while any(t.is_alive() for t in threads):
        time.sleep(0.2)
        if time.monotonic() >= next_sample:
            sample()
            next_sample += a.sample
    posted_at = time.monotonic()
    print(f"# all {a.count} POSTs answered in {posted_at - start:.1f} s: {statuses}", flush=True)
    while time.monotonic() - posted_at < a.observe:
        time.sleep(max(0.0, next_sample - time.monotonic()))
        sample()
        next_sample += a.sample
    return 0


if __name__ == "__main__":
    sys.exit(main())
