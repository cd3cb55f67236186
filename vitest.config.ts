import { defineConfig } from 'vitest/config';

// Two projects: `unit` (pure functions, no outside world, runs anywhere) and
// `integration` (real kube-apiserver, ovsdb-server, FRR; the UML kernel suites
// are driven by test/uml and run inside the guest).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.uml.test.ts', '**/*.e2e.test.ts', 'node_modules/**', '.cache/**'],
        },
      },
      {
        // Runs inside the user-mode Linux guest (test/uml/run-suite.sh): a real 6.1
        // kernel with vrf/vxlan/bridge, which the host kernel lacks.
        test: {
          name: 'uml',
          include: ['**/*.uml.test.ts'],
          exclude: ['**/*.no-vrf.uml.test.ts', 'node_modules/**', '.cache/**'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        // A kernel where the vrf module was never loaded: a guest boot of its own.
        test: {
          name: 'uml-no-vrf',
          include: ['**/*.no-vrf.uml.test.ts'],
          exclude: ['node_modules/**', '.cache/**'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        // The whole system: the host runs the API server, OVN and the operator;
        // the UML guest runs two nodes (agents + FRR) and the VMs (test/e2e/run.sh).
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          exclude: ['node_modules/**', '.cache/**'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', '.cache/**'],
          globalSetup: ['test/harness/cluster/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
