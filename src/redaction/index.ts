/**
 * Redaction of personal data and secrets before anything leaves the process: audit records, logs,
 * error messages.
 */
export { findSensitive, redact, redactDeep, REDACTION_KINDS } from './redact.js';
export { redactSecretValues } from './secrets.js';
export { passesLuhn } from './luhn.js';
export { isValidIban } from './iban.js';
export { isValidResidentId } from './cn-resident-id.js';
export { phoneDetector } from './phone.js';
export { ibanDetector } from './iban.js';
