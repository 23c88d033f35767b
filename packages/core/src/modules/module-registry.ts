import { BootError } from '../errors/boot-error';
import type { Module } from './module';

/** Modules by name, in registration order (shutdown runs in reverse). */
export class ModuleRegistry {
  private readonly modules = new Map<string, Module>();

  constructor(modules: Module[]) {
    for (const module of modules) this.register(module);
  }

  register(module: Module): void {
    if (this.modules.has(module.name)) throw new BootError(`a module named ${module.name} is already registered`);
    this.modules.set(module.name, module);
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the public typed lookup (TOKENS.ModuleRegistry)
  get<T extends Module = Module>(name: string): T | undefined {
    return this.modules.get(name) as T | undefined;
  }

  all(): Module[] {
    return [...this.modules.values()];
  }
}
