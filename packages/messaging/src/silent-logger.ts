import type { BusLogger } from './bus.ts';

const ignore = (): void => {};

/** A logger that discards everything; the default when none is given. */
export const silentBusLogger: BusLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
