import { describe, expect, it } from 'vitest';
import { interpolateString, interpolateValues } from '../../src/config/interpolate.js';
import { SwitchyardError } from '../../src/errors.js';

describe('interpolateString', () => {
  const env = { HOST: 'api.example.com', EMPTY: '', PORT: '8443' };

  it('replaces ${NAME} with the variable', () => {
    expect(interpolateString('https://${HOST}:${PORT}/v1', env)).toBe('https://api.example.com:8443/v1');
  });

  it('uses the default when the variable is unset or empty', () => {
    expect(interpolateString('${MISSING:-fallback}', env)).toBe('fallback');
    expect(interpolateString('${EMPTY:-fallback}', env)).toBe('fallback');
    expect(interpolateString('${HOST:-fallback}', env)).toBe('api.example.com');
    expect(interpolateString('${MISSING:-}', env)).toBe('');
    expect(interpolateString('${MISSING:-http://127.0.0.1:3000/v1}', env)).toBe('http://127.0.0.1:3000/v1');
  });

  it('keeps an empty variable empty without a default', () => {
    expect(interpolateString('[${EMPTY}]', env)).toBe('[]');
  });

  it('treats $${ as a literal ${ and leaves other dollars alone', () => {
    expect(interpolateString('$${HOST}', env)).toBe('${HOST}');
    expect(interpolateString('cost: $5 and $$ and $${X} and ${PORT}', env)).toBe('cost: $5 and $$ and ${X} and 8443');
    expect(interpolateString('ends with $', env)).toBe('ends with $');
  });

  it('fails on an unset variable, naming it', () => {
    expect(() => interpolateString('${NOT_SET}', env)).toThrow(/environment variable NOT_SET is not set/);
    try {
      interpolateString('${NOT_SET}', env);
    } catch (error) {
      expect(SwitchyardError.isInstance(error) && error.category).toBe('config');
    }
  });

  it('fails on malformed expressions', () => {
    expect(() => interpolateString('${HOST', env)).toThrow(/unterminated/);
    expect(() => interpolateString('${}', env)).toThrow(/empty name/);
    expect(() => interpolateString('${1ABC}', env)).toThrow(/"1ABC"/);
    expect(() => interpolateString('${A-B}', env)).toThrow(/variable name/);
  });

  it('reads process.env by default', () => {
    process.env.SWITCHYARD_TEST_INTERPOLATION = 'from-process';
    try {
      expect(interpolateString('${SWITCHYARD_TEST_INTERPOLATION}')).toBe('from-process');
    } finally {
      delete process.env.SWITCHYARD_TEST_INTERPOLATION;
    }
  });
});

describe('interpolateValues', () => {
  it('walks objects and arrays, interpolates string values only and leaves keys alone', () => {
    const input = { '${KEY}': '${VALUE}', list: ['${VALUE}', 3, true, null], nested: { deep: '${VALUE:-x}' } };
    const { value, problems } = interpolateValues(input, { VALUE: 'v', KEY: 'k' });
    expect(problems).toEqual([]);
    expect(value).toEqual({ '${KEY}': 'v', list: ['v', 3, true, null], nested: { deep: 'v' } });
    expect(input.list[0]).toBe('${VALUE}');
  });

  it('reports every failure with its path and keeps going', () => {
    const { problems } = interpolateValues({ providers: { a: { apiKey: '${A_KEY}' } }, routes: [{ x: '${B_KEY}' }] }, {});
    expect(problems).toEqual([
      { path: ['providers', 'a', 'apiKey'], message: expect.stringContaining('A_KEY is not set') },
      { path: ['routes', 0, 'x'], message: expect.stringContaining('B_KEY is not set') },
    ]);
  });
});
