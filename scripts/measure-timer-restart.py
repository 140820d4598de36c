#!/usr/bin/env python3
"""Start-up time of mqbroker with many timer messages waiting (docs/PERFORMANCE.md).

Starts `mqbroker --standalone` on a temporary store, sends --count timer messages due in an
hour (TIMER_DELAY_SEC=3600, --body bytes each, in batches of 100 over raw SEND_BATCH_MESSAGE
requests), then restarts the broker twice: after SIGKILL and after SIGTERM. For each start
it prints the time from exec to "boot success", the timer's own "timer ready in N ms: M
messages waiting" log line and the broker's RSS. Uses the interop driver's process helpers
(tests/interop/remoting/run_interop.py).

  scripts/measure-timer-restart.py --mqbroker build/release/bin/mqbroker [--count 100000] [--body 100]
"""
import argparse
import os
import re
import shutil
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "interop", "remoting"))
import run_interop as ri  # noqa: E402

TOPIC = "TernTimerRestart"
BATCH = 100


def batch_body(first, count, body_size):
    out = bytearray()
    for i in range(first, first + count):
        body = (f"timer-{i:08d}|".encode() * (body_size // 15 + 1))[:body_size]
        props = f"TIMER_DELAY_SEC\x013600\x02KEYS\x01k{i}\x02UNIQ_KEY\x01U{i:024d}\x02".encode()
        total = 20 + len(body) + 2 + len(props)
        out += struct.pack(">iiiii", total, 0, 0, 0, len(body)) + body + struct.pack(">h", len(props)) + props
    return bytes(out)


def send_all(port, count, body_size):
    sent = 0
    while sent < count:
        n = min(BATCH, count - sent)
        header, _ = ri.remoting_call(port, 320, {
            "a": "timer-restart-producer", "b": TOPIC, "c": "TBW102", "d": 4, "e": sent // BATCH % 4, "f": 0,
            "g": int(time.time() * 1000), "h": 0, "i": "", "j": 0, "k": "false", "m": "true"},
            batch_body(sent, n, body_size))
        if header.get("code") != 0:
            raise ri.Failure(f"batch at {sent}: code {header.get('code')} {header.get('remark')!r}")
        sent += n


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def timed_start(broker, what):
    with open(broker.output) as f:
        already = len(f.read())
    started = time.monotonic()
    broker.start()

    def booted():
        with open(broker.output, errors="replace") as f:
            text = f.read()[already:]
        return "boot success" in text and text
    text = ri.wait_until(booted, 600, "boot success", interval=0.01)
    elapsed = (time.monotonic() - started) * 1000
    timer = re.search(r"timer ready in (\d+) ms: (\d+) messages waiting", text)
    print(f"{what}: ready {elapsed:.0f} ms after exec; "
          f"timer rebuild {timer.group(1) if timer else '?'} ms for {timer.group(2) if timer else '?'} waiting; "
          f"RSS {rss_mib(broker.proc.pid):.0f} MiB", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mqbroker", required=True)
    parser.add_argument("--count", type=int, default=100000)
    parser.add_argument("--body", type=int, default=100)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="tern-timer-restart-")
    broker = ri.Broker(os.path.abspath(args.mqbroker), workdir, ri.free_port(), ri.free_port())
    try:
        broker.start()
        ri.create_topic(broker.broker_port, TOPIC, 4)
        started = time.monotonic()
        send_all(broker.broker_port, args.count, args.body)
        print(f"sent {args.count} timer messages ({args.body}-byte bodies) in {time.monotonic() - started:.1f} s; "
              f"RSS {rss_mib(broker.proc.pid):.0f} MiB", flush=True)
        time.sleep(6)  # one checkpoint write (flushConsumerOffsetInterval, 5 s)
        broker.kill()
        timed_start(broker, "after SIGKILL")
        broker.stop()
        timed_start(broker, "after SIGTERM")
        broker.stop()
    finally:
        broker.kill()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
