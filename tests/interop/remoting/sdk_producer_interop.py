#!/usr/bin/env python3
"""Interop: messages sent by Tern's C++ SDK (DefaultMQProducer) consumed by npm's ali-ons.

Starts `mqbroker --standalone` on free ports, creates a 4-queue topic (request code 17),
runs sdk_interop_producer (sdk/tests/sdk_interop_producer.cc: sync, async and oneway sends,
every tenth body over 4 KiB so zlib-compressed with sys flag 1) and one ali-ons consumer
(consume.js beside this file). Every message must arrive once with its key, tag, body
(ali-ons inflates compressed ones), and for the answered sends the queue, queue offset and
offsetMsgId the SDK was given. Reuses run_interop.py's helpers. Exit 0 pass, 1 fail,
77 skip (node missing).

  sdk_producer_interop.py --mqbroker build/bin/mqbroker --producer build/bin/sdk_interop_producer
                          --node-modules build/interop/node_modules
"""
import hashlib
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_interop as ri  # noqa: E402

TOPIC = "TernSdkInterop"
COUNT = 300


def body_of(i):
    return f"sdk-interop-{i}".encode() + (b"z" * 5000 if i % 10 == 0 else b"")



def main():
    args = ri.parse_driver_args(__doc__, "producer")
    if args is None:
        return ri.SKIP
    node_modules = args.node_modules

    workdir = tempfile.mkdtemp(prefix="tern-sdk-interop-")
    broker_port, namesrv_port = ri.free_port(), ri.free_port()
    broker = ri.Broker(args.mqbroker, workdir, broker_port, namesrv_port)
    ctx = ri.DriverContext(args.node, node_modules, workdir, f"127.0.0.1:{namesrv_port}")
    started = time.monotonic()
    try:
        broker.start()
        ri.create_topic(broker_port, TOPIC, 4)
        ri.wait_until(lambda: ri.route_queue_count(namesrv_port, TOPIC), 20, f"the route of {TOPIC}")
        sent_path = os.path.join(workdir, "sent.txt")
        code = os.spawnv(os.P_WAIT, args.producer, [args.producer, "--namesrv", ctx.namesrv, "--topic", TOPIC,
                                                    "--count", str(COUNT), "--out", sent_path])
        if code != 0:
            raise ri.Failure(f"sdk_interop_producer exited with {code}")
        sent = {}
        with open(sent_path) as f:
            for line in f:
                key, tag, msg_id, offset_msg_id, queue_id, queue_offset = line.split()
                sent[key] = (tag, msg_id, offset_msg_id, int(queue_id), int(queue_offset))
        answered = sum(1 for i in range(COUNT) if i % 5 != 2)
        if len(sent) != answered:
            raise ri.Failure(f"the SDK reported {len(sent)} answered sends, expected {answered}")
        ri.log(f"SDK sent {COUNT} messages ({answered} answered, {COUNT - answered} oneway)")

        consumer = ri.Consumer(ctx, "ali-ons-consumer", TOPIC, "sdk_interop_group")
        ri.wait_until(lambda: len({r["key"] for r in consumer.records()}) >= COUNT, 60,
                      f"ali-ons to receive {COUNT} messages")
        consumer.stop()
        records = consumer.records()
        by_key = {}
        for r in records:
            by_key.setdefault(r["key"], []).append(r)
        problems = []
        for i in range(COUNT):
            key = f"sdk-{i}"
            got = by_key.get(key)
            if not got:
                problems.append(f"{key}: not received")
                continue
            r = got[0]
            if r["sha1"] != hashlib.sha1(body_of(i)).hexdigest():
                problems.append(f"{key}: body differs")
            if r["tag"] != ("TagB" if i % 2 else "TagA"):
                problems.append(f"{key}: tag {r['tag']}")
            if str(r.get("index")) != str(i):
                problems.append(f"{key}: user property interopIndex {r.get('index')}")
            if key in sent:
                tag, msg_id, offset_msg_id, queue_id, queue_offset = sent[key]
                if (r["queueId"], int(r["queueOffset"]), r["msgId"]) != (queue_id, queue_offset, offset_msg_id):
                    problems.append(f"{key}: at {r['queueId']}/{r['queueOffset']} id {r['msgId']}, the SDK was "
                                    f"answered {queue_id}/{queue_offset} id {offset_msg_id}")
        if problems:
            raise ri.Failure(f"{len(problems)} problems, first: " + "; ".join(problems[:5]))
        ri.log(f"ali-ons received all {COUNT} SDK messages intact ({len(records) - COUNT} duplicates)")
        broker.stop()
    except ri.Failure as e:
        ri.log(f"FAIL: {e}")
        print(f"--- mqbroker output (tail) ---\n{broker.tail()}")
        for c in ctx.children:
            print(f"--- {c.name} ---\n{c.tail()}")
        print(f"work folder kept: {workdir}")
        return 1
    finally:
        for c in ctx.children:
            c.kill()
        broker.kill()
    shutil.rmtree(workdir, ignore_errors=True)
    ri.log(f"sdk interop passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
