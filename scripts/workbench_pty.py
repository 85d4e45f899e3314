#!/usr/bin/env python3
"""The workbench through a real pseudo-terminal, for scripts/bench-workbench.sh.

Starts `weir --bootstrap B -i INIT` in a 120x35 pty (its screen kept by pyte, a terminal
emulator), runs one query and measures, while the query streams:
  - how long until the results show the expected count (rows per second),
  - key-to-frame latency: a `Z` typed into the input, timed until curses draws it (the
    payments data holds no Z), then rubbed out, ten times a second,
  - the process's peak memory (VmHWM).
Prints one JSON line.
"""
import json
import os
import pty
import re
import select
import struct
import sys
import time
import fcntl
import termios

import pyte

WIDTH, HEIGHT = 120, 35


def main():
    weir, bootstrap, init, data, query, done_pattern = sys.argv[1:7]
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(weir, [weir, "--bootstrap", bootstrap, "-i", init, "--data", data])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    screen = pyte.Screen(WIDTH, HEIGHT)
    stream = pyte.ByteStream(screen)
    pending = bytearray()

    backlog = []

    def read(timeout):
        """What the workbench wrote within `timeout` seconds, and when it arrived. The bytes
        wait in `backlog` for the emulator (slow: Python), which `catch_up` feeds them to
        while no key is waiting for its echo, so that a key's timing does not include it."""
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return b"", time.monotonic()
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            return b"", time.monotonic()
        backlog.append(chunk)
        return chunk, time.monotonic()

    def catch_up():
        while backlog:
            stream.feed(backlog.pop(0))

    def text():
        catch_up()
        return "\n".join(screen.display)

    def wait_for(pattern, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            read(0.05)
            if re.search(pattern, text()):
                return True
        return False

    if not wait_for(r"Execute statement succeeded", 60):
        sys.exit("the workbench did not start:\n" + text())
    os.write(fd, query.encode() + b"\r")
    started = time.monotonic()
    latencies = []
    next_key = started + 0.2
    finished = None
    while time.monotonic() - started < 600:
        now = time.monotonic()
        if now >= next_key:
            catch_up()
            os.write(fd, b"Z")
            sent = time.monotonic()
            seen = False
            while time.monotonic() - sent < 2:
                chunk, arrived = read(0.5)
                if b"Z" in chunk:
                    latencies.append((arrived - sent) * 1000)
                    seen = True
                    break
            if not seen:
                latencies.append(2000.0)
            os.write(fd, b"\x7f")
            next_key = time.monotonic() + 0.03
        read(0.01)
        if re.search(done_pattern, text()):
            finished = time.monotonic()
            break
    peak = None
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) // 1024
    os.write(fd, b"\x1b")
    time.sleep(0.2)
    os.write(fd, b"\\quit\r")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        read(0.05)
        ended, _ = os.waitpid(pid, os.WNOHANG)
        if ended:
            break
    if finished is None:
        sys.exit("the query did not reach its count:\n" + text())
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))] if latencies else None
    print(json.dumps({"seconds": finished - started, "peak_mb": peak, "keys": len(latencies),
                      "key_p50_ms": pick(0.5), "key_p99_ms": pick(0.99), "key_max_ms": latencies[-1] if latencies else None}))


if __name__ == "__main__":
    main()
