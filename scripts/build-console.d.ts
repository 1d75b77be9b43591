/** Bundles the web console into outDir (default dist/console); answers the asset names index.html references. */
export function buildConsole(outDir?: string): Promise<{ script: string; style: string }>;
