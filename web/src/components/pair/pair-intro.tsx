import { CODE_EXAMPLE } from './code-shape';

// `/pair`'s explanation. It needs nothing from the page's address or the helper, so it is in the
// static HTML and on screen before any script runs (the form beside it waits for the address).
export function PairIntro() {
  return (
    <section aria-labelledby="pair-title">
      <h1 id="pair-title" className="text-2xl font-semibold tracking-tight">
        Pair this browser
      </h1>
      <div className="mt-3 space-y-3 text-sm leading-6 text-neutral-700 dark:text-neutral-300">
        <p>
          OpenUTM has two parts: this page, and a small <strong>helper</strong> program on your computer that runs the virtual machines.
          The helper only obeys browsers it has paired with.
        </p>
        <p>
          The quickest way: click the link the helper prints when it starts (<code>npm start</code> or <code>openutm serve</code>), or choose
          Open OpenUTM in its tray menu. Otherwise, get a one-time code from the helper:
        </p>
        <ol className="list-decimal space-y-1 pl-5">
          <li>
            Start the helper if it is not running: <code>npm start</code> in the OpenUTM folder, or <code>openutm serve</code>.
          </li>
          <li>
            In a terminal, run <code>openutm pair</code>. It prints a code like <code>{CODE_EXAMPLE}</code> and a link.
          </li>
          <li>Open the link (it fills the code in), or type the code here.</li>
        </ol>
        <p className="text-neutral-600 dark:text-neutral-400">Codes work once and expire after a few minutes. Revoke a pairing with <code>openutm tokens</code>.</p>
      </div>
    </section>
  );
}
