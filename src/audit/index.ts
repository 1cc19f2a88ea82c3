/**
 * Audit records: one hash-chained JSON line per call and per canary decision, written by a router
 * plugin, and the tools to verify them.
 */
export { createAuditPlugin } from './audit-plugin.js';
export type { AuditPlugin, AuditPluginOptions } from './audit-plugin.js';
export { costOf } from '../pricing.js';
export type { AuditRecord, CallRecord, CanaryDecisionAuditRecord } from './record.js';
export type { AuditRecordHandler } from './sinks/callback-sink.js';
export { verifyAuditFiles } from './verify.js';
