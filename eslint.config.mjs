import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  // every TypeScript file, tests too: `npm test` type-checks them, and an unsafe `any` in a test
  // hides a wrong assertion as well as it hides a bug in src
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // ports, counts and durations print as themselves in messages
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(body) => inbox.put(body)` callbacks and `return fail(...)` in a void function are one clear line
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true },
      ],
      // in-memory providers implement async interfaces: `async` keeps their throws rejections
      '@typescript-eslint/require-await': 'off',
      // null objects (the no-op reporter, the standalone RPC client) are empty by design
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  {
    // README's fragments declare the classes they mention, empty: the fragment is what matters
    files: ['docs/snippets/**'],
    rules: { '@typescript-eslint/no-extraneous-class': 'off' },
  },
  {
    files: ['**/test/**/*.ts'],
    rules: {
      // a wrong `!` in a test fails that test at once; in src it would crash a server
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `afterAll(() => server?.stop())`: the variable is unset when `beforeAll` failed, whatever its type says
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // jest's asymmetric matchers (expect.any, expect.objectContaining...) are typed `any`
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // copied into users' projects, which have no lint: no lint comments in them. Their tests load
    // the NATS and etcd providers with require() only when the environment names those servers
    files: ['packages/create-pitaya-ts/templates/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['packages/protocol/src/**/*.ts', 'packages/core/src/net/ws-frame-reader.ts'],
    rules: {
      // the codecs read bytes at offsets they checked against the length: a guard per byte would cost
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // plain JavaScript (bench, scripts, fixtures) is in no TypeScript program: syntax rules only
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  prettier,
);
