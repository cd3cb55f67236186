// Canonical text forms, so the kernel's spelling of an address or prefix
// (`fd00::1`, `0.0.0.0/0`) compares equal to the spec's.
import { formatIp, parseCidr, parseIp } from '../../../crds/net-address.ts';

export function normPrefix(text: string): string {
  if (text === 'default') return text;
  const c = parseCidr(text);
  return c ? `${formatIp(c.family, c.network)}/${c.prefixLength}` : text;
}

export function normIp(text: string | null | undefined): string {
  if (text === null || text === undefined) return '';
  const p = parseIp(text);
  return p ? formatIp(p.family, p.value) : text;
}

/** 'default', '0.0.0.0/0' and '::/0' are one thing per family. */
export function normDst(dst: string, family: number): string {
  return dst === 'default' || dst === '0.0.0.0/0' || dst === '::/0' ? `default/${family}` : normPrefix(dst);
}
