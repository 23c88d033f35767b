import { createInterface } from 'node:readline/promises';
import { TEMPLATES, type Template } from './create-project';

export interface Answers {
  directory: string;
  template: Template;
}

/** Asks, on a terminal, what the command line left out: the project's folder, then its template. */
export async function ask(
  given: Partial<Answers>,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<Answers> {
  const rl = createInterface({ input, output });
  try {
    let directory = given.directory;
    while (!directory) directory = (await rl.question('Project name (its folder): (my-game) ')).trim() || 'my-game';
    let template = given.template;
    while (!template) {
      const answer = (await rl.question(`Template, ${TEMPLATES.map((t, i) => `${i + 1}) ${t}`).join(' ')}: (1) `))
        .trim()
        .toLowerCase();
      template = TEMPLATES.find((t, i) => answer === t || answer === String(i + 1) || (!answer && i === 0));
    }
    return { directory, template };
  } finally {
    rl.close();
  }
}
