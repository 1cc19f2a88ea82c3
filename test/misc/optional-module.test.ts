import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { loadOptionalModule } from '../../src/optional-module.js';

describe('optional peer dependencies', () => {
  it('a missing package is a config error saying what to install', async () => {
    const specifier: string = '@switchyard-test/not-installed-signer';
    let failure: unknown;
    try {
      await loadOptionalModule(specifier, 'Bedrock', () => import(specifier));
    } catch (error) {
      failure = error;
    }
    expect(SwitchyardError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ category: 'config', message: 'install @switchyard-test/not-installed-signer to use Bedrock (npm i @switchyard-test/not-installed-signer)' });
  });

  it('an installed package loads, and other failures pass through unchanged', async () => {
    const module = await loadOptionalModule('@smithy/signature-v4', 'Bedrock', () => import('@smithy/signature-v4'));
    expect(typeof module.SignatureV4).toBe('function');
    const broken = new TypeError('the module threw while loading');
    await expect(loadOptionalModule('@smithy/signature-v4', 'Bedrock', () => Promise.reject(broken))).rejects.toBe(broken);
  });
});
