// Where the console code reports problems it handles itself (it never throws them at callers).
export type ConsoleLog = (message: string) => void;

// Console problems go to stderr unless the caller has a logger.
export const defaultLog: ConsoleLog = (message) => {
  process.stderr.write(`openutm console: ${message}\n`);
};
