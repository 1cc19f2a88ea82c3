import { beforeAll, describe } from 'vitest';
import { describeKeyStoreContract } from './key-store-contract.js';
import { expectPostgresAnswers, hasPostgres } from './postgres-support.js';
import { postgresBackend } from './store-backends.js';

describe.skipIf(!hasPostgres)('the PostgreSQL key store (DATABASE_URL)', () => {
  beforeAll(expectPostgresAnswers);
  describeKeyStoreContract(postgresBackend);
});
