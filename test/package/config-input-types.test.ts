/**
 * The public input types are written by hand (so the declarations do not expose zod); this keeps
 * them equal to what the zod schemas accept. A difference is a type error in `npm run typecheck`
 * (vitest's `expectTypeOf` compares deeply: a key missing, added, made optional or given another
 * type on either side fails).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { PoliciesInput, SwitchyardConfigInput } from '../../src/config/config-input.js';
import type { configSchema, policiesSchema } from '../../src/config/schema.js';
import type { CallPolicies, SwitchyardConfigInput as PublicConfigInput } from '../../src/index.js';

describe('hand-written config input types', () => {
  it('equal the zod schemas’ input types', () => {
    expectTypeOf<SwitchyardConfigInput>().toEqualTypeOf<z.input<typeof configSchema>>();
    expectTypeOf<PoliciesInput>().toEqualTypeOf<z.input<typeof policiesSchema>>();
    expect(true).toBe(true);
  });

  it('are the ones the public API exports', () => {
    expectTypeOf<PublicConfigInput>().toEqualTypeOf<SwitchyardConfigInput>();
    expectTypeOf<CallPolicies>().toEqualTypeOf<PoliciesInput>();
    expect(true).toBe(true);
  });
});
