import { createServer } from 'node:net';

// A loopback TCP port nothing listens on right now, so a test or bench never collides with a
// helper someone runs on the default port.
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
