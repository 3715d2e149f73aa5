import type { SpiceMainConn } from '@spice-project/spice-html5/src/main.js';
import { SpiceConn } from '@spice-project/spice-html5/src/spiceconn.js';
import {
  CHANNEL,
  linkMessage,
  parsePlaybackMessage,
  parseRecordMessage,
  PLAYBACK_CAP,
  RECORD_CAP,
  splitAudioChannels,
  type ServerAudioMessage,
} from './spice-audio-wire';

const MAIN_CHANNELS_LIST = 104;
// More than this waiting in the record socket means the link is behind: the microphone's
// newest blocks are dropped rather than queued, so the guest never hears it late.
const RECORD_BACKLOG_BYTES = 64 * 1024;

export type AudioChannelKind = 'playback' | 'record';

export interface AudioChannelEvents {
  // The session's channel list arrived: which audio channels QEMU offers (none without a
  // sound card).
  onChannels(offered: { playback: boolean; record: boolean }): void;
  onMessage(kind: AudioChannelKind, msg: ServerAudioMessage): void;
  onChannelError(kind: AudioChannelKind, e: Error): void;
}

export interface AudioChannels {
  // Sends a client message on the record channel; false when it was not sent.
  sendRecord(message: ArrayBuffer): boolean;
  close(): void;
}

// Takes the playback and record channels away from spice-html5 (its player only does Opus
// through MediaSource, and it has no record channel) and opens them itself, on the same
// session and ticket, asking for raw PCM. Must be called before the main channel links.
export function hookAudioChannels(sc: SpiceMainConn, events: AudioChannelEvents): AudioChannels {
  const open = new Map<AudioChannelKind, SpiceConn>();
  let closed = false;

  const connect = (kind: AudioChannelKind, id: number) => {
    const type = kind === 'playback' ? CHANNEL.playback : CHANNEL.record;
    const caps = 1 << (kind === 'playback' ? PLAYBACK_CAP.volume : RECORD_CAP.volume);
    const conn = new SpiceConn({ uri: sc.ws!.url, parent: sc, connection_id: sc.connection_id, type, chan_id: id });
    conn.send_hdr = function sendAudioLink(this: SpiceConn) {
      this.ws?.send(linkMessage(this.connection_id, type, id, caps));
    };
    // Its own handler: a failing audio channel must not take the screen down with it.
    conn.onerror = (e) => {
      if (!closed) events.onChannelError(kind, e);
    };
    conn.process_channel_message = (msg) => {
      try {
        events.onMessage(kind, kind === 'playback' ? parsePlaybackMessage(msg.type, msg.data) : parseRecordMessage(msg.type, msg.data));
      } catch (e) {
        events.onChannelError(kind, e instanceof Error ? e : new Error(String(e)));
      }
      return true;
    };
    open.set(kind, conn);
  };

  const processMain = sc.process_channel_message.bind(sc);
  sc.process_channel_message = (msg) => {
    if (msg.type !== MAIN_CHANNELS_LIST || !msg.data || closed) return processMain(msg);
    const { rest, audio } = splitAudioChannels(msg.data);
    msg.data = rest;
    const handled = processMain(msg);
    const playback = audio.find((c) => c.type === CHANNEL.playback);
    const record = audio.find((c) => c.type === CHANNEL.record);
    if (playback) connect('playback', playback.id);
    if (record) connect('record', record.id);
    events.onChannels({ playback: playback !== undefined, record: record !== undefined });
    return handled;
  };

  return {
    sendRecord(message) {
      const conn = open.get('record');
      const ws = conn?.ws;
      if (!conn || conn.state !== 'ready' || !ws || ws.readyState !== WebSocket.OPEN) return false;
      if (ws.bufferedAmount > RECORD_BACKLOG_BYTES) return false;
      ws.send(message);
      return true;
    },
    close() {
      closed = true;
      for (const conn of open.values()) {
        conn.state = 'closing';
        conn.cleanup();
      }
      open.clear();
    },
  };
}
