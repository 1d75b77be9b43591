/**
 * Private keys and PSKs typed or generated in this page, by peer or tunnel id: in memory only, so
 * that the configuration can be shown right after creating, and gone on reload or sign-out.
 */
export const pageSecrets = new Map<string, string>();
