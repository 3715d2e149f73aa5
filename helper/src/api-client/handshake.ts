import WebSocket from 'ws';
import { MIN_PROTOCOL_VERSION, OpenUtmError, PROTOCOL_VERSION, ProtocolError, Welcome, type Hello } from '@openutm/shared';
import { connectionError } from './client-errors';

export interface HandshakeOptions {
  url: string;
  token: string;
  clientName: string;
  clientVersion: string;
  // Sent as the Origin header; the helper only accepts allowlisted origins on upgrades.
  origin: string;
  // How long opening the socket plus hello → welcome may take.
  timeoutMs: number;
  maxPayload: number;
}

// Close codes a helper uses to refuse a hello (helper/src/api/close-codes.ts): 4401 the token
// is not accepted, 4426 the client's protocol is too old. Others (1008 a malformed hello …)
// are reported with the helper's reason.
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_PROTOCOL = 4426;

// Opens the socket and completes hello → welcome; resolves with the open socket and the welcome.
// Every way this can fail ends as one OpenUtmError that says what to do.
export function handshake(opts: HandshakeOptions): Promise<{ socket: WebSocket; welcome: Welcome }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(opts.url, { origin: opts.origin, maxPayload: opts.maxPayload, handshakeTimeout: opts.timeoutMs });
    let done = false;
    let serverError: ProtocolError | null = null;
    const fail = (e: OpenUtmError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(connectionError('timeout', `the helper at ${opts.url} did not finish the handshake within ${opts.timeoutMs / 1000} s; is it busy or stuck? Its log is in the library's logs/helper.log`)),
      opts.timeoutMs,
    );

    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body = (body + chunk).slice(0, 500)));
      res.on('end', () => fail(refusedUpgrade(opts.url, res.statusCode ?? 0, body.trim())));
      res.on('error', () => fail(refusedUpgrade(opts.url, res.statusCode ?? 0, body.trim())));
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') {
        fail(connectionError('unreachable', `no OpenUTM helper is listening at ${opts.url}; start one with \`openutm serve\``, { errno: e.code }));
      } else {
        fail(connectionError('closed', `could not talk to the helper at ${opts.url}: ${e.message}`, { errno: e.code }));
      }
    });
    socket.on('open', () => {
      const hello: Hello = { type: 'hello', token: opts.token, protocol: PROTOCOL_VERSION, client: { name: opts.clientName, version: opts.clientVersion } };
      socket.send(JSON.stringify(hello));
    });
    socket.on('message', (data, isBinary) => {
      const frame = isBinary ? null : parseJson(data.toString());
      const refusal = ProtocolError.safeParse((frame as { error?: unknown } | null)?.error);
      if (refusal.success) {
        serverError = refusal.data;
        return; // the close that follows ends the handshake, with this error
      }
      const welcome = Welcome.safeParse(frame);
      if (!welcome.success) {
        fail(connectionError('protocol', `the helper at ${opts.url} answered hello with something other than welcome; is it an OpenUTM helper?`));
        return;
      }
      const problem = protocolMismatch(welcome.data);
      if (problem) {
        fail(problem);
        return;
      }
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners();
      resolve({ socket, welcome: welcome.data });
    });
    socket.on('close', (code, reasonBuffer) => {
      const reason = reasonBuffer.toString();
      if (serverError) fail(new OpenUtmError(serverError.code, serverError.message, serverError.details));
      else fail(closedDuringHello(opts.url, code, reason));
    });
  });
}

// The helper speaks a protocol this client cannot: say which side to update.
export function protocolMismatch(welcome: Welcome): OpenUtmError | null {
  if (welcome.protocol >= MIN_PROTOCOL_VERSION && welcome.protocol <= PROTOCOL_VERSION) return null;
  const details = { helperVersion: welcome.helperVersion, helperProtocol: welcome.protocol, ourProtocol: PROTOCOL_VERSION, ourMinimum: MIN_PROTOCOL_VERSION };
  if (welcome.protocol < MIN_PROTOCOL_VERSION) {
    return connectionError(
      'protocol',
      `the running helper (OpenUTM ${welcome.helperVersion}, protocol ${welcome.protocol}) is too old for this openutm (protocol ${MIN_PROTOCOL_VERSION}–${PROTOCOL_VERSION}); stop it and start the updated one (\`openutm serve\`)`,
      details,
    );
  }
  return connectionError(
    'protocol',
    `the running helper (OpenUTM ${welcome.helperVersion}, protocol ${welcome.protocol}) is newer than this openutm (protocol ${PROTOCOL_VERSION}); update this openutm`,
    details,
  );
}

function closedDuringHello(url: string, code: number, reason: string): OpenUtmError {
  const said = reason ? `: ${reason}` : '';
  if (code === CLOSE_UNAUTHORIZED) {
    return new OpenUtmError('UNAUTHORIZED', `the helper at ${url} did not accept this client's token${said}`, { closeCode: code });
  }
  if (code === CLOSE_PROTOCOL) {
    return connectionError('protocol', `the helper at ${url} needs a newer client${said}; update this openutm`, { closeCode: code });
  }
  return connectionError('closed', `the helper at ${url} closed the connection during the handshake (code ${code}${said})`, { closeCode: code });
}

function refusedUpgrade(url: string, status: number, body: string): OpenUtmError {
  const said = body ? `: ${body}` : '';
  if (status === 401 || status === 403) {
    return new OpenUtmError('UNAUTHORIZED', `the helper at ${url} refused the connection (HTTP ${status}${said})`, { status });
  }
  return connectionError('not-openutm', `something at ${url} answered HTTP ${status} instead of accepting the connection; is another program using the port? Set OPENUTM_PORT to a free one`, { status });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
