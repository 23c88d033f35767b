import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '../../..');
const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('browser entry', () => {
  it('bundles for the browser without any Node built-in or the ws package', async () => {
    const imported: string[] = [];
    const result = await build({
      metafile: true,
      entryPoints: [path.join(root, 'packages/client/src/browser.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
      alias: { '@pitaya-ts/protocol': path.join(root, 'packages/protocol/src/index.ts') },
      plugins: [
        {
          name: 'record-imports',
          setup(b) {
            b.onResolve({ filter: /.*/ }, (args) => {
              imported.push(args.path);
              return undefined;
            });
          },
        },
      ],
    });
    expect(result.errors).toEqual([]);
    expect(imported.filter((p) => nodeBuiltins.has(p) || p === 'ws')).toEqual([]);
    expect(imported).toEqual(expect.arrayContaining(['@pitaya-ts/protocol', 'fflate']));
    // nothing stubbed out by a package's own browser mapping either
    expect(Object.keys(result.metafile.inputs).filter((input) => input.startsWith('(disabled)'))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).toContain('globalThis');
    expect(code).not.toMatch(/require\(["'](net|tls|ws)["']\)/);
  });

  it('leaves protobufjs out: a JSON client does not carry it', async () => {
    const result = await build({
      metafile: true,
      entryPoints: [path.join(root, 'packages/client/src/browser.ts')],
      bundle: true,
      minify: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      logLevel: 'silent',
      alias: { '@pitaya-ts/protocol': path.join(root, 'packages/protocol/src/index.ts') },
    });
    expect(Object.keys(result.metafile.inputs).filter((input) => input.includes('protobufjs'))).toEqual([]);
    // 76 kB minified with protobufjs's minimal runtime, 33 kB without
    expect(result.outputFiles[0]!.contents.length).toBeLessThan(50_000);
  });

  it('the Node entry, by contrast, does pull in net, tls and ws', async () => {
    const result = await build({
      entryPoints: [path.join(root, 'packages/client/src/index.ts')],
      bundle: true,
      write: false,
      platform: 'browser',
      logLevel: 'silent',
      alias: { '@pitaya-ts/protocol': path.join(root, 'packages/protocol/src/index.ts') },
    }).catch((err: unknown) => err as { errors: { text: string }[] });
    const texts = 'errors' in result ? result.errors.map((e) => e.text).join('\n') : '';
    expect(texts).toMatch(/node:net|node:tls/);
  });
});
