import { AudioOutput, type OutputStats } from './audio-output';
import { MicCapture, micErrorMessage } from './mic-capture';
import { planarToS16le } from './pcm';
import type { AudioChannelEvents, AudioChannelKind, AudioChannels } from './spice-audio-channels';
import { AUDIO_FMT_S16, AUDIO_MODE, recordDataMessage, recordModeMessage, recordStartMarkMessage, type AudioFormat, type ServerAudioMessage } from './spice-audio-wire';

// The sound of one console session as the toolbar shows it.
export interface SoundState {
  // 'unknown' until the session lists its channels; 'absent' when QEMU offers no playback
  // channel (no sound card in the VM).
  output: 'unknown' | 'absent' | 'ready' | 'failed';
  // The guest is playing (between its START and STOP).
  playing: boolean;
  // The guest plays but the browser holds the sound until the page gets a click or a key.
  blocked: boolean;
  format: AudioFormat | null;
  input: 'unknown' | 'absent' | 'ready' | 'failed';
  mic: 'off' | 'asking' | 'on';
  // The guest is recording (it gets the microphone only while mic is 'on').
  recording: boolean;
  // The last thing that went wrong, said so the person knows what to do.
  problem: string | null;
}

const INITIAL: SoundState = { output: 'unknown', playing: false, blocked: false, format: null, input: 'unknown', mic: 'off', recording: false, problem: null };

// Ties the SPICE audio channels to Web Audio: plays what the guest plays, sends the microphone
// when the person turned it on and the guest records, and tells the UI what is going on.
export class ConsoleSound {
  private state: SoundState = INITIAL;
  private readonly listeners = new Set<() => void>();
  private readonly output = new AudioOutput(() => this.patch({ blocked: this.output.blocked, playing: this.output.playing }));
  private channels: AudioChannels | null = null;
  private mic: MicCapture | null = null;
  private recordFormat: AudioFormat | null = null;
  private closed = false;

  // The browser lets a suspended AudioContext start on a user gesture: any click or key in
  // the page while the sound is held back.
  private readonly onGesture = () => {
    if (this.output.blocked) this.output.resume();
  };

  constructor() {
    window.addEventListener('pointerdown', this.onGesture, true);
    window.addEventListener('keydown', this.onGesture, true);
  }

  attach(channels: AudioChannels): void {
    this.channels = channels;
  }

  readonly events: AudioChannelEvents = {
    onChannels: ({ playback, record }) => this.patch({ output: playback ? 'ready' : 'absent', input: record ? 'ready' : 'absent' }),
    onMessage: (kind, msg) => (kind === 'playback' ? this.onPlayback(msg) : this.onRecord(msg)),
    onChannelError: (kind, e) => this.fail(kind, e.message),
  };

  private onPlayback(msg: ServerAudioMessage): void {
    switch (msg.kind) {
      case 'mode':
        if (msg.mode !== AUDIO_MODE.raw) this.fail('playback', `the guest's sound arrives encoded (mode ${msg.mode}), which this console does not decode`);
        return;
      case 'start':
        if (msg.sampleFormat !== AUDIO_FMT_S16) return this.fail('playback', `the guest's sound arrives in sample format ${msg.sampleFormat}, not 16-bit`);
        this.output.start(msg.format);
        return this.patch({ format: msg.format, playing: true, blocked: this.output.blocked });
      case 'data':
        return this.output.play(msg.pcm);
      case 'stop':
        return this.output.stop();
      case 'volume':
        return this.output.setGuestVolume(msg.volume);
      case 'mute':
        return this.output.setGuestMute(msg.mute);
      default:
        return;
    }
  }

  private onRecord(msg: ServerAudioMessage): void {
    if (msg.kind === 'start') {
      if (msg.sampleFormat !== AUDIO_FMT_S16) return this.fail('record', `the guest records in sample format ${msg.sampleFormat}, not 16-bit`);
      this.recordFormat = msg.format;
      this.patch({ recording: true });
      this.feedMic();
    } else if (msg.kind === 'stop') {
      this.recordFormat = null;
      this.mic?.pause();
      this.patch({ recording: false });
    }
  }

  // Starts sending the microphone when it is on and the guest records: the mode and the
  // start mark first, as SPICE wants, then 10 ms blocks.
  private feedMic(): void {
    const mic = this.mic;
    const format = this.recordFormat;
    if (!mic || !format || this.state.mic !== 'on' || !this.channels) return;
    const time = () => Math.round(performance.now()) >>> 0;
    this.channels.sendRecord(recordModeMessage(time(), AUDIO_MODE.raw));
    this.channels.sendRecord(recordStartMarkMessage(time()));
    mic
      .run(format.frequency, (planes) => {
        if (this.recordFormat) this.channels?.sendRecord(recordDataMessage(time(), planarToS16le(planes, format.channels)));
      })
      .catch((e: unknown) => this.patch({ problem: micErrorMessage(e) }));
  }

  // Turning it on asks the browser (its permission prompt, the first time); off lets it go.
  async setMic(on: boolean): Promise<void> {
    if (!on) {
      this.mic?.close();
      this.mic = null;
      return this.patch({ mic: 'off' });
    }
    if (this.state.mic !== 'off' || this.state.input !== 'ready') return;
    this.patch({ mic: 'asking', problem: null });
    try {
      const mic = await MicCapture.open();
      if (this.closed || this.getState().mic !== 'asking') return mic.close();
      this.mic = mic;
      this.patch({ mic: 'on' });
      this.feedMic();
    } catch (e) {
      this.patch({ mic: 'off', problem: micErrorMessage(e) });
    }
  }

  resume(): void {
    this.output.resume();
  }

  setOutput(volume: number, muted: boolean): void {
    this.output.setOutput(volume, muted);
  }

  stats(): OutputStats & { micLevel: number } {
    return { ...this.output.stats(), micLevel: this.mic?.level ?? 0 };
  }

  private fail(kind: AudioChannelKind, message: string): void {
    const problem = kind === 'playback' ? `No sound from the guest: ${message}` : `The microphone cannot reach the guest: ${message}`;
    this.patch(kind === 'playback' ? { output: 'failed', problem } : { input: 'failed', problem });
  }

  private patch(p: Partial<SoundState>): void {
    if (this.closed) return;
    this.state = { ...this.state, ...p };
    for (const l of [...this.listeners]) l();
  }

  // For useSyncExternalStore: the same object until something changes.
  getState = (): SoundState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  close(): void {
    this.closed = true;
    window.removeEventListener('pointerdown', this.onGesture, true);
    window.removeEventListener('keydown', this.onGesture, true);
    this.channels?.close();
    this.mic?.close();
    this.mic = null;
    this.output.close();
    this.listeners.clear();
  }
}
