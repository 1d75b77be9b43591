import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

/** The oldest protocol the HTTPS server speaks; TLS 1.0 and 1.1 are refused. */
export const TLS_MIN_VERSION = 'TLSv1.2';

/** The certificate (chain) and private key the HTTPS server presents, both PEM. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/** The files cannot be used: unreadable, not PEM, or a key that does not belong to the certificate. The message never holds the key. */
export class TlsFilesError extends Error {
  override readonly name = 'TlsFilesError';
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlsFilesError(`cannot read the TLS ${what} ${path}: ${(error as { code?: string }).code ?? (error as Error).message}`);
  }
}

/** OpenSSL's reason without the library's prefix, e.g. "key values mismatch". */
function opensslReason(error: unknown): string {
  const e = error as { reason?: string; message?: string };
  return e.reason ?? e.message ?? String(error);
}

/**
 * Reads and checks both files: OpenSSL must load the certificate and the key, and the key must be
 * the certificate's (createSecureContext checks that). Throws TlsFilesError naming the files only.
 */
export function loadTlsCredentials(files: { certFile: string; keyFile: string }): TlsCredentials {
  const cert = readPem(files.certFile, 'certificate');
  const key = readPem(files.keyFile, 'key');
  try {
    createSecureContext({ cert, key, minVersion: TLS_MIN_VERSION });
  } catch (error) {
    throw new TlsFilesError(`the TLS certificate ${files.certFile} and key ${files.keyFile} cannot be used: ${opensslReason(error)}`);
  }
  return { cert, key };
}

/** What the HTTPS server is given, at start and on every reload. */
export function secureContextOptions(credentials: TlsCredentials): SecureContextOptions {
  return { cert: credentials.cert, key: credentials.key, minVersion: TLS_MIN_VERSION };
}

export interface TlsReloaderOptions {
  files: { certFile: string; keyFile: string };
  /** Installs new credentials (server.setSecureContext). */
  apply(credentials: TlsCredentials): void;
  log: { info(object: object, message: string): void; warn(object: object, message: string): void };
  /** Changes closer together than this are one reload: a renewal writes the certificate and the key one after the other. */
  debounceMs?: number;
}

/**
 * Reloads the certificate and key when asked (SIGHUP) and when either file changes. The
 * directories are watched, not the files, so a file replaced by a rename (certbot, an atomic copy)
 * is still seen. A reload that fails is logged once and the server keeps its current certificate.
 */
export class TlsReloader {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TlsReloaderOptions) {}

  /** Reads both files again; true when the new certificate is in use. */
  reload(reason: string): boolean {
    const { files, log } = this.options;
    let credentials: TlsCredentials;
    try {
      credentials = loadTlsCredentials(files);
      this.options.apply(credentials);
    } catch (error) {
      log.warn({ reason, certFile: files.certFile, keyFile: files.keyFile, error: (error as Error).message },
        'TLS certificate not reloaded; still serving the previous one');
      return false;
    }
    log.info({ reason, certFile: files.certFile }, 'TLS certificate reloaded');
    return true;
  }

  /** Starts watching both files' directories. */
  watch(): void {
    const { certFile, keyFile } = this.options.files;
    const names = new Map<string, Set<string>>();
    for (const file of [certFile, keyFile]) {
      const dir = dirname(file);
      names.set(dir, (names.get(dir) ?? new Set<string>()).add(basename(file)));
    }
    for (const [dir, wanted] of names) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || wanted.has(String(name))) this.schedule();
        });
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch (error) {
        this.options.log.warn({ dir, error: (error as Error).message }, 'cannot watch the TLS files\' directory; reload with SIGHUP');
      }
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reload('file changed');
    }, this.options.debounceMs ?? 250);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }
}
