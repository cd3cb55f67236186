// The typed FRR model: everything the agent's FRR instance (zebra, bgpd, bfdd)
// is told, validated at the boundary so that no value can reach the rendered
// text unless it is exactly one well-formed token. FRR reads its config line by
// line, so a newline, a leading `!`/`#` or a space in a name would let the
// data write commands; every string here is therefore matched by an anchored
// pattern or parsed (IP addresses, prefixes, RT/RD), never passed through.
import { z } from 'zod';
import {
  asn,
  DEVICE_NAME,
  deviceName,
  extCommunity,
  ipAddress,
  ipv4,
  MAX_ASN,
  PASSWORD,
  prefix,
  vni,
} from './model-fields.ts';
import { checkCrossFields } from './model-cross-checks.ts';

export { DEVICE_NAME };

export const RemoteAsSchema = z.union([z.literal('internal'), z.literal('external'), asn]);

const TimersSchema = z.object({
  keepalive: z.number().int().min(0).max(65_535),
  hold: z.number().int().min(0).max(65_535),
});

const connectRetry = z.number().int().min(1).max(65_535);

/** Settings shared by a single neighbour and the EVPN peer group. */
const neighborSettings = {
  remoteAs: RemoteAsSchema,
  bfd: z.boolean().default(false),
  password: z
    .string()
    .regex(PASSWORD, 'must be 1-80 printable characters without spaces, quotes, \\, ! or #')
    .optional(),
  timers: TimersSchema.optional(),
  connectRetry: connectRetry.optional(),
  ebgpMultihop: z.number().int().min(1).max(255).optional(),
  updateSource: z.union([ipAddress, deviceName]).optional(),
};

export const UnderlayNeighborSchema = z
  .object({
    address: ipAddress.optional(),
    /** BGP unnumbered: `neighbor IFNAME interface remote-as ...`. */
    interface: deviceName.optional(),
    ...neighborSettings,
    ipv4Unicast: z.boolean().default(true),
    ipv6Unicast: z.boolean().default(false),
    /** Also carry l2vpn evpn on this session (eBGP EVPN to the leaf). */
    evpn: z.boolean().default(false),
  })
  .superRefine((n, ctx) => {
    if ((n.address === undefined) === (n.interface === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'exactly one of address and interface must be set' });
    }
  });

export const EvpnPeerGroupSchema = z.object({
  name: deviceName.default('EVPN'),
  ...neighborSettings,
  /** Static members (e.g. the route reflectors' loopbacks). */
  members: z.array(ipAddress).default([]),
  /** Dynamic neighbours (`bgp listen range`), for a node acting as route reflector. */
  listenRanges: z.array(prefix).default([]),
  /** This node is the EVPN route reflector: the members are its clients. */
  routeReflectorClients: z.boolean().default(false),
});

export const EvpnSchema = z.object({
  advertiseAllVni: z.literal(true).default(true),
  peerGroup: EvpnPeerGroupSchema.optional(),
});

export const GracefulRestartSchema = z.object({
  enabled: z.boolean().default(true),
  restartTime: z.number().int().min(1).max(4095).optional(),
  stalepathTime: z.number().int().min(1).max(4095).optional(),
});

/** One BFD profile for every BGP session that asks for BFD; needs bfdd running. */
export const BfdSchema = z.object({
  detectMultiplier: z.number().int().min(2).max(255).default(3),
  receiveInterval: z.number().int().min(10).max(60_000).default(300),
  transmitInterval: z.number().int().min(10).max(60_000).default(300),
});

export const VrfSchema = z.object({
  /** The kernel VRF device, named by the kernel adapter; FRR's VRF name must be the device name. */
  name: deviceName,
  l3vni: vni,
  /** The VRF's own BGP AS; defaults to the node's. */
  asn: asn.optional(),
  routerId: ipv4.optional(),
  /** Omitted: FRR derives `<router-id>:<index>`, valid for any VNI. */
  rd: extCommunity.optional(),
  /** Omitted (both lists empty): FRR's auto RT `(ASN & 0xffff):L3VNI`, imported as `*:L3VNI`. */
  importRts: z.array(extCommunity).default([]),
  exportRts: z.array(extCommunity).default([]),
  advertiseIpv4: z.boolean().default(true),
  advertiseIpv6: z.boolean().default(false),
  redistribute: z
    .object({
      connected: z.boolean().default(true),
      static: z.boolean().default(false),
      kernel: z.boolean().default(false),
    })
    .default({ connected: true, static: false, kernel: false }),
  /** LOCAL_PREF on the type-5 routes this node originates for the VRF. */
  localPref: z.number().int().min(0).max(MAX_ASN).optional(),
});

export const L2VniSchema = z.object({
  vni,
  rd: extCommunity.optional(),
  importRts: z.array(extCommunity).default([]),
  exportRts: z.array(extCommunity).default([]),
});

const FrrModelObject = z.object({
  asn,
  routerId: ipv4,
  /** Off unless asked: ipv6 forwarding on the host turns off RA-based addressing of its uplinks. */
  ipv6Forwarding: z.boolean().default(false),
  /** `ip nht resolve-via-default`: VTEP next hops reachable only through a default route (seed 002). */
  nhtResolveViaDefault: z.boolean().default(false),
  underlayNeighbors: z.array(UnderlayNeighborSchema).default([]),
  /** Underlay prefixes originated by this node (its VTEP/loopback address). */
  advertiseNetworks: z.array(prefix).default([]),
  evpn: EvpnSchema.default({ advertiseAllVni: true }),
  gracefulRestart: GracefulRestartSchema.default({ enabled: true }),
  bfd: BfdSchema.optional(),
  vrfs: z.array(VrfSchema).default([]),
  l2vnis: z.array(L2VniSchema).default([]),
});

export const FrrModelSchema = FrrModelObject.superRefine((model, ctx) => {
  for (const issue of checkCrossFields(model)) ctx.addIssue({ code: 'custom', ...issue });
});

/** The validated model (defaults applied). */
export type FrrModel = z.output<typeof FrrModelSchema>;
/** What callers build: defaults may be left out. */
export type FrrModelInput = z.input<typeof FrrModelSchema>;
export type FrrVrf = FrrModel['vrfs'][number];
export type FrrL2Vni = FrrModel['l2vnis'][number];
export type FrrUnderlayNeighbor = FrrModel['underlayNeighbors'][number];
export type FrrEvpnPeerGroup = NonNullable<FrrModel['evpn']['peerGroup']>;

export type FrrFieldError = { readonly field: string; readonly message: string };

/** Bad input: the agent reports it (EVPN-006) on the status instead of retrying. */
export class FrrModelError extends Error {
  override readonly name = 'FrrModelError';
  readonly errors: readonly FrrFieldError[];
  /** The first offending field, e.g. `vrfs[0].importRts[1]`. */
  readonly field: string;

  constructor(errors: readonly FrrFieldError[]) {
    const first = errors[0] ?? { field: '', message: 'invalid FRR model' };
    super(`invalid FRR model: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    this.errors = errors;
    this.field = first.field;
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(model)' : out;
}

export type FrrModelValidation =
  { readonly ok: true; readonly model: FrrModel } | { readonly ok: false; readonly errors: readonly FrrFieldError[] };

/** Validates without throwing, for callers that turn errors into a status condition. */
export function validateFrrModel(input: unknown): FrrModelValidation {
  const result = FrrModelSchema.safeParse(input);
  if (result.success) return { ok: true, model: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => ({ field: formatPath(issue.path), message: issue.message })),
  };
}

/** Validates and applies defaults; throws FrrModelError naming the fields. */
export function parseFrrModel(input: unknown): FrrModel {
  const result = validateFrrModel(input);
  if (!result.ok) throw new FrrModelError(result.errors);
  return result.model;
}

/**
 * The server ASN of seed 001: 4200000000 + o2·65536 + o3·256 + o4 of the node's
 * IPv4 address, inside the RFC 6996 private range 4200000000-4294967294. The
 * first octet is ignored, so 10.1.2.3 and 172.1.2.3 collide: the formula is
 * only unique within one /8 underlay.
 */
export function defaultServerAsn(nodeIp: string): number {
  if (!ipv4.safeParse(nodeIp).success) {
    throw new FrrModelError([{ field: 'nodeIp', message: `"${nodeIp}" is not an IPv4 address in dotted-quad form` }]);
  }
  const [, o2 = 0, o3 = 0, o4 = 0] = nodeIp.split('.').map(Number);
  const result = 4_200_000_000 + o2 * 65_536 + o3 * 256 + o4;
  if (result > 4_294_967_294) {
    throw new FrrModelError([{ field: 'nodeIp', message: 'derived ASN leaves the private range' }]);
  }
  return result;
}
