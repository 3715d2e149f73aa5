// The console bench's floor for any relay that copies bytes through user space: a WebSocket
// upgrade, then a blocking loop of read() from the unix socket and one write() of header and
// payload to the TCP socket. No event loop, no buffering, no reading of the browser's side, no
// checks: it is not a bridge anyone should run, only how fast a copying relay can be on this
// machine, printed next to the bridge. One forked child per connection, reaped so that its CPU
// time shows in the parent's cutime/cstime (as websockify's does).
//
//   cc -O2 -o minimal-relay minimal-relay.c && ./minimal-relay <unix socket> <tcp port>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define HEADROOM 10
#define READ_BYTES (256 * 1024)
static unsigned char buf[HEADROOM + READ_BYTES];

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// SHA-1 (FIPS 180-4) of a short message, for Sec-WebSocket-Accept only.
static void sha1(const unsigned char *msg, size_t len, unsigned char out[20]) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t total = ((len + 8) / 64 + 1) * 64;
  unsigned char *m = calloc(total, 1);
  memcpy(m, msg, len);
  m[len] = 0x80;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) m[total - 1 - i] = (unsigned char)(bits >> (8 * i));
  for (size_t block = 0; block < total; block += 64) {
    uint32_t w[80];
    for (int t = 0; t < 16; t++) {
      const unsigned char *p = m + block + 4 * t;
      w[t] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    }
    for (int t = 16; t < 80; t++) w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; t++) {
      uint32_t f, k;
      if (t < 20) f = (b & c) | (~b & d), k = 0x5A827999;
      else if (t < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
      else if (t < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      else f = b ^ c ^ d, k = 0xCA62C1D6;
      uint32_t next = rol(a, 5) + f + e + k + w[t];
      e = d, d = c, c = rol(b, 30), b = a, a = next;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  free(m);
  for (int i = 0; i < 20; i++) out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static void base64(const unsigned char *in, size_t len, char *out) {
  static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < len ? in[i + 2] : 0);
    out[o++] = abc[v >> 18 & 63];
    out[o++] = abc[v >> 12 & 63];
    out[o++] = i + 1 < len ? abc[v >> 6 & 63] : '=';
    out[o++] = i + 2 < len ? abc[v & 63] : '=';
  }
  out[o] = 0;
}

static int write_all(int fd, const unsigned char *p, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w, len -= (size_t)w;
  }
  return 0;
}

static void serve(int client, const char *unix_path) {
  char req[8192];
  size_t n = 0;
  while (!memmem(req, n, "\r\n\r\n", 4)) {
    if (n == sizeof req) return;
    ssize_t r = read(client, req + n, sizeof req - n);
    if (r <= 0) return;
    n += (size_t)r;
  }
  req[n < sizeof req ? n : sizeof req - 1] = 0;
  char *key = strcasestr(req, "\r\nSec-WebSocket-Key:");
  if (!key) return;
  key += 20;
  while (*key == ' ') key++;
  char joined[256];
  int joined_len = snprintf(joined, sizeof joined, "%.*s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", (int)strcspn(key, "\r\n"), key);
  if (joined_len <= 0 || joined_len >= (int)sizeof joined) return;
  unsigned char digest[20];
  char accept[32];
  sha1((const unsigned char *)joined, (size_t)joined_len, digest);
  base64(digest, 20, accept);
  char resp[256];
  int resp_len = snprintf(resp, sizeof resp,
                          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: binary\r\n\r\n",
                          accept);
  if (write_all(client, (const unsigned char *)resp, (size_t)resp_len)) return;

  int vm = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strncpy(addr.sun_path, unix_path, sizeof addr.sun_path - 1);
  if (vm < 0 || connect(vm, (struct sockaddr *)&addr, sizeof addr)) return;
  for (;;) {
    ssize_t r = read(vm, buf + HEADROOM, READ_BYTES);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return;
    unsigned char *frame;
    if (r < 126) {
      frame = buf + HEADROOM - 2;
      frame[1] = (unsigned char)r;
    } else if (r < 65536) {
      frame = buf + HEADROOM - 4;
      frame[1] = 126, frame[2] = (unsigned char)(r >> 8), frame[3] = (unsigned char)r;
    } else {
      frame = buf;
      frame[1] = 127;
      for (int i = 0; i < 8; i++) frame[2 + i] = (unsigned char)((uint64_t)r >> (56 - 8 * i));
    }
    frame[0] = 0x82;
    if (write_all(client, frame, (size_t)(buf + HEADROOM + r - frame))) return;
  }
}

static void reap(int sig) {
  (void)sig;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <unix socket> <tcp port>\n", argv[0]);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa = {.sa_handler = reap, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
  sigaction(SIGCHLD, &sa, NULL);
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(listener, (struct sockaddr *)&at, sizeof at) || listen(listener, 16)) {
    perror("minimal-relay: listen");
    return 1;
  }
  printf("ready ws://127.0.0.1:%s/\n", argv[2]);
  fflush(stdout);
  for (;;) {
    int client = accept(listener, NULL, NULL);
    if (client < 0) continue;
    pid_t pid = fork();
    if (pid == 0) {
      close(listener);
      serve(client, argv[1]);
      _exit(0);
    }
    close(client);
  }
}
