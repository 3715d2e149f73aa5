// spice-html5 sends the RSA-encrypted SPICE ticket as the shortest big-endian bytes of the number,
// written from the start of the key-sized field; QEMU reads the whole field. About one ticket in
// 200 is a number with a leading zero byte: it arrives shifted, and QEMU refuses the channel
// ("Permission denied"), which on a password-protected display (Windows' loopback TCP) ends the
// console for no reason. Left-padded to the key's length, the ticket always reads right.
export function padTicket(ticket: readonly number[], keyBytes: number): number[] {
  if (ticket.length >= keyBytes) return [...ticket];
  return [...new Array<number>(keyBytes - ticket.length).fill(0), ...ticket];
}
