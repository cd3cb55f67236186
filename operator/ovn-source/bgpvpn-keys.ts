// The external_ids keys networking-bgpvpn's OVN driver writes on OVN rows, and
// the legacy names older releases left in databases, accepted as aliases.
export const BGPVPN_PREFIX = 'neutron_bgpvpn:';

export const BgpvpnKey = {
  vni: 'neutron_bgpvpn:vni',
  as: 'neutron_bgpvpn:as',
  type: 'neutron_bgpvpn:type',
  rt: 'neutron_bgpvpn:rt',
  rd: 'neutron_bgpvpn:rd',
  it: 'neutron_bgpvpn:it',
  et: 'neutron_bgpvpn:et',
  localPref: 'neutron_bgpvpn:local_pref',
  advertiseFixedIps: 'neutron_bgpvpn:advertise_fixed_ips',
  routes: 'neutron_bgpvpn:routes',
} as const;

/** Legacy key → current key. When both are present the current key wins. */
export const legacyAliases: Readonly<Record<string, string>> = {
  'neutron_bgpvpn:evpn_type': BgpvpnKey.type,
  'neutron_bgpvpn:route_targets': BgpvpnKey.rt,
  'neutron_bgpvpn:import_targets': BgpvpnKey.it,
  'neutron_bgpvpn:export_targets': BgpvpnKey.et,
  'neutron_bgpvpn:route_distinguishers': BgpvpnKey.rd,
};

/** Neutron's own keys, used to find which network a row belongs to. */
export const NeutronKey = {
  networkName: 'neutron:network_name',
  routerName: 'neutron:router_name',
  deviceOwner: 'neutron:device_owner',
} as const;

export const NEUTRON_NAME_PREFIX = 'neutron-';

export function hasBgpvpnKeys(ids: Readonly<Record<string, string>>): boolean {
  return Object.keys(ids).some((k) => k.startsWith(BGPVPN_PREFIX));
}

/** `neutron-<uuid>` → `<uuid>`; anything else is returned unchanged. */
export function neutronIdOf(name: string): string {
  return name.startsWith(NEUTRON_NAME_PREFIX) ? name.slice(NEUTRON_NAME_PREFIX.length) : name;
}
