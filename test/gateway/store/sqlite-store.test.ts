import { describe } from 'vitest';
import { describeKeyStoreContract } from './key-store-contract.js';
import { sqliteBackend } from './store-backends.js';

describe('the embedded SQLite key store', () => {
  describeKeyStoreContract(sqliteBackend);
});
