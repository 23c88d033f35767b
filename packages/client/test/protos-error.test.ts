import { Writer } from 'protobufjs';
import { decodeProtosError } from '../src/protos-error';

describe("Pitaya's protos.Error, read without protobufjs", () => {
  it('reads code, message and metadata, skipping fields of every other wire type', () => {
    const writer = Writer.create();
    writer.uint32((9 << 3) | 0).uint64(2 ** 40); // unknown varint
    writer.uint32((1 << 3) | 2).string('PIT-555');
    writer.uint32((10 << 3) | 1).fixed64(7); // unknown fixed64
    writer.uint32((2 << 3) | 2).string('salle pleine é');
    writer.uint32((11 << 3) | 5).fixed32(7); // unknown fixed32
    for (const [key, value] of [
      ['room', 'lobby'],
      ['max', '8'],
    ]) {
      writer.uint32((3 << 3) | 2).fork();
      writer.uint32((1 << 3) | 2).string(key!);
      writer.uint32((2 << 3) | 2).string(value!);
      writer.ldelim();
    }
    writer.uint32((12 << 3) | 2).bytes(new Uint8Array([1, 2, 3])); // unknown bytes
    expect(decodeProtosError(writer.finish())).toEqual({
      code: 'PIT-555',
      msg: 'salle pleine é',
      metadata: { room: 'lobby', max: '8' },
    });
  });

  it('refuses a message cut short', () => {
    const bytes = Writer.create()
      .uint32((1 << 3) | 2)
      .string('PIT-555')
      .finish();
    expect(() => decodeProtosError(bytes.subarray(0, bytes.length - 2))).toThrow('truncated message');
  });

  it('refuses a varint cut short', () => {
    // a tag whose continuation bit promises a byte that is not there
    expect(() => decodeProtosError(new Uint8Array([0x80]))).toThrow('truncated message');
    expect(() => decodeProtosError(new Uint8Array([(1 << 3) | 2, 0x85]))).toThrow('truncated message');
  });
});
