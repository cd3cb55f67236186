// typescript-eslint strict-type-checked over every TypeScript file in the repo,
// plus the size limits of the code style and the adapter boundaries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Only adapters talk to the outside world: a module on this list may be imported
// (as a value; type imports are free) only by the folders allowed below.
const outsideWorld = {
  'node:child_process':
    'only the FRR adapters (node-agent/frr/io/run-command.ts) and the drift watch run processes; the node agent reads OVS through lib/ovsdb',
  child_process: 'use node:child_process, and only where processes are allowed',
  netlink: "netlink is the kernel adapter's: node-agent/kernel/netlink/",
  '@kubernetes/client-node': "the kube client is lib/kube's (type imports are fine)",
};

// Product code never imports test code: harnesses, fixtures, oracles and generators
// live under test/ (or are *.test.ts files); a production file that reached them
// would ship them, or come to depend on a harness.
const testCode = {
  regex: '(^|/)(test|testdata)/|\\.test(\\.ts)?$',
  message:
    'production code does not import test code (test/, testdata/, *.test.ts): move the shared piece into the product, or the test support under test/',
};

/**
 * `@typescript-eslint/no-restricted-imports` for every module of `outsideWorld` but
 * `allowed`, and always the test-code boundary.
 */
function restrictImports(...allowed) {
  const paths = Object.entries(outsideWorld)
    .filter(([name]) => !allowed.includes(name))
    .map(([name, why]) => ({ name, message: why, allowTypeImports: true }));
  return { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns: [testCode] }] };
}

// Tests, test support and tooling run tools and start components freely.
const free = ['**/*.test.ts', '**/testdata/**', 'test/**', 'bench/**', 'cli/**', 'deploy/**', 'crds/generate.ts'];
// Tests and their support may import each other too.
const tests = ['**/*.test.ts', '**/testdata/**', 'test/**', 'bench/**', 'deploy/test/**'];

export default tseslint.config(
  { ignores: ['node_modules/**', '.cache/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The anchors' limits (docs: ../shared/notes/style.md): small functions, shallow
      // nesting, few parameters (more go in an options object).
      // 'modified': a switch counts once, so a flat dispatch over kinds is not penalised per case.
      complexity: ['error', { max: 15, variant: 'modified' }],
      'max-depth': ['error', 4],
      'max-params': ['error', 5],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
      ...restrictImports(),
    },
  },
  // The adapters, each allowed its own outside world.
  { files: ['node-agent/kernel/netlink/**'], rules: restrictImports('netlink') },
  { files: ['node-agent/frr/io/run-command.ts'], rules: restrictImports('node:child_process') },
  // `ip monitor` / `bridge monitor`: a netlink monitor socket aborts the process (see the file).
  { files: ['node-agent/kernel/netlink/drift-watch.ts'], rules: restrictImports('netlink', 'node:child_process') },
  { files: ['lib/kube/**'], rules: restrictImports('@kubernetes/client-node') },
  // A kubeconfig's exec credential plugin: one run per credential expiry, never per request.
  { files: ['lib/kube/exec-credential.ts'], rules: restrictImports('@kubernetes/client-node', 'node:child_process') },
  { files: free, rules: restrictImports(...Object.keys(outsideWorld)) },
  { files: tests, rules: { '@typescript-eslint/no-restricted-imports': 'off' } },
  // A test reads as a list of cases: a describe block is as long as its cases.
  { files: ['**/*.test.ts'], rules: { 'max-lines-per-function': 'off' } },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
