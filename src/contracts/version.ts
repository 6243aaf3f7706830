// Bump when what the extractors make of a file's text changes: cached results of another version
// are dropped (src/contracts/cache.ts).
export const CONTRACTS_VERSION = 2;
