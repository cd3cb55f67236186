import { describe, expect, it } from 'vitest';
import { renderDaemonsFile } from './frr-boot-files.ts';

/** The variable assignments of one branch of the daemons file's `if`. */
function branch(text: string, which: 'frr10' | 'frr84'): string[] {
  const lines = text.split('\n');
  const [from, to] = which === 'frr10' ? ['if ', 'else'] : ['else', 'fi'];
  const start = lines.findIndex((l) => l.startsWith(from));
  const end = lines.findIndex((l, i) => i > start && l === to);
  return lines.slice(start + 1, end).filter((l) => !l.trimStart().startsWith('#'));
}

describe('renderDaemonsFile', () => {
  const text = renderDaemonsFile({ bfd: true });

  it('picks the layout by the FRR in the container: mgmtd present → FRR 10', () => {
    expect(text).toContain('if [ -x "${D_PATH:-/usr/lib/frr}/mgmtd" ]; then');
    expect(text).toMatch(/^mgmtd=yes$/m);
    expect(text).toMatch(/^bfdd=yes$/m);
    expect(renderDaemonsFile({ bfd: false })).toMatch(/^bfdd=no$/m);
  });

  it('FRR 10: no daemon reads -f, frrcommon replays the boot config with vtysh -b, datacenter profile', () => {
    const frr10 = branch(text, 'frr10');
    expect(frr10.join('\n')).not.toContain('-f ');
    expect(frr10.join('\n')).not.toContain('VTYSH');
    expect(frr10).toContain('  frr_profile=datacenter');
    expect(frr10).toContain('  zebra_options="  -A 127.0.0.1 -s 90000000"');
  });

  it("FRR 8.4: every daemon reads frrcommon's frr.conf itself and the vtysh -b replay is off", () => {
    const frr84 = branch(text, 'frr84');
    for (const d of ['zebra', 'bgpd', 'bfdd'])
      expect(frr84.find((l) => l.includes(`${d}_options=`))).toContain('-f ${C_PATH:-/etc/frr}/frr.conf');
    expect(frr84).toContain('  VTYSH=/bin/true');
  });
});
