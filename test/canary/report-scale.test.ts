import { describe, expect, it } from 'vitest';
import { escapeMarkup, wrapText } from '../../src/canary/report-markup.js';
import { millisecondTicks, niceStep, niceTicks, rateTicks, timeTicks } from '../../src/canary/report-scale.js';

const T0 = Date.UTC(2025, 0, 1);

describe('nice ticks', () => {
  it('steps are 1, 2, 2.5 or 5 × 10^k', () => {
    expect([0.0031, 0.011, 0.9, 7, 130, 2_400].map((span) => niceStep(span, 5))).toEqual([0.001, 0.0025, 0.2, 2, 50, 500]);
  });

  it('labels small rates with as many decimals as it takes for adjacent labels to differ', () => {
    expect(rateTicks(0.003).labels).toEqual(['0.0%', '0.1%', '0.2%', '0.3%']);
    expect(rateTicks(0.0031).labels).toEqual(['0.0%', '0.1%', '0.2%', '0.3%', '0.4%']);
    expect(rateTicks(0.00031).labels).toEqual(['0.00%', '0.01%', '0.02%', '0.03%', '0.04%']);
    expect(rateTicks(0.011).labels).toEqual(['0.00%', '0.25%', '0.50%', '0.75%', '1.00%', '1.25%']);
    expect(rateTicks(0.04).labels).toEqual(['0%', '1%', '2%', '3%', '4%']);
    expect(rateTicks(0).labels).toEqual(['0.0%', '0.2%', '0.4%', '0.6%', '0.8%', '1.0%']);
    for (const high of [0.00017, 0.0023, 0.013, 0.07, 0.31, 1]) {
      const { labels, values } = rateTicks(high);
      expect(new Set(labels).size, String(high)).toBe(labels.length);
      expect(values[values.length - 1]).toBeGreaterThanOrEqual(high);
    }
  });

  it('covers ranges away from zero, and shows long latencies in seconds', () => {
    expect(niceTicks(0.1031, 0.1049, { count: 4 }).labels).toEqual(['0.1030', '0.1035', '0.1040', '0.1045', '0.1050']);
    expect(millisecondTicks(1_440).labels).toEqual(['0ms', '500ms', '1000ms', '1500ms']);
    expect(millisecondTicks(23_000).labels).toEqual(['0s', '5s', '10s', '15s', '20s', '25s']);
  });
});

describe('time ticks', () => {
  it('falls on round UTC instants, the first and each new day with the date', () => {
    expect(timeTicks(T0, T0 + 32 * 60_000).labels).toEqual(['01-01 00:00', '00:05', '00:10', '00:15', '00:20', '00:25', '00:30']);
    expect(timeTicks(T0 + 90_000, T0 + 150_000).labels).toEqual(['01-01 00:01:30', '00:01:40', '00:01:50', '00:02:00', '00:02:10', '00:02:20', '00:02:30']);
    expect(timeTicks(T0 - 3 * 3_600_000, T0 + 6 * 3_600_000).labels).toEqual(['12-31 22:00', '01-01 00:00', '02:00', '04:00', '06:00']);
    expect(timeTicks(T0, T0 + 20 * 86_400_000).labels).toEqual(['01-01', '01-08', '01-15']);
  });
});

describe('markup', () => {
  it('escapes markup and drops characters XML cannot hold', () => {
    expect(escapeMarkup(`a<b>&"c"'d\u0000\u0007e`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&#39;d\ufffd\ufffde');
  });

  it('wraps at spaces and cuts the last line', () => {
    expect(wrapText('one two three four five six', 10, 2)).toEqual(['one two', 'three fou…']);
    expect(wrapText('short', 10, 2)).toEqual(['short']);
  });
});
