import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { UsageError } from './secret-input.ts';

/**
 * What fetch is given to trust the certificates a CA file (PEM, one or more certificates) signed,
 * besides the system's. Verification itself is never turned off.
 */
export function trustingDispatcher(caFile: string): Agent {
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the CA file ${caFile}: ${(error as { code?: string }).code ?? (error as Error).message}`);
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`the CA file ${caFile} holds no PEM certificate`);
  return new Agent({ connect: { ca } });
}

/** OpenSSL's and Node's codes for a certificate the client could not verify. */
const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE',
  'INVALID_CA', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_CHAIN_TOO_LONG', 'INVALID_PURPOSE',
]);

/** One line for a certificate the CLI does not trust, or undefined for any other failure to connect. */
export function untrustedCertificateMessage(cause: { code?: string; message?: string } | undefined): string | undefined {
  if (!cause?.code || !CERTIFICATE_ERRORS.has(cause.code)) return undefined;
  const reason = (cause.message ?? cause.code).split('\n')[0];
  return `the server's certificate is not trusted: ${reason} (${cause.code}; use --ca-file with the CA that signed it)`;
}
