import { describe, expect, it } from 'vitest';
import { coreResources, objectKey, resourcePath, splitObjectKey, type ResourceRef } from './resource.ts';
import { resourceOfPath, writeVerbOf } from './write-counter.ts';

const vrfs: ResourceRef = {
  group: 'evpn.ovn.org',
  version: 'v1alpha1',
  plural: 'evpnvrfs',
  namespaced: false,
  kind: 'EvpnVrf',
};

describe('resourcePath', () => {
  it.each([
    ['core namespaced list', coreResources.configMaps, { namespace: 'ns' }, '/api/v1/namespaces/ns/configmaps'],
    ['core all namespaces', coreResources.configMaps, {}, '/api/v1/configmaps'],
    [
      'group namespaced object',
      coreResources.leases,
      { namespace: 'kube-system', name: 'op' },
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/op',
    ],
    [
      'cluster-scoped status',
      vrfs,
      { name: 'vrf-a', subresource: 'status' },
      '/apis/evpn.ovn.org/v1alpha1/evpnvrfs/vrf-a/status',
    ],
    [
      'cluster-scoped ignores namespace',
      vrfs,
      { namespace: 'x', name: 'vrf-a' },
      '/apis/evpn.ovn.org/v1alpha1/evpnvrfs/vrf-a',
    ],
  ] as const)('%s', (_name, ref, opts, expected) => {
    expect(resourcePath(ref, opts)).toBe(expected);
  });

  it('refuses a subresource without a name', () => {
    expect(() => resourcePath(vrfs, { subresource: 'status' })).toThrow();
  });
});

describe('object keys', () => {
  it('is namespace/name for namespaced objects and name otherwise, and splits back', () => {
    expect(objectKey({ metadata: { name: 'a', namespace: 'ns' } })).toBe('ns/a');
    expect(objectKey({ metadata: { name: 'a' } })).toBe('a');
    expect(splitObjectKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitObjectKey('a')).toEqual({ name: 'a' });
  });
});

describe('write classification', () => {
  it.each([
    ['GET', undefined, undefined],
    ['POST', 'application/json', 'create'],
    ['PUT', 'application/json', 'update'],
    ['PATCH', 'application/merge-patch+json', 'patch'],
    ['PATCH', 'application/apply-patch+yaml', 'apply'],
    ['DELETE', undefined, 'delete'],
  ] as const)('%s %s is %s', (method, contentType, verb) => {
    expect(writeVerbOf(method, contentType)).toBe(verb);
  });

  it.each([
    ['/api/v1/namespaces/ns/configmaps/x', 'configmaps'],
    ['/api/v1/namespaces/ns', 'namespaces'],
    ['/apis/evpn.ovn.org/v1alpha1/evpnvrfs/a/status', 'evpnvrfs/status'],
    ['/apis/events.k8s.io/v1/namespaces/ns/events', 'events'],
    ['/apis/g/v1/namespaces/ns/widgets/w/status?fieldManager=x', 'widgets/status'],
  ])('%s → %s', (path, resource) => {
    expect(resourceOfPath(path)).toBe(resource);
  });
});
