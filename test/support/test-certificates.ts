import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether the openssl command is installed (the test CA and certificates are made with it). */
export async function hasOpenssl(): Promise<boolean> {
  return run('openssl', ['version']).then(() => true, () => false);
}

export interface TestCa {
  /** The CA's certificate (PEM), what a client is told to trust. */
  certFile: string;
  keyFile: string;
}

export interface TestServerCertificate {
  certFile: string;
  keyFile: string;
}

/** A throwaway CA in `dir` (ca.pem, ca.key): EC P-256, valid for a day. Test use only. */
export async function makeTestCa(dir: string, name = 'ca'): Promise<TestCa> {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', `/CN=vpngw test ${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', keyFile, '-out', certFile]);
  return { certFile, keyFile };
}

/**
 * A server certificate for 127.0.0.1 and localhost signed by `ca`, written to `<name>.pem` and
 * `<name>.key` in `dir` (a key and certificate request first, then the CA signs it).
 */
export async function makeServerCertificate(dir: string, ca: TestCa, name = 'server'): Promise<TestServerCertificate> {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  const csrFile = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`,
    '-keyout', keyFile, '-out', csrFile]);
  await run('openssl', ['x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-days', '1',
    '-extfile', extFile, '-out', certFile]);
  return { certFile, keyFile };
}
