/**
 * The zod schema of a duration (`30s`, `1.5s`, `250`), parsed to milliseconds; shared by every
 * config section.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

const DURATION_HINT = 'expected a duration such as 300ms, 30s, 10m or 1h, or a number of milliseconds';

/** A duration (`30s`, `1.5s`, `250`), parsed to milliseconds. */
export const durationSchema = z
  .custom<string | number>((value) => typeof value === 'string' || typeof value === 'number', { error: DURATION_HINT })
  .transform((value, context) => {
    try {
      return parseDuration(value);
    } catch (error) {
      context.issues.push({ code: 'custom', message: error instanceof Error ? error.message : DURATION_HINT, input: value });
      return z.NEVER;
    }
  });

/** A duration that must be greater than zero. */
export const positiveDurationSchema = durationSchema.refine((milliseconds) => milliseconds > 0, {
  error: 'expected a duration greater than 0',
});

