/**
 * Canary rollouts as experiments: sticky bucketing, per-arm statistics, guards with statistical
 * tests, automatic promotion and rollback, shadow traffic, shared state, reports.
 */
export { createCanaryPlugin } from './canary-plugin.js';
export { createMemoryCanaryStore } from './memory-state-store.js';
export { createRedisCanaryStore } from './redis-state-store.js';
export { renderCanaryReport } from './report-text.js';
export { renderCanarySvg } from './report-svg.js';
export { renderCanaryHtml } from './report-html.js';
export { CanaryControlError } from './rollout-state.js';

export type { CanaryController } from './canary-controller.js';
export type { CanaryPlugin, CanaryPluginOptions } from './canary-plugin.js';
export type { ArmSummary, CanaryStatus, StepSummary } from './canary-status.js';
export type { CanaryEvidence } from './canary-evidence.js';
export type { CanaryDecisionAction, CanaryDecisionRecord, CanaryDecisionRule, OperatorNote } from './decision-record.js';
export type { GuardResult } from './guard-result.js';
