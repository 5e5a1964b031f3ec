#!/usr/bin/env node
// Sends one known trace through each OTLP trace exporter of the OpenTelemetry JavaScript SDK,
// configured the way their READMEs show: protobuf over HTTP, JSON over HTTP and gRPC.
//
//   node send_traces.js <otlp/http base url> <otlp/grpc host:port> <run id>
//
// Each exporter gets its own NodeTracerProvider whose resource names the service
// `checkout-<exporter>-<run id>`, and one trace:
//   GET /checkout   SERVER    http.method, http.status_code 500, a double, a bool, an array;
//                             a link to a span of another trace (with an attribute)
//   └ charge card   CLIENT    event "retry" {attempt: 2}; status ERROR "card declined"
//     └ load card   INTERNAL
// The JSON exporter goes through a SimpleSpanProcessor (one request per span) and gzips its
// bodies; the others go through a BatchSpanProcessor (one request for the trace).
//
// Prints `trace_<exporter>=<hex>` and `link_<exporter>=<hex>` (the linked trace) per
// exporter; exits 0 when every export succeeded, 1 when one failed or the SDK logged an
// error (each problem on stderr), 2 on bad usage. otel_clients_test.cc checks what arrives.
'use strict';

const crypto = require('crypto');
const { SpanKind, SpanStatusCode, TraceFlags, context, trace, diag, DiagLogLevel } = require('@opentelemetry/api');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { BatchSpanProcessor, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } = require('@opentelemetry/semantic-conventions');
const { OTLPTraceExporter: ProtoExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPTraceExporter: JsonExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { OTLPTraceExporter: GrpcExporter } = require('@opentelemetry/exporter-trace-otlp-grpc');

const DEADLINE_MS = 15000;
const EXPORT_TIMEOUT_MS = 5000;

function usage() {
  process.stderr.write('usage: node send_traces.js <otlp/http base url> <otlp/grpc host:port> <run id>\n');
  process.exit(2);
}

const [httpBase, grpcAddress, runId] = process.argv.slice(2);
if (!httpBase || !grpcAddress || !runId || !/^[a-z0-9-]+$/.test(runId)) usage();

const problems = [];
const problem = (who, what) => {
  const text = what instanceof Error ? `${what.name}: ${what.message}${what.code !== undefined ? ` (code ${what.code})` : ''}` : String(what);
  problems.push(`${who}: ${text}`);
};

// The SDK reports what goes wrong inside it (a rejected export, a bad config) through diag.
diag.setLogger(
  {
    error: (...args) => problem('diag error', args.map(String).join(' ')),
    warn: (...args) => process.stderr.write(`diag warn: ${args.map(String).join(' ')}\n`),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  },
  DiagLogLevel.WARN,
);

// Passes every export through and keeps its outcome: the span processors only hand a failed
// result to the global error handler, which would not tell which exporter failed.
class RecordingExporter {
  constructor(name, inner) {
    this.name = name;
    this.inner = inner;
    this.exportedSpans = 0;
  }

  export(spans, resultCallback) {
    this.inner.export(spans, (result) => {
      if (result.code === 0) {
        this.exportedSpans += spans.length;
      } else {
        problem(`${this.name} export of ${spans.length} span(s)`, result.error || `result code ${result.code}`);
      }
      resultCallback(result);
    });
  }

  forceFlush() {
    return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve();
  }

  shutdown() {
    return this.inner.shutdown();
  }
}

const randomHex = (bytes) => crypto.randomBytes(bytes).toString('hex');

// Creates the known trace on `provider`; returns its trace id and the linked trace's id.
function emitTrace(provider) {
  const tracer = provider.getTracer('checkout-tracer', '1.2.3');
  const linked = { traceId: randomHex(16), spanId: randomHex(8), traceFlags: TraceFlags.SAMPLED };
  const root = tracer.startSpan('GET /checkout', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.method': 'GET',
      'http.status_code': 500,
      'cart.total': 99.95,
      'cart.gift': true,
      'cart.items': ['book', 'pen'],
    },
    links: [{ context: linked, attributes: { 'link.reason': 'queued order' } }],
  });
  const rootCtx = trace.setSpan(context.active(), root);
  const charge = tracer.startSpan('charge card', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'payments' } }, rootCtx);
  const chargeCtx = trace.setSpan(rootCtx, charge);
  const load = tracer.startSpan('load card', { kind: SpanKind.INTERNAL }, chargeCtx);
  load.end();
  charge.addEvent('retry', { attempt: 2 });
  charge.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  charge.end();
  root.end();
  return { traceId: root.spanContext().traceId, linkedTraceId: linked.traceId };
}

async function sendWith(name, exporter, batch) {
  const recording = new RecordingExporter(name, exporter);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: `checkout-${name}-${runId}`,
      [ATTR_SERVICE_VERSION]: '2.4.1',
      'deployment.environment.name': 'ci',
      'vigil.test.run': runId,
    }),
    spanProcessors: [batch ? new BatchSpanProcessor(recording, { scheduledDelayMillis: 100 }) : new SimpleSpanProcessor(recording)],
  });
  const ids = emitTrace(provider);
  try {
    await provider.forceFlush();
    await provider.shutdown();
  } catch (err) {
    problem(`${name} flush/shutdown`, err);
  }
  if (recording.exportedSpans !== 3) problem(name, `${recording.exportedSpans} of 3 spans exported`);
  process.stdout.write(`trace_${name}=${ids.traceId}\nlink_${name}=${ids.linkedTraceId}\n`);
}

async function main() {
  const deadline = setTimeout(() => {
    problem('send_traces.js', `not done after ${DEADLINE_MS} ms`);
    finish();
  }, DEADLINE_MS);
  const base = httpBase.replace(/\/+$/, '');
  await sendWith('proto', new ProtoExporter({ url: `${base}/v1/traces`, timeoutMillis: EXPORT_TIMEOUT_MS }), true);
  // JSON goes gzip-compressed (Content-Encoding: gzip), the others as they come by default.
  await sendWith('json', new JsonExporter({ url: `${base}/v1/traces`, timeoutMillis: EXPORT_TIMEOUT_MS, compression: 'gzip' }), false);
  // An http:// URL makes the gRPC exporter connect without TLS.
  await sendWith('grpc', new GrpcExporter({ url: `http://${grpcAddress}`, timeoutMillis: EXPORT_TIMEOUT_MS }), true);
  clearTimeout(deadline);
  finish();
}

function finish() {
  for (const p of problems) process.stderr.write(`${p}\n`);
  process.exit(problems.length === 0 ? 0 : 1);
}

main().catch((err) => {
  problem('send_traces.js', err && err.stack ? err.stack : err);
  finish();
});
