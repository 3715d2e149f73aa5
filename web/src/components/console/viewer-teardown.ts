// Ends a viewer (spice-html5, noVNC, xterm.js) step by step without letting a failing step
// escape: teardown runs in a React cleanup while the person leaves the page, and a throw there
// replaces the next page with Next's error screen. A failure is still logged as an error, so
// the console tests (which fail on any console error) see it.
export function tearDownViewer(viewer: string, steps: ReadonlyArray<() => void>): void {
  for (const step of steps) {
    try {
      step();
    } catch (e) {
      console.error(`Closing the ${viewer} failed:`, e);
    }
  }
}
