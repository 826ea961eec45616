// ESLint (flat config): JavaScript's and typescript-eslint's recommended rules, run by `npm run lint`
// (and so by `.ci/run`). Type checking itself is `npm run typecheck`.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Dot-files are scratch files nobody commits.
  { ignores: ['node_modules/**', 'models/**', 'test-results/**', 'bench/results/**', '**/.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // The web chat's page script runs in the browser; the .mjs scripts and bin/ run on Node.
  { files: ['adapters/web/public/**/*.js'], languageOptions: { globals: globals.browser } },
  { files: ['**/*.mjs', 'bin/**/*.js'], languageOptions: { globals: globals.node } },
  // A `let` set once later but read by a callback made before that (a timer, a stop hook) cannot be a `const`.
  { rules: { 'prefer-const': ['error', { ignoreReadBeforeAssign: true }] } },
  // An adapter (and the composition root adapters/main.ts) reaches the engine only through its public
  // entry point, src/index.ts: what it needs is exported there, never imported from a module behind it.
  {
    files: ['adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)src/(?!index\\.ts$)',
              message:
                'Import the engine from src/index.ts (its one public entry point); export what is missing there.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/(^|\\/)src\\/(?!index\\.ts$)/]',
          message: 'Import the engine from src/index.ts (its one public entry point); export what is missing there.',
        },
      ],
    },
  },
);
