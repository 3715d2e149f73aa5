// The guest resolution that fills a console of this CSS size on this screen: device pixels, so
// the guest is drawn sharp on a HiDPI display (the page then shows it at 1/dpr). Widths go down
// to a multiple of 8 (X and QXL want it), and the size stays within what QXL can drive.
export const GUEST_MIN = { width: 640, height: 480 };
export const GUEST_MAX = { width: 8192, height: 8192 };

export function guestSizeFor(cssWidth: number, cssHeight: number, devicePixelRatio: number): { width: number; height: number } | null {
  if (!(cssWidth > 0 && cssHeight > 0)) return null;
  const dpr = Number.isFinite(devicePixelRatio) && devicePixelRatio > 0 ? devicePixelRatio : 1;
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  const width = clamp(Math.floor(cssWidth * dpr), GUEST_MIN.width, GUEST_MAX.width);
  const height = clamp(Math.floor(cssHeight * dpr), GUEST_MIN.height, GUEST_MAX.height);
  return { width: width - (width % 8), height: height - (height % 2) };
}
