/**
 * The library's version, for audit records and spans. A constant (not read from package.json at
 * run time, which a bundle may not ship); a test keeps it equal to package.json's version.
 */
export const LIBRARY_VERSION = '0.1.0';
