import { z } from 'zod';

/** The part of ObjectMeta this project reads; everything else passes through. */
export const ObjectMeta = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.int().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  managedFields: z.array(z.unknown()).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;
