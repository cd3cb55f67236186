// The OCI images of `make images` (deploy/images/build.sh), loaded and run with
// podman: each entry point answers, the FRR image starts FRR the way the chart
// runs the sidecar and the agent image reaches it through vtysh, and the
// operator image, on the host network, takes the lease of a real kube-apiserver
// and mirrors a network from real OVN databases. podman's settings for these
// machines (runc, rlimits, cgroupfs) come from deploy/images/containers.conf.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvpnNetwork } from '../../crds/index.ts';
import { driverExternalIds } from '../../test/fixtures/mirror/driver-rows.ts';
import { evpnResources } from '../../crds/resources.ts';
import { getObject, leaseHolder, startKubeEnv, type KubeEnv } from '../../test/harness/operator/kube-env.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import { addNetwork, lsName } from '../../test/harness/operator/ovn-driver.ts';
import { startOvnDatabases, type OvnDatabases } from '../../test/harness/ovn/ovn-databases.ts';
import { lockedVersion } from '../../test/harness/stack/stack.ts';
import { repoRoot, run, type RunResult } from './deploy-env.ts';

const env = { ...process.env, CONTAINERS_CONF: join(repoRoot, 'deploy/images/containers.conf') };
const podman = (args: readonly string[]): Promise<RunResult> => run('podman', args, { env });
async function mustPodman(args: readonly string[]): Promise<string> {
  const r = await podman(args);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} failed (${String(r.code)}): ${r.stderr}`);
  return r.stdout;
}

type Name = 'frr' | 'node-agent' | 'operator';
interface Image {
  archive: string;
  ref: string;
}
const images = {} as Record<Name, Image>;
const containers: string[] = [];
const tmpDirs: string[] = [];
const containerName = (what: string): string => {
  const n = `evpn-image-test-${what}-${randomUUID().slice(0, 8)}`;
  containers.push(n);
  return n;
};
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'evpn-image-test-'));
  tmpDirs.push(d);
  return d;
};

beforeAll(async () => {
  const version = await run('podman', ['--version'], { env }).catch((err: unknown) => ({
    code: -1,
    stdout: '',
    stderr: String(err),
  }));
  if (version.code !== 0) throw new Error(`podman is not usable (run make setup-apt): ${version.stderr}`);
  const list = await run(join(repoRoot, 'deploy/images/build.sh'), ['--list']);
  const lines = list.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(' '));
  const missing = lines.filter(
    ([, archive]) => archive === undefined || !statSync(archive, { throwIfNoEntry: false })?.isFile(),
  );
  if (list.code !== 0 || missing.length > 0) {
    throw new Error(
      `the image archives are missing or older than their inputs: run \`make images\` (deploy/images/build.sh) first.\n${list.stdout}${list.stderr}`,
    );
  }
  for (const [name, archive = '', ref = ''] of lines) images[name as Name] = { archive, ref };
  for (const { archive, ref } of Object.values(images)) {
    const out = await mustPodman(['load', '--quiet', '--input', archive]);
    expect(out).toContain(ref);
  }
});

afterAll(async () => {
  if (containers.length > 0) await podman(['rm', '--force', '--ignore', '--time', '0', ...containers]);
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** `podman run --rm` of an image with no network, with the chart's hardening. */
function runIn(
  name: Name,
  args: readonly string[],
  opts: { entrypoint?: string; extra?: readonly string[] } = {},
): Promise<RunResult> {
  return podman([
    'run',
    '--rm',
    '--network',
    'none',
    '--read-only',
    '--cap-drop',
    'all',
    '--security-opt',
    'no-new-privileges',
    ...(opts.entrypoint !== undefined ? ['--entrypoint', opts.entrypoint] : []),
    ...(opts.extra ?? []),
    images[name].ref,
    ...args,
  ]);
}

describe('the image archives', () => {
  it.each([
    // User 0 without a group, so that the runtime adds root's groups (frrvty) from /etc/group.
    ['frr', '0', ['/usr/lib/frr/frr-start.sh']],
    ['node-agent', '0', ['/opt/ovn-evpn/bin/evpn-node-agent']],
    [
      'operator',
      '42494:42494',
      ['/usr/local/bin/node', '--max-semi-space-size=16', '--heap-growing-percent=50', '/opt/ovn-evpn/operator/run.ts'],
    ],
  ] as const)('%s: user %s, entry point %j, size within budget', async (name, user, entrypoint) => {
    const [inspected] = JSON.parse(await mustPodman(['image', 'inspect', images[name].ref])) as [
      { Size: number; Config: { User: string; Entrypoint: string[] } },
    ];
    expect(inspected.Config.User).toBe(user);
    expect(inspected.Config.Entrypoint).toEqual(entrypoint);
    const archiveMb = statSync(images[name].archive).size / 2 ** 20;
    const unpackedMb = inspected.Size / 2 ** 20;
    process.stdout.write(
      `image evpn-${name}: archive ${archiveMb.toFixed(0)} MB, unpacked ${unpackedMb.toFixed(0)} MB\n`,
    );
    // Node 24 alone is ~105 MB unpacked; FRR's root ~135 MB.
    expect(archiveMb).toBeLessThan(150);
    expect(unpackedMb).toBeLessThan(400);
  });

  it.each(['node-agent', 'operator'] as const)(
    '%s ships production code only: no tests, no dev dependencies',
    async (name) => {
      // The operator image has no shell: node lists its own files.
      const script = `const fs = require('node:fs');
      const top = fs.readdirSync('/opt/ovn-evpn/node_modules');
      console.log(JSON.stringify({ modules: top.flatMap((m) => m.startsWith('@') ? fs.readdirSync('/opt/ovn-evpn/node_modules/' + m).map((s) => m + '/' + s) : [m]),
        tests: fs.readdirSync('/opt/ovn-evpn', { recursive: true }).filter((f) => !f.startsWith('node_modules/') && /\\.test\\.ts$|(^|\\/)(testing|fixtures)\\//.test(f)) }));`;
      const r = await runIn(name, ['-e', script], { entrypoint: '/usr/local/bin/node' });
      expect(r.code, r.stderr).toBe(0);
      const { modules, tests } = JSON.parse(r.stdout) as { modules: string[]; tests: string[] };
      expect(modules).toContain('pino');
      expect(modules).toContain('@kubernetes/client-node');
      if (name === 'node-agent') expect(modules).toContain('netlink');
      for (const dev of [
        'vitest',
        'typescript',
        'eslint',
        'typescript-eslint',
        '@eslint/js',
        '@vitest/spy',
        '.vitest-cache',
        '.vite',
      ])
        expect(modules).not.toContain(dev);
      expect(tests).toEqual([]);
    },
  );
});

// The FRR of the current test world's lock (test/stack/current.lock), the one the suites run.
const frrVersion = lockedVersion('frr');

describe('evpn-frr', () => {
  it(`carries the test world's FRR ${frrVersion} (test/stack/current.lock): zebra --version, vtysh --help`, async () => {
    const zebra = await runIn('frr', ['--version'], { entrypoint: '/usr/lib/frr/zebra' });
    expect(zebra.code).toBe(0);
    expect(zebra.stdout).toMatch(new RegExp(`^zebra version ${frrVersion.replaceAll('.', '\\.')}$`, 'm'));
    // FRR 10 has no `vtysh --version`; its --help names the version.
    const vtysh = await runIn('frr', ['--help'], { entrypoint: 'vtysh' });
    expect(vtysh.code).toBe(0);
    expect(vtysh.stdout).toContain(`Integrated shell for FRR (version ${frrVersion})`);
  });

  it('starts FRR as the chart runs the sidecar, and the agent image drives it through vtysh and frr-reload.py', async () => {
    // /etc/frr as the node-init container writes it: the agent image's node runs the agent's own
    // renderer on the node-bgp.json node-init.sh hands over. emptyDirs are mode 0777.
    const etc = tempDir();
    const runDir = tempDir();
    const shared = tempDir();
    chmodSync(etc, 0o777);
    chmodSync(runDir, 0o777);
    writeFileSync(
      join(shared, 'node-bgp.json'),
      JSON.stringify({
        frr: {
          asn: 4200049263,
          routerId: '10.0.192.111',
          underlayNeighbors: [{ address: '10.0.192.1', remoteAs: 65001, timers: { keepalive: 3, hold: 10 } }],
          advertiseNetworks: [],
        },
      }),
    );
    const gen = await runIn(
      'node-agent',
      [
        '/opt/ovn-evpn/node-agent/frr/write-boot-files.ts',
        '--node-bgp',
        '/run/ovn-evpn/node-bgp.json',
        '--dir',
        '/etc/frr',
      ],
      {
        entrypoint: '/usr/local/bin/node',
        extra: ['--volume', `${etc}:/etc/frr`, '--volume', `${shared}:/run/ovn-evpn:ro`],
      },
    );
    expect(gen.stderr).toBe('');
    expect(gen.code).toBe(0);
    const frr = containerName('frr');
    // The sidecar's securityContext: read-only root, only the listed capabilities;
    // emptyDirs for FRR's run, lib, log and tmp directories.
    await mustPodman([
      'run',
      '--detach',
      '--name',
      frr,
      '--network',
      'none',
      '--read-only',
      '--security-opt',
      'no-new-privileges',
      '--cap-drop',
      'all',
      ...[
        'NET_ADMIN',
        'NET_RAW',
        'SYS_ADMIN',
        'NET_BIND_SERVICE',
        'SETUID',
        'SETGID',
        'CHOWN',
        'FOWNER',
        'KILL',
      ].flatMap((c) => ['--cap-add', c]),
      '--volume',
      `${etc}:/etc/frr`,
      '--volume',
      `${runDir}:/var/run/frr`,
      ...['/var/lib/frr', '/var/log/frr', '/var/tmp/frr', '/tmp'].flatMap((d) => ['--tmpfs', d]),
      images.frr.ref,
    ]);
    const config = await waitFor(
      'FRR to answer vtysh',
      async () => {
        const r = await podman(['exec', frr, 'vtysh', '-c', 'show running-config']);
        return r.code === 0 && r.stdout.includes('router bgp') ? r.stdout : undefined;
      },
      { timeoutMs: 60_000, stepMs: 250 },
    ).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\nlogs: ${(await podman(['logs', frr])).stderr}`);
    });
    expect(config).toContain('router bgp 4200049263');
    expect(config).toContain('neighbor 10.0.192.1 remote-as 65001');

    // The agent container: root in group frrvty, no capabilities, read-only root.
    const agentMounts = [
      '--volume',
      `${etc}:/etc/frr`,
      '--volume',
      `${runDir}:/var/run/frr`,
      '--tmpfs',
      '/var/log/frr',
      '--tmpfs',
      '/tmp',
    ];
    const version = await runIn('node-agent', ['-c', 'show version'], { entrypoint: 'vtysh', extra: agentMounts });
    expect(version.stderr).toBe('');
    expect(version.stdout).toContain(`FRRouting ${frrVersion} `);
    const reload = await runIn('node-agent', ['--test', '--stdout', '/etc/frr/frr.conf'], {
      entrypoint: '/usr/lib/frr/frr-reload.py',
      extra: agentMounts,
    });
    expect(reload.code, reload.stdout + reload.stderr).toBe(0);

    // SIGTERM stops watchfrr and the daemons well within the pod's grace period.
    const started = Date.now();
    await mustPodman(['stop', '--time', '20', frr]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('evpn-node-agent', () => {
  it('answers --help (usage, exit 2) with every module loaded', async () => {
    const r = await runIn('node-agent', ['--help']);
    expect(r.stderr).toContain('usage: evpn-node-agent --vtep-ip IP');
    expect(r.code).toBe(2);
  });

  it("loads the netlink addon and has what node-init.sh needs (with node-init's NET_RAW); root is in frrvty", async () => {
    const addon = await runIn(
      'node-agent',
      ['--input-type=module', '-e', "const m = await import('netlink'); console.log(Object.keys(m).length > 0)"],
      { entrypoint: 'node' },
    );
    expect(addon.stderr).toBe('');
    expect(addon.stdout.trim()).toBe('true');
    const tools = await runIn('node-agent', ['-c', 'set -e; ip -V; jq --version; ping -V; id -Gn; node --version'], {
      entrypoint: 'bash',
      extra: ['--cap-add', 'NET_RAW'],
    });
    expect(tools.code, tools.stderr).toBe(0);
    expect(tools.stdout).toMatch(/^ip utility, iproute2-/m);
    expect(tools.stdout).toMatch(/^jq-1\./m);
    expect(tools.stdout).toMatch(/^ping from iputils/m);
    expect(tools.stdout).toMatch(/^root.*\bfrrvty\b/m);
    expect(tools.stdout).toMatch(/^v24\./m);
  });
});

describe('evpn-operator', () => {
  let kube: KubeEnv;
  let ovn: OvnDatabases;
  beforeAll(async () => {
    [kube, ovn] = await Promise.all([startKubeEnv(), startOvnDatabases()]);
  });
  afterAll(async () => {
    // Unset when the archives were missing and the file's beforeAll failed first.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    await Promise.all([ovn?.stop(), kube?.stop()]);
  });

  it('answers --help', async () => {
    const r = await runIn('operator', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: evpn-operator --ovn-nb REMOTE --ovn-sb REMOTE');
  });

  it('on the host network: takes the lease, mirrors a network from OVN, stops cleanly on SIGTERM', async () => {
    const kubeconfig = join(tempDir(), 'kubeconfig');
    writeFileSync(kubeconfig, await kube.kubectl(['config', 'view', '--flatten', '--raw']), { mode: 0o644 });
    const lease = `evpn-image-${randomUUID().slice(0, 8)}`;
    const op = containerName('operator');
    await mustPodman([
      'run',
      '--detach',
      '--name',
      op,
      '--network',
      'host',
      '--read-only',
      '--cap-drop',
      'all',
      '--security-opt',
      'no-new-privileges',
      '--volume',
      `${kubeconfig}:/etc/ovn-evpn/kubeconfig:ro`,
      '--env',
      'KUBECONFIG=/etc/ovn-evpn/kubeconfig',
      '--env',
      'LOG_LEVEL=info',
      images.operator.ref,
      '--ovn-nb',
      ovn.nbRemote.tcp,
      '--ovn-sb',
      ovn.sbRemote.tcp,
      '--metrics-addr',
      '127.0.0.1:0',
      '--identity',
      op,
      '--lease-namespace',
      'default',
      '--lease-name',
      lease,
      '--retry-period',
      '500ms',
    ]);
    const logs = async (): Promise<string> => (await podman(['logs', op])).stdout;
    const holder = (): Promise<string | undefined> => leaseHolder(kube.client, lease);

    const failWithLogs = async (err: unknown): Promise<never> => {
      throw new Error(`${String(err)}\noperator logs:\n${await logs()}${(await podman(['logs', op])).stderr}`);
    };
    expect(
      await waitFor('the operator to hold the lease', holder, { timeoutMs: 60_000, stepMs: 250 }).catch(failWithLogs),
    ).toBe(op);
    expect(
      (await mustPodman(['exec', op, '/usr/local/bin/node', '-p', 'process.getuid() + ":" + process.getgid()'])).trim(),
    ).toBe('42494:42494');

    const networkId = randomUUID();
    await addNetwork(
      ovn.nbctl,
      networkId,
      driverExternalIds({ vni: 93000, type: 'l3', routeTargets: ['65000:93000'] }),
    );
    const network = await waitFor(
      'the EvpnNetwork',
      () => getObject<EvpnNetwork>(kube.client, evpnResources.networks, networkId),
      { timeoutMs: 30_000, stepMs: 100 },
    ).catch(failWithLogs);
    expect(network.metadata.name).toBe(networkId);

    const portLine =
      (await logs())
        .split('\n')
        .map((l): Record<string, unknown> => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return {};
          }
        })
        .find((l) => l['msg'] === 'probe server listening') ?? {};
    const metrics = await (await fetch(`http://127.0.0.1:${String(portLine['port'])}/metrics`)).text();
    expect(metrics).toMatch(/^evpn_operator_leader 1$/m);
    expect(metrics).toMatch(/^evpn_operator_mirrored_objects\{kind="EvpnNetwork"\} [1-9]/m);

    await mustPodman(['stop', '--time', '20', op]);
    expect((await mustPodman(['inspect', '--format', '{{.State.ExitCode}}', op])).trim()).toBe('0');
    expect(await holder()).toBeUndefined();
    await ovn.nbctl(['ls-del', lsName(networkId)]);
  });
});
