/**
 * Redaction of personal data and secrets before anything leaves the process: audit records, logs,
 * error messages.
 */
export { findSensitive, redact, redactDeep, REDACTION_KINDS } from './redact.js';
export { redactSecretValues, SECRET_MARKER } from './secrets.js';
export { passesLuhn } from './luhn.js';
export { isValidIban } from './iban.js';
export { isValidResidentId } from './cn-resident-id.js';
export { emailDetector } from './email.js';
export { phoneDetector } from './phone.js';
export { paymentCardDetector } from './payment-card.js';
export { ibanDetector } from './iban.js';
export { residentIdDetector } from './cn-resident-id.js';
export type { Detector, SensitiveSpan } from './span.js';
