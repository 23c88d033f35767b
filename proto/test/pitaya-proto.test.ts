import * as path from 'node:path';
import { loadSync } from 'protobufjs';
import { protos } from '@pitaya-ts/core/provider';

// Encodings Pitaya's cluster protocol documents; a wrong field number or type changes the bytes.
const root = loadSync(path.join(__dirname, '..', 'pitaya.proto'));
const hexOf = (bytes: Uint8Array) =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

describe('proto/pitaya.proto', () => {
  it.each([
    ['protos.Response', { data: Buffer.from('ack') }, '0a 03 61 63 6b'],
    ['protos.KickMsg', { userId: 'u1' }, '0a 02 75 31'],
    ['protos.BindMsg', { uid: 'u1', fid: 'fe-1' }, '0a 02 75 31 12 04 66 65 2d 31'],
  ])('%s encodes as Pitaya does', (name, value, hex) => {
    const type = root.lookupType(name);
    expect(hexOf(type.encode(type.fromObject(value)).finish())).toBe(hex);
  });

  it('declares the Pitaya service with its four calls', () => {
    const service = root.lookupService('protos.Pitaya');
    expect(Object.keys(service.methods).sort()).toEqual(['Call', 'KickUser', 'PushToUser', 'SessionBindRemote']);
  });
});

describe('the cluster codec in @pitaya-ts/core', () => {
  it('describes exactly the messages, fields and service of proto/pitaya.proto', () => {
    const fromFile = root.lookup('protos')!.toJSON();
    const embedded = protos.protosRoot.lookup('protos')!.toJSON();
    expect(embedded).toEqual(fromFile);
  });

  it('encodes a Sys request that decodes back, metadata as a JSON object', () => {
    const request = {
      type: 0 as const,
      session: { id: 42, uid: 'u1', data: new TextEncoder().encode('{"a":1}') },
      msg: { id: 7, route: 'room.room.join', data: new TextEncoder().encode('{}'), reply: '', type: 0 as const },
      frontendId: 'connector-1',
      metadata: { 'req-route': 'room.room.join', reqTimeout: '5s' },
    };
    const bytes = protos.encodeRequest(request);
    const decoded = root.lookupType('protos.Request').decode(bytes).toJSON();
    expect(decoded).toMatchObject({
      session: { id: '42', uid: 'u1' },
      msg: { id: '7', route: 'room.room.join' },
      frontendID: 'connector-1',
    });
    expect(JSON.parse(Buffer.from(decoded.metadata as string, 'base64').toString())).toEqual(request.metadata);
    const back = protos.decodeRequest(bytes);
    expect({ ...back, session: { ...back.session, data: [...back.session!.data] } }).toMatchObject({
      frontendId: 'connector-1',
      metadata: request.metadata,
      session: { id: 42, uid: 'u1', data: [...request.session.data] },
    });
  });
});
