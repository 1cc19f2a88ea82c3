/**
 * `createAuditPlugin`: the router plugin that writes one audit record per call, and one per canary
 * decision (each `canary-decision` event), into the same hash chain. Its stage runs outermost (put
 * the plugin first, so calls other plugins refuse — content filters, limits — are recorded too);
 * `router.close()` drains its queue.
 *
 * Failures are surfaced, never swallowed: every record's write is reported on the router's
 * `audit-write` event (`ok: false` with the error when a write fails, `ok: true` when it lands,
 * also after a retry), each failed write emits a `warning` (code `audit-sink`) and counts in
 * `sinkErrors`. A call whose record could not be written still returns its result (see
 * docs/audit.md, "When a sink fails"). A decision record is written in the same fsync mode; one that
 * fails (or cannot be built) is reported by a `warning` (code `audit-sink`) naming the decision, and
 * never reaches the canary that emitted it.
 */
import type { Writable } from 'node:stream';
import type { AuditSinkConfig, SwitchyardConfig } from '../config/types.js';
import { SwitchyardError } from '../errors.js';
import type { RouterEventHub, RouterEvents } from '../events.js';
import type { RouterPlugin } from '../router/plugin.js';
import { createAuditLog, type AuditLog } from './audit-log.js';
import { createAuditStage } from './audit-stage.js';
import { buildDecisionRecord } from './build-decision-record.js';
import type { ChainHead } from './hash-chain.js';
import { AUDIT_SCHEMA_VERSION, type AuditRecordCommon } from './record.js';
import { createCallbackSink, type AuditRecordHandler } from './sinks/callback-sink.js';
import { createFileSink } from './sinks/file-sink.js';
import type { AuditSink } from './sinks/sink.js';
import { createStdoutSink } from './sinks/stdout-sink.js';
import { LIBRARY_VERSION } from '../version.js';

/** Options of `createAuditPlugin`. */
export interface AuditPluginOptions {
  /** The resolved config; its `audit` section must be set. */
  readonly config: SwitchyardConfig;
  /** The record handler for `audit.sink.type: callback` (the `auditSink` given to `createRouter`). */
  readonly sink?: AuditRecordHandler;
  /**
   * The stream of `audit.sink.type: stdout`.
   * @default process.stdout
   */
  readonly stdout?: Writable;
  /**
   * Wall clock, epoch milliseconds (tests pin it).
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * Delays before retrying a failed write, ms.
   * @default { min: 100, max: 30000 }
   */
  readonly retryDelayMs?: { readonly min: number; readonly max: number };
}

/** The audit plugin, with its state for metrics. */
export interface AuditPlugin extends RouterPlugin {
  /** Records queued or held after a failed write. */
  readonly queueDepth: number;
  /** Failed writes of the sink so far. */
  readonly sinkErrors: number;
  /** Records given up at close (or appended after it). */
  readonly lostRecords: number;
  /** The chain's last written link; store it elsewhere to detect truncation of the log's tail. */
  readonly head: ChainHead;
  /** Writes what is queued now (batch mode). */
  flush(): Promise<void>;
}

/** Default queue bound of sinks without a `queueSize` setting. */
const DEFAULT_QUEUE_SIZE = 10_000;

function sinkFor(sinkConfig: AuditSinkConfig, options: AuditPluginOptions): AuditSink {
  if (options.sink !== undefined && sinkConfig.type !== 'callback') {
    throw new SwitchyardError({ category: 'config', message: `an audit sink function was given, but audit.sink.type is "${sinkConfig.type}"; set it to "callback"` });
  }
  switch (sinkConfig.type) {
    case 'file':
      return createFileSink({ path: sinkConfig.path, rotateBytes: sinkConfig.rotateBytes });
    case 'stdout':
      return createStdoutSink(options.stdout);
    case 'callback':
      if (options.sink === undefined) {
        throw new SwitchyardError({ category: 'config', message: 'audit.sink.type is "callback", but no audit sink function was given (createRouter(config, { auditSink }))' });
      }
      return createCallbackSink(options.sink);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates the audit plugin from a config with an `audit` section.
 *
 * @example
 * const audit = createAuditPlugin({ config, sink: (record) => queue.push(record) });
 * const router = createRouter(config, { plugins: [audit] });
 */
export function createAuditPlugin(options: AuditPluginOptions): AuditPlugin {
  const { config } = options;
  // The config records name: `router.reload()` swaps it (the `audit` section itself cannot change).
  let current = config;
  const audit = config.audit;
  if (audit === undefined) throw new SwitchyardError({ category: 'config', message: 'createAuditPlugin needs a config with an audit section' });
  const now = options.now ?? Date.now;
  const sink = sinkFor(audit.sink, options);
  let events: RouterEventHub | undefined;
  let buildErrors = 0;
  const fileSink = audit.sink.type === 'file' ? audit.sink : undefined;
  const markerFields = (): AuditRecordCommon => ({
    schema: AUDIT_SCHEMA_VERSION,
    ts: new Date(now()).toISOString(),
    configVersion: current.versionHash,
    libraryVersion: LIBRARY_VERSION,
  });
  const log: AuditLog = createAuditLog({
    sink,
    fsync: fileSink?.fsync ?? 'always',
    queueSize: fileSink?.queueSize ?? DEFAULT_QUEUE_SIZE,
    flushIntervalMs: fileSink?.flushIntervalMs ?? 1_000,
    markerFields,
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    onRecord: (report) => {
      if (events?.has('audit-write') === true) events.emit('audit-write', { requestId: report.requestId, ok: report.ok, ...(report.ok ? {} : { error: report.error }) });
    },
    onBuildError: (requestId, error) => {
      buildErrors += 1;
      events?.emit('audit-write', { requestId, ok: false, error });
    },
    onDecisionRecord: (report) => {
      if (!report.ok) events?.emit('warning', { code: 'audit-sink', message: `audit ${sink.description}: the record of canary decision ${report.decisionId} is not written: ${describe(report.error)}` });
    },
    onSinkError: (error) => events?.emit('warning', { code: 'audit-sink', message: `audit ${sink.description} failed: ${describe(error)}` }),
    onWarning: (message) => events?.emit('warning', { code: 'audit-sink', message: `audit ${sink.description}: ${message}` }),
  });
  const settings = {
    audit,
    get pricing() {
      return current.pricing;
    },
    get versionHash() {
      return current.versionHash;
    },
  };
  const stage = createAuditStage({ settings, log, now });

  /** Appends a decision's record; never throws (the emitting canary must not see audit trouble). */
  const recordDecision = (decision: RouterEvents['canary-decision']): void => {
    let body;
    try {
      body = buildDecisionRecord(decision, { audit, versionHash: current.versionHash });
    } catch (error) {
      buildErrors += 1;
      events?.emit('warning', { code: 'audit-sink', message: `audit: the record of canary decision ${decision.id} could not be built: ${describe(error)}` });
      return;
    }
    void log.append(body);
  };

  return {
    name: 'audit',
    outerStages: [stage],
    attach(router, internals) {
      events = internals.events;
      internals.events.on('canary-decision', recordDecision);
      internals.events.on('config-reloaded', () => {
        current = router.config;
      });
    },
    close: () => log.close(),
    flush: () => log.flush(),
    get queueDepth() {
      return log.depth;
    },
    get sinkErrors() {
      return log.sinkErrors + buildErrors;
    },
    get lostRecords() {
      return log.lostRecords;
    },
    get head() {
      return log.head;
    },
  };
}
