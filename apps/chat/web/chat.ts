// The demo's page: the browser entry of @pitaya-ts/client on the WebSocket it was served from.
import { connect, PitayaError } from '@pitaya-ts/client/browser';

/** The page's element `#id`, checked to be the kind of element this script uses it as. */
function element<T extends HTMLElement>(id: string, kind: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) throw new Error(`#${id} is not a ${kind.name}`);
  return found;
}
const status = element('status', HTMLParagraphElement);
const messages = element('messages', HTMLUListElement);
const name = element('name', HTMLInputElement);
const text = element('text', HTMLInputElement);
const joinForm = element('join-form', HTMLFormElement);
const sendForm = element('send-form', HTMLFormElement);

function show(line: string, kind: 'message' | 'event' = 'message'): void {
  const item = document.createElement('li');
  item.className = kind;
  item.textContent = line;
  messages.append(item);
  item.scrollIntoView({ block: 'end' });
}

async function main(): Promise<void> {
  const client = await connect(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`);
  status.textContent = 'connected: pick a name';
  client.on('onMessage', (body) => {
    const { from, text } = body as { from: string; text: string };
    show(`${from}: ${text}`);
  });
  client.on('onJoin', (body) => show(`${(body as { name: string }).name} joined`, 'event'));
  client.on('onLeave', (body) => show(`${(body as { name: string }).name} left`, 'event'));
  client.events.on('close', (reason) => (status.textContent = `disconnected (${reason.message})`));

  joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    client.request('chat.room.join', { name: name.value }).then(
      (answer) => {
        const { members } = answer as { members: string[] };
        status.textContent = `in the room as ${name.value}: ${members.join(', ')}`;
        joinForm.hidden = true;
        sendForm.hidden = false;
        text.focus();
      },
      (err: unknown) => (status.textContent = PitayaError.is(err) ? err.message : String(err)),
    );
  });
  sendForm.addEventListener('submit', (event) => {
    event.preventDefault();
    client.notify('chat.room.send', { text: text.value });
    text.value = '';
  });
}

main().catch((err: unknown) => (status.textContent = `cannot connect: ${String(err)}`));
