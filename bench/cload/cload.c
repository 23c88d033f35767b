// cload: closed-loop pomelo/pitaya request load generator in C (epoll, single thread), so that the
// client is cheaper per request than the Node servers under test. Same output JSON as
// bench/nload.mjs, the Node client the bench falls back to without a C compiler.
//   build: cc -O2 -o cload cload.c (bench/cload.mjs builds it into bench/.build/)
//   usage: cload --mode tcp|ws --port N --conns C --inflight K [--warmup 3] [--duration 10]
//            [--max-requests 50000000] [--route connector.entryHandler.echo] [--body JSON]
//            [--server-pids 1,2] [--label x]
// Heartbeats from the server are ignored: keep warmup+duration well under 2x the server heartbeat.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

static const char *MODE = "tcp";
static int PORT = 4001, CONNS = 1, INFLIGHT = 1;
static double WARMUP = 3, DURATION = 10;
static long MAXREQ = 50000000;
static const char *ROUTE = "connector.entryHandler.echo";
static const char *BODY = "{\"uid\":1234567,\"name\":\"player_42\",\"pos\":{\"x\":12.5,\"y\":-3.25,\"z\":100},\"hp\":87,\"items\":[11,22,33],\"ts\":1700000000123}";
static const char *LABEL = "";
static int SPIDS[64], NSPIDS = 0;
static int WS = 0;
static int SPIN = 0; // --spin 1: epoll_wait(timeout 0) busy-poll, client never sleeps (no wakeups for the server to pay)

static double now_s(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static uint64_t now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec; }

// latency histogram: 1us buckets up to 2s
#define HMAX 2000000
static uint32_t *hist; static uint64_t hcount = 0, hover = 0; static double hsum = 0; static uint32_t hmaxv = 0;
static void hrec(uint64_t ns) { uint64_t us = (ns + 500) / 1000; if (us < 1) us = 1; hsum += us; hcount++; if (us > hmaxv) hmaxv = us; if (us >= HMAX) { hover++; return; } hist[us]++; }
static uint64_t hpct(double p) { uint64_t want = (uint64_t)(p / 100.0 * hcount + 0.5); if (want < 1) want = 1; uint64_t acc = 0; for (uint64_t i = 0; i < HMAX; i++) { acc += hist[i]; if (acc >= want) return i; } return hmaxv; }

static uint32_t rng = 2463534242u;
static uint32_t xs(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

typedef struct {
  int fd; uint32_t next_id; uint64_t *sent; uint32_t cap; int outstanding;
  unsigned char *rbuf; size_t rlen, rcap;
  unsigned char *wbuf; size_t wlen, wcap; int want_out;
} conn_t;

static conn_t *conns; static int measuring = 0, stopping = 0;
static long sent_total = 0, recv_total = 0, recv_window = 0, errors = 0, bad_body = 0, bodies_checked = 0;
static size_t route_len, body_len;

static void die(const char *m) { perror(m); exit(1); }
static void wreserve(conn_t *c, size_t n) { if (c->wlen + n > c->wcap) { while (c->wlen + n > c->wcap) c->wcap *= 2; c->wbuf = realloc(c->wbuf, c->wcap); } }

// append one pomelo package (type, body) to c->wbuf, wrapped in a masked WS frame if WS
static void put_pkg(conn_t *c, int type, const unsigned char *body, size_t blen) {
  size_t plen = 4 + blen;
  wreserve(c, plen + 14);
  unsigned char *p = c->wbuf + c->wlen;
  unsigned char mask[4] = {0};
  size_t h = 0;
  if (WS) {
    p[0] = 0x82;
    if (plen < 126) { p[1] = 0x80 | plen; h = 2; }
    else if (plen < 65536) { p[1] = 0x80 | 126; p[2] = plen >> 8; p[3] = plen & 0xff; h = 4; }
    else { p[1] = 0x80 | 127; for (int i = 0; i < 8; i++) p[2 + i] = (uint64_t)plen >> (56 - 8 * i); h = 10; }
    uint32_t m = xs(); memcpy(mask, &m, 4); memcpy(p + h, mask, 4); h += 4;
  }
  unsigned char *q = p + h;
  q[0] = type; q[1] = (blen >> 16) & 0xff; q[2] = (blen >> 8) & 0xff; q[3] = blen & 0xff;
  if (blen) memcpy(q + 4, body, blen);
  if (WS) for (size_t i = 0; i < plen; i++) q[i] ^= mask[i & 3];
  c->wlen += h + plen;
}

static void put_request(conn_t *c) {
  uint32_t id = c->next_id++;
  if (c->next_id > 0x7fffffff) c->next_id = 1;
  unsigned char msg[1024]; size_t o = 0;
  msg[o++] = 0; // REQUEST, route not compressed
  uint32_t v = id; do { unsigned char b = v & 0x7f; v >>= 7; if (v) b |= 0x80; msg[o++] = b; } while (v);
  msg[o++] = (unsigned char)route_len; memcpy(msg + o, ROUTE, route_len); o += route_len;
  memcpy(msg + o, BODY, body_len); o += body_len;
  c->sent[id & (c->cap - 1)] = now_ns();
  c->outstanding++; sent_total++;
  put_pkg(c, 4, msg, o);
}

static int flush_out(conn_t *c) {
  while (c->wlen > 0) {
    ssize_t n = write(c->fd, c->wbuf, c->wlen);
    if (n < 0) { if (errno == EAGAIN) return 1; if (errno == EINTR) continue; return -1; }
    memmove(c->wbuf, c->wbuf + n, c->wlen - n); c->wlen -= n;
  }
  return 0;
}

// handle one pomelo package; returns 1 if a response was consumed
static int on_pkg(conn_t *c, const unsigned char *p, size_t len) {
  int type = p[0]; const unsigned char *b = p + 4; size_t blen = len - 4;
  if (type != 4) return 0; // ignore heartbeat/handshake here
  int mtype = (b[0] >> 1) & 7; if (mtype != 2) return 0;
  size_t o = 1; uint32_t id = 0; int sh = 0; unsigned char m;
  do { m = b[o++]; id |= (uint32_t)(m & 0x7f) << sh; sh += 7; } while (m & 0x80);
  uint64_t t0 = c->sent[id & (c->cap - 1)];
  if (!t0) { errors++; return 0; }
  c->sent[id & (c->cap - 1)] = 0; c->outstanding--;
  recv_total++;
  if ((recv_total & 1023) == 1) { bodies_checked++; if (blen - o != body_len || memcmp(b + o, BODY, body_len) != 0) bad_body++; }
  if (measuring) { recv_window++; hrec(now_ns() - t0); }
  if (!stopping && sent_total < MAXREQ) put_request(c);
  return 1;
}

// parse c->rbuf; dispatch complete packages; keep remainder
static void parse_in(conn_t *c) {
  size_t o = 0;
  for (;;) {
    if (!WS) {
      if (c->rlen - o < 4) break;
      size_t len = ((size_t)c->rbuf[o + 1] << 16) | ((size_t)c->rbuf[o + 2] << 8) | c->rbuf[o + 3];
      if (c->rlen - o < 4 + len) break;
      on_pkg(c, c->rbuf + o, 4 + len); o += 4 + len;
    } else {
      if (c->rlen - o < 2) break;
      unsigned char b0 = c->rbuf[o], b1 = c->rbuf[o + 1]; size_t len = b1 & 0x7f, h = 2;
      if (len == 126) { if (c->rlen - o < 4) break; len = ((size_t)c->rbuf[o + 2] << 8) | c->rbuf[o + 3]; h = 4; }
      else if (len == 127) { if (c->rlen - o < 10) break; len = 0; for (int i = 0; i < 8; i++) len = (len << 8) | c->rbuf[o + 2 + i]; h = 10; }
      if (c->rlen - o < h + len) break;
      int op = b0 & 0x0f;
      if (op == 2 || op == 0) { size_t q = o + h, e = q + len; while (e - q >= 4) { size_t pl = ((size_t)c->rbuf[q + 1] << 16) | ((size_t)c->rbuf[q + 2] << 8) | c->rbuf[q + 3]; on_pkg(c, c->rbuf + q, 4 + pl); q += 4 + pl; } }
      o += h + len;
    }
  }
  if (o) { memmove(c->rbuf, c->rbuf + o, c->rlen - o); c->rlen -= o; }
}

static int read_some(conn_t *c) {
  for (;;) {
    if (c->rcap - c->rlen < 16384) { c->rcap *= 2; c->rbuf = realloc(c->rbuf, c->rcap); }
    ssize_t n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
    if (n > 0) { c->rlen += n; if ((size_t)n < 16384) return 0; continue; }
    if (n == 0) return -1;
    if (errno == EAGAIN) return 0;
    if (errno == EINTR) continue;
    return -1;
  }
}

// blocking read until predicate satisfied (setup phase only)
static void blocking_read_until(conn_t *c, int (*done)(conn_t *)) {
  while (!done(c)) { ssize_t n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen); if (n <= 0) die("setup read"); c->rlen += n; }
}
static int have_http(conn_t *c) { return memmem(c->rbuf, c->rlen, "\r\n\r\n", 4) != NULL; }
static int have_hs(conn_t *c) {
  size_t o = 0, need;
  if (WS) { if (c->rlen < 2) return 0; size_t len = c->rbuf[1] & 0x7f, h = 2; if (len == 126) { if (c->rlen < 4) return 0; len = (c->rbuf[2] << 8) | c->rbuf[3]; h = 4; } need = h + len; o = h; }
  else { if (c->rlen < 4) return 0; need = 4 + (((size_t)c->rbuf[1] << 16) | (c->rbuf[2] << 8) | c->rbuf[3]); }
  (void)o; return c->rlen >= need;
}

static double proc_cpu(int pid) {
  char path[64], buf[2048]; snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r"); if (!f) return 0; size_t n = fread(buf, 1, sizeof buf - 1, f); fclose(f); buf[n] = 0;
  char *p = strrchr(buf, ')'); if (!p) return 0; p += 2;
  unsigned long ut = 0, st = 0; int field = 3; char *tok = strtok(p, " ");
  while (tok) { if (field == 14) ut = strtoul(tok, 0, 10); if (field == 15) { st = strtoul(tok, 0, 10); break; } field++; tok = strtok(NULL, " "); }
  return (ut + st) / 100.0;
}
static int children(int pid, int *out, int max) {
  char path[96]; snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
  FILE *f = fopen(path, "r"); if (!f) return 0; int n = 0, x; while (n < max && fscanf(f, "%d", &x) == 1) out[n++] = x; fclose(f); return n;
}
static double server_cpu(void) {
  double s = 0; for (int i = 0; i < NSPIDS; i++) { s += proc_cpu(SPIDS[i]); int k[64]; int n = children(SPIDS[i], k, 64); for (int j = 0; j < n; j++) s += proc_cpu(k[j]); }
  return s;
}
// read+write syscall counts of the server process(es) from /proc/<pid>/io
static void proc_io(int pid, double *r, double *w) {
  char path[64], line[128]; snprintf(path, sizeof path, "/proc/%d/io", pid);
  FILE *f = fopen(path, "r"); if (!f) return;
  while (fgets(line, sizeof line, f)) { unsigned long long v; if (sscanf(line, "syscr: %llu", &v) == 1) *r += v; else if (sscanf(line, "syscw: %llu", &v) == 1) *w += v; }
  fclose(f);
}
static void server_io(double *r, double *w) {
  *r = 0; *w = 0; for (int i = 0; i < NSPIDS; i++) { proc_io(SPIDS[i], r, w); int k[64]; int n = children(SPIDS[i], k, 64); for (int j = 0; j < n; j++) proc_io(k[j], r, w); }
}
static double self_cpu(void) { struct rusage r; getrusage(RUSAGE_SELF, &r); return r.ru_utime.tv_sec + r.ru_utime.tv_usec * 1e-6 + r.ru_stime.tv_sec + r.ru_stime.tv_usec * 1e-6; }
static double sys_busy(void) {
  FILE *f = fopen("/proc/stat", "r"); unsigned long long v[10] = {0}; char cpu[8];
  if (fscanf(f, "%7s %llu %llu %llu %llu %llu %llu %llu %llu", cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 9) { fclose(f); return 0; }
  fclose(f); unsigned long long tot = 0; for (int i = 0; i < 8; i++) tot += v[i]; return (tot - v[3] - v[4]) / 100.0;
}

int main(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--mode")) MODE = v; else if (!strcmp(k, "--port")) PORT = atoi(v);
    else if (!strcmp(k, "--conns")) CONNS = atoi(v); else if (!strcmp(k, "--inflight")) INFLIGHT = atoi(v);
    else if (!strcmp(k, "--warmup")) WARMUP = atof(v); else if (!strcmp(k, "--duration")) DURATION = atof(v);
    else if (!strcmp(k, "--max-requests")) MAXREQ = atol(v); else if (!strcmp(k, "--route")) ROUTE = v;
    else if (!strcmp(k, "--spin")) SPIN = atoi(v);
    else if (!strcmp(k, "--body")) BODY = v; else if (!strcmp(k, "--label")) LABEL = v;
    else if (!strcmp(k, "--server-pids")) { char *s = strdup(v), *t = strtok(s, ","); while (t && NSPIDS < 64) { SPIDS[NSPIDS++] = atoi(t); t = strtok(NULL, ","); } }
  }
  if (WARMUP + DURATION > 50) { fprintf(stderr, "warmup+duration must stay < 50s (heartbeats are ignored)\n"); return 1; }
  alarm((unsigned)(WARMUP + DURATION + 60)); // hard bound
  WS = !strcmp(MODE, "ws");
  route_len = strlen(ROUTE); body_len = strlen(BODY);
  hist = calloc(HMAX, sizeof(uint32_t));
  rng ^= (uint32_t)now_ns() | 1;
  conns = calloc(CONNS, sizeof(conn_t));
  struct sockaddr_in sa = {0}; sa.sin_family = AF_INET; sa.sin_port = htons(PORT); sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  uint32_t cap = 1; while (cap < (uint32_t)INFLIGHT * 2) cap <<= 1;
  double tc0 = now_s();
  const char *hs = "{\"sys\":{\"type\":\"bench-c\",\"version\":\"0.0.1\",\"rsa\":{}},\"user\":{}}";
  for (int i = 0; i < CONNS; i++) {
    conn_t *c = &conns[i];
    c->fd = socket(AF_INET, SOCK_STREAM, 0); if (c->fd < 0) die("socket");
    int one = 1; setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) die("connect");
    c->cap = cap; c->sent = calloc(cap, sizeof(uint64_t)); c->next_id = 1;
    c->rcap = 65536; c->rbuf = malloc(c->rcap); c->wcap = 65536; c->wbuf = malloc(c->wcap);
    if (WS) {
      char req[512]; int n = snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", PORT);
      if (write(c->fd, req, n) != n) die("write upgrade");
      blocking_read_until(c, have_http);
      if (memcmp(c->rbuf, "HTTP/1.1 101", 12)) { fprintf(stderr, "upgrade failed: %.*s\n", (int)c->rlen, c->rbuf); return 1; }
      unsigned char *e = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4) + 4; size_t rest = c->rlen - (e - c->rbuf); memmove(c->rbuf, e, rest); c->rlen = rest;
    }
    put_pkg(c, 1, (const unsigned char *)hs, strlen(hs)); if (flush_out(c)) die("write hs");
    blocking_read_until(c, have_hs);
    // check code 200 in handshake response
    if (!memmem(c->rbuf, c->rlen, "\"code\":200", 10)) { fprintf(stderr, "handshake failed\n"); return 1; }
    c->rlen = 0;
    put_pkg(c, 2, NULL, 0); if (flush_out(c)) die("write ack");
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
  }
  double connect_ms = (now_s() - tc0) * 1000;
  int ep = epoll_create1(0);
  for (int i = 0; i < CONNS; i++) { struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i }; epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev); }
  for (int i = 0; i < CONNS; i++) { for (int k = 0; k < INFLIGHT; k++) put_request(&conns[i]); flush_out(&conns[i]); }
  double t_begin = now_s(), t_start = t_begin + WARMUP, t_end = t_start + DURATION;
  double cs_srv = 0, cs_cli = 0, cs_sys = 0, ce_srv = 0, ce_cli = 0, ce_sys = 0, ts = 0, te = 0; long recv_at_start = 0;
  double io_r0 = 0, io_w0 = 0, io_r1 = 0, io_w1 = 0;
  struct epoll_event evs[1024];
  int phase = 0; // 0 warmup, 1 measuring, 2 draining
  double drain_until = 0;
  for (;;) {
    double t = now_s();
    if (phase == 0 && t >= t_start) { cs_srv = server_cpu(); cs_cli = self_cpu(); cs_sys = sys_busy(); server_io(&io_r0, &io_w0); ts = now_s(); measuring = 1; phase = 1; recv_at_start = recv_total; }
    if (phase == 1 && (t >= t_end || sent_total >= MAXREQ)) { measuring = 0; stopping = 1; te = now_s(); ce_srv = server_cpu(); ce_cli = self_cpu(); ce_sys = sys_busy(); server_io(&io_r1, &io_w1); phase = 2; drain_until = te + 3; }
    if (phase == 2) { long out = 0; for (int i = 0; i < CONNS; i++) out += conns[i].outstanding; if (out == 0 || now_s() > drain_until) break; }
    int n = epoll_wait(ep, evs, 1024, SPIN ? 0 : 5);
    for (int j = 0; j < n; j++) {
      conn_t *c = &conns[evs[j].data.u32];
      if (evs[j].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        if (read_some(c) < 0) { errors++; epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL); continue; }
        parse_in(c);
      }
      int r = flush_out(c);
      if (r == 1 && !c->want_out) { struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u32 = evs[j].data.u32 }; epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev); c->want_out = 1; }
      else if (r == 0 && c->want_out) { struct epoll_event ev = { .events = EPOLLIN, .data.u32 = evs[j].data.u32 }; epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev); c->want_out = 0; }
    }
  }
  long outstanding = 0; for (int i = 0; i < CONNS; i++) { outstanding += conns[i].outstanding; close(conns[i].fd); }
  double secs = te - ts;
  double srv = (ce_srv - cs_srv) / secs, cli = (ce_cli - cs_cli) / secs, oth = (ce_sys - cs_sys) / secs - srv - cli;
  printf("{\"label\":\"%s\",\"client\":\"cload\",\"spin\":%d,\"mode\":\"%s\",\"port\":%d,\"conns\":%d,\"inflight\":%d,\"route\":\"%s\",\"bodyBytes\":%zu,"
         "\"connectMs\":%.0f,\"secs\":%.3f,\"responses\":%ld,\"windowResponses\":%ld,\"rps\":%.0f,"
         "\"lat_us\":{\"p50\":%lu,\"p90\":%lu,\"p99\":%lu,\"p999\":%lu,\"max\":%u,\"mean\":%.0f},"
         "\"cpu\":{\"server\":%.3f,\"client\":%.3f,\"other\":%.3f},\"serverSyscallsPerReq\":{\"read\":%.3f,\"write\":%.3f},\"errors\":%ld,\"badBody\":%ld,\"bodiesChecked\":%ld,\"outstanding\":%ld,\"sent\":%ld}\n",
         LABEL, SPIN, MODE, PORT, CONNS, INFLIGHT, ROUTE, body_len, connect_ms, secs, recv_total - recv_at_start, recv_window, recv_window / secs,
         (unsigned long)hpct(50), (unsigned long)hpct(90), (unsigned long)hpct(99), (unsigned long)hpct(99.9), hmaxv, hcount ? hsum / hcount : 0,
         srv, cli, oth, recv_window ? (io_r1 - io_r0) / recv_window : 0, recv_window ? (io_w1 - io_w0) / recv_window : 0, errors, bad_body, bodies_checked, outstanding, sent_total);
  return 0;
}
