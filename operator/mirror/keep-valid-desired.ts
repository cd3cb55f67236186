// The last check before any write: every desired object must pass its kind's
// schema (the same zod schema the CRD is generated from) and have a valid name.
// One that fails is never sent (the API server would refuse it with a 422 on
// every pass) and never a reason to prune: a mirrored object already live keeps
// its last good spec, so bad input cannot delete a working VRF. Each failure
// becomes a problem (condition + Event) whose code matches the field that failed.
// Pure.
import type { z } from 'zod';
import {
  codedMessage,
  effectiveRoutingTable,
  EvpnErrorCode,
  EvpnNetworkSpec,
  EvpnPortSetSpec,
  EvpnVrfSpec,
  issueCode,
  issueText,
  ObjectName,
} from '../../crds/index.ts';
import type { MirrorOutput } from './build-desired.ts';
import type { MirrorProblem } from './mirror-problem.ts';
import { isMirroredObject, type LiveMirror, type LiveObject } from './plan-mirror.ts';

type Desired = Pick<MirrorOutput, 'vrfs' | 'networks' | 'portSets'>;

const FIELD_CODE: Readonly<Record<string, EvpnErrorCode>> = {
  vni: EvpnErrorCode.InvalidVni,
  l2vni: EvpnErrorCode.InvalidVni,
  routeTargets: EvpnErrorCode.InvalidRouteTarget,
  importTargets: EvpnErrorCode.InvalidRouteTarget,
  exportTargets: EvpnErrorCode.InvalidRouteTarget,
  routeDistinguishers: EvpnErrorCode.InvalidRouteTarget,
};

/** What failed: its code, and `EVPN-00x: spec.field: why`. */
interface SchemaFailure {
  readonly code: EvpnErrorCode;
  readonly message: string;
}

const failed = (code: EvpnErrorCode, text: string): SchemaFailure => ({ code, message: codedMessage(code, text) });

function checkSpec(
  kind: 'EvpnVrf' | 'EvpnNetwork' | 'EvpnPortSet',
  name: string,
  spec: unknown,
): SchemaFailure | undefined {
  if (!ObjectName.safeParse(name).success)
    return failed(EvpnErrorCode.InvalidName, `${JSON.stringify(name.slice(0, 300))} is not a valid object name`);
  const schema: z.ZodType =
    kind === 'EvpnVrf' ? EvpnVrfSpec : kind === 'EvpnNetwork' ? EvpnNetworkSpec : EvpnPortSetSpec;
  const parsed = schema.safeParse(spec);
  if (!parsed.success) return describeIssues(parsed.error.issues);
  if (kind === 'EvpnVrf' && effectiveRoutingTable(spec as EvpnVrfSpec) > 4_294_967_295) {
    return failed(
      EvpnErrorCode.InvalidVni,
      'spec.routingTable: the routing table derived from the VNI is out of range',
    );
  }
  return undefined;
}

/** What failed, as `EVPN-00x: spec.field: why`; undefined when the object is fine. */
export const schemaFailure = (
  kind: 'EvpnVrf' | 'EvpnNetwork' | 'EvpnPortSet',
  name: string,
  spec: unknown,
): string | undefined => checkSpec(kind, name, spec)?.message;

/** The last check of each spec object (specs are never modified: an unchanged one is not checked again). */
const failureMemo = new WeakMap<object, { kind: string; name: string; failure: SchemaFailure | undefined }>();

function memoSchemaFailure(
  kind: 'EvpnVrf' | 'EvpnNetwork' | 'EvpnPortSet',
  name: string,
  spec: unknown,
): SchemaFailure | undefined {
  if (typeof spec !== 'object' || spec === null) return checkSpec(kind, name, spec);
  const m = failureMemo.get(spec);
  if (m !== undefined && m.kind === kind && m.name === name) return m.failure;
  const failure = checkSpec(kind, name, spec);
  failureMemo.set(spec, { kind, name, failure });
  return failure;
}

/** The first issue as `EVPN-00x: spec.field: why`: the code its check gave it, else its field's. */
function describeIssues(issues: readonly z.core.$ZodIssue[]): SchemaFailure {
  const issue = issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const code =
    (issue && issueCode(issue)) ?? FIELD_CODE[String(issue?.path[0] ?? '')] ?? codeOfOtherField(issue?.path[0]);
  const why = issue === undefined ? 'invalid' : issueText(issue);
  return failed(code, `spec.${field}: ${why}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`);
}

/** Fields with no code of their own: routes and subnets are route policy (EVPN-002); numbers are EVPN-001. */
function codeOfOtherField(field: PropertyKey | undefined): EvpnErrorCode {
  return field === 'vlanId' || field === 'routingTable' ? EvpnErrorCode.InvalidVni : EvpnErrorCode.InvalidRouteTarget;
}

export interface ValidDesired {
  readonly desired: Desired;
  readonly problems: MirrorProblem[];
}

/** Drops or replaces (by the live spec) every desired object that fails its checks. */
export function keepValidDesired(desired: Desired, live: LiveMirror): ValidDesired {
  const problems: MirrorProblem[] = [];
  const liveOf = (list: readonly LiveObject[]): Map<string, LiveObject> =>
    new Map(list.filter(isMirroredObject).map((o) => [o.metadata.name, o]));
  const check = <S>(
    kind: 'EvpnVrf' | 'EvpnNetwork' | 'EvpnPortSet',
    specs: ReadonlyMap<string, S>,
    lives: readonly LiveObject[],
    ownerOf: (name: string, spec: S) => string,
  ): Map<string, S> => {
    const out = new Map<string, S>();
    const byName = liveOf(lives);
    for (const [name, spec] of specs) {
      const failure = memoSchemaFailure(kind, name, spec);
      if (failure === undefined) {
        out.set(name, spec);
        continue;
      }
      const previous = byName.get(name);
      const kept = previous !== undefined && memoSchemaFailure(kind, name, previous.spec) === undefined;
      if (kept) out.set(name, previous.spec as S);
      const reported =
        kind === 'EvpnPortSet' ? { kind: 'EvpnNetwork' as const, name: ownerOf(name, spec) } : { kind, name };
      problems.push({
        ...reported,
        keptLastGood: kept && kind !== 'EvpnPortSet',
        reason: kept ? 'LastGoodSpecKept' : 'MalformedAssociation',
        code: failure.code,
        message: `${failure.message}${kind === 'EvpnPortSet' ? ` (EvpnPortSet ${name})` : ''}; ${kept ? 'the last good spec is kept' : 'the object is not written'}`,
      });
    }
    return out;
  };
  return {
    desired: {
      vrfs: check('EvpnVrf', desired.vrfs, live.vrfs, (n) => n),
      networks: check('EvpnNetwork', desired.networks, live.networks, (n) => n),
      portSets: check('EvpnPortSet', desired.portSets, live.portSets, (_, s) => s.network),
    },
    problems,
  };
}
