'use client';

import { discFirmwareProblem, firmwareForDisc, isOpenUtmError, PRESETS, type OsPreset } from '@openutm/shared';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { errorMessage } from '../../helper-client/client-errors';
import { hostBrowse, hostDoctor, newJobId, vmCreate } from '../../helper-client/settings-api';
import { vmStart } from '../../helper-client/api';
import { consoleHref } from '../console/console-icon';
import { effectiveAccelerator } from '../disc/effective-accelerator';
import { useDiscBoot } from '../disc/use-disc-boot';
import { StartAfterCreate } from './start-after-create';
import { useConnection } from '../../stores/connection-store';
import { useJob } from '../../stores/job-store';
import { JobProgressBar } from '../jobs/job-progress-bar';
import { useHostFacts } from '../../stores/host-store';
import { cx } from '../cx';
import { formatMiB } from '../library/format';
import { BUTTON } from '../form/fields';
import { folderOf } from './host-file-chooser';
import { draftErrors, hostWarnings, STEPS, stepErrors, stepOfField, type FieldErrors, type StepId } from './wizard-checks';
import { draftToRequest, presetDraft, type WizardDraft } from './wizard-draft';
import { DevicesStep, DiskStep, HardwareStep, MediaStep, OsStep, type StepProps } from './wizard-steps';
import { WizardSummary } from './wizard-summary';

const KEPT_ON_REDERIVE: ReadonlySet<string> = new Set(['name', 'isoPath', 'portForwards']);

type Phase = { kind: 'editing' } | { kind: 'creating'; job: string } | { kind: 'starting'; name: string } | { kind: 'failed'; message: string };

const STEP_VIEWS: Record<Exclude<StepId, 'summary'>, (p: StepProps) => ReactNode> = {
  os: OsStep,
  media: MediaStep,
  hardware: HardwareStep,
  disk: DiskStep,
  devices: DevicesStep,
};

// Whether a typed ISO path names a file the helper can see, asked of host.browse (its folder).
async function isoProblem(isoPath: string): Promise<string | null> {
  const folder = folderOf(isoPath);
  const name = isoPath.slice((folder?.length ?? 0) + (folder === '/' ? 0 : 1));
  try {
    const listing = await hostBrowse(folder, true);
    const entry = listing.entries.find((e) => e.name === name);
    if (!entry) return `there is no file named ${JSON.stringify(name)} in ${listing.path}`;
    if (entry.kind === 'directory' || entry.link?.targetKind === 'directory') return 'that is a folder; choose the disc image inside it';
    if (entry.link?.targetKind === 'missing') return `that link points to ${entry.link.target}, which does not exist`;
    return null;
  } catch (e) {
    return errorMessage(e);
  }
}

// `/new`: the creation wizard. One form per step; Enter goes on, every step can be revisited;
// errors appear next to their fields once the person tries to go past them.
export function VmWizard() {
  const router = useRouter();
  const { phase: connection } = useConnection();
  const facts = useHostFacts();
  const [draft, setDraft] = useState<WizardDraft>(() => presetDraft('linux-server', null));
  const [touchedFacts, setTouchedFacts] = useState(false);
  const [factsApplied, setFactsApplied] = useState<typeof facts>(null);
  const [stepIndex, setStepIndex] = useState(0);
  const [attempted, setAttempted] = useState<ReadonlySet<StepId>>(new Set());
  const [isoError, setIsoError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'editing' });
  // Firmware follows the disc until the person picks it; "start after create" follows the disc
  // (on for an installer) until they tick or untick it.
  const [firmwareChosen, setFirmwareChosen] = useState(false);
  const [startAfter, setStartAfter] = useState<boolean | null>(null);
  const discBoot = useDiscBoot(draft.isoPath.trim(), connection === 'connected');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    if (connection === 'connected' && facts === null) void hostDoctor().catch(() => undefined);
  }, [connection, facts]);

  // The host's facts arrive after the first render: the defaults follow them until the person
  // changes something.
  if (facts !== null && facts !== factsApplied && !touchedFacts) {
    setFactsApplied(facts);
    setDraft((d) => presetDraft(d.preset, facts, d));
  }

  // A disc that boots with only one firmware gets that firmware (a BIOS-only disc under UEFI ends
  // at the UEFI shell with no word why).
  const discFirmware = discBoot && !firmwareChosen ? firmwareForDisc(PRESETS[draft.preset].system.firmware ?? 'bios', discBoot) : null;
  if (discFirmware !== null && discFirmware !== draft.firmware) {
    setDraft((d) => ({ ...d, firmware: discFirmware, secureBoot: discFirmware === 'uefi' && d.secureBoot }));
  }

  const step = STEPS[stepIndex]!.id;
  const allErrors = useMemo(() => draftErrors(draft, facts), [draft, facts]);
  const warnings = useMemo(() => {
    const problem = discBoot && discFirmwareProblem(draft.firmware, discBoot);
    const discField = discBoot && (discBoot.format !== 'iso9660' || (!discBoot.bios && !discBoot.uefi)) ? 'isoPath' : 'firmware';
    return [...hostWarnings(draft, facts), ...(problem ? [{ field: discField, kind: 'broken' as const, text: problem }] : [])];
  }, [draft, facts, discBoot]);
  const willStart = startAfter ?? draft.isoPath.trim() !== '';
  const shownErrors: FieldErrors = useMemo(() => {
    const visible = Object.fromEntries(Object.entries(allErrors).filter(([k]) => attempted.has(stepOfField(k))));
    return isoError && !visible.isoPath ? { ...visible, isoPath: isoError } : visible;
  }, [allErrors, attempted, isoError]);

  const update = (change: Partial<WizardDraft>) => {
    // Name, disc and forwards survive a re-derivation; any other choice stops it.
    if (Object.keys(change).some((k) => !KEPT_ON_REDERIVE.has(k))) setTouchedFacts(true);
    if ('isoPath' in change) setIsoError(null);
    if ('firmware' in change) setFirmwareChosen(true);
    setDraft((d) => ({ ...d, ...change }));
  };
  const choosePreset = (preset: OsPreset) => setDraft((d) => presetDraft(preset, facts, d));

  function goTo(index: number) {
    setStepIndex(index);
    requestAnimationFrame(() => headingRef.current?.focus());
  }

  function focusFirstInvalid() {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  }

  // Next: the step's own errors keep it; a typed ISO is checked with the helper first.
  async function next(e: FormEvent) {
    e.preventDefault();
    if (step === 'summary') return void create();
    setAttempted((a) => new Set(a).add(step));
    if (Object.keys(stepErrors(step, allErrors)).length > 0) return focusFirstInvalid();
    if (step === 'media' && draft.isoPath.trim() !== '') {
      const problem = await isoProblem(draft.isoPath.trim());
      setIsoError(problem);
      if (problem) return focusFirstInvalid();
    }
    goTo(stepIndex + 1);
  }

  // A later step can be opened once every step before it is fine.
  function jump(index: number) {
    if (index <= stepIndex) return goTo(index);
    const firstBad = STEPS.findIndex((s, i) => i < index && Object.keys(stepErrors(s.id, allErrors)).length > 0);
    if (firstBad >= 0) {
      setAttempted((a) => new Set([...a, ...STEPS.slice(0, index).map((s) => s.id)]));
      goTo(firstBad);
      return focusFirstInvalid();
    }
    goTo(index);
  }

  async function create() {
    const bad = Object.keys(allErrors)[0];
    if (bad !== undefined) {
      setAttempted(new Set(STEPS.map((s) => s.id)));
      return goTo(STEPS.findIndex((s) => s.id === stepOfField(bad)));
    }
    const job = newJobId();
    setPhase({ kind: 'creating', job });
    try {
      const { config } = await vmCreate(draftToRequest(draft), job);
      // The wizard leaves the history with its VM made: Back from what opens returns to where
      // New VM was pressed, not to an empty wizard.
      if (!willStart) return router.replace(`/vm?id=${config.id}`);
      setPhase({ kind: 'starting', name: config.name });
      try {
        await vmStart(config.id);
      } catch {
        // Created, not started: its page says why and offers Start again.
        return router.replace(`/vm?id=${config.id}`);
      }
      router.replace(consoleHref(config.id));
    } catch (err) {
      const message = errorMessage(err);
      // The helper checks the disc again; its refusal belongs next to the field.
      if (isOpenUtmError(err) && /ISO image/.test(message)) {
        setIsoError(message);
        setPhase({ kind: 'editing' });
        return goTo(STEPS.findIndex((s) => s.id === 'media'));
      }
      setPhase({ kind: 'failed', message });
    }
  }

  const creating = phase.kind === 'creating' || phase.kind === 'starting';
  const accelerator = effectiveAccelerator(facts, draft.architecture, draft.accelerator);
  const progress = useJob(phase.kind === 'creating' ? phase.job : null);
  const View = step === 'summary' ? null : STEP_VIEWS[step];
  return (
    <section aria-labelledby="wizard-title" className="mx-auto max-w-4xl">
      <div className="flex flex-wrap items-baseline gap-x-4 pb-4">
        <h1 id="wizard-title" className="text-2xl font-semibold tracking-tight">
          New virtual machine
        </h1>
        {/* The defaults and warnings come from these facts; they say so while they load. Two lines held on narrow screens,
            where the facts take two: the steps below stay put when they arrive. */}
        <p role="status" data-testid="host-summary" data-loaded={facts !== null} className="min-h-[2lh] text-sm text-neutral-600 sm:min-h-0 dark:text-neutral-400">
          {facts === null
            ? 'Checking this computer…'
            : `This computer: ${facts.cpus} CPUs · ${formatMiB(facts.memoryMiB)} memory · ${accelerator === 'tcg' ? 'VMs run emulated (TCG)' : `${accelerator?.toUpperCase() ?? 'TCG'} acceleration`}`}
        </p>
      </div>
      <div className="grid gap-6 md:grid-cols-[13rem_1fr]">
        <nav aria-label="Steps">
          <ol className="flex flex-wrap gap-1 md:flex-col">
            {STEPS.map((s, i) => {
              const hasErrors = attempted.has(s.id) && Object.keys(stepErrors(s.id, allErrors)).length > 0;
              return (
                <li key={s.id}>
                  <button
                    type="button"
                    aria-current={i === stepIndex ? 'step' : undefined}
                    disabled={creating}
                    onClick={() => jump(i)}
                    className={cx(
                      'flex w-full items-center gap-2 rounded-lg px-3 py-2 text-left text-sm',
                      i === stepIndex ? 'bg-sky-700 font-medium text-white' : 'hover:bg-neutral-200 dark:hover:bg-neutral-800',
                    )}
                  >
                    <span aria-hidden className="grid size-5 place-items-center rounded-full border text-xs tabular-nums">
                      {i + 1}
                    </span>
                    {s.label}
                    {hasErrors && (
                      <span className="ml-auto font-bold text-red-500" title="needs attention">
                        !<span className="sr-only"> (needs attention)</span>
                      </span>
                    )}
                  </button>
                </li>
              );
            })}
          </ol>
        </nav>
        <form
          ref={formRef}
          onSubmit={(e) => void next(e)}
          noValidate
          aria-labelledby="step-title"
          className="rounded-2xl border border-neutral-200 bg-white p-5 shadow-sm dark:border-neutral-800 dark:bg-neutral-900"
        >
          <h2 id="step-title" ref={headingRef} tabIndex={-1} className="pb-4 text-lg font-semibold outline-none">
            Step {stepIndex + 1} of {STEPS.length}: {STEPS[stepIndex]!.label}
          </h2>
          <fieldset disabled={creating} className="min-w-0">
            {View ? (
              <View draft={draft} update={update} errors={shownErrors} warnings={warnings} facts={facts} choosePreset={choosePreset} discBoot={discBoot} />
            ) : (
              <>
                <WizardSummary draft={draft} warnings={warnings} accelerator={accelerator} />
                <StartAfterCreate checked={willStart} onChange={setStartAfter} />
              </>
            )}
          </fieldset>
          <div className="mt-6 flex min-h-10 items-center gap-3 border-t border-neutral-100 pt-4 dark:border-neutral-800">
            {creating && (
              <div role="status" data-testid="create-progress" className="min-w-0">
                <JobProgressBar progress={progress} label="Creating the virtual machine" />
              </div>
            )}
            {phase.kind === 'starting' && (
              <p role="status" data-testid="start-progress" className="flex items-center gap-2 text-sm">
                <span aria-hidden className="size-4 animate-spin rounded-full border-2 border-sky-600 border-t-transparent" />
                Starting {phase.name}…
              </p>
            )}
            {phase.kind === 'failed' && (
              <p role="alert" className="text-sm text-red-700 dark:text-red-400">
                Could not create the VM: {phase.message}
              </p>
            )}
            <div className="ml-auto flex gap-2">
              <button type="button" className={BUTTON.secondary} disabled={stepIndex === 0 || creating} onClick={() => goTo(stepIndex - 1)}>
                Back
              </button>
              <button type="submit" className={BUTTON.primary} disabled={creating || connection !== 'connected'}>
                {step === 'summary' ? 'Create VM' : 'Next'}
              </button>
            </div>
          </div>
        </form>
      </div>
    </section>
  );
}
