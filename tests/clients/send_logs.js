#!/usr/bin/env node
// Ships a known set of log messages to vigil through real shippers from npm, configured the
// way their READMEs show: winston-loki (Loki push, once as JSON and once as snappy protobuf,
// its default) and winston-elasticsearch (Elasticsearch `_bulk`, default transformer).
//
//   node send_logs.js <vigil base url> <run id>
//
// Every transport carries the run id (a Loki label, the ES index name) so that a test can
// find exactly this run's entries. Prints `es_index=<name>`; exits 0 when every transport
// confirmed delivery, 1 when one reported an error or kept entries queued (each problem on
// stderr), 2 on bad usage. npm_clients_test.cc describes what arrives.
'use strict';

const winston = require('winston');
const LokiTransport = require('winston-loki');
const { ElasticsearchTransport } = require('winston-elasticsearch');

const DEADLINE_MS = 20000;

function usage() {
  process.stderr.write('usage: node send_logs.js <vigil base url> <run id>\n');
  process.exit(2);
}

const [baseUrl, runId] = process.argv.slice(2);
if (!baseUrl || !runId || !/^[a-z0-9-]+$/.test(runId)) usage();

// Everything that went wrong, in the words of the transport that said it, with repeats
// counted (a failing bulk write is retried and reported again).
const problems = new Map();
const problem = (who, what) => {
  let text = String(what);
  if (what instanceof Error) {
    const meta = what.meta || {};
    text = meta.statusCode ? `HTTP ${meta.statusCode}: ${JSON.stringify(meta.body)}` : what.message;
  }
  const key = `${who}: ${text}`;
  problems.set(key, (problems.get(key) || 0) + 1);
};

function lokiTransport(kind) {
  return new LokiTransport({
    host: baseUrl,
    json: kind === 'json',
    labels: { service: 'checkout', env: 'ci', run: runId, transport: `loki-${kind}` },
    level: 'debug',
    interval: 0.2, // seconds between batches
    timeout: 5000,
    // A rejected push is otherwise only retried later, silently.
    onConnectionError: (err) => problem(`winston-loki (${kind})`, err),
  });
}

const lokiJson = lokiTransport('json');
const lokiProto = lokiTransport('proto');
// winston-loki falls back to JSON silently when its snappy binding does not load.
if (lokiProto.batcher.contentType !== 'application/x-protobuf') {
  problem('winston-loki (proto)', `sends ${lokiProto.batcher.contentType}: the snappy module did not load`);
}
const es = new ElasticsearchTransport({
  level: 'debug',
  indexPrefix: `winston-${runId}`, // index: winston-<run>-YYYY.MM.DD
  flushInterval: 200,
  retryLimit: 2,
  clientOpts: { node: baseUrl, requestTimeout: 5000, maxRetries: 0 },
  internalLogger: (...args) => problem('winston-elasticsearch', args.map((a) => JSON.stringify(a)).join(' ')),
});
// 'warning': a failed bulk write or template install; 'error': retries exhausted.
es.on('warning', (err) => problem('winston-elasticsearch warning', err));
es.on('error', (err) => problem('winston-elasticsearch error', err));

const logger = winston.createLogger({ level: 'debug', transports: [lokiJson, lokiProto, es] });
// winston re-emits a transport's 'error' on the logger, where an unhandled one would throw.
logger.on('error', () => {});

// The known set: four levels, a trace id, metadata of several types, an Error with a code,
// a multi-line stack and non-ASCII text. `seq` tells the entries apart.
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
logger.info('order placed', { seq: 1, order_id: 'o-1001', trace_id: TRACE_ID, amount: 42.5 });
logger.debug('cache miss', { seq: 2, cache_key: 'user:7' });
logger.warn('slow query', { seq: 3, duration_ms: 350, trace_id: TRACE_ID });
const declined = new Error('card declined');
declined.error_code = 'PAYMENT_DECLINED';
declined.seq = 4;
logger.error('payment failed', declined); // message "payment failed card declined", + stack
logger.info('reçu envoyé ✓', { seq: 5, customer: 'Zoë' });
logger.error('upstream timeout', { seq: 6, error_code: 'UPSTREAM_TIMEOUT', retryable: true });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  // winston-elasticsearch checks the cluster health, then looks for its index template
  // (HEAD /_index_template/template_<prefix>), before it reports a connection: wait for
  // that, so those requests are exercised too.
  const started = Date.now();
  while (!es.bulkWriter.esConnection) {
    if (Date.now() - started > DEADLINE_MS / 2) {
      problem('winston-elasticsearch', 'the cluster health check never succeeded');
      break;
    }
    await sleep(50);
  }
  await es.flush();
  if (es.bulkWriter.bulk.length !== 0) {
    problem('winston-elasticsearch', `${es.bulkWriter.bulk.length} documents still queued after flush`);
  }
  // close() sends what is batched and waits for the answer; its errors reach onConnectionError.
  await Promise.all([lokiJson.close(), lokiProto.close()]);
  if (lokiJson.batcher.batch.streams.length || lokiProto.batcher.batch.streams.length) {
    problem('winston-loki', 'entries still queued after close');
  }
}

const watchdog = setTimeout(() => {
  problem('send_logs', `did not finish within ${DEADLINE_MS} ms`);
  finish();
}, DEADLINE_MS);

function finish() {
  clearTimeout(watchdog);
  process.stdout.write(`es_index=${es.getIndexName(es.opts)}\n`);
  for (const [text, n] of problems) process.stderr.write(n > 1 ? `${text} (${n} times)\n` : `${text}\n`);
  // The ES client keeps sockets and the health-check retry timers alive: end here.
  process.exit(problems.size ? 1 : 0);
}

main().then(finish, (err) => {
  problem('send_logs', err && err.stack ? err.stack : err);
  finish();
});
