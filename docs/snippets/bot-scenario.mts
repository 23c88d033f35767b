import { defineScenario } from '@pitaya-ts/bot';

export default defineScenario({
  bots: 50,
  duration: '30s',
  setup: [{ request: 'chat.room.join', body: { name: 'bot-${bot}' } }],
  steps: ['hi', 'hello'].flatMap((word) => [
    { notify: 'chat.room.send', body: { text: word + ' from ${bot}' } }, // ${bot}: for the bot to fill in
    { waitPush: 'onMessage', match: { text: word + ' from ${bot}' } },
  ]),
});
