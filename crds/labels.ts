// Label values for node and network names, shared by the operator (which sets
// them on EvpnPortSets) and the agents (which select on them): a name that is
// not a valid label value (over 63 characters, say) becomes a stable hash.
import { createHash } from 'node:crypto';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function labelValueOf(text: string): string {
  if (text.length <= 63 && LABEL_VALUE.test(text)) return text;
  return `h-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}
