// The test world a benchmark ran on (adapter: runs the guest's binaries).
import { run } from './shell.ts';

/** The guest's FRR, OVN and OVS, as each program prints its version (the test world this ran on). */
export async function versions(): Promise<string> {
  const first = async (file: string): Promise<string> =>
    (await run(file, ['--version']).catch(() => ({ stdout: '' }))).stdout.split('\n')[0] ?? '';
  const [frr, ovn, ovs] = await Promise.all(
    ['/usr/lib/frr/zebra', '/usr/bin/ovn-northd', '/usr/sbin/ovs-vswitchd'].map(first),
  );
  const v = (line: string | undefined, re: RegExp): string => (line === undefined ? '?' : (re.exec(line)?.[1] ?? '?'));
  return `FRR ${v(frr, /version (\S+)/)}, OVN ${v(ovn, /ovn-northd\S* (\S+)/)}, OVS ${v(ovs, /(\d+\.\d+\.\d+)\s*$/)}`;
}
