#!/usr/bin/env python3
"""Interop: messages sent by npm's ali-ons Producer consumed by Tern's C++ SDK.

Starts `mqbroker --standalone` on free ports, creates a 4-queue topic, sends 2,000 messages
with ali-ons (produce.js: three tags, two keys, a user property, bodies of 64..263 bytes
and every 50th of 5,000 bytes, which ali-ons compresses), and consumes them with two
sdk_interop_consumer processes (sdk/tests/sdk_interop_consumer.cc) in two groups:
  - group A, concurrent listener, "*": every message arrives, with the key, keys, tag,
    user property, body, queue, queue offset and msgId ali-ons was answered;
  - group B, orderly listener, "TagA || TagC": exactly the TagA and TagC messages, and
    each queue's messages in increasing queue-offset order.
Reuses run_interop.py's helpers. Exit 0 pass, 1 fail, 77 skip (node or ali-ons missing).

  ali_ons_producer_interop.py --mqbroker build/bin/mqbroker --consumer build/bin/sdk_interop_consumer
                              --node-modules build/interop/node_modules
"""
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_interop as ri  # noqa: E402

TOPIC = "TernAliOnsToSdk"
COUNT = 2000



class SdkConsumer:
    def __init__(self, exe, ctx, name, group, sub, orderly):
        self.name = name
        self.out = os.path.join(ctx.workdir, f"{name}.jsonl")
        self.log_path = os.path.join(ctx.workdir, f"{name}.log")
        self.stopped = False
        cmd = [exe, "--namesrv", ctx.namesrv, "--topic", TOPIC, "--group", group, "--sub", sub, "--out", self.out]
        if orderly:
            cmd.append("--orderly")
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(cmd, cwd=ctx.workdir, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)

    def records(self):
        if not self.stopped and self.proc.poll() is not None:
            raise ri.Failure(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
        return ri.read_jsonl(self.out)

    def stop(self):
        self.stopped = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise ri.Failure(f"{self.name} did not stop within 30 s of SIGTERM:\n{self.tail()}")
        if code != 0:
            raise ri.Failure(f"{self.name} exited with {code} after SIGTERM:\n{self.tail()}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def tail(self, lines=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no output)"


def check(what, records, manifest, expected_keys):
    problems = []
    by_key = {}
    for r in records:
        by_key.setdefault(r["key"], []).append(r)
        m = manifest.get(r["key"])
        if m is None:
            problems.append(f"unexpected key {r['key']!r}")
            continue
        sha1 = hashlib.sha1(bytes.fromhex(r["bodyHex"])).hexdigest()
        expect = {"sha1": (sha1, m["sha1"]), "tag": (r["tag"], m["tag"]),
                  "keys": (r["keys"], f"{m['key']} idx{m['i']}"), "index": (r["index"], str(m["i"])),
                  "queueId": (r["queueId"], m["queueId"]), "queueOffset": (r["queueOffset"], m["queueOffset"])}
        for field, (got, want) in expect.items():
            if got != want:
                problems.append(f"{r['key']}: {field} is {got!r}, ali-ons was answered {want!r}")
        if m["msgId"] not in (r["msgId"], r["uniqId"]):
            problems.append(f"{r['key']}: msgId {r['msgId']!r} / uniqId {r['uniqId']!r}, ali-ons got {m['msgId']!r}")
    missing = sorted(expected_keys - by_key.keys())
    extra = sorted(by_key.keys() - expected_keys)
    if missing:
        problems.append(f"{len(missing)} messages not received, first {missing[:3]}")
    if extra:
        problems.append(f"{len(extra)} messages received that the subscription excludes, first {extra[:3]}")
    if problems:
        raise ri.Failure(f"{what}: {len(problems)} problems, first ones:\n  " + "\n  ".join(problems[:10]))
    duplicates = len(records) - len(by_key)
    ri.log(f"{what}: all {len(expected_keys)} expected messages intact ({duplicates} duplicates)")
    return duplicates


def check_order(what, records):
    last = {}
    for r in records:
        q, off = r["queueId"], r["queueOffset"]
        if q in last and off <= last[q]:
            raise ri.Failure(f"{what}: queue {q} delivered offset {off} after {last[q]} (orderly listener)")
        last[q] = off
    ri.log(f"{what}: each queue's messages arrived in increasing offset order ({len(last)} queues)")


def main():
    args = ri.parse_driver_args(__doc__, "consumer")
    if args is None:
        return ri.SKIP
    node_modules = args.node_modules

    workdir = tempfile.mkdtemp(prefix="tern-ali-ons-to-sdk-")
    broker_port, namesrv_port = ri.free_port(), ri.free_port()
    broker = ri.Broker(args.mqbroker, workdir, broker_port, namesrv_port)
    ctx = ri.DriverContext(args.node, node_modules, workdir, f"127.0.0.1:{namesrv_port}")
    consumers = []
    started = time.monotonic()
    try:
        broker.start()
        ri.create_topic(broker_port, TOPIC, ri.QUEUES)
        ri.wait_until(lambda: ri.route_queue_count(namesrv_port, TOPIC), 20, f"the route of {TOPIC}")
        manifest = ri.produce(ctx, "ali-ons-producer", TOPIC, COUNT, "ons")
        ri.check_queue_offsets("ali-ons producer", manifest)
        every = set(manifest)
        a_or_c = {k for k, m in manifest.items() if m["tag"] in ("TagA", "TagC")}
        a = SdkConsumer(args.consumer, ctx, "sdk-consumer-all", "sdk_interop_all", "*", orderly=False)
        b = SdkConsumer(args.consumer, ctx, "sdk-consumer-orderly", "sdk_interop_orderly", "TagA || TagC",
                        orderly=True)
        consumers += [a, b]
        ri.wait_until(lambda: len({r["key"] for r in a.records()}) >= len(every) and
                      len({r["key"] for r in b.records()}) >= len(a_or_c), 90,
                      f"the SDK consumers to receive {len(every)} and {len(a_or_c)} messages")
        time.sleep(1)  # anything extra (a duplicate, a message the filter should drop) shows up too
        a.stop()
        b.stop()
        check("group A (concurrent, *)", a.records(), manifest, every)
        check("group B (orderly, TagA || TagC)", b.records(), manifest, a_or_c)
        check_order("group B (orderly)", b.records())
        broker.stop()
    except ri.Failure as e:
        ri.log(f"FAIL: {e}")
        print(f"--- mqbroker output (tail) ---\n{broker.tail()}")
        for c in ctx.children + consumers:
            print(f"--- {c.name} ---\n{c.tail()}")
        print(f"work folder kept: {workdir}")
        return 1
    finally:
        for c in ctx.children + consumers:
            c.kill()
        broker.kill()
    shutil.rmtree(workdir, ignore_errors=True)
    ri.log(f"ali-ons -> SDK interop passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
