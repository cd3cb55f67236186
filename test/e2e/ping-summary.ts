// iputils ping's summary line, read for people (make demo) and tests. The loss
// is a decimal ("66.6667% packet loss"): reading only the digits before `%`
// once printed "6667% loss" for two lost pings of three.
export interface PingSummary {
  loss?: number;
  avgMs?: string;
}

export function pingSummary(output: string): PingSummary {
  const loss = /([\d.]+)% packet loss/.exec(output)?.[1];
  const avg = /= [\d.]+\/([\d.]+)\//.exec(output)?.[1];
  return { ...(loss === undefined ? {} : { loss: Number(loss) }), ...(avg === undefined ? {} : { avgMs: avg }) };
}

/**
 * The echo requests 1..count that got no reply. Not the summary's loss: with
 * `-w` ping sends until `count` replies are in, so when replies take longer
 * than the interval (0.7 s under load) it has sent a fourth request by the
 * time the third reply comes, exits, and prints "4 transmitted, 3 received,
 * 25% packet loss" although every request it was asked for was answered.
 */
export function unanswered(output: string, count: number): number[] {
  const replied = new Set([...output.matchAll(/bytes from \S+ icmp_seq=(\d+) ttl=/g)].map((m) => Number(m[1])));
  return Array.from({ length: count }, (_, i) => i + 1).filter((seq) => !replied.has(seq));
}
