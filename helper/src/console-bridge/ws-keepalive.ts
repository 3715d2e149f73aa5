import type { WebSocket } from 'ws';

// Pings a WebSocket every intervalMs and cuts it when the previous ping went unanswered, so a
// browser tab that vanished without a close frame frees its console within two intervals.
// Returns the function that stops the pings (call it on close).
export function keepAlive(ws: WebSocket, intervalMs: number, onDead: () => void): () => void {
  let awaitingPong = false;
  const onPong = (): void => {
    awaitingPong = false;
  };
  ws.on('pong', onPong);
  const timer = setInterval(() => {
    if (awaitingPong) {
      onDead();
      ws.terminate();
      return;
    }
    awaitingPong = true;
    ws.ping();
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    ws.off('pong', onPong);
  };
}
