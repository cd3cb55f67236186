// Server-side apply. The body is JSON (valid YAML) sent as
// `application/apply-patch+yaml`, with `fieldManager` (required by the apiserver
// for apply) and `force` in the query. Status goes to the `/status` subresource:
// for a CRD with `subresources.status`, the main endpoint ignores `.status`.
import { semanticEqual } from './conditions.ts';
import { isNotFound, type KubeClient } from './kube-client.ts';
import { apiVersionOf, resourcePath, type KubeObject, type ResourceRef } from './resource.ts';

export const applyPatchContentType = 'application/apply-patch+yaml';
export const mergePatchContentType = 'application/merge-patch+json';

export interface ApplyOptions {
  readonly fieldManager: string;
  /** Take ownership of fields another manager owns (controllers normally do). */
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

export interface ObjectName {
  readonly name: string;
  readonly namespace?: string;
}

function query(options: ApplyOptions): Record<string, string | boolean | undefined> {
  return {
    fieldManager: options.fieldManager,
    force: options.force,
    dryRun: options.dryRun === true ? 'All' : undefined,
  };
}

/**
 * Applies the fields in `desired` (the apply configuration: only the fields this
 * manager owns). apiVersion and kind are filled in from `resource`.
 */
export function applyObject<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceRef,
  desired: Omit<KubeObject, 'apiVersion' | 'kind'> & Record<string, unknown>,
  options: ApplyOptions,
): Promise<T> {
  const name = desired.metadata.name;
  if (name === undefined) throw new Error('applyObject: metadata.name is required');
  const body = { ...desired, apiVersion: apiVersionOf(resource), kind: resource.kind };
  return client.request<T>({
    method: 'PATCH',
    path: resourcePath(resource, { namespace: desired.metadata.namespace, name }),
    query: query(options),
    body,
    contentType: applyPatchContentType,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/** Applies `status` through the status subresource; `status` holds only the fields this manager owns. */
export function applyStatus<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceRef,
  target: ObjectName,
  status: Readonly<Record<string, unknown>>,
  options: ApplyOptions,
): Promise<T> {
  const metadata =
    target.namespace === undefined ? { name: target.name } : { name: target.name, namespace: target.namespace };
  return client.request<T>({
    method: 'PATCH',
    path: resourcePath(resource, { namespace: target.namespace, name: target.name, subresource: 'status' }),
    query: query(options),
    body: { apiVersion: apiVersionOf(resource), kind: resource.kind, metadata, status },
    contentType: applyPatchContentType,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

/**
 * True when applying `desired` would change the object's status: any field of
 * `desired` differs semantically from the live one (conditions compared by type,
 * key order ignored). Fields absent from `desired` are not compared.
 */
export function statusNeedsWrite(current: unknown, desired: Readonly<Record<string, unknown>>): boolean {
  const live = (typeof current === 'object' && current !== null ? current : {}) as Record<string, unknown>;
  return Object.entries(desired).some(([k, v]) => !semanticEqual(live[k], v));
}

/** Applies status only when it would change something; returns whether it wrote. */
export async function applyStatusIfChanged(
  client: KubeClient,
  resource: ResourceRef,
  current: KubeObject & { readonly status?: unknown },
  status: Readonly<Record<string, unknown>>,
  options: ApplyOptions,
): Promise<boolean> {
  if (!statusNeedsWrite(current.status, status)) return false;
  const name = current.metadata.name;
  if (name === undefined) throw new Error('applyStatusIfChanged: object has no name');
  await applyStatus(
    client,
    resource,
    current.metadata.namespace === undefined ? { name } : { name, namespace: current.metadata.namespace },
    status,
    options,
  );
  return true;
}

export function getObject<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceRef,
  target: ObjectName,
  signal?: AbortSignal,
): Promise<T> {
  return client.request<T>({
    method: 'GET',
    path: resourcePath(resource, { namespace: target.namespace, name: target.name }),
    ...(signal === undefined ? {} : { signal }),
  });
}

/**
 * Delete preconditions: the apiserver deletes only the object with this uid
 * (not a namesake created since) and, with resourceVersion, only if nobody
 * changed it since it was read; otherwise it answers 409 Conflict.
 */
export interface DeletePreconditions {
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
}

/** Deletes; a missing object is not an error (the desired state is reached). Returns whether it existed. */
export async function deleteObject(
  client: KubeClient,
  resource: ResourceRef,
  target: ObjectName,
  signal?: AbortSignal,
  preconditions?: DeletePreconditions,
): Promise<boolean> {
  const pre = Object.fromEntries(Object.entries(preconditions ?? {}).filter(([, v]) => v !== undefined));
  try {
    await client.request({
      method: 'DELETE',
      path: resourcePath(resource, { namespace: target.namespace, name: target.name }),
      ...(Object.keys(pre).length === 0
        ? {}
        : { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: pre } }),
      ...(signal === undefined ? {} : { signal }),
    });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
