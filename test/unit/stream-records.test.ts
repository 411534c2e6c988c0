/** Stream records as Lambda delivers them (infra/local/stream-records.ts). */
import { describe, expect, it } from 'vitest';
import { toLambdaAttribute, toLambdaRecord } from '../../infra/local/stream-records.js';

describe('stream records', () => {
  it('turns SDK attribute values into Lambda JSON: binary as base64, empty maps as {"M":{}}', () => {
    expect(toLambdaAttribute({ B: new Uint8Array([1, 2]) })).toEqual({ B: 'AQI=' });
    expect(toLambdaAttribute({ BS: [new Uint8Array([255])] })).toEqual({ BS: ['/w=='] });
    expect(toLambdaAttribute({ L: [{ N: '1' }, { M: { x: { NULL: true } } }] })).toEqual({ L: [{ N: '1' }, { M: { x: { NULL: true } } }] });
    // DynamoDB Local streams an empty map as {}
    expect(toLambdaAttribute({} as never)).toEqual({ M: {} });
  });

  it('fills the record fields Lambda sets: region, source ARN, creation time in epoch seconds', () => {
    const record = toLambdaRecord(
      {
        eventID: 'e1',
        eventName: 'INSERT',
        eventSource: 'aws:dynamodb',
        awsRegion: 'ddblocal',
        dynamodb: {
          ApproximateCreationDateTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 1, 900)),
          Keys: { PK: { S: 'a' } },
          SequenceNumber: '100',
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
      'arn:stream',
      'eu-west-1',
    );
    expect(record).toMatchObject({
      eventID: 'e1',
      eventVersion: '1.1',
      awsRegion: 'eu-west-1',
      eventSourceARN: 'arn:stream',
      dynamodb: { ApproximateCreationDateTime: Date.UTC(2026, 0, 1, 0, 0, 1) / 1000, Keys: { PK: { S: 'a' } }, SequenceNumber: '100' },
    });
  });
});
