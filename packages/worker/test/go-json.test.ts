import { parse, stringify } from 'lossless-json';
import { ProtobufSerializer } from '@pitaya-ts/core';
import { GoJsonCodec } from '@pitaya-ts/worker';
import { PROTO } from './helpers';

const codec = new GoJsonCodec([PROTO]);
const proto = new ProtobufSerializer([PROTO]);
const goJson = (value: Record<string, unknown>, type = 'wtest.Grant') =>
  stringify(codec.toGo(proto.marshal(value, type), type));

describe("protobuf arguments as Go's encoding/json writes them", () => {
  it('writes float fields with the shortest digits of a float32, doubles of a float64', () => {
    expect(goJson({ weight: 0.1, ratio: 0.1 })).toBe('{"ratio":0.1,"weight":0.1}');
    expect(goJson({ weight: 1e-7, ratio: 1e21 })).toBe('{"ratio":1e+21,"weight":1e-7}');
  });

  it('leaves out zero values but keeps a set optional field and a present empty message', () => {
    expect(goJson({ userId: '', points: 0, active: false, tags: [], counts: {}, zero: 0 })).toBe('{}');
    expect(goJson({ level: 0, inner: {} })).toBe('{"inner":{},"level":0}');
  });

  it('refuses oneofs, which Go cannot read back from JSON', () => {
    expect(() => goJson({ text: 'a' }, 'wtest.Choice')).toThrow(/wtest.Choice.text belongs to a oneof/);
  });

  it('reads back what it writes', () => {
    const value = { userId: 'u', points: '-9223372036854775808', token: 'AAE=', kind: 1, counts: { x: -1 } };
    const bytes = codec.fromGo(
      parse(stringify(codec.toGo(proto.marshal({ ...value, points: -1 }, 'wtest.Grant'), 'wtest.Grant'))!),
      'wtest.Grant',
    );
    expect(proto.unmarshal(bytes, 'wtest.Grant')).toMatchObject({ userId: 'u', kind: 1, counts: { x: -1 } });
    const big = codec.fromGo(parse('{"points":-9223372036854775808}'), 'wtest.Grant');
    expect(String((proto.unmarshal(big, 'wtest.Grant') as { points: unknown }).points)).toBe('-9223372036854775808');
  });

  it('names the field and what it expected when a Go job holds the wrong type, as Go refuses it', () => {
    expect(() => codec.fromGo(parse('{"points":"12"}'), 'wtest.Grant')).toThrow(
      'Arg.points: expected a number (int64), got string',
    );
    expect(() => codec.fromGo(parse('{"points":1.5}'), 'wtest.Grant')).toThrow(
      'Arg.points: expected an integer (int64), got number',
    );
    expect(() => codec.fromGo(parse('{"inner":{"note":3}}'), 'wtest.Grant')).toThrow(
      'Arg.inner.note: expected a string (string), got number',
    );
    expect(() => codec.fromGo(parse('[1]'), 'wtest.Grant')).toThrow('Arg: expected an object (wtest.Grant), got array');
  });
});
