/**
 * Audit records: one hash-chained JSON line per call and per canary decision, written by a router
 * plugin, and the tools to verify them.
 */
export { createAuditPlugin } from './audit-plugin.js';
export type { AuditPlugin, AuditPluginOptions } from './audit-plugin.js';
export { createAuditStage } from './audit-stage.js';
export type { AuditStageOptions } from './audit-stage.js';
export { createAuditLog } from './audit-log.js';
export type { AuditLog, AuditLogOptions, DecisionRecordReport, PendingRecord, RecordReport } from './audit-log.js';
export { buildDecisionRecord } from './build-decision-record.js';
export type { DecisionRecordSettings } from './build-decision-record.js';
export { buildCallRecord, recordedUser } from './build-record.js';
export type { CallEnding, RecordSettings } from './build-record.js';
export { costOf, priceOf } from '../pricing.js';
export { promptHashOf, responseHashOf } from './content.js';
export { EMPTY_HEAD, recordHash, sealRecord, sha256OfCanonical } from './hash-chain.js';
export type { ChainHead, SealedRecord } from './hash-chain.js';
export { AUDIT_SCHEMA_VERSION, GENESIS_HASH } from './record.js';
export type {
  AuditAttempt,
  AuditContent,
  AuditMessage,
  AuditRecord,
  AuditRecordBody,
  AuditRecordCommon,
  AuditRolloutPosition,
  CallRecord,
  CallRecordBody,
  CanaryDecisionAuditRecord,
  CanaryDecisionRecordBody,
  ChainLinks,
  OpenMarkerBody,
  RotateMarkerBody,
} from './record.js';
export { createCallbackSink } from './sinks/callback-sink.js';
export type { AuditRecordHandler } from './sinks/callback-sink.js';
export { createFileSink, listSegments, segmentName } from './sinks/file-sink.js';
export type { FileSinkOptions } from './sinks/file-sink.js';
export { createStdoutSink } from './sinks/stdout-sink.js';
export type { AuditSink, SinkOpening } from './sinks/sink.js';
export { verifyAuditFiles } from './verify.js';
export type { VerifyProblem, VerifyProblemKind, VerifyReport } from './verify.js';
