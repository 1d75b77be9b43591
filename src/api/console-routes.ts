import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './error-handler.ts';

export const CONSOLE_PREFIX = '/console';

/**
 * The page may load only what this host serves: its own script and style, no inline code, no
 * other origin (so it works without internet access and a stolen page cannot be framed).
 */
export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "font-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.map': 'application/json',
};

interface ConsoleFile { body: Buffer; gzip?: Buffer; type: string }

/** The built console: dist/console beside the compiled server, or under the checkout's dist/ when run from src/. */
export function consoleDirectory(): string | undefined {
  const candidates = [new URL('../console/', import.meta.url), new URL('../../dist/console/', import.meta.url)];
  return candidates.map((url) => fileURLToPath(url)).find((dir) => existsSync(`${dir}index.html`));
}

function load(path: string): ConsoleFile {
  const body = readFileSync(path);
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 512;
  return { body, type, ...(compressible ? { gzip: gzipSync(body, { level: 9 }) } : {}) };
}

function send(request: FastifyRequest, reply: FastifyReply, file: ConsoleFile, cacheControl: string) {
  reply.header('content-type', file.type).header('cache-control', cacheControl).header('vary', 'Accept-Encoding')
    .header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (file.gzip && acceptsGzip) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

/** The page and its assets, read once; none when the directory went away meanwhile (a rebuild swapping it). */
function loadBuild(directory: string): { index: ConsoleFile; assets: Map<string, ConsoleFile> } | undefined {
  try {
    const assets = new Map<string, ConsoleFile>();
    const assetDir = `${directory}assets/`;
    if (existsSync(assetDir)) for (const name of readdirSync(assetDir)) assets.set(name, load(`${assetDir}${name}`));
    return { index: load(`${directory}index.html`), assets };
  } catch {
    return undefined;
  }
}

const wantsHtml = (request: FastifyRequest) => /\btext\/html\b/.test(String(request.headers.accept ?? ''));

/**
 * GET /console: the web console, a single page working against this same public API with the
 * user's own token. Its hashed assets are cached for ever; index.html is revalidated each time and
 * answers every deep link under /console/. GET / sends browsers there. Without a build (npm run
 * build makes one), /console says so.
 */
export async function installConsole(app: FastifyInstance, directory: string | null = consoleDirectory() ?? null): Promise<void> {
  const route = { config: { public: true }, schema: { hide: true } };
  app.get('/', route, async (request, reply) =>
    wantsHtml(request) ? reply.redirect(`${CONSOLE_PREFIX}/`, 302) : sendError(reply, 404, 'NOT_FOUND', 'No resource at GET /; the web console is at /console/.'));

  const build = directory ? loadBuild(directory) : undefined;
  if (!build) {
    const missing = async (_request: FastifyRequest, reply: FastifyReply) =>
      sendError(reply, 404, 'CONSOLE_NOT_BUILT', 'The web console is not built on this server: `npm run build` builds it.');
    app.get(CONSOLE_PREFIX, route, missing);
    app.get(`${CONSOLE_PREFIX}/*`, route, missing);
    return;
  }
  const { index, assets } = build;
  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('content-security-policy', CONSOLE_CSP).header('x-frame-options', 'DENY');
    return send(request, reply, index, 'no-cache');
  };
  app.get(CONSOLE_PREFIX, route, page);
  app.get(`${CONSOLE_PREFIX}/*`, route, page);
  app.get(`${CONSOLE_PREFIX}/assets/:name`, route, async (request, reply) => {
    const { name } = request.params as { name: string };
    const file = assets.get(name);
    if (!file) return sendError(reply, 404, 'NOT_FOUND', `No console asset named ${JSON.stringify(name.slice(0, 100))}.`);
    return send(request, reply, file, 'public, max-age=31536000, immutable');
  });
}
