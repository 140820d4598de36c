// Shared helpers of the ali-ons interop scripts (produce.js, consume.js): argument
// parsing, the ali-ons client options for a plain name server, the deterministic message
// bodies, and a JSON-lines writer. The driver (run_interop.py) starts these scripts with
// NODE_PATH pointing at the node_modules that scripts/install-interop.sh filled.
'use strict';

const crypto = require('crypto');
const fs = require('fs');

// --name value pairs into an object (numbers stay strings; callers convert).
function parseArgs(argv) {
  const out = {};
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const name = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) {
      out[name] = 'true';
    } else {
      out[name] = next;
      i++;
    }
  }
  return out;
}

function required(args, name) {
  if (args[name] === undefined) throw new Error(`missing --${name}`);
  return args[name];
}

// Options every ali-ons client gets: a plain name server (no Aliyun address lookup, so
// `httpclient` is a dummy that must only be non-null), loopback client IP, no credentials
// (no AccessKey/Signature fields), no namespace prefix.
function clientOptions(args) {
  return {
    nameSrv: required(args, 'namesrv'),
    httpclient: {},
    clientIP: '127.0.0.1',
    namespace: '',
  };
}

// Every message's body is a function of its key and tag, so a consumer can be checked
// against the producer's manifest by SHA-1 alone. Every 50th body is 5000 bytes: ali-ons
// compresses bodies of 4 KiB or more with zlib and sets sysFlag bit 0, which the broker
// must store and return unchanged.
function bodyFor(key, tag, index) {
  let body = `tern-interop|${key}|${tag}|`;
  const size = index % 50 === 7 ? 5000 : 64 + (index % 200);
  let n = index;
  while (body.length < size) {
    n = (n * 1103515245 + 12345) % 2147483648;
    body += String.fromCharCode(32 + (n % 95));
  }
  return Buffer.from(body);
}

function sha1(buf) {
  return crypto.createHash('sha1').update(buf || Buffer.alloc(0)).digest('hex');
}

// Appends JSON lines to a file, buffered and flushed every 200 ms and on flush().
class JsonLines {
  constructor(path) {
    this.path = path;
    this.pending = [];
    fs.writeFileSync(path, '');
    this.timer = setInterval(() => this.flush(), 200);
  }
  write(obj) {
    this.pending.push(JSON.stringify(obj));
  }
  flush() {
    if (!this.pending.length) return;
    fs.appendFileSync(this.path, this.pending.join('\n') + '\n');
    this.pending = [];
  }
  close() {
    clearInterval(this.timer);
    this.flush();
  }
}

// Writes `obj` to `path` atomically (temp file + rename) so the driver never reads half.
function writeJsonAtomic(path, obj) {
  fs.writeFileSync(path + '.tmp', JSON.stringify(obj));
  fs.renameSync(path + '.tmp', path);
}

module.exports = { parseArgs, required, clientOptions, bodyFor, sha1, JsonLines, writeJsonAtomic };
