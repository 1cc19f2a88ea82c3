/**
 * Canary decision webhooks: each decision record is POSTed, in the background, to every webhook
 * that asked for its kind, signed as the Standard Webhooks 1.0 specification describes
 * (https://www.standardwebhooks.com), and retried with backoff on failures worth retrying.
 *
 * Webhook URLs often carry a token in their path (Slack, Mattermost, Teams), so nothing here ever
 * prints a URL: a webhook is named by its origin only. Failures are described by status or error
 * code, never by an error's message, which could quote the URL.
 */
import { createHmac } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import type { CanaryWebhookConfig } from '../config/types.js';
import { parseRetryAfter, redactSecrets, registerSecret, SwitchyardError } from '../errors.js';
import type { CanaryDecisionRecord } from './decision-record.js';

/** The payload's `type` (Standard Webhooks: a full-stop delimited event type). */
export const CANARY_WEBHOOK_TYPE = 'canary.decision';

/** The body POSTed for one decision. */
export interface CanaryWebhookPayload {
  readonly type: typeof CANARY_WEBHOOK_TYPE;
  /** One human line, so Slack- and Mattermost-style incoming webhooks show something readable. */
  readonly text: string;
  readonly decision: CanaryDecisionRecord;
}

/** Options of `createCanaryWebhooks`. */
export interface CanaryWebhooksOptions {
  readonly webhooks: readonly CanaryWebhookConfig[];
  /**
   * Receives one line per delivery given up (and configuration warnings). Never sees a secret or a
   * URL's path or query.
   * @default console.warn, prefixed with `[switchyard]`
   */
  readonly logger?: (message: string) => void;
  /**
   * Bounds of the wait between attempts: exponential backoff with jitter, and `retry-after` capped
   * at `max`.
   * @default { min: 1_000, max: 30_000 }
   */
  readonly retryDelayMs?: { readonly min: number; readonly max: number };
  /**
   * Where requests go, e.g. a `ProxyAgent` that keeps webhooks out of internal networks (SSRF).
   * @default undici's global dispatcher
   */
  readonly dispatcher?: Dispatcher;
}

/** Delivers decision records to the configured webhooks. */
export interface CanaryWebhooks {
  /** Starts delivery of `record` in the background. Never throws, never waits; a no-op after `close()`. */
  deliver(record: CanaryDecisionRecord): void;
  /** Resolves when no delivery is in flight, waits between retries included. */
  idle(): Promise<void>;
  /** Ends every wait between retries, waits for attempts in flight, and turns `deliver` into a no-op. */
  close(): Promise<void>;
}

const DEFAULT_RETRY_DELAY_MS = { min: 1_000, max: 30_000 } as const;

/** Secrets in the Standard Webhooks serialisation: `whsec_` and the base64 of the key bytes. */
const SECRET_PREFIX = 'whsec_';
/** The specification asks for random keys of at least 24 bytes. */
const MIN_KEY_BYTES = 24;

/** One configured webhook, validated and normalised once. */
interface Endpoint {
  readonly url: string;
  /** `scheme://host:port`: the only way a webhook is ever named in logs and errors. */
  readonly origin: string;
  /** Empty: every decision. */
  readonly events: ReadonlySet<string>;
  /** HMAC key; unsigned when absent. */
  readonly key: Buffer | undefined;
  readonly retries: number;
  readonly timeoutMs: number;
}

/** What one attempt came to. */
type AttemptOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retryable'; readonly detail: string; readonly retryAfterMs: number | undefined }
  | { readonly kind: 'failed'; readonly detail: string; readonly gone: boolean };

/**
 * Creates the deliverer for `options.webhooks`. Validates every webhook at once and throws a
 * `config` `SwitchyardError` naming the faulty field (never its value).
 *
 * Signing (Standard Webhooks 1.0): headers `webhook-id` (the record's id, the same on every retry:
 * the receiver's idempotency key), `webhook-timestamp` (Unix seconds of the attempt, renewed on
 * every retry as the specification asks) and, when the webhook has a `secret`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`. A secret of the form
 * `whsec_<base64>` is the specification's serialisation and its key is the decoded bytes; any other
 * secret is used as its UTF-8 bytes (so an existing shared secret keeps working; receivers using a
 * Standard Webhooks library then need it as `whsec_` + its base64).
 *
 * Outcomes: 2xx delivered; network errors, timeouts, 429 and 5xx retried up to `retries` times;
 * 410 Gone stops deliveries to that webhook until restart (the specification's advice); any other
 * status (3xx included: redirects are not followed) fails at once.
 *
 * @example
 * const webhooks = createCanaryWebhooks({ webhooks: canary.webhooks });
 * router.on('canary-decision', (record) => webhooks.deliver(record));
 * // on shutdown
 * await webhooks.close();
 */
export function createCanaryWebhooks(options: CanaryWebhooksOptions): CanaryWebhooks {
  const logger = options.logger ?? ((message: string) => console.warn(`[switchyard] ${message}`));
  const delays = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  if (!(delays.min >= 0 && delays.max >= delays.min && Number.isFinite(delays.max))) {
    throw new SwitchyardError({ category: 'config', message: 'retryDelayMs needs 0 <= min <= max, both finite', field: 'retryDelayMs' });
  }
  const endpoints = options.webhooks.map((webhook, index) => endpointOf(webhook, index, log));
  const dispatcher = options.dispatcher;

  /** Endpoints that answered 410 Gone. */
  const gone = new Set<Endpoint>();
  const inFlight = new Set<Promise<void>>();
  /** Waits between retries, so `close()` can end them. */
  const waits = new Set<() => void>();
  let closed = false;

  /** A logger that throws must not break delivery, nor escape into the caller. */
  function log(message: string): void {
    try {
      logger(redactSecrets(message));
    } catch {
      // Nothing better to do with a failing logger.
    }
  }

  /** Waits `ms`; resolves `false` when `close()` ended the wait early. */
  function wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const end = (completed: boolean): void => {
        clearTimeout(timer);
        waits.delete(cancel);
        resolve(completed);
      };
      const cancel = (): void => end(false);
      const timer = setTimeout(() => end(true), ms);
      waits.add(cancel);
    });
  }

  function backoff(retry: number): number {
    // Full jitter between `min` and a ceiling that doubles with each retry: spreads receivers'
    // load after an outage instead of having every sender come back at the same instant.
    const ceiling = Math.min(delays.max, delays.min * 2 ** retry);
    return delays.min + Math.random() * (ceiling - delays.min);
  }

  /** One POST. `id` is a record id (a UUID): the specification forbids `.` in it, which would make the signed content ambiguous. */
  async function attempt(endpoint: Endpoint, id: string, body: string): Promise<AttemptOutcome> {
    const timestamp = Math.floor(Date.now() / 1_000).toString();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'switchyard',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
    };
    if (endpoint.key !== undefined) headers['webhook-signature'] = `v1,${createHmac('sha256', endpoint.key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), endpoint.timeoutMs);
    try {
      const response = await request(endpoint.url, {
        method: 'POST',
        headers,
        body,
        signal: controller.signal,
        ...(dispatcher === undefined ? {} : { dispatcher }),
      });
      // The answer's body means nothing to us; drain it so the connection can be reused. A failure
      // here cannot undo a status already received.
      await response.body.dump().catch(() => undefined);
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { kind: 'delivered' };
      if (status === 429 || status >= 500) return { kind: 'retryable', detail: `HTTP ${status}`, retryAfterMs: parseRetryAfter(response.headers) };
      return { kind: 'failed', detail: `HTTP ${status}`, gone: status === 410 };
    } catch (error) {
      if (controller.signal.aborted) return { kind: 'retryable', detail: `no answer within ${endpoint.timeoutMs} ms`, retryAfterMs: undefined };
      return { kind: 'retryable', detail: describeError(error), retryAfterMs: undefined };
    } finally {
      clearTimeout(timer);
    }
  }

  async function deliverTo(endpoint: Endpoint, record: CanaryDecisionRecord, body: string): Promise<void> {
    const what = `decision ${record.id} (${record.decision} on route "${record.route}")`;
    for (let attempts = 1; ; attempts += 1) {
      const outcome = await attempt(endpoint, record.id, body);
      if (outcome.kind === 'delivered') return;
      const tries = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
      if (outcome.kind === 'failed') {
        if (outcome.gone && !gone.has(endpoint)) {
          gone.add(endpoint);
          log(`canary webhook ${endpoint.origin}: gave up delivering ${what} after ${tries}: ${outcome.detail}; the webhook is gone, no further decisions are sent to it`);
        } else {
          log(`canary webhook ${endpoint.origin}: gave up delivering ${what} after ${tries}: ${outcome.detail}`);
        }
        return;
      }
      if (attempts > endpoint.retries) {
        log(`canary webhook ${endpoint.origin}: gave up delivering ${what} after ${tries}: ${outcome.detail}`);
        return;
      }
      const delay = outcome.retryAfterMs === undefined ? backoff(attempts - 1) : Math.min(delays.max, outcome.retryAfterMs);
      if (closed || !(await wait(delay))) {
        log(`canary webhook ${endpoint.origin}: ${what} not delivered, closed while retrying after ${tries}: ${outcome.detail}`);
        return;
      }
    }
  }

  function track(task: Promise<void>): void {
    const tracked: Promise<void> = task
      .catch((error: unknown) => log(`canary webhook delivery failed unexpectedly: ${describeError(error)}`))
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }

  return {
    deliver(record) {
      if (closed) return;
      try {
        let body: string | undefined;
        for (const endpoint of endpoints) {
          if (gone.has(endpoint)) continue;
          if (endpoint.events.size > 0 && !endpoint.events.has(record.decision)) continue;
          body ??= JSON.stringify({ type: CANARY_WEBHOOK_TYPE, text: canaryDecisionText(record), decision: record } satisfies CanaryWebhookPayload);
          track(deliverTo(endpoint, record, body));
        }
      } catch (error) {
        // A record that cannot be serialised must not break the decision that produced it.
        log(`canary webhook: decision ${record.id} not delivered: ${describeError(error)}`);
      }
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    async close() {
      closed = true;
      for (const cancel of [...waits]) cancel();
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

/**
 * The one-line summary sent as the payload's `text`, e.g.
 * `canary claude: rollback by switchyard (step 2, weight 25% → 0%): error rate +9.9 points`.
 * Steps are counted from 1; the record does not carry the number of steps. `&`, `<` and `>` are
 * escaped as Slack asks, since reasons contain `p<0.05`-like text.
 */
export function canaryDecisionText(record: CanaryDecisionRecord): string {
  const { from, to } = record;
  const step = from.step === to.step ? `step ${to.step + 1}` : `step ${from.step + 1} → ${to.step + 1}`;
  const weight = from.weight === to.weight ? `weight ${to.weight}%` : `weight ${from.weight}% → ${to.weight}%`;
  const reason = record.reason === '' ? '' : `: ${record.reason}`;
  return escapeForChat(`canary ${record.route}: ${record.decision} by ${record.actor} (${step}, ${weight})${reason}`);
}

function escapeForChat(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Validates and normalises webhook `index`; `warn` receives advice that does not stop it. */
function endpointOf(webhook: CanaryWebhookConfig, index: number, warn: (message: string) => void): Endpoint {
  const field = `canary.webhooks[${index}]`;
  const fail = (name: string, problem: string): never => {
    throw new SwitchyardError({ category: 'config', message: `${field}.${name} ${problem}`, field: `${field}.${name}` });
  };
  let url: URL;
  try {
    url = new URL(webhook.url);
  } catch {
    // The value is not quoted: it may hold a token.
    return fail('url', 'is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('url', 'must be an http or https URL');
  if (!Number.isInteger(webhook.retries) || webhook.retries < 0) fail('retries', 'must be an integer >= 0');
  if (!(webhook.timeoutMs > 0 && Number.isFinite(webhook.timeoutMs))) fail('timeoutMs', 'must be a positive number');
  // `URL.origin` leaves out user, password, path, query and fragment.
  const origin = url.origin;
  let key: Buffer | undefined;
  if (webhook.secret !== undefined) {
    registerSecret(webhook.secret);
    key = keyOf(webhook.secret);
    if (key === undefined) fail('secret', `starts with "${SECRET_PREFIX}" but the rest is not base64`);
    else if (key.length < MIN_KEY_BYTES) warn(`canary webhook ${origin}: the signing secret has ${key.length} bytes; Standard Webhooks asks for at least ${MIN_KEY_BYTES} random bytes`);
  }
  return { url: webhook.url, origin, events: new Set(webhook.events), key, retries: webhook.retries, timeoutMs: webhook.timeoutMs };
}

/** The HMAC key of a secret: `whsec_` + base64 is decoded, anything else is its UTF-8 bytes. `undefined` for a malformed `whsec_` secret. */
function keyOf(secret: string): Buffer | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return Buffer.from(secret, 'utf8');
  const encoded = secret.slice(SECRET_PREFIX.length);
  // Node's decoder skips characters it does not know; check first so a typo is not silently a different key.
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/.test(encoded) || encoded === '') return undefined;
  return Buffer.from(encoded, 'base64');
}

/** An error by its stable code or its class, never its message (which may quote the URL). */
function describeError(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return `error ${code}`;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? `error ${error.name}` : 'unknown error';
}
