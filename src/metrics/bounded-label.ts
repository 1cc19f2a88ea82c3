/**
 * Keeps a label's values bounded: values known in advance always pass, a few more are admitted as
 * they first appear, and anything past that folds into `other`. A metric's series then stay
 * bounded even when callers choose the value (direct `provider/model` addressing, intent tags).
 */

/** Maps raw values to bounded label values. */
export type BoundedLabel = (value: string) => string;

/** The value unknown labels fold into. */
export const OTHER_LABEL = 'other';

/**
 * Creates a bounded label over `known` values, admitting up to `extra` more before folding the
 * rest into `other` (`extra: 0` folds every unknown value at once).
 */
export function createBoundedLabel(known: Iterable<string>, extra: number): BoundedLabel {
  const admitted = new Set(known);
  let room = extra;
  return (value) => {
    if (admitted.has(value)) return value;
    if (room <= 0) return OTHER_LABEL;
    room -= 1;
    admitted.add(value);
    return value;
  };
}
