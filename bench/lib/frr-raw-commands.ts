// Pure: the minimal FRR commands for one VRF, cut from the agent's rendered
// config, so the floors of issue 27 send exactly what our config holds for it
// with nothing of the applier around them.

/** The top-level stanzas of a rendered config (FRR's `!` separators dropped). */
function stanzasOf(text: string): string[] {
  return text
    .split(/^!\n/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export interface RawVrfCommands {
  /** `vtysh -f` input that adds the VRF: its `vrf X / vni N` and `router bgp A vrf X` stanzas as rendered. */
  readonly add: string;
  /** `vtysh -f` input that removes it: the L3VNI first (bgpd refuses to delete an instance holding it), then the instance. */
  readonly remove: string;
  /** The same lines per daemon, for a daemon's own vty socket: zebra's (mgmtd's on FRR 10) and bgpd's. */
  readonly vty: {
    readonly zebraAdd: readonly string[];
    readonly bgpAdd: readonly string[];
    readonly zebraRemove: readonly string[];
    readonly bgpRemove: string;
  };
}

const linesOf = (stanza: string): string[] =>
  stanza
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '!');

export function rawVrfCommands(rendered: string, vrf: string, asn: number): RawVrfCommands {
  const stanzas = stanzasOf(rendered);
  const vrfStanza = stanzas.find((s) => s.split('\n')[0] === `vrf ${vrf}`);
  const bgpStanza = stanzas.find((s) => s.split('\n')[0] === `router bgp ${asn} vrf ${vrf}`);
  if (vrfStanza === undefined || bgpStanza === undefined)
    throw new Error(`the rendered config has no vrf and router bgp stanza for ${vrf}`);
  const vni = /^ vni (\d+)$/m.exec(vrfStanza)?.[1];
  if (vni === undefined) throw new Error(`the rendered vrf ${vrf} has no vni`);
  const zebraRemove = [`vrf ${vrf}`, `no vni ${vni}`, 'exit-vrf'];
  const bgpRemove = `no router bgp ${asn} vrf ${vrf}`;
  return {
    add: `${vrfStanza}\n${bgpStanza}\n`,
    remove: `vrf ${vrf}\n no vni ${vni}\nexit-vrf\n${bgpRemove}\n`,
    vty: { zebraAdd: linesOf(vrfStanza), bgpAdd: linesOf(bgpStanza), zebraRemove, bgpRemove },
  };
}

/** The rendered config without the lines that are start-up options, not runtime commands. */
export function runtimeLinesOf(rendered: string): string {
  return rendered
    .split('\n')
    .filter((l) => !/^frr (defaults|version) /.test(l))
    .join('\n');
}
