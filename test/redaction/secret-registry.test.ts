/**
 * The secret registry's text functions (fragments, redact-then-cut, `JSON.parse` quotes), cause
 * sanitising, and that each adapter registers its own credentials whatever built it.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  redactAndClip,
  redactErrorText,
  redactSecretFragments,
  redactSecrets,
  registerSecret,
  replaceSlotSecrets,
  SanitizedCause,
  sanitizeCause,
  SwitchyardError,
} from '../../src/errors.js';
import { jsonEndpoint } from '../../src/http/post-json.js';
import type { HttpTransport } from '../../src/http/transport.js';
import type { ProviderType } from '../../src/provider-spec.js';
import { ADAPTER_FACTORIES } from '../../src/router/adapters.js';

function freshKey(): string {
  return `sk-test-${randomBytes(30).toString('base64url').slice(0, 40)}`;
}

/** A random secret with no known key shape: only its registration can redact it. */
function shapelessSecret(): string {
  return randomBytes(30).toString('hex').slice(0, 40);
}

function slicesOf(text: string, secret: string): string[] {
  const found: string[] = [];
  for (let start = 0; start + 8 <= secret.length; start += 1) if (text.includes(secret.slice(start, start + 8))) found.push(secret.slice(start, start + 8));
  return found;
}

describe('redactSecretFragments', () => {
  it('redacts a registered secret whole, and any run of 8 or more of its characters wherever it stands', () => {
    const secret = shapelessSecret();
    registerSecret(secret);
    expect(redactSecretFragments(`key ${secret} end`)).toBe('key [redacted] end');
    expect(redactSecretFragments(`cut here: ${secret.slice(0, 8)}`)).toBe('cut here: [redacted]');
    expect(redactSecretFragments(`${secret.slice(-8)} was the tail`)).toBe('[redacted] was the tail');
    expect(redactSecretFragments(`middle ${secret.slice(10, 25)}!`)).toBe('middle [redacted]!');
    expect(redactSecretFragments(`two ${secret.slice(0, 12)} and ${secret.slice(20)}`)).toBe('two [redacted] and [redacted]');
    // Seven characters are not a fragment: too many innocent words would match.
    expect(redactSecretFragments(`short ${secret.slice(0, 7)}`)).toBe(`short ${secret.slice(0, 7)}`);
  });

  it('leaves a word of a key (letters between separators in the key) that a message names for its own sake', () => {
    const key = `gw-reasoning-${randomBytes(12).toString('hex')}`;
    registerSecret(key);
    expect(redactErrorText('messages[0]: reasoning_effort is not supported')).toBe('messages[0]: reasoning_effort is not supported');
    expect(redactSecretFragments('Reasoning: reasoning-effort and reasoning')).toBe('Reasoning: reasoning-effort and reasoning');
    // The key itself, and what a cut leaves of its random part, are still redacted.
    expect(redactSecretFragments(`bad key ${key}`)).toBe('bad key [redacted]');
    expect(redactSecretFragments(`cut: ${key.slice(0, 20)}`)).toBe('cut: [redacted]');
    expect(redactSecretFragments(`tail: ${key.slice(-8)}`)).toBe('tail: [redacted]');
    expect(redactSecretFragments(`from the word on: reasoning-${key.slice(13, 17)}`)).toBe('from the word on: [redacted]');
  });

  it('still redacts a word run of 16 or more characters, one inside a token of the key, and a whole secret that is a word', () => {
    const phrase = `gw-reasoning_effort_key-${randomBytes(8).toString('hex')}`;
    registerSecret(phrase);
    // 16 characters: long enough to be worth hiding even when they read as words.
    expect(redactSecretFragments('set reasoning_effort here')).toBe('set [redacted] here');
    // Not between separators in the key: part of a token, as a cut leaves it.
    const glued = `gwreasoningxyz${randomBytes(8).toString('hex')}`;
    registerSecret(glued);
    expect(redactSecretFragments('a reasoningxyz b')).toBe('a [redacted] b');
    registerSecret('correcthorsebattery');
    expect(redactSecretFragments('password correcthorsebattery')).toBe('password [redacted]');
    registerSecret('staplers');
    expect(redactSecretFragments('say staplers')).toBe('say [redacted]');
    // Letters in a mix of cases between separators read as random, not as a word.
    const mixed = `zqLongKey-${randomBytes(8).toString('hex')}`;
    registerSecret(mixed);
    expect(redactSecretFragments(`cut at the dash: ${mixed.slice(0, 9)}`)).toBe('cut at the dash: [redacted]');
  });

  it('redacts a secret shorter than 8 characters only whole', () => {
    registerSecret('pw-1234');
    expect(redactSecretFragments('password pw-1234 and pw-12')).toBe('password [redacted] and pw-12');
  });

  it('still redacts the key shapes nobody registered', () => {
    expect(redactSecretFragments(`sk-ant-${'a'.repeat(30)} and AIza${'b'.repeat(30)}`)).toBe('[redacted] and [redacted]');
  });

  it('leaves redactSecrets whole-secret only (it runs over prompts of any size)', () => {
    const secret = shapelessSecret();
    registerSecret(secret);
    expect(redactSecrets(`x ${secret.slice(0, 20)}`)).toBe(`x ${secret.slice(0, 20)}`);
  });
});

describe('redactAndClip', () => {
  it('never leaves 8 characters of a registered secret, wherever the key stands and wherever the cut falls', () => {
    const secret = shapelessSecret();
    registerSecret(secret);
    for (let offset = 0; offset <= 60; offset += 3) {
      const text = `${'a'.repeat(offset)}${secret}${'b'.repeat(30)}`;
      for (let limit = 1; limit <= text.length + 2; limit += 1) {
        const clipped = redactAndClip(text, limit);
        expect(slicesOf(clipped, secret)).toEqual([]);
        expect(clipped.length).toBeLessThanOrEqual(limit + 1);
      }
    }
  });

  it('redacts before cutting, so the cut never splits a key (or the marker)', () => {
    const secret = shapelessSecret();
    registerSecret(secret);
    const text = `bad key ${secret}, try again`;
    expect(redactAndClip(text, 20)).toBe('bad key [redacted], …');
    expect(redactAndClip(text, 13)).toBe('bad key …');
    expect(redactAndClip(text, 100)).toBe('bad key [redacted], try again');
    expect(redactAndClip(text, 13, '')).toBe('bad key ');
  });

  it('redacts an unregistered key shape before it is cut below the shape', () => {
    const key = `sk-${'Q'.repeat(30)}`;
    expect(redactAndClip(`x ${key}`, 12)).toBe('x [redacted]');
    expect(redactAndClip(`x ${key} y`, 8)).toBe('x …');
  });

  it('scans only a window past the limit of a long text', () => {
    const secret = shapelessSecret();
    registerSecret(secret);
    const text = `${'z'.repeat(100)}${secret}${'z'.repeat(1_000_000)}`;
    const started = performance.now();
    const clipped = redactAndClip(text, 120);
    expect(performance.now() - started).toBeLessThan(50);
    expect(clipped).toBe(`${'z'.repeat(100)}[redacted]${'z'.repeat(10)}…`);
  });
});

describe('SwitchyardError messages', () => {
  it('are redacted before they are cut to 4,096 characters', () => {
    const key = freshKey();
    registerSecret(key);
    for (let before = 1; before < key.length; before += 1) {
      const error = new SwitchyardError({ category: 'server', message: `${'m'.repeat(4096 - before)}${key} tail` });
      expect(slicesOf(error.message, key)).toEqual([]);
      expect(error.message.length).toBeLessThanOrEqual(4097);
    }
  });

  it("redact the provider's code too", () => {
    const key = freshKey();
    registerSecret(key);
    expect(new SwitchyardError({ category: 'auth', message: 'no', providerCode: key }).providerCode).toBe('[redacted]');
  });
});

describe("JSON.parse errors' quotes of the text", () => {
  it('are dropped, registered or not', () => {
    const unregistered = `Zq${randomBytes(20).toString('hex')}`;
    for (const body of [`${unregistered} is the body`, `"${unregistered}`, unregistered, `{"a": "${unregistered}"} x`]) {
      let message = '';
      try {
        JSON.parse(body);
      } catch (error) {
        message = (error as Error).message;
      }
      const cleaned = redactErrorText(message);
      expect(cleaned).not.toContain(unregistered.slice(0, 6));
      expect(cleaned === message || cleaned.endsWith('(the text) is not valid JSON')).toBe(true);
    }
  });
});

describe('sanitizeCause', () => {
  it("keeps a foreign error's name, class name, code and redacted message, and nothing else", () => {
    const key = freshKey();
    registerSecret(key);
    class HTTPParserError extends Error {
      override name = 'HTTPParserError';
      code = 'HPE_INVALID_HEADER_TOKEN';
      data = `authorization: Bearer ${key}`;
      headers = { authorization: `Bearer ${key}` };
      body = key;
      response = { text: key };
    }
    const original = new HTTPParserError(`bad header ${key.slice(0, 20)}`);
    const cause = sanitizeCause(original) as SanitizedCause;
    expect(cause).toBeInstanceOf(SanitizedCause);
    expect(cause.name).toBe('HTTPParserError');
    expect(cause.code).toBe('HPE_INVALID_HEADER_TOKEN');
    expect(cause.message).toBe('bad header [redacted]');
    expect(Object.keys(cause).sort()).toEqual(['code']);
    for (const text of [inspect(cause, { depth: Infinity, showHidden: true }), JSON.stringify(cause), String(cause), cause.stack ?? '']) {
      expect(slicesOf(text, key)).toEqual([]);
    }
    expect(inspect(cause)).toMatch(/^SanitizedCause \[HTTPParserError\]: bad header \[redacted\]\n\s+at /);
    expect(JSON.parse(JSON.stringify(cause))).toEqual({ name: 'HTTPParserError', message: 'bad header [redacted]', code: 'HPE_INVALID_HEADER_TOKEN' });
  });

  it('sanitises a whole cause chain and the errors of an AggregateError, and cuts cycles', () => {
    const key = freshKey();
    registerSecret(key);
    const inner = Object.assign(new Error(`inner ${key}`), { data: key, code: 'ECONNREFUSED' });
    const aggregate = new AggregateError([inner, Object.assign(new Error('v6'), { code: 'ENETUNREACH', body: key })], `all failed ${key}`);
    const outer = new TypeError('fetch failed', { cause: aggregate });
    (inner as { cause?: unknown }).cause = outer; // a cycle
    const cause = sanitizeCause(outer) as SanitizedCause;
    const text = inspect(cause, { depth: Infinity, showHidden: true });
    expect(slicesOf(text, key)).toEqual([]);
    const second = cause.cause as SanitizedCause;
    expect(second.name).toBe('AggregateError');
    expect((second.errors ?? []).map((error) => (error as SanitizedCause).code)).toEqual(['ECONNREFUSED', 'ENETUNREACH']);
  });

  it('keeps SwitchyardErrors and SanitizedCauses as they are, and makes other values harmless', () => {
    const error = new SwitchyardError({ category: 'server', message: 'x' });
    expect(sanitizeCause(error)).toBe(error);
    const sanitized = sanitizeCause(new Error('y'));
    expect(sanitizeCause(sanitized)).toBe(sanitized);
    expect(sanitizeCause(undefined)).toBeUndefined();
    expect(sanitizeCause(42)).toBe(42);
    const key = freshKey();
    registerSecret(key);
    expect(sanitizeCause(`a string with ${key}`)).toBe('a string with [redacted]');
    const plain = sanitizeCause({ headers: { authorization: key } }) as SanitizedCause;
    expect(plain.message).toBe('a non-error value (Object) was thrown');
    const hostile = sanitizeCause(
      Object.defineProperty(new Error('getter'), 'code', {
        get() {
          throw new Error('no');
        },
      }),
    ) as SanitizedCause;
    expect(hostile.message).toBe('getter');
    expect(new DOMException('stop', 'AbortError')).toBeInstanceOf(Error);
    const abort = sanitizeCause(new DOMException('stop', 'AbortError')) as SanitizedCause;
    expect([abort.name, abort.className, abort.code]).toEqual(['AbortError', 'DOMException', 20]);
  });

  it('is applied to every cause a SwitchyardError is given, and survives with()', () => {
    const key = freshKey();
    registerSecret(key);
    const error = new SwitchyardError({ category: 'network', message: 'boom', cause: Object.assign(new Error('raw'), { data: key }) });
    expect(error.cause).toBeInstanceOf(SanitizedCause);
    const copy = error.with({ provider: 'p' });
    expect(copy.cause).toBe(error.cause);
    expect(slicesOf(inspect(copy, { depth: Infinity, showHidden: true }), key)).toEqual([]);
  });
});

describe('the redaction scope', () => {
  const transport: HttpTransport = {
    send: () => Promise.reject(new Error('unused')),
    close: () => Promise.resolve(),
  };

  it('every adapter registers its own key, however its settings were made (no config loader, no other router)', () => {
    for (const type of ['anthropic', 'openai', 'gemini', 'azure-openai', 'openai-compatible'] as ProviderType[]) {
      const key = shapelessSecret();
      expect(redactSecrets(key)).toBe(key);
      ADAPTER_FACTORIES[type]({
        settings: { id: `p-${type}`, type, apiKey: key, baseUrl: 'http://127.0.0.1:9', apiVersion: '2024-10-21', headers: {}, defaultMaxTokens: 16 },
        transport,
      });
      expect(redactSecrets(`x ${key} y`)).toBe('x [redacted] y');
    }
  });

  it("every JSON endpoint registers its credential headers' values (and a bearer's token alone)", () => {
    const token = shapelessSecret();
    const custom = shapelessSecret();
    jsonEndpoint({ transport, headers: { Authorization: `Token ${token}`, 'x-gateway-secret': custom, 'x-trace': 'not-a-secret-value' }, mapError: () => new SwitchyardError({ category: 'server', message: 'x' }), provider: 'p' });
    expect(redactSecrets(`${token} ${custom} not-a-secret-value`)).toBe('[redacted] [redacted] not-a-secret-value');
  });
});

describe('slots: secrets that rotate', () => {
  it('keeps only the current secrets of a slot after N replacements, each redacted whole and in fragments', () => {
    const slot = {};
    const issued: string[][] = [];
    for (let renewal = 0; renewal < 6; renewal += 1) {
      const pair = [shapelessSecret(), shapelessSecret()];
      replaceSlotSecrets(slot, [...pair, undefined, 'ab']);
      issued.push(pair);
      // Redacted from the moment they are registered.
      expect(redactSecrets(`${pair[0] ?? ''} ${pair[1] ?? ''}`)).toBe('[redacted] [redacted]');
    }
    const current = issued.pop() ?? [];
    const [key = '', token = ''] = current;
    expect(redactSecretFragments(`key ${key} cut ${token.slice(5, 17)} ab`)).toBe('key [redacted] cut [redacted] ab');
    expect(redactAndClip(`x ${token}`, 12)).toBe('x [redacted]');
    for (const [oldKey = '', oldToken = ''] of issued) {
      expect(redactSecrets(`${oldKey} ${oldToken}`)).toBe(`${oldKey} ${oldToken}`);
      expect(redactSecretFragments(`${oldKey.slice(0, 12)} ${oldToken}`)).toBe(`${oldKey.slice(0, 12)} ${oldToken}`);
    }
  });

  it('a replaced secret stays redacted while registerSecret or another slot still holds it', () => {
    const permanent = shapelessSecret();
    const shared = shapelessSecret();
    const first = {};
    const second = {};
    registerSecret(permanent);
    replaceSlotSecrets(first, [permanent, shared]);
    replaceSlotSecrets(second, [shared]);
    replaceSlotSecrets(first, [shapelessSecret()]);
    expect(redactSecrets(`${permanent} ${shared}`)).toBe('[redacted] [redacted]');
    replaceSlotSecrets(second, []);
    expect(redactSecrets(`${permanent} ${shared}`)).toBe(`[redacted] ${shared}`);
  });
});
