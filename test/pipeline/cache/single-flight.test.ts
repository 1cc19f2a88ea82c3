import { describe, expect, it } from 'vitest';
import { createSingleFlight } from '../../../src/pipeline/cache/single-flight.js';
import { deferred } from '../../support/deferred.js';

describe('createSingleFlight', () => {
  it('runs the work once for 20 concurrent identical keys', async () => {
    const flights = createSingleFlight<string>();
    const gate = deferred<string>();
    let calls = 0;
    const work = (): Promise<string> => {
      calls += 1;
      return gate.promise;
    };
    const runs = Array.from({ length: 20 }, () => flights.run('same', work));
    expect(runs.filter((run) => !run.shared)).toHaveLength(1);
    expect(runs[0]?.shared).toBe(false);
    gate.resolve('answer');
    expect(await Promise.all(runs.map((run) => run.promise))).toEqual(Array(20).fill('answer'));
    expect(calls).toBe(1);
    expect(flights.size).toBe(0);
  });

  it('keeps different keys apart', async () => {
    const flights = createSingleFlight<string>();
    const a = flights.run('a', async () => 'A');
    const b = flights.run('b', async () => 'B');
    expect(a.shared || b.shared).toBe(false);
    expect([await a.promise, await b.promise]).toEqual(['A', 'B']);
  });

  it('shares a failure with everyone waiting but does not remember it', async () => {
    const flights = createSingleFlight<string>();
    const gate = deferred<string>();
    let calls = 0;
    const runs = Array.from({ length: 5 }, () =>
      flights.run('k', () => {
        calls += 1;
        return gate.promise;
      }),
    );
    const failure = new Error('upstream down');
    gate.reject(failure);
    const results = await Promise.allSettled(runs.map((run) => run.promise));
    expect(results.every((result) => result.status === 'rejected' && result.reason === failure)).toBe(true);
    expect(flights.size).toBe(0);

    const retry = flights.run('k', async () => {
      calls += 1;
      return 'recovered';
    });
    expect(retry.shared).toBe(false);
    expect(await retry.promise).toBe('recovered');
    expect(calls).toBe(2);
  });

  it('turns a synchronous throw into a rejection and forgets the key', async () => {
    const flights = createSingleFlight<string>();
    const run = flights.run('k', () => {
      throw new Error('sync');
    });
    await expect(run.promise).rejects.toThrow('sync');
    expect(flights.size).toBe(0);
  });

  it('has forgotten the key by the time a caller sees the result', async () => {
    const flights = createSingleFlight<number>();
    let calls = 0;
    const work = async (): Promise<number> => (calls += 1);
    const first = flights.run('k', work);
    const second = await first.promise.then(() => flights.run('k', work));
    expect(second.shared).toBe(false);
    expect(await second.promise).toBe(2);
  });

  it('settles once, before any caller sees the value, and every caller gets what settle returned', async () => {
    const flights = createSingleFlight<string>();
    const gate = deferred<string>();
    const settled: { value: string; inFlight: number }[] = [];
    const settle = (value: string): string => {
      settled.push({ value, inFlight: flights.size });
      return `${value} (stored)`;
    };
    const runs = Array.from({ length: 3 }, () => flights.run('k', () => gate.promise, settle));
    gate.resolve('answer');
    const seen = await Promise.all(runs.map((run) => run.promise.then((value) => ({ value, settleCalls: settled.length }))));
    expect(seen).toEqual(Array(3).fill({ value: 'answer (stored)', settleCalls: 1 }));
    expect(settled).toEqual([{ value: 'answer', inFlight: 0 }]);
  });

  it('does not settle a failed run', async () => {
    const flights = createSingleFlight<string>();
    let settleCalls = 0;
    const run = flights.run('k', () => Promise.reject(new Error('down')), (value) => {
      settleCalls += 1;
      return value;
    });
    await expect(run.promise).rejects.toThrow('down');
    expect(settleCalls).toBe(0);
    expect(flights.size).toBe(0);
  });
});
