/**
 * The library's name and version, stamped into every audit record (the version lives in
 * `src/version.ts`, kept equal to package.json by a test).
 */
export { LIBRARY_VERSION } from '../version.js';

/** The package name. */
export const LIBRARY_NAME = 'switchyard';
