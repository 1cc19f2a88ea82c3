// ESLint: typescript-eslint's strict, type-checked rules, with the few that fight this code base's
// idioms relaxed (each says why).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', '.build-*/**', 'node_modules/**', 'coverage/**', '*.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers and booleans in messages read fine; objects and undefined still are errors.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => void doThing()` and `(x) => listener(x)` shorthands are how callbacks are written here.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Interface methods that return promises are written `async` so a throw becomes a rejection.
      '@typescript-eslint/require-await': 'off',
      // Stream layers pass an upstream failure on as it came; it is an Error by the time it was thrown.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // With noUncheckedIndexedAccess, `array[index]!` after a bounds check is the idiom; `as T` would be no safer.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Plain objects serve as small maps in config resolution; `delete` on them is intended.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // `_name` marks a parameter an interface requires but this implementation does not read.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read wire bodies as untyped JSON and hand `expect.any(...)` matchers around; typing every
    // one of them would hide what a test checks. They also check at run time what the types claim
    // (a wire field's value, a deprecated field still filled in for older readers).
    files: ['test/**/*.ts', '**/*.test.ts', 'providers/**/integration-suite.ts'],
    rules: {
      '@typescript-eslint/no-deprecated': 'off',
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
