// FRR model -> the complete frr.conf of the agent's FRR instance. Pure and
// deterministic: lists are sorted and de-duplicated, so the same model always
// gives the same bytes and the applier can skip identical reloads.
//
// The text is the WHOLE desired config: frr-reload.py diffs it against the
// running config, so an RT, VNI or VRF that is no longer in the model is
// removed on the next reload instead of lingering.
//
// Rendering rules learnt from FRR 8.4 (checked by golden-frr-reload.uml.test.ts,
// which requires every golden file to be a fixed point of `frr-reload.py`):
// - no line FRR never shows in `show running-config` (`no bgp ebgp-requires-policy`
//   and `bgp log-neighbor-changes` are datacenter defaults; restart-time 120 and
//   stalepath-time 360 are the defaults): such a line is re-sent on every reload
//   and in the second pass can make frr-reload fail;
// - no `hostname` (FRR takes the node's);
// - `ip forwarding` is not written: its absence makes frr-reload turn it on,
//   which symmetric IRB needs; `no ipv6 forwarding` is written unless asked.
// - `no bgp deterministic-med` in every `router bgp` (FRR 10.7.1: see
//   DETERMINISTIC_MED_OFF below).
import {
  parseFrrModel,
  type FrrEvpnPeerGroup,
  type FrrL2Vni,
  type FrrModel,
  type FrrUnderlayNeighbor,
  type FrrVrf,
} from './model.ts';

const FRR_DEFAULT_RESTART_TIME = 120;
const FRR_DEFAULT_STALEPATH_TIME = 360;

/**
 * bfdd 8.4 has no `no receive-interval` (nor for the other timers) inside a
 * profile and hides values equal to its defaults, so a profile whose timers
 * change cannot be reconciled in place. The profile is therefore named after
 * its timers: a change creates a fresh profile (defaults left out) and
 * frr-reload deletes the old one.
 */
export function bfdProfileName(bfd: NonNullable<FrrModel['bfd']>): string {
  return `evpn-${bfd.detectMultiplier}-${bfd.receiveInterval}-${bfd.transmitInterval}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareText);
}

/** The route-map that sets LOCAL_PREF on a VRF's originated type-5 routes. */
export function localPrefRouteMapName(vrfName: string): string {
  return `RM-${vrfName}-LP`;
}

function neighborSettingLines(id: string, n: FrrUnderlayNeighbor | FrrEvpnPeerGroup, model: FrrModel): string[] {
  const lines: string[] = [];
  if (n.password !== undefined) lines.push(`neighbor ${id} password ${n.password}`);
  if (n.ebgpMultihop !== undefined) lines.push(`neighbor ${id} ebgp-multihop ${n.ebgpMultihop}`);
  if (n.updateSource !== undefined) lines.push(`neighbor ${id} update-source ${n.updateSource}`);
  if (n.timers !== undefined) lines.push(`neighbor ${id} timers ${n.timers.keepalive} ${n.timers.hold}`);
  if (n.connectRetry !== undefined) lines.push(`neighbor ${id} timers connect ${n.connectRetry}`);
  // FRR shows both lines when a profile is set; rendering both keeps the reload a fixed point.
  if (n.bfd) lines.push(`neighbor ${id} bfd`);
  if (n.bfd && model.bfd !== undefined) lines.push(`neighbor ${id} bfd profile ${bfdProfileName(model.bfd)}`);
  return lines;
}

function neighborId(n: FrrUnderlayNeighbor): string {
  return n.address ?? n.interface ?? '';
}

function sortedUnderlay(model: FrrModel): FrrUnderlayNeighbor[] {
  return [...model.underlayNeighbors].sort((a, b) => compareText(neighborId(a), neighborId(b)));
}

function indent(lines: readonly string[], depth: number): string[] {
  const pad = ' '.repeat(depth);
  return lines.map((l) => `${pad}${l}`);
}

function addressFamily(name: string, body: readonly string[]): string[] {
  if (body.length === 0) return [];
  return ['!', `address-family ${name}`, ...indent(body, 1), 'exit-address-family'];
}

function routeTargetLines(importRts: readonly string[], exportRts: readonly string[]): string[] {
  return [
    ...sortedUnique(importRts).map((rt) => `route-target import ${rt}`),
    ...sortedUnique(exportRts).map((rt) => `route-target export ${rt}`),
  ];
}

/**
 * FRR 8.4 treats `route-target` equal to the VNI's auto RT ((ASN & 0xffff):VNI)
 * as a no-op when it is the first one configured: it never shows in the running
 * config (so the reload never converges), and a later non-auto RT then replaces
 * the auto list, losing it. So a list that is exactly the auto RT is left out
 * (FRR behaves identically), and otherwise the auto RT is written last.
 */
function l2RouteTargets(rts: readonly string[], autoRt: string): string[] {
  const unique = sortedUnique(rts);
  if (unique.length === 1 && unique[0] === autoRt) return [];
  return [...unique.filter((rt) => rt !== autoRt), ...unique.filter((rt) => rt === autoRt)];
}

function l2vniLines(l2: FrrL2Vni, asn: number): string[] {
  const autoRt = `${asn % 65_536}:${l2.vni}`;
  const body = [
    ...(l2.rd === undefined ? [] : [`rd ${l2.rd}`]),
    ...l2RouteTargets(l2.importRts, autoRt).map((rt) => `route-target import ${rt}`),
    ...l2RouteTargets(l2.exportRts, autoRt).map((rt) => `route-target export ${rt}`),
  ];
  // A VNI without overrides needs no block: advertise-all-vni picks it up from the kernel with auto RD/RT.
  if (body.length === 0) return [];
  return [`vni ${l2.vni}`, ...indent(body, 1), 'exit-vni'];
}

function renderBfd(model: FrrModel): string[] {
  if (model.bfd === undefined) return [];
  const b = model.bfd;
  // bfdd hides values equal to its defaults (3, 300 ms, 300 ms).
  return [
    'bfd',
    ` profile ${bfdProfileName(b)}`,
    ...(b.detectMultiplier === 3 ? [] : [`  detect-multiplier ${b.detectMultiplier}`]),
    ...(b.receiveInterval === 300 ? [] : [`  receive-interval ${b.receiveInterval}`]),
    ...(b.transmitInterval === 300 ? [] : [`  transmit-interval ${b.transmitInterval}`]),
    ' exit',
    ' !',
    'exit',
    '!',
  ];
}

/**
 * `no bgp deterministic-med` in every `router bgp`: the one state of that knob
 * in which the running config of both FRRs equals our text and frr-reload.py
 * finds nothing to change. bgpd 10.7.1 binds `use-underlays-nexthop-weight` to
 * the wrong flags (measured in its binary and in the guest): `bgp_config_write`
 * prints ` use-underlays-nexthop-weight` when `flags & 3` (always-compare-med |
 * deterministic-med, bits 0-1) is non-zero, and the `no` form clears both bits
 * (`flags &= ~3`), while the positive form sets the knob's own bit 46, which
 * nothing prints. With deterministic-med on (the default of every profile, so
 * never printed) frr-reload 10.7.1 sees that line in an existing `router bgp`,
 * "deletes" it and so turns deterministic-med off; the next reload wants it back.
 * Rendering `bgp deterministic-med` cannot help (a default: never printed, on 8.4
 * either), nor the knob itself (8.4 refuses it; 10.7.1 would enable the real
 * feature invisibly). Off, both FRRs print `no bgp deterministic-med` and 10.7.1
 * prints no knob line. What it costs: bgpd compares the paths to a prefix in
 * arrival order instead of grouped by neighbouring AS, which only changes the
 * best path when paths from one AS carry different MEDs and paths from another
 * AS compete with them; we set no MED (redistributed routes carry their metric:
 * 0 for connected and static ones).
 */
const DETERMINISTIC_MED_OFF = 'no bgp deterministic-med';

function renderDefaultInstance(model: FrrModel): string[] {
  const body: string[] = [`bgp router-id ${model.routerId}`, 'no bgp default ipv4-unicast', DETERMINISTIC_MED_OFF];
  const gr = model.gracefulRestart;
  if (gr.enabled) {
    body.push('bgp graceful-restart');
    if (gr.restartTime !== undefined && gr.restartTime !== FRR_DEFAULT_RESTART_TIME) {
      body.push(`bgp graceful-restart restart-time ${gr.restartTime}`);
    }
    if (gr.stalepathTime !== undefined && gr.stalepathTime !== FRR_DEFAULT_STALEPATH_TIME) {
      body.push(`bgp graceful-restart stalepath-time ${gr.stalepathTime}`);
    }
  }
  const group = model.evpn.peerGroup;
  if (group !== undefined) {
    body.push(`neighbor ${group.name} peer-group`, `neighbor ${group.name} remote-as ${group.remoteAs}`);
    body.push(...neighborSettingLines(group.name, group, model));
    for (const range of sortedUnique(group.listenRanges))
      body.push(`bgp listen range ${range} peer-group ${group.name}`);
    for (const member of sortedUnique(group.members)) body.push(`neighbor ${member} peer-group ${group.name}`);
  }
  const underlay = sortedUnderlay(model);
  for (const n of underlay) {
    const id = neighborId(n);
    body.push(
      n.interface === undefined
        ? `neighbor ${id} remote-as ${n.remoteAs}`
        : `neighbor ${id} interface remote-as ${n.remoteAs}`,
    );
    body.push(...neighborSettingLines(id, n, model));
  }

  const v4Networks = sortedUnique(model.advertiseNetworks.filter((p) => !p.includes(':')));
  const v6Networks = sortedUnique(model.advertiseNetworks.filter((p) => p.includes(':')));
  body.push(
    ...addressFamily('ipv4 unicast', [
      ...v4Networks.map((p) => `network ${p}`),
      ...underlay.filter((n) => n.ipv4Unicast).map((n) => `neighbor ${neighborId(n)} activate`),
    ]),
  );
  body.push(
    ...addressFamily('ipv6 unicast', [
      ...v6Networks.map((p) => `network ${p}`),
      ...underlay.filter((n) => n.ipv6Unicast).map((n) => `neighbor ${neighborId(n)} activate`),
    ]),
  );
  const evpn: string[] = [];
  if (group !== undefined) {
    evpn.push(`neighbor ${group.name} activate`);
    if (group.routeReflectorClients) evpn.push(`neighbor ${group.name} route-reflector-client`);
  }
  evpn.push(...underlay.filter((n) => n.evpn).map((n) => `neighbor ${neighborId(n)} activate`));
  evpn.push('advertise-all-vni');
  for (const l2 of [...model.l2vnis].sort((a, b) => a.vni - b.vni)) evpn.push(...l2vniLines(l2, model.asn));
  body.push(...addressFamily('l2vpn evpn', evpn));
  return [`router bgp ${model.asn}`, ...indent(body, 1), 'exit', '!'];
}

function renderVrfInstance(model: FrrModel, vrf: FrrVrf): string[] {
  const body: string[] = [`bgp router-id ${vrf.routerId ?? model.routerId}`, DETERMINISTIC_MED_OFF];
  const redistribute = [
    ...(vrf.redistribute.connected ? ['redistribute connected'] : []),
    ...(vrf.redistribute.kernel ? [`redistribute kernel route-map ${KERNEL_ROUTE_MAP}`] : []),
    ...(vrf.redistribute.static ? ['redistribute static'] : []),
  ];
  if (vrf.advertiseIpv4) body.push(...addressFamily('ipv4 unicast', redistribute));
  if (vrf.advertiseIpv6) body.push(...addressFamily('ipv6 unicast', redistribute));
  // The local preference rides on the route-map of `advertise ... unicast`: it is
  // valid with no neighbour in the VRF (a `neighbor X route-map in` there would
  // name a neighbour that does not exist and fail the whole reload).
  const routeMap = vrf.localPref === undefined ? '' : ` route-map ${localPrefRouteMapName(vrf.name)}`;
  const evpn = [
    ...(vrf.advertiseIpv4 ? [`advertise ipv4 unicast${routeMap}`] : []),
    ...(vrf.advertiseIpv6 ? [`advertise ipv6 unicast${routeMap}`] : []),
    ...(vrf.rd === undefined ? [] : [`rd ${vrf.rd}`]),
    ...routeTargetLines(vrf.importRts, vrf.exportRts),
  ];
  body.push(...addressFamily('l2vpn evpn', evpn));
  return [`router bgp ${vrf.asn ?? model.asn} vrf ${vrf.name}`, ...indent(body, 1), 'exit', '!'];
}

/**
 * Kernel routes a VRF redistributes as type-5, minus its default: every VRF
 * table holds `unreachable default metric 4278198272`, which must never be
 * advertised (it would draw the whole tenant's default traffic into a drop).
 */
export const KERNEL_ROUTE_MAP = 'OVN-EVPN-KERNEL';

function renderKernelRouteMap(): string[] {
  return [
    'ip prefix-list OVN-EVPN-DEFAULT-V4 seq 5 permit 0.0.0.0/0',
    '!',
    'ipv6 prefix-list OVN-EVPN-DEFAULT-V6 seq 5 permit ::/0',
    '!',
    `route-map ${KERNEL_ROUTE_MAP} deny 5`,
    ' match ip address prefix-list OVN-EVPN-DEFAULT-V4',
    'exit',
    '!',
    `route-map ${KERNEL_ROUTE_MAP} deny 6`,
    ' match ipv6 address prefix-list OVN-EVPN-DEFAULT-V6',
    'exit',
    '!',
    `route-map ${KERNEL_ROUTE_MAP} permit 10`,
    'exit',
    '!',
  ];
}

/** Renders the complete frr.conf for the model; throws FrrModelError on invalid input. */
export function renderFrrConfig(input: unknown): string {
  // Validated here, so a hand-built object cannot smuggle text past the schema.
  return renderFrrModel(parseFrrModel(input));
}

/** Renders an already validated model (the output of parseFrrModel/validateFrrModel). */
export function renderFrrModel(model: FrrModel): string {
  const vrfs = [...model.vrfs].sort((a, b) => compareText(a.name, b.name));
  const lines: string[] = ['frr defaults datacenter'];
  if (!model.ipv6Forwarding) lines.push('no ipv6 forwarding');
  if (model.nhtResolveViaDefault) lines.push('ip nht resolve-via-default');
  lines.push('!');
  lines.push(...renderBfd(model));
  for (const vrf of vrfs) lines.push(`vrf ${vrf.name}`, ` vni ${vrf.l3vni}`, 'exit-vrf', '!');
  lines.push(...renderDefaultInstance(model));
  for (const vrf of vrfs) lines.push(...renderVrfInstance(model, vrf));
  if (vrfs.some((v) => v.redistribute.kernel)) lines.push(...renderKernelRouteMap());
  for (const vrf of vrfs) {
    if (vrf.localPref === undefined) continue;
    lines.push(
      `route-map ${localPrefRouteMapName(vrf.name)} permit 10`,
      ` set local-preference ${vrf.localPref}`,
      'exit',
      '!',
    );
  }
  return `${lines.join('\n')}\n`;
}
