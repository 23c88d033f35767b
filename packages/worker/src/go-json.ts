import * as path from 'node:path';
import { isLosslessNumber, LosslessNumber } from 'lossless-json';
import { Enum, MapField, Root, Type, type Field } from 'protobufjs';

/**
 * protobuf messages in the JSON Go's encoding/json writes for them, which is how Pitaya puts RPC
 * arguments in jobs: fields in declaration order under their names as declared (protoc-gen-go's
 * json tags), zero values left out (`omitempty`), 64-bit integers as JSON numbers, bytes as
 * base64, enums as numbers, map keys sorted. Numbers are LosslessNumbers both ways, so an int64
 * past 2^53 keeps every digit.
 */
export class GoJsonCodec {
  private readonly root: Root;
  private readonly types = new Map<string, Type>();

  constructor(protoFiles: string[]) {
    // field names as declared, as Go's json tags have them (protobufjs camel-cases them by default)
    this.root = new Root();
    if (protoFiles.length)
      this.root.loadSync(
        protoFiles.map((f) => path.resolve(f)),
        { keepCase: true },
      );
    this.root.resolveAll();
  }

  /** The Go JSON of a protobuf-encoded message. */
  toGo(bytes: Uint8Array, typeName: string): Record<string, unknown> {
    const type = this.type(typeName);
    const plain = type.toObject(type.decode(bytes), { longs: String, bytes: String, enums: Number });
    return messageToGo(type, plain);
  }

  /** The protobuf encoding of a message Go's encoding/json wrote; throws on what Go would refuse. */
  fromGo(value: unknown, typeName: string): Uint8Array {
    const type = this.type(typeName);
    return type.encode(type.fromObject(messageFromGo(type, value, 'Arg'))).finish();
  }

  private type(name: string): Type {
    let type = this.types.get(name);
    if (!type) {
      type = this.root.lookupType(name);
      this.types.set(name, type);
    }
    return type;
  }
}

/** `pkg.Message`: protobufjs's full names start with a dot. */
const nameOf = (object: Type | Field) => object.fullName.replace(/^\./, '');

const LONGS = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INTS = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);

const isSynthetic = (field: Field) =>
  field.partOf !== null && field.partOf.fieldsArray.length === 1 && field.partOf.name === `_${field.name}`;

function messageToGo(type: Type, plain: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (field.partOf && !isSynthetic(field)) {
      throw new Error(
        `${nameOf(type)}.${field.name} belongs to a oneof: Go's encoding/json cannot read oneofs back, so a reliable RPC cannot carry them`,
      );
    }
    const value = plain[field.name];
    // toObject leaves out what is absent; omitempty leaves out zeros too, but not a set `optional`
    if (value === undefined || value === null) continue;
    if (!field.partOf && isEmpty(field, value)) continue;
    out[field.name] = fieldToGo(field, value);
  }
  return out;
}

function isEmpty(field: Field, value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  if (field.map) return Object.keys(value as object).length === 0;
  // a present message is a non-nil pointer: written, even empty
  if (typeof value === 'object') return false;
  // toObject gives 64-bit integers as decimal strings
  if (LONGS.has(field.type)) return value === '0';
  return value === 0 || value === '' || value === false;
}

function fieldToGo(field: Field, value: unknown): unknown {
  if (field.map) {
    if (field instanceof MapField && field.keyType === 'bool')
      throw new Error(`${nameOf(field)}: Go's encoding/json has no form for bool map keys`);
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, valueToGo(field, v)]));
  }
  if (field.repeated) return (value as unknown[]).map((v) => valueToGo(field, v));
  return valueToGo(field, value);
}

function valueToGo(field: Field, value: unknown): unknown {
  if (field.resolvedType instanceof Type) return messageToGo(field.resolvedType, value as Record<string, unknown>);
  if (LONGS.has(field.type)) return new LosslessNumber(String(value));
  if (field.type === 'double' || field.type === 'float') return new LosslessNumber(goFloat(value as number, field));
  return value;
}

/**
 * Go writes the shortest digits that read back as the same float64, or float32 for a float
 * field, as JavaScript does for doubles; both switch to an exponent below 1e-6 and from 1e21 on.
 */
function goFloat(value: number, field: Field): string {
  if (!Number.isFinite(value)) throw new Error(`${nameOf(field)}: ${value} has no JSON form (Go refuses it)`);
  let shortest = value;
  if (field.type === 'float') {
    for (let digits = 1; digits <= 9; digits++) {
      const candidate = Number(value.toPrecision(digits));
      if (Math.fround(candidate) === value) {
        shortest = candidate;
        break;
      }
    }
  }
  return Object.is(shortest, -0) ? '-0' : String(shortest);
}

const fieldsByFold = new WeakMap<Type, Map<string, Field>>();

/** Go matches a JSON key to the field with that name, else to one that equals it ignoring case. */
function fieldOf(type: Type, key: string): Field | undefined {
  const exact = type.fields[key];
  if (exact) return exact;
  let folded = fieldsByFold.get(type);
  if (!folded) {
    folded = new Map(type.fieldsArray.map((f) => [f.name.toLowerCase(), f]));
    fieldsByFold.set(type, folded);
  }
  return folded.get(key.toLowerCase());
}

const kindOf = (value: unknown) =>
  isLosslessNumber(value) ? 'number' : Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;

function mismatch(at: string, expected: string, value: unknown): Error {
  return new Error(`${at}: expected ${expected}, got ${kindOf(value)}`);
}

function messageFromGo(type: Type, value: unknown, at: string): Record<string, unknown> {
  if (kindOf(value) !== 'object') throw mismatch(at, `an object (${nameOf(type)})`, value);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = fieldOf(type, key);
    // Go skips unknown keys, and null leaves a field as it is
    if (!field || v === null) continue;
    const fieldAt = `${at}.${key}`;
    if (field.map) {
      if (kindOf(v) !== 'object') throw mismatch(fieldAt, 'an object', v);
      out[field.name] = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([k, e]) => [k, valueFromGo(field, e, `${fieldAt}.${k}`)]),
      );
    } else if (field.repeated) {
      if (!Array.isArray(v)) throw mismatch(fieldAt, 'an array', v);
      out[field.name] = v.map((e, i) => valueFromGo(field, e, `${fieldAt}[${i}]`));
    } else {
      out[field.name] = valueFromGo(field, v, fieldAt);
    }
  }
  return out;
}

function valueFromGo(field: Field, value: unknown, at: string): unknown {
  if (field.resolvedType instanceof Type) return messageFromGo(field.resolvedType, value, at);
  const integer = LONGS.has(field.type) || INTS.has(field.type) || field.resolvedType instanceof Enum;
  if (integer || field.type === 'double' || field.type === 'float') {
    if (!isLosslessNumber(value)) throw mismatch(at, `a number (${field.type})`, value);
    if (integer && !/^-?\d+$/.test(value.value)) throw mismatch(at, `an integer (${field.type})`, value);
    // protobufjs reads 64-bit integers from decimal strings, every digit kept
    return LONGS.has(field.type) ? value.value : Number(value.value);
  }
  if (field.type === 'bool') {
    if (typeof value !== 'boolean') throw mismatch(at, 'a boolean', value);
    return value;
  }
  // string, and bytes as base64 (protobufjs decodes it)
  if (typeof value !== 'string') throw mismatch(at, `a string (${field.type})`, value);
  if (field.type === 'bytes' && !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw mismatch(at, 'base64', value);
  return value;
}
