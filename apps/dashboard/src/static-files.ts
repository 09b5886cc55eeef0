/**
 * The built web UI: files under webRoot, index.html for "/" and for client-side routes (paths without an
 * extension). Small on purpose: a handful of hashed assets, read from disk per request.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Understudy</title></head>
<body><h1>Understudy dashboard</h1>
<p>The web UI is not built. The API is served at <a href="/api/v1/status">/api/v1/status</a>
(OpenAPI: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>).</p></body></html>
`;

async function fileIn(root: string, urlPath: string): Promise<string | null> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const full = resolve(root, `.${rel.startsWith('/') ? rel : `/${rel}`}`);
  if (full !== root && !full.startsWith(root + sep)) return null;
  const st = await stat(full).catch(() => null);
  return st?.isFile() ? full : null;
}

async function sendFile(reply: FastifyReply, file: string): Promise<FastifyReply> {
  const body = await readFile(file);
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  // Hashed assets never change under the same name; index.html must be revalidated to pick up new builds.
  const cache = /[.-][A-Za-z0-9_-]{8,}\.(js|css|woff2|svg|png)$/.test(file)
    ? 'public, max-age=31536000, immutable'
    : 'no-cache';
  return reply.type(type).header('cache-control', cache).send(body);
}

export function registerStatic(app: FastifyInstance, webRoot: string | null): void {
  const root = webRoot === null ? null : resolve(webRoot);
  app.get('/*', async (req, reply) => {
    const path = req.url.split('?', 1)[0]!;
    if (path.startsWith('/api/'))
      return reply.code(404).send({ error: 'not_found', message: `no API route GET ${path}` });
    if (root === null) {
      if (path !== '/' && path !== '/index.html')
        return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT);
    }
    const file = await fileIn(root, path === '/' ? '/index.html' : path);
    if (file) return sendFile(reply, file);
    if (extname(path) === '') {
      const index = await fileIn(root, '/index.html');
      if (index) return sendFile(reply, index);
    }
    return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
  });
}
