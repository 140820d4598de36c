// Delay levels and send-back with ali-ons (scenario f of run_interop.py): one Producer and
// one push Consumer (maxReconsumeTimes 2) in this process, so both ends share one clock.
//   node delay_retry.js --namesrv 127.0.0.1:9876 --topic T --group G --out events.jsonl
// Sends three kinds of messages, keyed "<kind>-<i>":
//   delay  9 messages with delayTimeLevel 1, 2, 3 (Message#delayTimeLevel); the handler
//          accepts them;
//   retry  3 messages the handler fails until their reconsumeTimes is 2: ali-ons sends them
//          back (CONSUMER_SEND_MSG_BACK, level 0). The handler fails by throwing: ali-ons
//          3.12 hands retry-topic messages to it through a wrapper that drops its return
//          value, so MQPushConsumer.ACTION_RETRY would retry a message only once;
//   dead   2 messages the handler always fails: after their third try the broker puts
//          them in %DLQ%<group>.
// Writes one JSON line per send ({event:"sent", key, kind, level, at, msgId}) and per
// handler call ({event:"got", key, kind, topic, reconsumeTimes, msgId, originMsgId, at}), then exits 0
// once every delay and retry message was accepted and every dead one tried three times
// (or 2 after --timeout-ms 60000).
'use strict';

const { Producer, Consumer, Message } = require('ali-ons');
const lib = require('./lib');

const args = lib.parseArgs(process.argv);
const topic = lib.required(args, 'topic');
const group = lib.required(args, 'group');
const out = new lib.JsonLines(lib.required(args, 'out'));
const timeoutMs = Number(args['timeout-ms'] || 60000);

const expected = { delay: 9, retry: 3, dead: 2 };
const accepted = new Set();
const deadTries = {};
let errors = 0;

function done() {
  const delays = [...accepted].filter(k => k.startsWith('delay-')).length;
  const retries = [...accepted].filter(k => k.startsWith('retry-')).length;
  const dead = Object.values(deadTries).filter(n => n >= 3).length;
  return delays === expected.delay && retries === expected.retry && dead === expected.dead;
}

async function main() {
  const consumer = new Consumer(Object.assign(lib.clientOptions(args), {
    consumerGroup: group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    maxReconsumeTimes: 2,
  }));
  consumer.on('error', err => {
    if (String(err.message).includes('fails on purpose')) return;
    errors++;
    console.error(`consumer error: ${err.message}`);
  });
  consumer.subscribe(topic, '*', async msg => {
    const key = (msg.keys || '').split(' ')[0];
    const kind = key.split('-')[0];
    out.write({ event: 'got', key, kind, topic: msg.topic, reconsumeTimes: msg.reconsumeTimes, msgId: msg.msgId,
      originMsgId: msg.originMessageId || null, at: Date.now() });
    if (kind === 'dead') {
      deadTries[key] = (deadTries[key] || 0) + 1;
      throw new Error(`${key} fails on purpose`);
    }
    if (kind === 'retry' && msg.reconsumeTimes < 2) throw new Error(`${key} fails on purpose`);
    accepted.add(key);
  });
  await consumer.ready();

  const producer = new Producer(Object.assign(lib.clientOptions(args), { producerGroup: `${group}-producer` }));
  producer.on('error', err => console.error(`producer error: ${err.message}`));
  await producer.ready();
  const sends = [];
  for (let i = 0; i < expected.delay; i++) sends.push({ kind: 'delay', i, level: 1 + (i % 3) });
  for (let i = 0; i < expected.retry; i++) sends.push({ kind: 'retry', i, level: 0 });
  for (let i = 0; i < expected.dead; i++) sends.push({ kind: 'dead', i, level: 0 });
  for (const s of sends) {
    const key = `${s.kind}-${s.i}`;
    const msg = new Message(topic, 'TagF', Buffer.from(`body of ${key}`));
    msg.keys = [ key ];
    if (s.level) msg.delayTimeLevel = s.level;
    const at = Date.now();
    const r = await producer.send(msg);
    if (r.sendStatus !== 'SEND_OK') throw new Error(`${key}: sendStatus ${r.sendStatus}`);
    out.write({ event: 'sent', key, kind: s.kind, level: s.level, at, msgId: r.msgId });
  }
  out.flush();

  const started = Date.now();
  while (!done() && Date.now() - started < timeoutMs) await new Promise(r => setTimeout(r, 50));
  await new Promise(r => setTimeout(r, 1500));  // a delivery too many would come now
  out.close();
  const ok = done();
  console.error(`delay_retry: ${ok ? 'done' : 'TIMEOUT'}; accepted ${accepted.size}, dead tries ` +
    `${JSON.stringify(deadTries)}, consumer errors ${errors}`);
  await producer.close();
  await consumer.close();
  process.exit(ok ? 0 : 2);
}

main().catch(err => {
  console.error(`delay_retry.js failed: ${err.stack || err}`);
  process.exit(1);
});
