import { SpiceDisplayConn } from '@spice-project/spice-html5/src/display.js';

// spice-html5 removes a surface's canvas by looking up the screen element by id in the document
// (`document.getElementById(screen_id).removeChild(canvas)`). When a console page is left,
// React removes that element before the session's teardown can run, the lookup finds nothing,
// and stop() throws "Cannot read properties of null (reading 'removeChild')" inside React's
// commit, which takes the whole page down. Each surface keeps its own canvas, so it is removed
// through that reference instead: whether or not the page still holds it, and never another
// session's canvas that happens to carry the same id.
const display = SpiceDisplayConn.prototype;
display.delete_surface = function deleteSurface(this: SpiceDisplayConn, surfaceId: number) {
  const surface = this.surfaces?.[surfaceId];
  if (this.primary_surface === surfaceId) {
    this.unhook_events();
    this.primary_surface = undefined;
  }
  surface?.canvas.remove();
  if (this.surfaces) delete this.surfaces[surfaceId];
};
