/**
 * Builds the audit record of a canary decision from its `canary-decision` event. The operator's
 * words (`reason`, `actor`) are redacted like error messages: secrets and every `audit.redact` kind,
 * whatever the content mode, since operators may paste anything there. The evidence is numbers and
 * short codes; it is kept as given, copied as plain JSON so that a later change to the decision's
 * objects cannot change the record between the event and its write.
 */
import type { CanaryDecisionRecord, RolloutPosition } from '../canary/decision-record.js';
import type { AuditConfig, RedactionKind } from '../config/types.js';
import { redact } from '../redaction/redact.js';
import { LIBRARY_VERSION } from '../version.js';
import { AUDIT_SCHEMA_VERSION, type AuditRolloutPosition, type CanaryDecisionRecordBody } from './record.js';

/** What the builder needs of the config. */
export interface DecisionRecordSettings {
  readonly audit: Pick<AuditConfig, 'redact'>;
  readonly versionHash: string;
}

/** The kinds operator text is redacted with: every configured kind, and secrets always. */
function operatorTextKinds(audit: Pick<AuditConfig, 'redact'>): readonly RedactionKind[] {
  return audit.redact.includes('secret') ? audit.redact : [...audit.redact, 'secret'];
}

function position(value: RolloutPosition): AuditRolloutPosition {
  return { state: value.state, step: value.step, weight: value.weight, epoch: value.epoch };
}

/** A deep copy as plain JSON (what the record's line will hold). */
function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Builds the record body of one canary decision. */
export function buildDecisionRecord(decision: CanaryDecisionRecord, settings: DecisionRecordSettings): CanaryDecisionRecordBody {
  const kinds = operatorTextKinds(settings.audit);
  return {
    schema: AUDIT_SCHEMA_VERSION,
    kind: 'canary-decision',
    ts: new Date(decision.at).toISOString(),
    decisionId: decision.id,
    route: decision.route,
    rollout: decision.rollout,
    baseline: decision.baseline,
    candidate: decision.candidate,
    decision: decision.decision,
    rule: decision.rule,
    by: decision.by,
    actor: redact(decision.actor, kinds),
    reason: redact(decision.reason, kinds),
    from: position(decision.from),
    to: position(decision.to),
    ...(decision.evidence === undefined ? {} : { evidence: plainJson(decision.evidence) }),
    configVersion: settings.versionHash,
    libraryVersion: LIBRARY_VERSION,
  };
}
