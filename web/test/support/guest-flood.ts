// What a hostile guest does to the helper it can reach as 10.0.2.2 (user-mode networking):
// busybox sh workers that, until /tmp/flood-stop exists, send requests with a foreign Host and
// Origin, POST wrong pairing codes, open WebSockets that never say hello, and open connections
// that never send a byte (those two in bursts, then a pause, so the other workers keep up).
// Each worker counts its requests and how many got an HTTP answer; the totals are printed on
// the serial port as one line:
//   FLOOD-RESULT requests=N answered=N pair=N pair401=N badhost=N halfws=N silent=N
// The script is typed into the guest's shell (a heredoc), started in the background.

// Each `\\r\\n` below reaches the guest as the two characters \r\n, which printf turns into CRLF.
const SCRIPT = String.raw`P=$1
H=10.0.2.2
ORIG="Host: 127.0.0.1:$P\r\nOrigin: http://127.0.0.1:$P"
ask() { nc -w 10 $H $P 2>/dev/null | head -1; }
worker() {
  n=0; ok=0; extra=0
  while [ ! -e /tmp/flood-stop ]; do
    n=$((n+1))
    case $1 in
    badhost) r=$(printf "GET / HTTP/1.1\r\nHost: evil.example:$P\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n" | ask) ;;
    pair*) b="{\"code\":\"WRONG$(printf %03d $((n % 1000)))\",\"clientName\":\"guest\"}"
      r=$(printf "POST /api/pair HTTP/1.1\r\n$ORIG\r\nContent-Type: application/json\r\nContent-Length: ${'$'}{#b}\r\nConnection: close\r\n\r\n$b" | ask)
      case "$r" in *" 401 "*) extra=$((extra+1)) ;; esac ;;
    halfws) r=x; j=1; while [ $j -lt 48 ]; do
        ( (printf "GET /api HTTP/1.1\r\n$ORIG\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"; sleep 30) | nc $H $P >/dev/null 2>&1 &)
        j=$((j+1)); done
      n=$((n+47)); sleep 3 ;;
    silent) r=x; j=1; while [ $j -lt 150 ]; do (sleep 15 | nc $H $P >/dev/null 2>&1 &); j=$((j+1)); done
      n=$((n+149)); sleep 10 ;;
    esac
    case "$r" in HTTP/*) ok=$((ok+1)) ;; esac
  done
  echo "$1 $n $ok $extra" > /tmp/flood-count.$1
}
rm -f /tmp/flood-stop /tmp/flood-count.*
for k in badhost pair1 pair2 halfws silent; do worker $k & done
wait
req=0; ans=0; pair=0; p401=0; line=""
for f in /tmp/flood-count.*; do
  read k n ok extra < $f
  req=$((req+n)); line="$line $k=$n"
  case $k in pair*) pair=$((pair+n)); p401=$((p401+extra)); ans=$((ans+ok)) ;; badhost) ans=$((ans+ok)) ;; esac
done
echo "FLOOD-RESULT requests=$req answered=$ans pair=$pair pair401=$p401$line"`;

// The lines to type: write the script to /tmp/flood.sh, run it in the background against port
// (its one line of output, the result, goes to the serial console).
export function floodCommands(port: number): string {
  return [`cat > /tmp/flood.sh <<'FLOOD_EOF'`, SCRIPT, 'FLOOD_EOF', `sh /tmp/flood.sh ${port} &`].join('\n');
}

// Stops the workers; the result line follows on the serial port once they have finished.
export const STOP_FLOOD = 'touch /tmp/flood-stop';

export interface FloodResult {
  requests: number;
  answered: number;
  pair: number;
  pair401: number;
  byKind: Record<string, number>;
}

// The last FLOOD-RESULT line in the serial log, or null. The line may follow a prompt on the
// same line (the background job prints whenever it ends), and the typed script's echo holds
// the words without numbers.
export function parseFloodResult(serial: string): FloodResult | null {
  const found = [...serial.matchAll(/FLOOD-RESULT (requests=\d+[^\r\n]*)/g)].at(-1);
  if (found === undefined) return null;
  const fields = Object.fromEntries(found[1]!.trim().split(/\s+/).map((kv) => kv.split('=') as [string, string]));
  const num = (k: string) => Number(fields[k] ?? NaN);
  const byKind = Object.fromEntries(['badhost', 'pair1', 'pair2', 'halfws', 'silent'].map((k) => [k, num(k)]));
  return { requests: num('requests'), answered: num('answered'), pair: num('pair'), pair401: num('pair401'), byKind };
}
