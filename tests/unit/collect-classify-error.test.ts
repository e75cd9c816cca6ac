import { describe, expect, it } from 'vitest';
import { classifyRowError, parseSfError } from '../../functions/collect-results/classify-error.ts';

describe('parseSfError', () => {
  it.each([
    [
      'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --',
      {
        errorCode: 'REQUIRED_FIELD_MISSING',
        message: 'Required fields are missing: [Name]',
        fields: ['Name'],
      },
    ],
    [
      'REQUIRED_FIELD_MISSING:Required fields are missing: [Product__c, Broker__c]:Product__c,Broker__c --',
      {
        errorCode: 'REQUIRED_FIELD_MISSING',
        message: 'Required fields are missing: [Product__c, Broker__c]',
        fields: ['Product__c', 'Broker__c'],
      },
    ],
    [
      'DUPLICATE_VALUE:duplicate value found: Data_Warehouse_ID__c duplicates value on record with id: 500Ox000008nUimIAE:--',
      {
        errorCode: 'DUPLICATE_VALUE',
        message:
          'duplicate value found: Data_Warehouse_ID__c duplicates value on record with id: 500Ox000008nUimIAE',
        fields: [],
      },
    ],
    [
      'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--',
      {
        errorCode: 'UNABLE_TO_LOCK_ROW',
        message: 'unable to obtain exclusive access to this record',
        fields: [],
      },
    ],
    [
      'INVALID_FIELD:Foreign key external ID: 0116 not found for field Invoice_External_Id__c in entity blng__Invoice__c:--',
      {
        errorCode: 'INVALID_FIELD',
        message:
          'Foreign key external ID: 0116 not found for field Invoice_External_Id__c in entity blng__Invoice__c',
        fields: [],
      },
    ],
    [
      'FIELD_CUSTOM_VALIDATION_EXCEPTION:Age must be positive',
      { errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Age must be positive', fields: [] },
    ],
    ['something odd happened', { errorCode: 'UNKNOWN', message: 'something odd happened', fields: [] }],
  ])('parses %s', (text, expected) => {
    expect(parseSfError(text)).toEqual(expected);
  });
});

describe('classifyRowError', () => {
  const error = (errorCode: string) => ({ errorCode, message: '', fields: [] });

  it.each([
    ['UNABLE_TO_LOCK_ROW', 0, 'resubmit'],
    ['API_TEMPORARILY_UNAVAILABLE', 2, 'resubmit'],
    ['SERVER_UNAVAILABLE', 0, 'resubmit'],
    ['REQUEST_RUNNING_TOO_LONG', 0, 'resubmit'],
    ['UNABLE_TO_LOCK_ROW', 3, 'failed'],
    ['REQUIRED_FIELD_MISSING', 0, 'failed'],
    ['DUPLICATE_VALUE', 0, 'failed'],
  ] as const)('%s at attempt %i with 3 resubmits allowed: %s', (code, attempt, disposition) => {
    expect(classifyRowError(error(code), attempt, 3)).toBe(disposition);
  });

  it('never resubmits when resubmissions are switched off', () => {
    expect(classifyRowError(error('UNABLE_TO_LOCK_ROW'), 0, 0)).toBe('failed');
  });
});
