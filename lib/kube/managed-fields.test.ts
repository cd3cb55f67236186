import { describe, expect, it } from 'vitest';
import { summarizeManagedFields } from './managed-fields.ts';

describe('summarizeManagedFields', () => {
  it('keeps one {manager, operation, subresource} per distinct manager and drops the field sets', () => {
    const obj = {
      metadata: {
        name: 'a',
        managedFields: [
          { manager: 'ovn-evpn-operator', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
          { manager: 'ovn-evpn-operator', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} } },
          { manager: 'ovn-evpn-operator', operation: 'Update', subresource: 'status', fieldsV1: {} },
        ],
      },
    };
    expect(summarizeManagedFields(obj).metadata.managedFields).toEqual([
      { manager: 'ovn-evpn-operator', operation: 'Apply' },
      { manager: 'ovn-evpn-operator', operation: 'Update', subresource: 'status' },
    ]);
  });
  it('leaves an object without managedFields as it is', () => {
    const obj = { metadata: { name: 'a' } };
    expect(summarizeManagedFields(obj)).toBe(obj);
  });
});
