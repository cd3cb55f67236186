// kubectl-evpn: the ovn-evpn-show / ovn-bgp-agent-status views over the
// EVPN custom resources, and `plan`, what each node would change (from what it
// reports applied) to reach the cluster's objects, with a manifest on top.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isEmptyPlan, planManifest } from './plan.ts';
import { formatNodePlan } from './format-plan.ts';
import { kubeConfigFor, readObjects } from './cluster-objects.ts';
import { applyManifest, ManifestError, parseManifest } from './objects.ts';
import type { EvpnObjects } from './objects.ts';
import { findNetwork, networksView, networkView, statusView, vrfsView } from './views.ts';

export const usage = `kubectl evpn: EVPN networks, VRFs and per-node state of ovn-evpn

Usage:
  kubectl evpn networks                 EVPN networks (VNI, type, VLAN, VRF, ports, nodes ready)
  kubectl evpn vrfs                     VRFs (L3VNI, routing table, member networks)
  kubectl evpn network <id>             one network (object name or Neutron network UUID), per node
  kubectl evpn status                   overall status and one line per node (from EvpnNodeStates)
  kubectl evpn plan -f manifest.yaml    what applying the manifest would change on each node
  kubectl evpn plan                     what each node still has to change to reach the cluster's objects

Plan starts on each node from what its agent reports applied in the node's
EvpnNodeState (written after every pass against the real kernel and FRR: per
object ready or not, the generation, VNI, VLAN, table and devices), renders
the cluster's objects (with the manifest on top) with the node agent's own
code (selectApplicable, renderKernelState, diffKernelState, buildFrrModel,
renderFrrConfig) and prints the difference per node: kernel operations in the
agent's order, deletions included (objects gone or changed since the node's
last pass, devices it reports that nothing renders), FRR lines, and objects
that become applied, rejected or removed. Objects a node failed are planned
as created again. It needs
no access to any node (the agent API listens on the node only) and changes
nothing. An object changed since the node's pass is rebuilt from the VNI, VLAN
and table the node reports; FRR lines come from the objects, as the status
keeps only FRR's config hash. Node-level BGP lines (leaf, route reflectors)
are identical on both sides and left out.

Flags:
  -f, --filename FILE   manifest for plan ("-" reads stdin)
  -o, --output json     objects/plan as JSON instead of text
      --kubeconfig PATH kubeconfig (default: KUBECONFIG, in-cluster, ~/.kube/config)
      --context NAME    kubeconfig context
  -h, --help`;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: () => string;
}

const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  env: process.env,
  stdin: () => readFileSync(0, 'utf8'),
};

interface Invocation {
  readonly command: string;
  readonly rest: readonly string[];
  readonly json: boolean;
  readonly filename?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** The command line checked, or the exit code after a usage message. */
function parseInvocation(argv: readonly string[], io: Io): Invocation | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        filename: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`kubectl evpn: ${(e as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true || command === undefined || command === 'help') {
    io.out(usage);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  const json = values.output === 'json';
  if (values.output !== undefined && !json) {
    io.err(`kubectl evpn: unsupported output "${values.output}" (only json)`);
    return 2;
  }
  const known = ['networks', 'vrfs', 'network', 'status', 'plan'];
  if (!known.includes(command)) {
    io.err(`kubectl evpn: unknown command "${command}"\n\n${usage}`);
    return 2;
  }
  if (command === 'network' && rest.length !== 1) {
    io.err('kubectl evpn: usage: kubectl evpn network <id>');
    return 2;
  }
  return { command, rest, json, ...values };
}

/** The manifest of `plan -f`, or the exit code after an error. */
function readPlanManifest(file: string, io: Io): ReturnType<typeof parseManifest> | number {
  try {
    return parseManifest(file === '-' ? io.stdin() : readFileSync(file, 'utf8'), file);
  } catch (e) {
    io.err(`kubectl evpn: ${e instanceof ManifestError ? e.message : `cannot read ${file}: ${(e as Error).message}`}`);
    return 1;
  }
}

export async function main(
  argv: readonly string[],
  io: Io = processIo,
  read?: () => Promise<EvpnObjects>,
): Promise<number> {
  const inv = parseInvocation(argv, io);
  if (typeof inv === 'number') return inv;
  let manifest;
  if (inv.command === 'plan' && inv.filename !== undefined) {
    manifest = readPlanManifest(inv.filename, io);
    if (typeof manifest === 'number') return manifest;
  }

  let objects: EvpnObjects;
  try {
    objects = await (
      read ??
      (() =>
        readObjects(kubeConfigFor(inv.kubeconfig, inv.context, io.env), (m) => {
          io.err(`warning: ${m}`);
        }))
    )();
  } catch (e) {
    io.err(`kubectl evpn: cannot read the EVPN objects: ${(e as Error).message}`);
    return 1;
  }
  return runCommand(inv, objects, manifest, io);
}

function runCommand(
  inv: Invocation,
  objects: EvpnObjects,
  manifest: ReturnType<typeof parseManifest> | undefined,
  io: Io,
): number {
  const { command, rest, json } = inv;
  switch (command) {
    case 'networks':
      io.out(json ? JSON.stringify(objects.networks, null, 2) : networksView(objects));
      return 0;
    case 'vrfs':
      io.out(json ? JSON.stringify(objects.vrfs, null, 2) : vrfsView(objects));
      return 0;
    case 'status':
      io.out(json ? JSON.stringify(objects.nodeStates, null, 2) : statusView(objects));
      return 0;
    case 'network': {
      const id = rest[0] ?? '';
      const n = findNetwork(objects, id);
      if (n === undefined) {
        io.err(`kubectl evpn: EVPN-003: no EvpnNetwork named ${id} or mirroring Neutron network ${id}`);
        return 1;
      }
      io.out(json ? JSON.stringify(n, null, 2) : networkView(objects, n));
      return 0;
    }
    default: {
      const m = manifest ?? { vrfs: [], networks: [], portSets: [], nodeStates: [] };
      const plans = planManifest(objects, applyManifest(objects, m), m);
      if (json) {
        io.out(JSON.stringify(plans, null, 2));
        return 0;
      }
      const changed = plans.filter((p) => !isEmptyPlan(p)).length;
      io.out(
        `${plans.map(formatNodePlan).join('\n\n')}\n\nPlan: ${changed} of ${plans.length} node(s) change. Nothing was applied.`,
      );
      return 0;
    }
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
