// One ali-ons push Consumer (one member of a consumer group: its client id is ip@pid, so
// each process is a distinct member). Writes a JSON line per message its handler gets
// and, every 300 ms, a status file the driver polls (queues assigned by rebalance,
// counts, errors).
//   node consume.js --namesrv 127.0.0.1:9876 --topic T --group G --out msgs.jsonl
//        --status status.json [--sub '*' | 'TagA'] [--from first|last]
//        [--stop-after N] [--rebalance-ms 10000] [--handler-delay-ms 0]
// Stops on SIGTERM or after handling --stop-after messages: from then on the handler
// never returns (so no further offset is committed for a message it did not record),
// then Consumer.close() persists the offsets and unregisters, and the process exits 0.
//
// It also counts, below ali-ons's own client-side tag filter, every pulled message whose
// tag the subscription does not name ("pulledForeign"): with broker-side tag filtering
// (RocketMQ's consume-queue tag hash) that stays 0.
'use strict';

const { Consumer } = require('ali-ons');
const lib = require('./lib');

const args = lib.parseArgs(process.argv);
const topic = lib.required(args, 'topic');
const sub = args.sub || '*';
const subTags = sub === '*' ? null : sub.split('||').map(t => t.trim()).filter(Boolean);
const stopAfter = args['stop-after'] ? Number(args['stop-after']) : 0;
const handlerDelay = Number(args['handler-delay-ms'] || 0);  // a slow application
const out = new lib.JsonLines(lib.required(args, 'out'));
const statusPath = lib.required(args, 'status');

const state = {
  pid: process.pid, clientId: null, ready: false, queues: [], handled: 0, pulled: 0, pulledForeign: 0,
  errors: 0, lastError: null, stopping: false, done: false,
};

const options = Object.assign(lib.clientOptions(args), {
  consumerGroup: lib.required(args, 'group'),
  consumeFromWhere: (args.from || 'first') === 'first' ? 'CONSUME_FROM_FIRST_OFFSET' : 'CONSUME_FROM_LAST_OFFSET',
});
if (args['rebalance-ms']) options.rebalanceInterval = Number(args['rebalance-ms']);
const consumer = new Consumer(options);
consumer.on('error', err => {
  state.errors++;
  state.lastError = String(err && err.message).slice(0, 500);
  console.error(`consumer error: ${state.lastError}`);
});

// Counts pulled messages before ali-ons filters tags again on the client.
const mqClient = consumer._mqClient;
const pullMessage = mqClient.pullMessage.bind(mqClient);
mqClient.pullMessage = async (...a) => {
  const r = await pullMessage(...a);
  for (const m of r.msgFoundList || []) {
    if (m.topic !== topic) continue;
    state.pulled++;
    if (subTags && !subTags.includes(m.tags)) state.pulledForeign++;
  }
  return r;
};

function writeStatus() {
  const queues = [];
  for (const v of consumer.processQueueTable.values()) {
    if (v && v.messageQueue && v.messageQueue.topic === topic) queues.push(Number(v.messageQueue.queueId));
  }
  state.queues = queues.sort((a, b) => a - b);
  state.clientId = mqClient.clientId;
  lib.writeJsonAtomic(statusPath, state);
}
const statusTimer = setInterval(writeStatus, 300);

let stopPromise = null;
function stop(reason) {
  if (stopPromise) return stopPromise;
  state.stopping = true;
  stopPromise = (async () => {
    const guard = setTimeout(() => {
      console.error('consumer close took over 15 s; exiting');
      finish(3);
    }, 15000);
    try {
      await consumer.close();
    } catch (err) {
      console.error(`consumer close failed: ${err.message}`);
      state.errors++;
    }
    clearTimeout(guard);
    console.error(`consumer stopped (${reason}) after ${state.handled} messages`);
    finish(0);
  })();
  return stopPromise;
}

function finish(code) {
  clearInterval(statusTimer);
  out.close();
  state.done = true;
  writeStatus();
  process.exit(code);
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

consumer.subscribe(topic, sub, async msg => {
  const receivedMs = Date.now();
  if (state.stopping) {
    await new Promise(() => {});  // never returns: close() persists the offsets without it
  }
  if (handlerDelay) await new Promise(resolve => setTimeout(resolve, handlerDelay));
  if (state.stopping) await new Promise(() => {});
  const keys = msg.keys || '';
  out.write({
    key: keys.split(' ')[0], keys, tag: msg.tags, topic: msg.topic, queueId: Number(msg.queueId),
    queueOffset: msg.queueOffset, msgId: msg.msgId, sha1: lib.sha1(msg.body), index: msg.properties.interopIndex,
    reconsumeTimes: msg.reconsumeTimes, receivedMs, storeTimestamp: msg.storeTimestamp,
    startDeliverTime: msg.properties.__STARTDELIVERTIME, timerOutMs: msg.properties.TIMER_OUT_MS,
  });
  state.handled++;
  if (stopAfter && state.handled >= stopAfter) {
    // At once: ali-ons runs the next handlers in microtasks, before any setImmediate.
    state.stopping = true;
    setImmediate(() => stop(`--stop-after ${stopAfter}`));
  }
});

consumer.ready().then(() => {
  state.ready = true;
  writeStatus();
}, err => {
  console.error(`consumer failed to start: ${err.stack || err}`);
  finish(2);
});
