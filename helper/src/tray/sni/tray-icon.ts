// The tray icon drawn in code (no image files to ship): a sky-blue rounded square holding a
// white screen, as ARGB32 in network byte order, the StatusNotifierItem IconPixmap format.
export function trayIconPixmap(size: number, attention = false): [number, number, Buffer] {
  const px = Buffer.alloc(size * size * 4);
  const r = Math.max(2, Math.round(size / 6));
  const inset = Math.round(size * 0.22);
  const fill = attention ? [0xdc, 0x26, 0x26] : [0x02, 0x84, 0xc7];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = Math.min(x, size - 1 - x);
      const cy = Math.min(y, size - 1 - y);
      const outside = cx < r && cy < r && (r - cx - 0.5) ** 2 + (r - cy - 0.5) ** 2 > r * r;
      if (outside) continue;
      const screen = x >= inset && x < size - inset && y >= inset && y < size - inset - Math.round(size * 0.1);
      const [R, G, B] = screen ? [0xff, 0xff, 0xff] : fill;
      px.set([0xff, R!, G!, B!], (y * size + x) * 4);
    }
  }
  return [size, size, px];
}
