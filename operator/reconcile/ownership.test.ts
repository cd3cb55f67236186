import { describe, expect, it } from 'vitest';
import { Label } from '../../crds/index.ts';
import { appliedByOperator, isImpostor, withoutImpostorLabels } from './ownership.ts';

const labels = { [Label.MirroredFrom]: 'network', team: 'a' };
const ours = { manager: 'ovn-evpn-operator', operation: 'Apply', apiVersion: 'evpn.ovn-evpn.dev/v1alpha1' };
const ourStatus = { ...ours, subresource: 'status' };
const kubectl = { manager: 'kubectl-client-side-apply', operation: 'Update' };

describe('ownership', () => {
  it.each([
    { name: 'applied by the operator', managed: [ours], owned: true },
    { name: 'applied by the operator, edited by a person', managed: [ours, kubectl], owned: true },
    { name: 'a kubectl copy with the label', managed: [kubectl], owned: false },
    { name: 'a user object whose status the operator writes', managed: [kubectl, ourStatus], owned: false },
    {
      name: 'another manager applying with our label',
      managed: [{ manager: 'argocd-controller', operation: 'Apply' }],
      owned: false,
    },
    {
      name: 'our manager name but an Update (not an apply)',
      managed: [{ manager: 'ovn-evpn-operator', operation: 'Update' }],
      owned: false,
    },
    { name: 'no managedFields', managed: undefined, owned: false },
  ])('$name', ({ managed, owned }) => {
    const o = { metadata: { labels, ...(managed === undefined ? {} : { managedFields: managed }) } };
    expect(appliedByOperator(o)).toBe(owned);
    expect(isImpostor(o)).toBe(!owned);
  });

  it('drops only the mirrored-from label of an impostor and leaves ours alone', () => {
    const impostor = { metadata: { name: 'x', labels, managedFields: [kubectl] } };
    const mine = { metadata: { name: 'y', labels, managedFields: [ours] } };
    const [a, b] = withoutImpostorLabels([impostor, mine]);
    expect(a?.metadata.labels).toEqual({ team: 'a' });
    expect(b).toBe(mine);
    expect(impostor.metadata.labels[Label.MirroredFrom]).toBe('network');
  });
});
