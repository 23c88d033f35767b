import * as fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { spawnChat, type ChatProcess } from './chat-process';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The demo's page as people use it: two browsers on http://host:port/, talking through the server
describe('the chat page', () => {
  let browser: Browser;
  let chat: ChatProcess;

  beforeAll(async () => {
    if (!fs.existsSync(chromiumPath)) {
      throw new Error(`Chromium not found at ${chromiumPath}: run npm test (it installs it) or set CHROMIUM_PATH`);
    }
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    chat = await spawnChat();
  }, 90_000);

  afterAll(async () => {
    chat?.kill();
    await browser?.close();
  });

  async function join(name: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${chat.ports.ws}/`);
    await page.locator('#status', { hasText: 'connected' }).waitFor({ timeout: 15_000 });
    await page.fill('#name', name);
    await page.click('#join');
    await page.locator('#send-form').waitFor({ state: 'visible', timeout: 15_000 });
    return page;
  }

  async function say(page: Page, text: string): Promise<void> {
    await page.fill('#text', text);
    await page.click('#send');
  }

  const heard = (page: Page, line: string) =>
    page.locator('#messages li', { hasText: line }).waitFor({ timeout: 15_000 });

  it('is served beside the WebSocket, and carries messages both ways between two pages', async () => {
    const ana = await join('ana');
    const bo = await join('bo');
    await heard(ana, 'bo joined');

    await say(ana, 'hello from ana');
    await heard(bo, 'ana: hello from ana');
    await say(bo, 'hi ana');
    await heard(ana, 'bo: hi ana');
    await expect(bo.locator('#status').textContent()).resolves.toContain('in the room as bo: ana, bo');
  });

  it('answers 404 for what it does not serve', async () => {
    const response = await fetch(`http://127.0.0.1:${chat.ports.ws}/secret.txt`);
    expect(response.status).toBe(404);
  });
});
