/**
 * Canary rollouts as experiments: sticky bucketing, per-arm statistics, guards with statistical
 * tests, automatic promotion and rollback, shadow traffic, shared state, reports.
 */
export { armOutcome } from './arm-of-record.js';
export { ArmStats, mergeStepStats } from './arm-stats.js';
export { BUCKET_COUNT, canaryBucket, canaryStickyKey, candidateThreshold, isCandidateBucket } from './bucketing.js';
export { costOf, priceOf } from '../pricing.js';
export { createCanaryPlugin } from './canary-plugin.js';
export { buildCanaryStatus, summarizeArm } from './canary-status.js';
export { checkBroken, decide, REFERENCE_BASELINE_MIN_WEIGHT } from './decision-engine.js';
export { confidenceSequence, tunedMixingVariance } from './confidence-sequence.js';
export { evaluateGuards } from './guards.js';
export { logGamma, sequentialSampleRatioTest } from './sequential-sample-ratio.js';
export { SettleQueue } from './settle-queue.js';
export { AUTO_ACTOR } from './decision-record.js';
export { compileJsonSchema, createQualitySignals, qualitySignals } from './quality-signals.js';
export { CANARY_WEBHOOK_TYPE, canaryDecisionText, createCanaryWebhooks } from './webhooks.js';
export { logQuantileStandardError, mannWhitneySketches, mannWhitneyU } from './latency-tests.js';
export { createMemoryCanaryStore } from './memory-state-store.js';
export { normalCdf, normalQuantile, normalUpperTail } from './normal-distribution.js';
export { pooledProportionTest, wilsonInterval } from './proportion-tests.js';
export { QuantileSketch, SKETCH_RELATIVE_ACCURACY } from './quantile-sketch.js';
export { createRedisCanaryStore } from './redis-state-store.js';
export { renderCanaryReport, renderCanarySummary } from './report-text.js';
export { renderCanarySvg } from './report-svg.js';
export { renderCanaryHtml } from './report-html.js';
export { changeRollout, loadRollout } from './rollout-control.js';
export { applyRolloutAction, CanaryControlError, initialRolloutState, rolloutWeight } from './rollout-state.js';
export { createShadowMirror } from './shadow-mirror.js';
export { rolloutId } from './state-store.js';

export type { CallRecord } from './arm-of-record.js';
export type { ArmCallOutcome, ArmStatsData, StepStats, StepStatsData } from './arm-stats.js';
export type { StickyKey, StickySource } from './bucketing.js';
export type { CanaryController, ControlRequest } from './canary-controller.js';
export type { CanaryPlugin, CanaryPluginOptions } from './canary-plugin.js';
export type { ArmSummary, CanaryStatus, LatencyQuantiles, StepSummary } from './canary-status.js';
export type { CanaryEvidence } from './canary-evidence.js';
export type { CanaryDecision, CanaryDecisionCode, CanaryDecisionKind, DecisionInput } from './decision-engine.js';
export type { CanaryDecisionAction, CanaryDecisionRecord, CanaryDecisionRule, OperatorNote, RolloutPosition, RolloutStateName } from './decision-record.js';
export type { GuardName, GuardResult, GuardVerdictName } from './guard-result.js';
export type { GuardInput } from './guards.js';
export type { UnsettledCounts } from './settle-queue.js';
export type { QualitySignals, QualitySignalsExtractor, QualitySignalsOptions, SchemaValidator } from './quality-signals.js';
export type { CanaryWebhookPayload, CanaryWebhooks, CanaryWebhooksOptions } from './webhooks.js';
export type { AnswerQuality, QualityCounts } from './arm-stats.js';
export type { RankTestResult } from './latency-tests.js';
export type { Moments } from './mean-ratio-test.js';
export type { Interval, Proportion } from './proportion-tests.js';
export type { SampleRatioCheck } from './sequential-sample-ratio.js';
export type { SketchData } from './quantile-sketch.js';
export type { RedisCanaryStoreOptions } from './redis-state-store.js';
export type { RolloutChangeResult } from './rollout-control.js';
export type { CanaryChangeDecision, ChangeOptions, RolloutAction, RolloutChange, RolloutState, StepRecord } from './rollout-state.js';
export type { ShadowMirror, ShadowMirrorOptions } from './shadow-mirror.js';
export type { CanaryStateStore, CompareAndSetResult } from './state-store.js';
