import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { eventually, nsExec } from './system.ts';

// Plain CommonJS for `node -e`: the machine under test needs nothing but node itself.
const ECHO_SERVER = `
const net = require('node:net');
const [host, port, marker] = process.argv.slice(1);
net.createServer((socket) => {
  socket.on('error', () => {});
  socket.on('data', (data) => socket.end(marker + ' from ' + socket.remoteAddress + ': ' + data));
}).listen(Number(port), host, () => console.log('listening'));
`;

const EXCHANGE = `
const net = require('node:net');
const [host, port, localAddress, message, timeoutMs] = process.argv.slice(1);
setTimeout(() => process.exit(2), Number(timeoutMs));
let reply = '';
const socket = net.connect({ host, port: Number(port), ...(localAddress ? { localAddress } : {}) }, () => socket.write(message));
socket.on('data', (data) => (reply += data));
socket.on('end', () => { process.stdout.write(reply); process.exit(0); });
socket.on('error', () => process.exit(1));
`;

/**
 * A TCP server in a namespace that answers each connection with `<marker> from <source address>: <what
 * it received>`: the marker tells which machine answered, the source shows nothing rewrote the address.
 */
export interface EchoServer {
  pid: number;
  stop(): void;
}

/** Starts the echo server on host:port in `ns` (host 0.0.0.0 for every address) and waits until it listens. */
export async function startEchoServer(ns: string, host: string, port: number, marker: string): Promise<EchoServer> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', ECHO_SERVER, host, String(port), marker], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the echo server in ${ns} did not listen: ${stderr}`)), 10_000);
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && (clearTimeout(timer), resolve()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the echo server in ${ns} exited with ${code}: ${stderr}`))));
  });
  // `ip netns exec` execs node in place, so this pid is the server's; the test must not wait for it.
  child.stdout.destroy();
  child.stderr.destroy();
  child.removeAllListeners('exit');
  child.unref();
  const pid = child.pid ?? 0;
  return { pid, stop: () => void (child.exitCode === null && child.kill('SIGKILL')) };
}

/**
 * Opens a TCP connection from `ns` (optionally from `localAddress`), sends `message` and answers
 * what came back, or undefined when no connection or no answer came within the timeout.
 */
export async function tcpExchange(ns: string, host: string, port: number, options: { localAddress?: string; message?: string; timeoutMs?: number } = {}): Promise<string | undefined> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const args = ['-e', EXCHANGE, host, String(port), options.localAddress ?? '', options.message ?? 'hello', String(timeoutMs)];
  const reply = await nsExec(ns, process.execPath, args, { allowFail: true });
  return reply === '' ? undefined : reply;
}

/** Waits until a TCP exchange from `localAddress` in `ns` gets the echo server's answer; asserts it came from `marker` unrewritten. */
export async function expectEcho(ns: string, host: string, port: number, localAddress: string, marker: string, timeoutMs = 20_000): Promise<void> {
  const reply = await eventually(`a TCP answer from ${host}:${port} to ${localAddress}`, () => tcpExchange(ns, host, port, { localAddress }), timeoutMs);
  assert.equal(reply, `${marker} from ${localAddress}: hello`);
}
