/**
 * The configuration loader: YAML or typed objects in, a validated `SwitchyardConfig` out.
 */
export { ConfigError } from './config-error.js';
export { DEFAULT_POLICIES } from './defaults.js';
export { parseDuration } from './duration.js';
export { defineConfig, loadConfig, parseConfig, resolveConfig } from './load.js';
export { canonicalJson } from './resolve-config.js';

export type * from './config-input.js';
