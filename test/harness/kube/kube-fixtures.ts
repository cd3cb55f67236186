// Shared by lib's integration tests (*.int.test.ts): clients, namespaces and a
// CRD of their own on the real apiserver.
import { KubeClient } from '../../../lib/kube/kube-client.ts';
import { coreResources, resourcePath, type ResourceRef } from '../../../lib/kube/resource.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import { WriteCounter } from '../../../lib/kube/write-counter.ts';
import { waitFor } from '../wait-for.ts';

export function testClient(kc: KubeConfig): { client: KubeClient; writes: WriteCounter } {
  const writes = new WriteCounter();
  return { client: new KubeClient(kc, { writeCounter: writes, userAgent: 'ovn-evpn-lib-test' }), writes };
}

export async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.request({
    method: 'POST',
    path: resourcePath(coreResources.namespaces),
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
  });
}

export async function deleteNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.request({ method: 'DELETE', path: resourcePath(coreResources.namespaces, { name }) });
  } catch {
    // Best effort: there is no namespace controller in the test control plane anyway.
  }
}

export function configMap(
  namespace: string,
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
): unknown {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

/** The Widget CRD of `group`: status subresource, a conditions list-map. */
function widgetCrd(group: string): unknown {
  const condition = {
    type: 'object',
    required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
    properties: {
      type: { type: 'string' },
      status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
      reason: { type: 'string' },
      message: { type: 'string' },
      lastTransitionTime: { type: 'string', format: 'date-time' },
      observedGeneration: { type: 'integer' },
    },
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: { type: 'object', properties: { size: { type: 'integer' }, color: { type: 'string' } } },
                status: {
                  type: 'object',
                  properties: {
                    observedGeneration: { type: 'integer' },
                    summary: { type: 'string' },
                    conditions: {
                      type: 'array',
                      'x-kubernetes-list-type': 'map',
                      'x-kubernetes-list-map-keys': ['type'],
                      items: condition,
                    },
                  },
                },
              },
            },
          },
        },
      ],
    },
  };
}

/**
 * Creates a namespaced CRD `Widget` in a group of its own (so test files never
 * collide), with the status subresource and a conditions list-map, and waits
 * until it is Established.
 */
export async function createWidgetCrd(client: KubeClient, group: string): Promise<ResourceRef> {
  const ref: ResourceRef = { group, version: 'v1', plural: 'widgets', namespaced: true, kind: 'Widget' };
  await client.request({
    method: 'POST',
    path: resourcePath(coreResources.customResourceDefinitions),
    body: widgetCrd(group),
  });
  await waitFor(`CRD widgets.${group} established`, async () => {
    const crd = await client.request<{ status?: { conditions?: { type: string; status: string }[] } }>({
      method: 'GET',
      path: resourcePath(coreResources.customResourceDefinitions, { name: `widgets.${group}` }),
    });
    return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;
  });
  // Established can precede the REST endpoint being served for a moment.
  await waitFor(`widgets.${group} served`, async () => {
    await client.request({ method: 'GET', path: resourcePath(ref, { namespace: 'default' }) });
    return true;
  });
  return ref;
}

export async function deleteCrd(client: KubeClient, group: string): Promise<void> {
  try {
    await client.request({
      method: 'DELETE',
      path: resourcePath(coreResources.customResourceDefinitions, { name: `widgets.${group}` }),
    });
  } catch {
    // best effort
  }
}
