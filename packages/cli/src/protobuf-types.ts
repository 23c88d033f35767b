import * as fs from 'node:fs';
import { loadSync, type Root } from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import type { ProtobufRoutes, ProtobufType } from '@pitaya-ts/client';

/** Route → message type names, as a `--types` file holds them (YAML or JSON). */
export interface TypeNames {
  requests?: Record<string, string>;
  responses?: Record<string, string>;
  pushes?: Record<string, string>;
}

const KINDS = ['requests', 'responses', 'pushes'] as const;

/**
 * The protobuf types of a server's routes: message types from .proto files, by route. Mutable on
 * purpose: `push <route> <type>` adds a push type to a connection that is already open.
 */
export class ProtobufTypes {
  readonly routes: Required<Pick<ProtobufRoutes, 'requests' | 'responses' | 'pushes'>> = {
    requests: {},
    responses: {},
    pushes: {},
  };

  private constructor(private readonly root: Root) {}

  /** Loads the .proto files and the route map; an unknown type or a malformed map throws, naming it. */
  static load(protoFiles: string[], typesFile?: string): ProtobufTypes {
    const types = new ProtobufTypes(loadSync(protoFiles));
    if (typesFile) types.addAll(readTypeNames(typesFile), typesFile);
    return types;
  }

  add(kind: (typeof KINDS)[number], route: string, typeName: string): void {
    this.routes[kind][route] = this.lookup(typeName);
  }

  /** Every route that has a type, for completion. */
  knownRoutes(): string[] {
    return KINDS.flatMap((kind) => Object.keys(this.routes[kind]));
  }

  private addAll(names: TypeNames, source: string): void {
    for (const kind of KINDS) {
      for (const [route, typeName] of Object.entries(names[kind] ?? {})) {
        if (typeof typeName !== 'string') throw new Error(`${source}: ${kind}.${route} must be a message type name`);
        this.add(kind, route, typeName);
      }
    }
  }

  private lookup(typeName: string): ProtobufType {
    try {
      return this.root.lookupType(typeName);
    } catch {
      throw new Error(`no message type ${typeName} in the .proto files`);
    }
  }
}

function readTypeNames(file: string): TypeNames {
  const value: unknown = parseYaml(fs.readFileSync(file, 'utf8'));
  const ok =
    typeof value === 'object' &&
    value !== null &&
    Object.entries(value).every(
      ([key, map]) => (KINDS as readonly string[]).includes(key) && typeof map === 'object' && map !== null,
    );
  if (!ok) throw new Error(`${file}: expected {requests, responses, pushes}, each a map of route to message type`);
  return value;
}
