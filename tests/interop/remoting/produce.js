// Sends --count messages with ali-ons's Producer and writes a manifest line per message
// (key, tag, the queue and queue offset the broker answered, msgId, SHA-1 of the body).
//   node produce.js --namesrv 127.0.0.1:9876 --topic T --count 10000 --prefix a
//        --tags TagA,TagB,TagC --manifest out.jsonl [--group G] [--concurrency 32]
//        [--start-deliver-in-ms D [--start-deliver-spread-ms S]]
// Message i has key "<prefix>-<i 6 digits>" plus a second key "idx<i>", tag tags[i % n],
// a user property interopIndex=i, and the body lib.bodyFor(key, tag, i). With
// --start-deliver-in-ms it is a timer message: msg.setStartDeliverTime(now + D + i*S/count)
// (Aliyun's __STARTDELIVERTIME), recorded in the manifest. Exits 0 when every send was
// SEND_OK, 1 otherwise; the last stdout line is a JSON summary.
'use strict';

const { Producer, Message } = require('ali-ons');
const lib = require('./lib');

async function main() {
  const args = lib.parseArgs(process.argv);
  const topic = lib.required(args, 'topic');
  const count = Number(lib.required(args, 'count'));
  const prefix = lib.required(args, 'prefix');
  const tags = (args.tags || 'TagA,TagB,TagC').split(',');
  const concurrency = Number(args.concurrency || 32);
  const deliverIn = args['start-deliver-in-ms'] === undefined ? null : Number(args['start-deliver-in-ms']);
  const deliverSpread = Number(args['start-deliver-spread-ms'] || 0);
  const manifest = new lib.JsonLines(lib.required(args, 'manifest'));

  const producer = new Producer(Object.assign(lib.clientOptions(args), {
    producerGroup: args.group || 'tern-interop-producer',
  }));
  producer.on('error', err => console.error(`producer error: ${err.message}`));
  await producer.ready();

  const started = Date.now();
  const perQueue = {};
  let next = 0;
  let failed = 0;
  let firstError = null;
  async function worker() {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const key = `${prefix}-${String(i).padStart(6, '0')}`;
      const tag = tags[i % tags.length];
      const body = lib.bodyFor(key, tag, i);
      const msg = new Message(topic, tag, Buffer.from(body));
      msg.keys = [ key, `idx${i}` ];
      msg.properties.interopIndex = String(i);
      let startDeliverTime;
      if (deliverIn !== null) {
        startDeliverTime = Date.now() + deliverIn + Math.floor(i * deliverSpread / count);
        msg.setStartDeliverTime(startDeliverTime);
      }
      try {
        const r = await producer.send(msg);
        if (r.sendStatus !== 'SEND_OK') throw new Error(`sendStatus ${r.sendStatus}`);
        const q = r.messageQueue.queueId;
        perQueue[q] = (perQueue[q] || 0) + 1;
        manifest.write({ key, tag, i, queueId: Number(q), queueOffset: r.queueOffset, msgId: r.msgId,
          sha1: lib.sha1(body), startDeliverTime });
      } catch (err) {
        failed++;
        if (!firstError) firstError = `${key}: ${err.message}`;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (Date.now() - started) / 1000;
  manifest.close();
  try {
    await producer.close();
  } catch (err) {
    console.error(`producer close: ${err.message}`);
  }
  console.log(JSON.stringify({ sent: count - failed, failed, firstError, perQueue, seconds }));
  process.exit(failed ? 1 : 0);
}

main().catch(err => {
  console.error(`produce.js failed: ${err.stack || err}`);
  process.exit(2);
});
