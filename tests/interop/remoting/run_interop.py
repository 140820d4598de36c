#!/usr/bin/env python3
"""Interop test: Tern's remoting protocol driven by npm's ali-ons (a client no one here wrote).

Starts `mqbroker --standalone` (embedded name server + broker) on free loopback ports with a
temporary store, creates the topics with a raw UPDATE_AND_CREATE_TOPIC (code 17) request
(ali-ons has no createTopic and does not fall back to TBW102), then runs, with ali-ons
Producer/Consumer processes (produce.js, consume.js beside this file):

  a. 10,000 messages (tags TagA/TagB/TagC, two keys each, some zlib-compressed bodies) over
     4 queues, consumed by a group of two members (two node processes: two client ids);
     every key arrives, bodies/tags/keys/queue/offset/msgId match what the producer was
     answered, and the rebalance split the queues 2/2 so both members got messages.
  e. a member joins a group while the first one is busy with a backlog: ali-ons's rebalance
     hands two queues over (the leaving side persists their offsets, the joining side reads
     them); no message may be lost. Duplicates are counted, not limited: ali-ons ignores the
     broker's NOTIFY_CONSUMER_IDS_CHANGED, so the first member keeps pulling all 4 queues
     until its own next rebalance (up to 10 s) while the new one already has two of them.
  b. consumer offsets persist across a consumer restart: a member handles 1,000 of 2,000
     messages and closes; 500 more are sent; the restarted member gets everything it had
     not handled and redelivers at most OFFSET_REDELIVERY_TOLERANCE already-handled ones.
  d. the broker is stopped (SIGTERM, exit 0) and started again on the same store: the
     topic's route is back, and group (a) restarted gets only a new batch (its offsets
     survived the broker restart), not the 10,000 again.
  c. after the restart, a consumer subscribing "TagA" gets every TagA message and nothing
     else, and the broker filtered the others (no foreign tag in any pull response).
  f. timer messages with ali-ons's setStartDeliverTime (Aliyun's __STARTDELIVERTIME): 1,000
     are sent due 8-10 s later, the broker is killed with SIGKILL while all of them wait
     and started again; a new consumer gets every one, none before its time and at most
     TIMER_LATE_LIMIT_MS after it at the 99th percentile (lateness percentiles and
     duplicates are printed).
  g. delay levels and send-back (delay_retry.js; messageDelayLevel is shortened to 200 ms
     steps): messages sent with Message#delayTimeLevel 1..3 arrive once, not before their
     level's delay; messages the handler fails come back through %RETRY%<group> with
     reconsumeTimes 1, 2, their topic and ORIGIN_MESSAGE_ID, after levels 3 and 4;
     messages failed three times with maxReconsumeTimes 2 end in %DLQ%<group>.

Finally the broker is stopped with SIGTERM and must exit 0. Exit codes: 0 pass, 1 fail,
77 skip (node is not installed; ctest maps it to "skipped").

  run_interop.py --mqbroker build/bin/mqbroker --node-modules build/interop/node_modules
                 [--install-script scripts/install-interop.sh] [--only a,e,b,d,c,f] [--keep]
"""
import argparse
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77

# --- What mqbroker reads (docs/configuration.md). --standalone turns embeddedNamesrv on;
# --- with namesrvAddr left empty the broker registers with that embedded name server.
BROKER_PORT_KEY = "listenPort"
NAMESRV_PORT_KEY = "embeddedNamesrvPort"
EXTRA_CONFIG = {
    "brokerClusterName": "InteropCluster",
    "brokerName": "broker-interop",
    "bindIP": "127.0.0.1",                 # both listeners on loopback only
    "brokerIP1": "127.0.0.1",              # the address the name server gives clients
    "mappedFileSizeCommitLog": str(64 * 1024 * 1024),
    "flushDiskType": "ASYNC_FLUSH",
    # Scenario (g): level n waits n * 200 ms (RocketMQ's default starts at 1s 5s 10s).
    "messageDelayLevel": " ".join(f"{200 * n}ms" for n in range(1, 19)),
}
LEVEL_MS = 200  # level n waits n * LEVEL_MS

TOPIC_MAIN = "TernInteropTopic"
TOPIC_OFFSETS = "TernInteropOffsets"
TOPIC_REBALANCE = "TernInteropRebalance"
TOPIC_DELAY = "TernInteropDelay"
REBALANCE_COUNT = 3000
QUEUES = 4
TAGS = ["TagA", "TagB", "TagC"]
MAIN_COUNT = 10000
OFFSET_BATCH1, OFFSET_STOP_AFTER, OFFSET_BATCH2 = 2000, 1000, 500
AFTER_RESTART_COUNT = 99  # 33 of each tag
# ali-ons commits a queue's offset after each handled message, and consume.js stops handling
# before Consumer.close() persists them, so a graceful restart should redeliver nothing.
# The slack is one pull batch (pullBatchSize 32): at-least-once allows a broker to lose
# the last offset update of a closing client, never to restart the group from the start.
OFFSET_REDELIVERY_TOLERANCE = 32
# Scenario (a) lets the rebalance settle before sending, so duplicates mean a bug; still,
# at-least-once allows a few. Above this share the test fails.
MAIN_DUPLICATE_TOLERANCE = MAIN_COUNT // 100
# Scenario (f): due this long after each send (time for the sends, a SIGKILL, a restart and
# a new consumer's rebalance), spread over TIMER_SPREAD_MS.
TOPIC_TIMER = "TernInteropTimer"
TIMER_COUNT = 1000
TIMER_DELIVER_IN_MS, TIMER_SPREAD_MS = 8000, 2000
TIMER_LATE_LIMIT_MS = 100


class Failure(Exception):
    pass


def log(msg):
    print(f"[interop {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def wait_until(pred, timeout, what, interval=0.25):
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise Failure(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# --- A minimal remoting client (JSON header), enough for admin requests. ---

def encode_request(code, ext_fields, body=b"", opaque=1, flag=0):
    header = json.dumps({"code": code, "language": "JAVA", "version": 409, "opaque": opaque, "flag": flag,
                         "extFields": {k: str(v) for k, v in ext_fields.items()}}).encode()
    return struct.pack(">ii", 4 + len(header) + len(body), len(header)) + header + body


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise Failure(f"connection closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def remoting_call(port, code, ext_fields, body=b"", timeout=10):
    """One request on a fresh connection; returns (header dict, body bytes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(encode_request(code, ext_fields, body, opaque=4242))
        length = struct.unpack(">i", recv_exact(sock, 4))[0]
        frame = recv_exact(sock, length)
        header_field = struct.unpack(">i", frame[:4])[0]
        header_len = header_field & 0xFFFFFF
        header = json.loads(frame[4:4 + header_len])
        if header.get("opaque") != 4242:
            raise Failure(f"response opaque {header.get('opaque')} != request opaque 4242")
        return header, frame[4 + header_len:]


def create_topic(broker_port, topic, queues):
    header, _ = remoting_call(broker_port, 17, {
        "topic": topic, "defaultTopic": "TBW102", "readQueueNums": queues, "writeQueueNums": queues,
        "perm": 6, "topicFilterType": "SINGLE_TAG", "topicSysFlag": 0, "order": "false"})
    if header.get("code") != 0:
        raise Failure(f"UPDATE_AND_CREATE_TOPIC {topic}: code {header.get('code')} remark {header.get('remark')!r}")


def route_queue_count(namesrv_port, topic):
    """writeQueueNums of the topic's route on the name server, or None while it has none."""
    try:
        header, body = remoting_call(namesrv_port, 105, {"topic": topic})
    except (OSError, Failure):
        return None
    if header.get("code") != 0 or not body:
        return None
    route = json.loads(body)
    datas = route.get("queueDatas") or []
    return sum(int(q.get("writeQueueNums", 0)) for q in datas) or None


# --- Processes ---

class Broker:
    def __init__(self, exe, workdir, broker_port, namesrv_port):
        self.exe, self.workdir = exe, workdir
        self.broker_port, self.namesrv_port = broker_port, namesrv_port
        self.config = os.path.join(workdir, "broker.properties")
        self.output = os.path.join(workdir, "mqbroker.out")
        self.proc = None
        config = {BROKER_PORT_KEY: str(broker_port), NAMESRV_PORT_KEY: str(namesrv_port),
                  "storePathRootDir": os.path.join(workdir, "store"), "logDir": os.path.join(workdir, "logs")}
        config.update(EXTRA_CONFIG)
        with open(self.config, "w") as f:
            f.write("# written by tests/interop/remoting/run_interop.py\n")
            f.writelines(f"{k}={v}\n" for k, v in config.items())

    def start(self):
        out = open(self.output, "a")
        out.write(f"\n===== start {time.strftime('%H:%M:%S')}\n")
        out.flush()
        started = time.monotonic()
        self.proc = subprocess.Popen([self.exe, "--standalone", "-c", self.config], cwd=self.workdir,
                                     stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        out.close()

        def ready():
            if self.proc.poll() is not None:
                raise Failure(f"mqbroker exited with {self.proc.returncode} during start-up:\n{self.tail()}")
            return port_accepts(self.broker_port) and port_accepts(self.namesrv_port)
        wait_until(ready, 60, f"mqbroker to accept on ports {self.broker_port} and {self.namesrv_port}")
        log(f"mqbroker pid {self.proc.pid} serving: broker 127.0.0.1:{self.broker_port}, "
            f"name server 127.0.0.1:{self.namesrv_port} ({time.monotonic() - started:.1f} s)")

    def stop(self):
        if not self.proc or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure(f"mqbroker did not stop within 30 s of SIGTERM:\n{self.tail()}")
        if code != 0:
            raise Failure(f"mqbroker exited with {code} after SIGTERM (expected 0):\n{self.tail()}")
        log("mqbroker stopped on SIGTERM with exit code 0")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def tail(self, lines=60):
        try:
            with open(self.output, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no output)"


def read_jsonl(path):
    records = []
    try:
        with open(path) as f:
            for line in f:
                if not line.endswith("\n"):
                    break  # being written
                records.append(json.loads(line))
    except FileNotFoundError:
        pass
    return records


class Node:
    """A node script run with NODE_PATH set to the installed node_modules."""

    def __init__(self, ctx, name, script, args):
        self.name = name
        self.log_path = os.path.join(ctx.workdir, f"{name}.log")
        env = dict(os.environ, NODE_PATH=ctx.node_modules)
        cmd = [ctx.node, os.path.join(HERE, script)] + [str(a) for a in args]
        with open(self.log_path, "w") as out:
            self.proc = subprocess.Popen(cmd, cwd=ctx.workdir, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        ctx.children.append(self)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure(f"{self.name} did not finish within {timeout} s:\n{self.tail()}")

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


class DriverContext:
    """What Node and Consumer need, for the SDK interop drivers (sdk_producer_interop.py,
    ali_ons_producer_interop.py) that run one broker without this file's Context."""

    def __init__(self, node, node_modules, workdir, namesrv):
        self.node, self.node_modules, self.workdir, self.namesrv = node, node_modules, workdir, namesrv
        self.children = []


def parse_driver_args(description, binary):
    """--mqbroker, --<binary> (an SDK test program), --node-modules, --node, made absolute.
    Returns the args, or None after printing why the test is skipped (node or ali-ons
    missing)."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mqbroker", required=True)
    p.add_argument(f"--{binary}", required=True)
    p.add_argument("--node-modules", required=True)
    p.add_argument("--node", default=shutil.which("node") or shutil.which("nodejs"))
    args = p.parse_args()
    args.mqbroker = os.path.abspath(args.mqbroker)
    setattr(args, binary, os.path.abspath(getattr(args, binary)))
    args.node_modules = os.path.abspath(args.node_modules)
    if not args.node:
        print("SKIP: node is not installed")
        return None
    if not os.path.isfile(os.path.join(args.node_modules, "ali-ons", "package.json")):
        print(f"SKIP: ali-ons is not installed in {args.node_modules} (scripts/install-interop.sh)")
        return None
    return args


class Consumer(Node):
    def __init__(self, ctx, name, topic, group, sub="*", stop_after=None, handler_delay_ms=None):
        self.out = os.path.join(ctx.workdir, f"{name}.jsonl")
        self.status_path = os.path.join(ctx.workdir, f"{name}.status.json")
        args = ["--namesrv", ctx.namesrv, "--topic", topic, "--group", group, "--sub", sub, "--from", "first",
                "--out", self.out, "--status", self.status_path]
        if stop_after:
            args += ["--stop-after", stop_after]
        if handler_delay_ms:
            args += ["--handler-delay-ms", handler_delay_ms]
        super().__init__(ctx, name, "consume.js", args)

    def status(self):
        try:
            with open(self.status_path) as f:
                return json.load(f)
        except (FileNotFoundError, json.JSONDecodeError):
            if self.proc.poll() is not None:
                raise Failure(f"consumer {self.name} exited with {self.proc.returncode}:\n{self.tail()}")
            return {}

    def alive_status(self):
        if self.proc.poll() is not None and not self.status().get("done"):
            raise Failure(f"consumer {self.name} exited with {self.proc.returncode}:\n{self.tail()}")
        return self.status()

    def records(self):
        return read_jsonl(self.out)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.wait(30)
        if code != 0:
            raise Failure(f"consumer {self.name} exited with {code} after SIGTERM:\n{self.tail()}")


def keys_of(*consumers):
    """The distinct keys the consumers have handled so far; raises if one died."""
    keys = set()
    for c in consumers:
        c.alive_status()
        keys.update(r["key"] for r in c.records())
    return keys


def produce(ctx, name, topic, count, prefix, timeout=150, extra=()):
    manifest = os.path.join(ctx.workdir, f"{name}.manifest.jsonl")
    started = time.monotonic()
    p = Node(ctx, name, "produce.js", ["--namesrv", ctx.namesrv, "--topic", topic, "--count", count,
                                       "--prefix", prefix, "--tags", ",".join(TAGS), "--manifest", manifest,
                                       "--concurrency", 32, *extra])
    code = p.wait(timeout)
    if code != 0:
        raise Failure(f"producer {name} exited with {code}:\n{p.tail()}")
    records = read_jsonl(manifest)
    if len(records) != count or len({r["key"] for r in records}) != count:
        raise Failure(f"producer {name}: manifest has {len(records)} records for {count} sends")
    per_queue = {}
    for r in records:
        per_queue[r["queueId"]] = per_queue.get(r["queueId"], 0) + 1
    elapsed = time.monotonic() - started
    log(f"{name}: sent {count} to {topic} in {elapsed:.1f} s ({count / elapsed:.0f}/s incl. start); "
        f"per queue {dict(sorted(per_queue.items()))}")
    return {r["key"]: r for r in records}


def check_records(what, records, manifest):
    """Compares what consumers handled with what the producer was answered. Returns the
    distinct keys seen; raises on a message the producer did not send or that differs."""
    problems = []
    seen = set()
    for r in records:
        m = manifest.get(r["key"])
        if m is None:
            problems.append(f"unexpected key {r['key']!r}")
            continue
        seen.add(r["key"])
        expect = {"sha1": m["sha1"], "tag": m["tag"], "keys": f"{m['key']} idx{m['i']}", "index": str(m["i"]),
                  "queueId": m["queueId"], "queueOffset": m["queueOffset"], "msgId": m["msgId"]}
        for field, want in expect.items():
            if r.get(field) != want:
                problems.append(f"{r['key']}: {field} is {r.get(field)!r}, producer/manifest says {want!r}")
    if problems:
        raise Failure(f"{what}: {len(problems)} mismatches, first ones:\n  " + "\n  ".join(problems[:10]))
    return seen


def check_queue_offsets(what, manifest):
    """Each queue's offsets from the send responses are 0..n-1 without gaps or repeats."""
    by_queue = {}
    for m in manifest.values():
        by_queue.setdefault(m["queueId"], []).append(m["queueOffset"])
    if sorted(by_queue) != list(range(QUEUES)):
        raise Failure(f"{what}: messages went to queues {sorted(by_queue)}, expected all of 0..{QUEUES - 1}")
    for q, offsets in by_queue.items():
        if sorted(offsets) != list(range(len(offsets))):
            raise Failure(f"{what}: queue {q} offsets are not 0..{len(offsets) - 1}")


class Context:
    def __init__(self, args, workdir):
        self.workdir = workdir
        self.node = args.node
        self.node_modules = args.node_modules
        self.mqbroker = args.mqbroker
        self.children = []
        self.manifests = {}
        self.pick_ports()

    def pick_ports(self):
        self.broker_port = free_port()
        self.namesrv_port = free_port()
        while self.namesrv_port == self.broker_port:
            self.namesrv_port = free_port()
        self.namesrv = f"127.0.0.1:{self.namesrv_port}"
        self.broker = Broker(self.mqbroker, self.workdir, self.broker_port, self.namesrv_port)

    def first_start(self):
        """Starts the broker; a free port may be taken by another test before the broker
        binds it, so a broker that exits during start-up is retried on new ports."""
        for attempt in range(1, 4):
            try:
                self.broker.start()
                return
            except Failure as e:
                if attempt == 3 or self.broker.proc.poll() is None:
                    raise
                log(f"start-up failed (attempt {attempt}), retrying on new ports: {e}")
                self.pick_ports()

    def wait_route(self, topic):
        count = wait_until(lambda: route_queue_count(self.namesrv_port, topic), 30,
                           f"the name server to route {topic}")
        if count != QUEUES:
            raise Failure(f"route of {topic} has {count} write queues, expected {QUEUES}")


# --- Scenarios ---

def scenario_a(ctx):
    """Two members of one group share 10,000 messages over 4 queues."""
    group = "tern-interop-group-a"
    c1 = Consumer(ctx, "a-consumer1", TOPIC_MAIN, group)
    time.sleep(1.0)  # distinct start times make the client ids' processes obvious in logs
    c2 = Consumer(ctx, "a-consumer2", TOPIC_MAIN, group)

    def split():
        s1, s2 = c1.alive_status(), c2.alive_status()
        if not (s1.get("ready") and s2.get("ready")):
            return False
        q1, q2 = set(s1.get("queues", [])), set(s2.get("queues", []))
        return q1 and q2 and not (q1 & q2) and len(q1 | q2) == QUEUES and (sorted(q1), sorted(q2))
    started = time.monotonic()
    q1, q2 = wait_until(split, 40, "the two members' rebalance to split the 4 queues (ali-ons rebalances every 10 s)")
    log(f"(a) rebalance settled in {time.monotonic() - started:.1f} s: "
        f"{c1.status()['clientId']} has queues {q1}, {c2.status()['clientId']} has {q2}")

    manifest = produce(ctx, "a-producer", TOPIC_MAIN, MAIN_COUNT, "a")
    ctx.manifests["a"] = manifest
    check_queue_offsets("(a) send responses", manifest)

    started = time.monotonic()
    wait_until(lambda: len(keys_of(c1, c2)) >= MAIN_COUNT, 90, f"the group to consume {MAIN_COUNT} messages",
               interval=0.5)
    log(f"(a) every key arrived {time.monotonic() - started:.1f} s after the last send")
    time.sleep(1.0)  # late duplicates, if any, show up in the counts
    c1.stop()
    c2.stop()
    r1, r2 = c1.records(), c2.records()
    seen = check_records("(a)", r1 + r2, manifest)
    if len(seen) != MAIN_COUNT:
        raise Failure(f"(a) {len(seen)} distinct keys arrived, expected {MAIN_COUNT}")
    duplicates = len(r1) + len(r2) - len(seen)
    if not r1 or not r2:
        raise Failure(f"(a) one member got nothing: member 1 {len(r1)}, member 2 {len(r2)}")
    for c, recs, queues in ((c1, r1, q1), (c2, r2, q2)):
        wrong = [r for r in recs if r["queueId"] not in queues]
        if wrong:
            raise Failure(f"(a) {c.name} got {len(wrong)} messages from queues it was not assigned, e.g. {wrong[0]}")
    if duplicates > MAIN_DUPLICATE_TOLERANCE:
        raise Failure(f"(a) {duplicates} duplicate deliveries (tolerance {MAIN_DUPLICATE_TOLERANCE})")
    for c in (c1, c2):
        if c.status().get("errors"):
            log(f"(a) note: {c.name} reported {c.status()['errors']} client errors, last: {c.status()['lastError']}")
    log(f"(a) PASS: {len(seen)} distinct messages, member 1 {len(r1)}, member 2 {len(r2)}, "
        f"duplicates {duplicates}; bodies, tags, keys, queue offsets and msgIds match the send results")


def scenario_e(ctx):
    """A second member joins while the first works through a backlog."""
    group = "tern-interop-group-e"
    manifest = produce(ctx, "e-producer", TOPIC_REBALANCE, REBALANCE_COUNT, "e")
    # 4 ms a message: the first member alone would need 12 s or more, longer than the
    # second member's wait for the first one's next rebalance (10 s).
    c1 = Consumer(ctx, "e-consumer1", TOPIC_REBALANCE, group, handler_delay_ms=4)
    wait_until(lambda: c1.alive_status().get("handled", 0) >= 300, 30, "the first member to start on the backlog")
    c2 = Consumer(ctx, "e-consumer2", TOPIC_REBALANCE, group, handler_delay_ms=4)
    started = time.monotonic()
    wait_until(lambda: len(keys_of(c1, c2)) >= REBALANCE_COUNT, 90,
               f"the group to consume all {REBALANCE_COUNT} messages across the rebalance", interval=0.5)
    s1, s2 = c1.status(), c2.status()
    c1.stop()
    c2.stop()
    r1, r2 = c1.records(), c2.records()
    seen = check_records("(e)", r1 + r2, manifest)
    if len(seen) != REBALANCE_COUNT:
        raise Failure(f"(e) {len(seen)} distinct keys arrived, expected {REBALANCE_COUNT}")
    if not r2:
        raise Failure("(e) the member that joined got nothing: the rebalance did not hand it queues")
    if set(s1.get("queues", [])) & set(s2.get("queues", [])):
        raise Failure(f"(e) after the rebalance both members hold queues {s1.get('queues')} / {s2.get('queues')}")
    log(f"(e) PASS: {REBALANCE_COUNT} distinct messages across the join ({time.monotonic() - started:.1f} s after it): "
        f"first member {len(r1)} (queues {s1.get('queues')} at the end), joined member {len(r2)} "
        f"(queues {s2.get('queues')}), duplicates {len(r1) + len(r2) - len(seen)} (at-least-once)")


def scenario_b(ctx):
    """Consumer offsets survive a consumer restart."""
    group = "tern-interop-group-b"
    batch1 = produce(ctx, "b-producer1", TOPIC_OFFSETS, OFFSET_BATCH1, "b1")
    run1 = Consumer(ctx, "b-consumer-run1", TOPIC_OFFSETS, group, stop_after=OFFSET_STOP_AFTER)
    code = run1.wait(60)
    if code != 0:
        raise Failure(f"(b) first consumer run exited with {code}:\n{run1.tail()}")
    r1 = run1.records()
    seen1 = check_records("(b) run 1", r1, batch1)
    if len(r1) != OFFSET_STOP_AFTER:
        raise Failure(f"(b) first run handled {len(r1)} messages, expected to stop at {OFFSET_STOP_AFTER}")
    log(f"(b) first run handled {len(seen1)} of {OFFSET_BATCH1} and closed")

    batch2 = produce(ctx, "b-producer2", TOPIC_OFFSETS, OFFSET_BATCH2, "b2")
    all_msgs = dict(batch1, **batch2)
    run2 = Consumer(ctx, "b-consumer-run2", TOPIC_OFFSETS, group)
    started = time.monotonic()
    wait_until(lambda: seen1 | keys_of(run2) >= set(all_msgs), 60,
               "the restarted consumer to get every message the first run had not handled", interval=0.5)
    time.sleep(1.0)
    run2.stop()
    r2 = run2.records()
    seen2 = check_records("(b) run 2", r2, all_msgs)
    redelivered = seen1 & seen2
    log(f"(b) restarted consumer got {len(r2)} messages in {time.monotonic() - started:.1f} s; "
        f"{len(redelivered)} of them had been handled before the restart")
    if len(redelivered) > OFFSET_REDELIVERY_TOLERANCE:
        raise Failure(f"(b) the restarted consumer redelivered {len(redelivered)} messages handled before "
                      f"its restart (tolerance {OFFSET_REDELIVERY_TOLERANCE}): offsets were not persisted")
    missing = set(all_msgs) - seen1 - seen2
    if missing:
        raise Failure(f"(b) {len(missing)} messages never arrived, e.g. {sorted(missing)[:5]}")
    log(f"(b) PASS: {len(seen1)} + {len(seen2 - seen1)} = {len(all_msgs)} messages, "
        f"{len(redelivered)} redelivered (tolerance {OFFSET_REDELIVERY_TOLERANCE})")


def scenario_d(ctx):
    """A broker restart keeps messages, the topic and the group's offsets."""
    ctx.broker.stop()
    ctx.broker.start()
    ctx.wait_route(TOPIC_MAIN)
    log("(d) after the restart the name server routes the topic with its 4 queues again")
    if "a" not in ctx.manifests:
        log("(d) scenario (a) did not run: only the restart and route were checked")
        return
    manifest = produce(ctx, "d-producer", TOPIC_MAIN, AFTER_RESTART_COUNT, "d")
    ctx.manifests["d"] = manifest
    c = Consumer(ctx, "d-consumer", TOPIC_MAIN, "tern-interop-group-a")
    wait_until(lambda: keys_of(c) >= set(manifest), 60,
               "group (a), restarted after the broker restart, to get the new batch", interval=0.5)
    time.sleep(1.0)
    c.stop()
    recs = c.records()
    old = [r for r in recs if r["key"] in ctx.manifests["a"]]
    check_records("(d)", recs, dict(ctx.manifests["a"], **manifest))
    if len(old) > OFFSET_REDELIVERY_TOLERANCE:
        raise Failure(f"(d) after the broker restart group (a) got {len(old)} of its already consumed messages "
                      f"again (tolerance {OFFSET_REDELIVERY_TOLERANCE}): consumer offsets were not persisted")
    log(f"(d) PASS: group (a) got the {len(manifest)} new messages and {len(old)} old ones after the broker restart")


def scenario_c(ctx):
    """A "TagA" subscription gets every TagA message and nothing else."""
    manifest = {}
    for m in ctx.manifests.values():
        manifest.update(m)
    if not manifest:
        manifest = produce(ctx, "c-producer", TOPIC_MAIN, 3000, "c")
    expected = {k for k, m in manifest.items() if m["tag"] == "TagA"}
    c = Consumer(ctx, "c-consumer-taga", TOPIC_MAIN, "tern-interop-group-c", sub="TagA")
    started = time.monotonic()
    wait_until(lambda: keys_of(c) >= expected, 60,
               f"the TagA subscriber to get the {len(expected)} TagA messages", interval=0.5)
    time.sleep(2.0)  # anything that should not come has time to come
    status = c.status()
    c.stop()
    recs = c.records()
    check_records("(c)", recs, manifest)
    others = [r for r in recs if r["tag"] != "TagA"]
    if others:
        raise Failure(f"(c) the TagA subscriber got {len(others)} messages with other tags, e.g. {others[0]}")
    got = {r["key"] for r in recs}
    if got != expected:
        raise Failure(f"(c) TagA subscriber: {len(expected - got)} TagA messages missing")
    if status.get("pulledForeign"):
        raise Failure(f"(c) the broker returned {status['pulledForeign']} messages with other tags to a TagA "
                      f"subscription (ali-ons dropped them client-side; RocketMQ filters by tag hash on the broker)")
    log(f"(c) PASS: {len(got)} TagA messages of {len(manifest)}, nothing else, in {time.monotonic() - started:.1f} s "
        f"({status.get('pulled')} pulled; the broker filtered the rest)")


def percentile(sorted_values, p):
    """Nearest-rank percentile (1..100) of an ascending list."""
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def scenario_f(ctx):
    """setStartDeliverTime: every timed message survives a SIGKILL and arrives on time."""
    manifest = produce(ctx, "f-producer", TOPIC_TIMER, TIMER_COUNT, "f",
                       extra=["--start-deliver-in-ms", TIMER_DELIVER_IN_MS,
                              "--start-deliver-spread-ms", TIMER_SPREAD_MS])
    first_due = min(m["startDeliverTime"] for m in manifest.values())
    if time.time() * 1000 > first_due - 4000:
        raise Failure("(f) the sends took too long: too little time is left before the first is due")
    ctx.broker.kill()
    log(f"(f) mqbroker killed with SIGKILL while all {TIMER_COUNT} timed messages wait "
        f"(first due in {(first_due - time.time() * 1000) / 1000:.1f} s)")
    ctx.broker.start()
    ctx.wait_route(TOPIC_TIMER)
    c = Consumer(ctx, "f-consumer", TOPIC_TIMER, "tern-interop-group-f")
    wait_until(lambda: c.alive_status().get("ready") and len(c.status().get("queues", [])) == QUEUES, 30,
               "the timer consumer to hold the 4 queues")
    ready_in = first_due - time.time() * 1000
    if ready_in < 0:
        raise Failure(f"(f) the consumer was ready {-ready_in:.0f} ms after the first due time: lateness "
                      "would measure the restart, not the timer")
    log(f"(f) broker restarted and consumer ready {ready_in / 1000:.1f} s before the first is due")
    wait_until(lambda: len(keys_of(c)) >= TIMER_COUNT, 60, f"the consumer to get all {TIMER_COUNT} timed messages",
               interval=0.5)
    time.sleep(1.0)  # late duplicates, if any, show up in the counts
    c.stop()
    recs = c.records()
    problems, first_seen = [], {}
    for r in recs:
        m = manifest.get(r["key"])
        if m is None:
            problems.append(f"unexpected key {r['key']!r}")
            continue
        expect = {"sha1": m["sha1"], "tag": m["tag"], "keys": f"{m['key']} idx{m['i']}", "index": str(m["i"]),
                  "queueId": m["queueId"], "startDeliverTime": str(m["startDeliverTime"]),
                  "timerOutMs": str(m["startDeliverTime"])}
        for field, want in expect.items():
            if r.get(field) != want:
                problems.append(f"{r['key']}: {field} is {r.get(field)!r}, expected {want!r}")
        if r["storeTimestamp"] < m["startDeliverTime"] or r["receivedMs"] < m["startDeliverTime"]:
            problems.append(f"{r['key']}: delivered before its time (stored {r['storeTimestamp']}, received "
                            f"{r['receivedMs']}, due {m['startDeliverTime']})")
        first_seen.setdefault(r["key"], r)
    if problems:
        raise Failure(f"(f) {len(problems)} problems, first ones:\n  " + "\n  ".join(problems[:10]))
    if len(first_seen) != TIMER_COUNT:
        raise Failure(f"(f) {len(first_seen)} distinct timed messages arrived, expected {TIMER_COUNT}")
    late = sorted(r["receivedMs"] - manifest[k]["startDeliverTime"] for k, r in first_seen.items())
    broker_late = sorted(r["storeTimestamp"] - manifest[k]["startDeliverTime"] for k, r in first_seen.items())
    stats = (f"lateness seen by ali-ons p50 {percentile(late, 50)} ms, p90 {percentile(late, 90)} ms, "
             f"p99 {percentile(late, 99)} ms, max {late[-1]} ms; broker re-put p50 {percentile(broker_late, 50)} ms, "
             f"max {broker_late[-1]} ms")
    if percentile(late, 99) > TIMER_LATE_LIMIT_MS:
        raise Failure(f"(f) timed messages arrived late: {stats}")
    log(f"(f) PASS: all {TIMER_COUNT} timed messages after a SIGKILL, none early, duplicates "
        f"{len(recs) - len(first_seen)}; {stats}")


def max_offset(ctx, topic, queue):
    header, _ = remoting_call(ctx.broker_port, 30, {"topic": topic, "queueId": queue})
    return int(header.get("extFields", {}).get("offset", -1)) if header.get("code") == 0 else -1


def scenario_g(ctx):
    """Delay levels and send-back with ali-ons."""
    group = "tern-interop-group-g"
    out = os.path.join(ctx.workdir, "g-events.jsonl")
    node = Node(ctx, "g-delay-retry", "delay_retry.js",
                ["--namesrv", ctx.namesrv, "--topic", TOPIC_DELAY, "--group", group, "--out", out])
    code = node.wait(120)
    if code != 0:
        raise Failure(f"(g) delay_retry.js exited with {code}:\n{node.tail()}")
    events = read_jsonl(out)
    sent = {e["key"]: e for e in events if e["event"] == "sent"}
    got = {}
    for e in events:
        if e["event"] == "got":
            got.setdefault(e["key"], []).append(e)
    problems = []
    lateness = []
    for key, s in sent.items():
        tries = got.get(key, [])
        times = [t["reconsumeTimes"] for t in tries]
        for t in tries:
            if t["topic"] != TOPIC_DELAY:
                problems.append(f"{key}: handed to the listener with topic {t['topic']!r}")
            # ali-ons's msgId is the stored copy's offset id (it ignores UNIQ_KEY): a delayed
            # message's delivered copy has its own; a retry names the first copy.
            if s["kind"] == "delay":
                continue
            first = t["msgId"] if t["reconsumeTimes"] == 0 else t["originMsgId"]
            if first != s["msgId"]:
                problems.append(f"{key}: try {t['reconsumeTimes']} names {first} as the first copy, sent {s['msgId']}")
        if s["kind"] == "delay":
            if times != [0]:
                problems.append(f"{key}: tries with reconsumeTimes {times}, expected [0]")
                continue
            waited = tries[0]["at"] - s["at"]
            due = s["level"] * LEVEL_MS
            lateness.append(waited - due)
            if waited < due - 20:  # ms clocks; the send itself takes a few ms
                problems.append(f"{key}: level {s['level']} came after {waited} ms, before its {due} ms")
        else:
            want = [0, 1, 2]
            if times != want:
                problems.append(f"{key}: tries with reconsumeTimes {times}, expected {want}")
                continue
            for n in (1, 2):  # the n-th retry comes after level 2 + n
                gap = tries[n]["at"] - tries[n - 1]["at"]
                if gap < (2 + n) * LEVEL_MS - 20:
                    problems.append(f"{key}: retry {n} came {gap} ms after the try before, level {2 + n} is "
                                    f"{(2 + n) * LEVEL_MS} ms")
    if problems:
        raise Failure("(g) " + "\n  ".join(problems[:10]))
    dlq = f"%DLQ%{group}"
    dead = wait_until(lambda: max_offset(ctx, dlq, 0) >= 2 and max_offset(ctx, dlq, 0), 10,
                      f"the two dead messages in {dlq}")
    if dead != 2:
        raise Failure(f"(g) {dlq} holds {dead} messages, expected 2")
    log(f"(g) PASS: 9 delayed messages on time (ms past due, from the client: min {min(lateness)}, "
        f"max {max(lateness)}), 3 retried twice through %RETRY%{group}, 2 dead letters in {dlq}")


SCENARIOS = {"a": scenario_a, "e": scenario_e, "b": scenario_b, "d": scenario_d, "c": scenario_c, "f": scenario_f,
             "g": scenario_g}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mqbroker", required=True)
    parser.add_argument("--node-modules", required=True, help="folder holding ali-ons (DIR/node_modules)")
    parser.add_argument("--install-script", help="scripts/install-interop.sh, run when ali-ons is missing")
    parser.add_argument("--node", default=shutil.which("node") or shutil.which("nodejs"))
    parser.add_argument("--only", default="a,e,b,d,c,f,g", help="scenarios to run, in this order")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, store, outputs)")
    args = parser.parse_args()

    if not args.node:
        print("SKIP: node is not installed (scripts/install-interop.sh installs it)")
        return SKIP
    args.node_modules = os.path.abspath(args.node_modules)
    if not os.path.isfile(os.path.join(args.node_modules, "ali-ons", "package.json")):
        if not args.install_script:
            print(f"FAIL: ali-ons is not installed in {args.node_modules}; run scripts/install-interop.sh")
            return 1
        subprocess.run([args.install_script, os.path.dirname(args.node_modules)], check=True)
    if not os.access(args.mqbroker, os.X_OK):
        print(f"FAIL: {args.mqbroker} is not an executable")
        return 1

    workdir = tempfile.mkdtemp(prefix="tern-interop-remoting-")
    ctx = Context(args, workdir)
    started = time.monotonic()
    passed, failed = 0, 0
    log(f"work folder {workdir}")
    try:
        ctx.first_start()
        for topic in (TOPIC_MAIN, TOPIC_OFFSETS, TOPIC_REBALANCE, TOPIC_TIMER, TOPIC_DELAY):
            create_topic(ctx.broker_port, topic, QUEUES)
            ctx.wait_route(topic)
        log(f"created {TOPIC_MAIN}, {TOPIC_OFFSETS}, {TOPIC_REBALANCE}, {TOPIC_TIMER}, {TOPIC_DELAY} with {QUEUES} "
            "queues (request code 17); routes visible")
        for name in args.only.split(","):
            t = time.monotonic()
            SCENARIOS[name](ctx)
            passed += 1
            log(f"scenario ({name}) took {time.monotonic() - t:.1f} s")
        ctx.broker.stop()
    except Failure as e:
        failed += 1
        log(f"FAIL: {e}")
    except Exception:
        failed += 1
        import traceback
        traceback.print_exc()
    finally:
        for child in ctx.children:
            child.kill()
        ctx.broker.kill()
    if failed:
        print(f"--- mqbroker output (tail) ---\n{ctx.broker.tail()}", flush=True)
        print(f"work folder kept for inspection: {workdir}")
    elif not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    log(f"total {time.monotonic() - started:.1f} s")
    print(f"interop-remoting: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
