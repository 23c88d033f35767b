import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';

const PAGE = [
  { paths: ['/', '/index.html'], file: 'index.html', type: 'text/html; charset=utf-8' },
  { paths: ['/chat.js'], file: 'chat.js', type: 'text/javascript; charset=utf-8' },
];

/**
 * Serves the chat page that `npm run build` put in `dir` (the page and its script, read once), on
 * the WebSocket's port: GET and HEAD of those paths only, anything else 404.
 */
export function chatPage(dir = path.join(__dirname, 'web')): (req: IncomingMessage, res: ServerResponse) => void {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const { paths, file, type } of PAGE) {
    const at = path.join(dir, file);
    if (!fs.existsSync(at)) continue;
    const body = fs.readFileSync(at);
    for (const url of paths) files.set(url, { body, type });
  }
  return (req, res) => {
    const found = req.method === 'GET' || req.method === 'HEAD' ? files.get(req.url?.split('?')[0] ?? '') : undefined;
    if (!found) {
      const reason = files.size === 0 ? 'the chat page is not built: npm run build' : 'not found';
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(reason);
      return;
    }
    res.writeHead(200, {
      'Content-Type': found.type,
      'Content-Length': found.body.length,
      'Cache-Control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : found.body);
  };
}
