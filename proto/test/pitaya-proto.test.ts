import * as path from 'node:path';
import { loadSync } from 'protobufjs';

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
