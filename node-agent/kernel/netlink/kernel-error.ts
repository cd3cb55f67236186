// Netlink failures as typed errors that name the operation, the object and
// the cause in words a network operator understands.
import { errorMessage } from '../../../lib/log.ts';
import { constants } from 'node:os';

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  EEXIST: 'file exists',
  ENOENT: 'no such file or directory',
  ENODEV: 'no such device',
  ESRCH: 'no such process',
  EINVAL: 'invalid argument',
  EOPNOTSUPP: 'operation not supported',
  EPERM: 'operation not permitted',
  EACCES: 'permission denied',
  EBUSY: 'device or resource busy',
  ENOBUFS: 'no buffer space available',
  ENOMEM: 'cannot allocate memory',
  ERANGE: 'numerical result out of range',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EAFNOSUPPORT: 'address family not supported',
  EPROTONOSUPPORT: 'protocol not supported',
  EMSGSIZE: 'message too long',
  ENOSPC: 'no space left on device',
  ETIMEDOUT: 'timed out waiting for the kernel',
};

// Kinds whose absence shows as EOPNOTSUPP on create; the module to load.
const KIND_MODULE: Readonly<Record<string, string>> = {
  vrf: 'vrf',
  vxlan: 'vxlan',
  bridge: 'bridge',
  vlan: '8021q',
  veth: 'veth',
  dummy: 'dummy',
};
const KIND_LABEL: Readonly<Record<string, string>> = {
  vrf: 'VRF',
  vxlan: 'VXLAN',
  bridge: 'bridge',
  vlan: '802.1Q VLAN',
  veth: 'veth',
  dummy: 'dummy',
};

const BY_NUMBER = new Map<number, string>(Object.entries(constants.errno).map(([name, n]) => [n, name]));

export function errnoName(errno: number): string {
  return BY_NUMBER.get(Math.abs(errno)) ?? `errno ${Math.abs(errno)}`;
}

export function errnoNumber(name: string): number {
  return (constants.errno as Record<string, number | undefined>)[name] ?? 0;
}

export interface KernelErrorContext {
  /** "create link", "add fdb", ... */
  readonly op: string;
  /** "vxlan-10100", "00:00:00:00:00:00 dev vxlan-10100 dst 10.0.0.2", ... */
  readonly object: string;
  /** link kind, for create link: turns EOPNOTSUPP into "kernel has no VRF support" */
  readonly kind?: string;
  /** replaces the errno text, for errors found before asking the kernel */
  readonly detail?: string;
}

export class KernelError extends Error {
  override readonly name = 'KernelError';
  /** errno name, e.g. "EEXIST" */
  readonly errno: string;
  /** positive errno number */
  readonly code: number;
  readonly op: string;
  readonly object: string;

  constructor(errno: string, ctx: KernelErrorContext, options?: ErrorOptions) {
    super(describe(errno, ctx), options);
    this.errno = errno;
    this.code = errnoNumber(errno);
    this.op = ctx.op;
    this.object = ctx.object;
  }

  /** From a negative (or positive) errno number out of an NLMSG_ERROR. */
  static fromErrno(errno: number, ctx: KernelErrorContext): KernelError {
    return new KernelError(errnoName(errno), ctx);
  }

  /** From whatever the netlink package threw ("Request rejected: EEXIST", timeouts, socket errors). */
  static fromUnknown(err: unknown, ctx: KernelErrorContext): KernelError {
    if (err instanceof KernelError) return err;
    const msg = errorMessage(err);
    const rejected = /^Request rejected: (E[A-Z0-9]+|\d+)/.exec(msg);
    if (rejected?.[1] !== undefined) {
      const code = rejected[1];
      return new KernelError(/^\d+$/.test(code) ? errnoName(Number(code)) : code, ctx, { cause: err });
    }
    if (/Timeout/i.test(msg)) return new KernelError('ETIMEDOUT', ctx, { cause: err });
    const code = (err as { code?: unknown } | null)?.code;
    return new KernelError(typeof code === 'string' && code.startsWith('E') ? code : 'EIO', ctx, { cause: err });
  }
}

function describe(errno: string, ctx: KernelErrorContext): string {
  const head = `${ctx.op} ${ctx.object}`;
  if (ctx.detail !== undefined) return `${head}: ${ctx.detail}`;
  if (ctx.kind !== undefined && errno === 'EOPNOTSUPP' && ctx.op === 'create link') {
    const mod = KIND_MODULE[ctx.kind] ?? ctx.kind;
    return `${head}: kernel has no ${KIND_LABEL[ctx.kind] ?? ctx.kind} support (${mod} module missing)`;
  }
  return `${head}: ${errno} (${ERRNO_TEXT[errno] ?? 'kernel error'})`;
}

export function isKernelError(err: unknown, errno?: string): err is KernelError {
  return err instanceof KernelError && (errno === undefined || err.errno === errno);
}
