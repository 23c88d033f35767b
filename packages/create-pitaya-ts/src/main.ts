#!/usr/bin/env node
import { Command, Option } from 'commander';
import { ask } from './ask';
import { createProject, CreateError, TEMPLATES, type Template } from './create-project';

const program = new Command()
  .name('create-pitaya-ts')
  .description('Creates a pitaya-ts game server project (npm create pitaya-ts@latest my-game)')
  .argument('[directory]', 'the folder to create; its name names the package')
  .addOption(new Option('-t, --template <template>', 'what the project starts from').choices(TEMPLATES))
  .option('--no-install', 'do not run npm install')
  .addHelpText(
    'after',
    '\nTemplates:\n' +
      '  standalone  one server: WebSocket and TCP, a room with a DTO, an auth step, a remote, tests, a Dockerfile\n' +
      '  cluster     a connector and a room server on NATS and etcd, with a compose file\n' +
      '\nWithout a terminal, give the folder (the template defaults to standalone).',
  )
  .parse();

async function main(): Promise<void> {
  const opts = program.opts<{ template?: Template; install: boolean }>();
  let directory = program.args[0];
  let template = opts.template;
  if (process.stdin.isTTY && process.stdout.isTTY)
    ({ directory, template } = await ask({ directory, template }, process.stdin, process.stdout));
  if (!directory) throw new CreateError('give the project a folder: npm create pitaya-ts@latest my-game');
  await createProject({ directory, template: template ?? 'standalone', install: opts.install });
}

main().catch((err: unknown) => {
  console.error(err instanceof CreateError ? `create-pitaya-ts: ${err.message}` : err);
  process.exit(1);
});
