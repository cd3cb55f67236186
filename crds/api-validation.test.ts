import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { validationCases } from '../test/fixtures/crds/api-validation-cases.ts';
import { EvpnNetworkSpec } from './evpn-network.ts';
import { EvpnPortSetSpec } from './evpn-port-set.ts';
import { EvpnVrfSpec } from './evpn-vrf.ts';

const specSchemas: Record<string, z.ZodType> = {
  EvpnVrf: EvpnVrfSpec,
  EvpnNetwork: EvpnNetworkSpec,
  EvpnPortSet: EvpnPortSetSpec,
};

// zod's wording differs from the API server's for built-in checks (enum, bounds,
// regex); for those the path of the failing field is what must match.
function issueText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
}

describe('API validation in the zod schemas', () => {
  it.each(validationCases)('$name', (c) => {
    const schema = specSchemas[c.kind];
    if (!schema) throw new Error(`no schema for ${c.kind}`);
    const result = schema.safeParse(c.spec);
    if (c.rejectedWith === undefined) {
      expect(result.success, result.error ? issueText(result.error) : '').toBe(true);
      return;
    }
    expect(result.success).toBe(false);
    const text = issueText(result.error as z.ZodError);
    const builtIn = ['Unsupported value', 'vlanId', 'localPref', 'vrf', 'mac'];
    const expected = builtIn.includes(c.rejectedWith)
      ? c.rejectedWith === 'Unsupported value'
        ? 'type'
        : c.rejectedWith
      : c.rejectedWith;
    expect(text).toContain(expected);
  });
});
