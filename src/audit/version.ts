/**
 * The library's name and version, stamped into every audit record. A constant rather than a read of
 * package.json at run time, which bundling would break; a test keeps it equal to package.json.
 */

/** The package name. */
export const LIBRARY_NAME = 'switchyard';

/** The package version (kept equal to package.json's `version` by `test/audit/version.test.ts`). */
export const LIBRARY_VERSION = '0.1.0';
