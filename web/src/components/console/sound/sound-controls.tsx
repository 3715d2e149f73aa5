'use client';

import { useEffect, useSyncExternalStore } from 'react';
import { toolbarButton } from '../toolbar-button';
import type { ConsoleSound, SoundState } from './console-sound';
import { readSoundPrefsRaw, saveSoundPref, soundPrefOf, subscribeSoundPrefs } from './sound-prefs';
import { MicIcon, SpeakerIcon, SpeakerMutedIcon } from './sound-icons';
import { SoundMeter } from './sound-meter';

const NO_SOUND: SoundState = { output: 'unknown', playing: false, blocked: false, format: null, input: 'unknown', mic: 'off', recording: false, problem: null };
const noSubscription = () => () => undefined;

export interface SoundControlsProps {
  vmId: string;
  sound: ConsoleSound | null;
  // Why there is no sound at all now (not connected, a VNC console); null when there may be.
  unavailable: string | null;
}

// Mute, volume and the level of the guest's sound, and the microphone (off until asked for,
// which brings up the browser's permission prompt). Volume and mute are kept per VM.
export function SoundControls({ vmId, sound, unavailable }: SoundControlsProps) {
  const state = useSyncExternalStore(sound?.subscribe ?? noSubscription, sound?.getState ?? (() => NO_SOUND), () => NO_SOUND);
  const raw = useSyncExternalStore(subscribeSoundPrefs, readSoundPrefsRaw, () => null);
  const pref = soundPrefOf(raw, vmId);
  useEffect(() => sound?.setOutput(pref.volume, pref.muted), [sound, pref.volume, pref.muted]);

  const outputReason =
    unavailable ??
    (state.output === 'unknown'
      ? 'waiting for the guest’s channels'
      : state.output === 'absent'
        ? 'the VM has no sound card; turn Sound on in its settings (the VM must be shut down)'
        : null);
  const micReason =
    unavailable ??
    (state.input === 'unknown' ? 'waiting for the guest’s channels' : state.input === 'absent' ? 'the VM has no sound card' : state.input === 'failed' ? (state.problem ?? 'the record channel failed') : null);
  const mutedShown = pref.muted || outputReason !== null;

  return (
    <div role="group" aria-label="Sound" className="flex items-center gap-2" data-testid="console-sound" data-output={state.output} data-playing={state.playing} data-mic={state.mic}>
      <button
        type="button"
        aria-label="Mute"
        aria-pressed={pref.muted}
        aria-disabled={outputReason !== null}
        onClick={() => outputReason === null && saveSoundPref(vmId, { ...pref, muted: !pref.muted })}
        className={toolbarButton(outputReason === null, pref.muted && outputReason === null)}
        title={outputReason === null ? (pref.muted ? 'Unmute the guest’s sound' : 'Mute the guest’s sound') : `Sound: ${outputReason}`}
      >
        {mutedShown ? <SpeakerMutedIcon /> : <SpeakerIcon />}
      </button>
      <input
        type="range"
        min={0}
        max={100}
        step={1}
        value={Math.round(pref.volume * 100)}
        disabled={outputReason !== null}
        onChange={(e) => saveSoundPref(vmId, { volume: Number(e.target.value) / 100, muted: false })}
        aria-label="Volume"
        aria-valuetext={`${Math.round(pref.volume * 100)}%${pref.muted ? ', muted' : ''}`}
        title={outputReason === null ? `Volume ${Math.round(pref.volume * 100)}%` : `Volume: ${outputReason}`}
        className="h-8 w-20 accent-sky-600 disabled:opacity-40"
      />
      <SoundMeter sound={outputReason === null ? sound : null} />
      {state.blocked && outputReason === null && (
        // The click is the gesture the browser waits for (ConsoleSound resumes on it).
        <button type="button" onClick={() => sound?.resume()} className={toolbarButton(true, true)} data-testid="console-sound-enable" title="The browser holds the guest’s sound until the page gets a click">
          Click to enable sound
        </button>
      )}
      <button
        type="button"
        aria-label="Microphone"
        aria-pressed={state.mic === 'on'}
        aria-disabled={micReason !== null || state.mic === 'asking'}
        onClick={() => micReason === null && state.mic !== 'asking' && void sound?.setMic(state.mic === 'off')}
        className={toolbarButton(micReason === null, state.mic === 'on' && micReason === null)}
        title={
          micReason !== null
            ? `Microphone: ${micReason}`
            : state.mic === 'on'
              ? `The guest hears this browser’s microphone${state.recording ? ' (it is recording now)' : ''}; click to stop`
              : 'Let the guest hear this browser’s microphone (the browser asks first)'
        }
      >
        <MicIcon off={state.mic !== 'on'} />
        {state.mic === 'asking' && <span className="text-xs">Asking…</span>}
      </button>
      {state.problem && (
        <p role="alert" className="max-w-64 truncate text-xs text-red-700 dark:text-red-400" title={state.problem}>
          {state.problem}
        </p>
      )}
    </div>
  );
}
