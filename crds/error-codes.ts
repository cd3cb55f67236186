// The project's error codes, EVPN-001…007, carried in validation messages, condition
// reasons' messages and Events, so an operator can grep one code end to end. In
// the code they travel as a typed field (`code`) from where a problem is found
// to where it becomes a condition, an Event or a metric; the text form at the
// start of a message is for people and is never read back.
import type { z } from 'zod';

export const EvpnErrorCode = {
  /** A VNI outside 1–16777215. */
  InvalidVni: 'EVPN-001',
  /** An association that cannot be applied as OVN has the network (e.g. no VLAN path: flat or Geneve). */
  UnusableAssociation: 'EVPN-001',
  /** A route target or route distinguisher that is not one of the RFC 4360 forms. */
  InvalidRouteTarget: 'EVPN-002',
  /** A reference to a BGPVPN/VRF that does not exist. */
  NotFound: 'EVPN-003',
  /** A network claimed twice: two BGPVPNs, or an OVN association and a user object. */
  Conflict: 'EVPN-004',
  /** Kernel/infrastructure state could not be created. */
  Infrastructure: 'EVPN-005',
  /** FRR configuration could not be applied. */
  Frr: 'EVPN-006',
  /** An OVN name that cannot name a Kubernetes object (not a DNS-1123 subdomain). */
  InvalidName: 'EVPN-007',
} as const;
export type EvpnErrorCode = (typeof EvpnErrorCode)[keyof typeof EvpnErrorCode];

/** A message as people read it: the code, then what is wrong. */
export const codedMessage = (code: EvpnErrorCode, text: string): string => `${code}: ${text}`;

/** What a coded zod check passes as its params: the code and the text without it. */
interface CodedParams {
  readonly evpnCode: EvpnErrorCode;
  readonly text: string;
}

/** The options of a zod `refine` whose issue carries `code` (read back with `issueCode`). */
export const codedCheck = (code: EvpnErrorCode, text: string): { message: string; params: CodedParams } => ({
  message: codedMessage(code, text),
  params: { evpnCode: code, text },
});

const codedParams = (issue: z.core.$ZodIssue): CodedParams | undefined =>
  issue.code === 'custom' && issue.params !== undefined && 'evpnCode' in issue.params
    ? (issue.params as CodedParams)
    : undefined;

/** The code a coded check gave its issue; undefined for any other issue. */
export const issueCode = (issue: z.core.$ZodIssue): EvpnErrorCode | undefined => codedParams(issue)?.evpnCode;

/** The issue's text without its code. */
export const issueText = (issue: z.core.$ZodIssue): string => codedParams(issue)?.text ?? issue.message;
