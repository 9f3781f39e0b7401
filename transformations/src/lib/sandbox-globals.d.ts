/** the globals RudderStack's transformation sandbox provides (see docs/rudderstack.md) */
declare function log(...args: unknown[]): void;
declare function getCredential(key: string): string | undefined;
type RudderMetadata = (event: unknown) => Record<string, unknown>;
