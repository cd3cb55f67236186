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
