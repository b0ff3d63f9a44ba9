import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Every ticket on a workflow thread shares the modules of workflows/ and domain/ (they are
// preloaded: see WORKFLOW_BUNDLE_OPTIONS in workers/worker.ts), so they keep no state of their own.
const NO_MODULE_STATE = [
  { selector: "Program > VariableDeclaration[kind!='const']", message: 'Workflow modules are shared by every workflow on a thread: no module-scope let or var.' },
  { selector: "Program > ExportNamedDeclaration > VariableDeclaration[kind!='const']", message: 'Workflow modules are shared by every workflow on a thread: no module-scope let or var.' },
];

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The pure core and the workflow code must stay deterministic and free of I/O.
    files: ['domain/**/*.ts', 'workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'crypto', 'http', 'os', 'child_process'], message: 'The core and workflows do no I/O.' },
        { group: ['**/activities/*', '!**/activities/*.js'], message: 'Workflows import only types from activities.' },
      ] }],
      'no-restricted-syntax': ['error', ...NO_MODULE_STATE],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'crypto', 'http', 'os', 'child_process'], message: 'The core does no I/O.' },
        { group: ['@temporalio/*', '@slack/*', 'nodemailer', 'fastify', 'yaml', '../workflows/*', '../activities/*', '../workers/*', '../client/*'], message: 'domain/ imports nothing of Temporal, Slack, Node or the outer folders.' },
      ] }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'The core never reads a clock: time is passed in.' },
        { object: 'Math', property: 'random', message: 'The core is deterministic.' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The core never reads a clock: time is passed in.' }, ...NO_MODULE_STATE],
    },
  },
);
