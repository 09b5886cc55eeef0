/*
 * Batched UDP I/O for the DNS workers (issue 11): a reader thread blocks in recvmmsg on a socket this
 * addon owns and hands each batch to JS through one threadsafe-function call; JS answers the batch and
 * sends every reply with one sendmmsg. Node's dgram costs one recvmsg, one JS callback, an rinfo object
 * and one sendmsg per datagram; this costs one of each per batch of up to BATCH datagrams.
 *
 * Node-API only (node_api.h): no libuv or V8 headers, so it builds with the system cc against the
 * node-api-headers package and loads in any Node with Node-API 8. Linux only (recvmmsg, sendmmsg).
 *
 * Memory shared with JS, allocated as ArrayBuffers so V8 owns it and it outlives every JS view:
 *   in    SLOTS x BATCH datagrams, DGRAM_STRIDE bytes apart
 *   lens  Int32 per datagram: its length, or -1 when it did not fit (MSG_TRUNC)
 *   addrs ADDR_STRIDE bytes per datagram: [0] family 4|6, [1..2] port big-endian, [4..19] address
 *   out   replies, packed; omsg Int32 x3 per reply: offset in out, length, index of the datagram (in
 *         its slot) whose source address the reply goes to
 * A slot stays busy from recvmmsg until the JS callback for it returns, so the reader never writes
 * into a batch JS is reading.
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define SLOTS 4
/* MAX_QUERY (4096) + 1: a datagram that fills it is oversized and dropped by JS anyway. */
#define DGRAM_MAX 4097
#define DGRAM_STRIDE 4160
#define ADDR_STRIDE 20
#define OUT_BYTES (256 * 1024)

typedef struct {
  int fd;
  int family;
  volatile int stop;
  int started;
  int closed;
  int owners; /* the JS handle, and the threadsafe function once started: the last to go frees */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int busy[SLOTS];
  int count[SLOTS];
  napi_threadsafe_function tsfn;
  napi_ref refs[5];
  uint8_t *in;
  int32_t *lens;
  uint8_t *addrs;
  uint8_t *out;
  int32_t *omsg;
  struct sockaddr_storage names[SLOTS][BATCH];
  struct mmsghdr rmsg[SLOTS][BATCH];
  struct iovec riov[SLOTS][BATCH];
  struct mmsghdr smsg[BATCH];
  struct iovec siov[BATCH];
} batch_t;

#define CHECK(call)                                                                                      \
  do {                                                                                                   \
    if ((call) != napi_ok) {                                                                             \
      napi_throw_error(env, "ERR_UDP_BATCH", "udp-batch: " #call " failed");                             \
      return NULL;                                                                                       \
    }                                                                                                    \
  } while (0)

static const char *errno_code(int e) {
  switch (e) {
  case EADDRINUSE: return "EADDRINUSE";
  case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
  case EACCES: return "EACCES";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  case EINVAL: return "EINVAL";
  default: return "ERR_UDP_BATCH";
  }
}

static napi_value throw_errno(napi_env env, const char *what, int e) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(e));
  napi_throw_error(env, errno_code(e), msg);
  return NULL;
}

static void *reader(void *arg) {
  batch_t *b = arg;
  int slot = 0;
  while (!b->stop) {
    pthread_mutex_lock(&b->mu);
    while (b->busy[slot] && !b->stop) pthread_cond_wait(&b->cv, &b->mu);
    pthread_mutex_unlock(&b->mu);
    if (b->stop) break;
    struct mmsghdr *m = b->rmsg[slot];
    for (int i = 0; i < BATCH; i++) {
      m[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
      m[i].msg_hdr.msg_flags = 0;
    }
    /* Blocks for the first datagram only, then takes what is queued. shutdown() in close wakes it. */
    int n = recvmmsg(b->fd, m, BATCH, MSG_WAITFORONE, NULL);
    if (b->stop) break;
    if (n <= 0) continue; /* EINTR, or an ICMP error queued on the socket: nothing to answer */
    int base = slot * BATCH;
    for (int i = 0; i < n; i++) {
      int32_t len = (int32_t)m[i].msg_len;
      if (m[i].msg_hdr.msg_flags & MSG_TRUNC) len = -1;
      b->lens[base + i] = len;
      uint8_t *a = b->addrs + (size_t)(base + i) * ADDR_STRIDE;
      struct sockaddr_storage *ss = &b->names[slot][i];
      if (ss->ss_family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        a[0] = 6;
        memcpy(a + 1, &s6->sin6_port, 2);
        memcpy(a + 4, &s6->sin6_addr, 16);
      } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        a[0] = 4;
        memcpy(a + 1, &s4->sin_port, 2);
        memcpy(a + 4, &s4->sin_addr, 4);
      }
    }
    pthread_mutex_lock(&b->mu);
    b->busy[slot] = 1;
    b->count[slot] = n;
    pthread_mutex_unlock(&b->mu);
    /* Unbounded queue, so this never blocks; at most SLOTS calls are ever queued. */
    if (napi_call_threadsafe_function(b->tsfn, (void *)(intptr_t)slot, napi_tsfn_nonblocking) != napi_ok)
      break; /* closing */
    slot = (slot + 1) % SLOTS;
  }
  return NULL;
}

static void free_slot(batch_t *b, int slot) {
  pthread_mutex_lock(&b->mu);
  b->busy[slot] = 0;
  pthread_cond_broadcast(&b->cv);
  pthread_mutex_unlock(&b->mu);
}

static void call_js(napi_env env, napi_value cb, void *ctx, void *data) {
  batch_t *b = ctx;
  int slot = (int)(intptr_t)data;
  if (env != NULL && cb != NULL && !b->closed) {
    napi_value argv[2], undef;
    napi_create_int32(env, slot, &argv[0]);
    napi_create_int32(env, b->count[slot], &argv[1]);
    napi_get_undefined(env, &undef);
    /* An exception thrown by the callback surfaces as an uncaught exception; the JS side catches its own. */
    napi_call_function(env, undef, cb, 2, argv, NULL);
  }
  free_slot(b, slot);
}

/* Both finalizers run on the JS thread. A handle dropped without close() while started keeps its reader. */
static void disown(napi_env env, batch_t *b) {
  if (--b->owners > 0) return;
  if (b->fd >= 0) close(b->fd);
  for (int i = 0; i < 5; i++)
    if (b->refs[i] != NULL) napi_delete_reference(env, b->refs[i]);
  pthread_mutex_destroy(&b->mu);
  pthread_cond_destroy(&b->cv);
  free(b);
}

static void finalize_tsfn(napi_env env, void *data, void *hint) {
  (void)hint;
  disown(env, data);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)hint;
  disown(env, data);
}

static napi_value new_buffer(napi_env env, batch_t *b, int ref, size_t bytes, void **data) {
  napi_value ab;
  CHECK(napi_create_arraybuffer(env, bytes, data, &ab));
  memset(*data, 0, bytes);
  CHECK(napi_create_reference(env, ab, 1, &b->refs[ref]));
  return ab;
}

/* open(host: string, port: number, reusePort: boolean, rcvbuf: number) → { handle, port, in, lens, ... } */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char host[64];
  size_t hlen = 0;
  int32_t port = 0, rcvbuf = 0;
  bool reuse = false;
  if (argc < 4 || napi_get_value_string_utf8(env, argv[0], host, sizeof host, &hlen) != napi_ok ||
      napi_get_value_int32(env, argv[1], &port) != napi_ok || napi_get_value_bool(env, argv[2], &reuse) != napi_ok ||
      napi_get_value_int32(env, argv[3], &rcvbuf) != napi_ok || port < 0 || port > 65535) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "open(host, port, reusePort, rcvbuf)");
    return NULL;
  }
  struct sockaddr_storage ss;
  socklen_t sslen;
  memset(&ss, 0, sizeof ss);
  int family;
  struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
    family = AF_INET;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    sslen = sizeof *s4;
  } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
    family = AF_INET6;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    sslen = sizeof *s6;
  } else {
    napi_throw_error(env, "EINVAL", "udp-batch: the host must be an IP address literal");
    return NULL;
  }
  int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return throw_errno(env, "udp-batch: socket", errno);
  int one = 1;
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "udp-batch: SO_REUSEPORT", e);
  }
  /* Best effort, as dgram's recvBufferSize: Linux caps it at net.core.rmem_max. */
  if (rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, "udp-batch: bind", e);
  }
  struct sockaddr_storage bound;
  socklen_t blen = sizeof bound;
  getsockname(fd, (struct sockaddr *)&bound, &blen);
  int bport = ntohs(family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port
                                      : ((struct sockaddr_in6 *)&bound)->sin6_port);

  batch_t *b = calloc(1, sizeof *b);
  if (b == NULL) {
    close(fd);
    napi_throw_error(env, "ENOMEM", "udp-batch: out of memory");
    return NULL;
  }
  b->fd = fd;
  b->family = family;
  b->owners = 1;
  pthread_mutex_init(&b->mu, NULL);
  pthread_cond_init(&b->cv, NULL);
  napi_value obj, handle, v;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_external(env, b, finalize_handle, NULL, &handle));
  CHECK(napi_set_named_property(env, obj, "handle", handle));
  CHECK(napi_create_int32(env, bport, &v));
  CHECK(napi_set_named_property(env, obj, "port", v));
  void *p;
  napi_value ab;
#define SHARE(idx, name, bytes, field, ctype)                                                            \
  ab = new_buffer(env, b, idx, bytes, &p);                                                               \
  if (ab == NULL) return NULL;                                                                           \
  b->field = (ctype)p;                                                                                   \
  CHECK(napi_set_named_property(env, obj, name, ab));
  SHARE(0, "in", (size_t)SLOTS * BATCH * DGRAM_STRIDE, in, uint8_t *)
  SHARE(1, "lens", (size_t)SLOTS * BATCH * 4, lens, int32_t *)
  SHARE(2, "addrs", (size_t)SLOTS * BATCH * ADDR_STRIDE, addrs, uint8_t *)
  SHARE(3, "out", (size_t)OUT_BYTES, out, uint8_t *)
  SHARE(4, "omsg", (size_t)BATCH * 3 * 4, omsg, int32_t *)
#undef SHARE
  for (int s = 0; s < SLOTS; s++)
    for (int i = 0; i < BATCH; i++) {
      b->riov[s][i].iov_base = b->in + ((size_t)(s * BATCH + i)) * DGRAM_STRIDE;
      b->riov[s][i].iov_len = DGRAM_MAX;
      b->rmsg[s][i].msg_hdr.msg_iov = &b->riov[s][i];
      b->rmsg[s][i].msg_hdr.msg_iovlen = 1;
      b->rmsg[s][i].msg_hdr.msg_name = &b->names[s][i];
    }
  return obj;
}

static batch_t *get_handle(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "udp-batch: not a handle");
    return NULL;
  }
  return p;
}

/* start(handle, onBatch(slot, count)): the reader thread runs until close. */
static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  batch_t *b = argc < 2 ? NULL : get_handle(env, argv[0]);
  if (b == NULL) return NULL;
  if (b->started || b->closed) {
    napi_throw_error(env, "ERR_UDP_BATCH", "udp-batch: started or closed already");
    return NULL;
  }
  CHECK(napi_create_string_utf8(env, "udp-batch", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, b, finalize_tsfn, b, call_js, &b->tsfn));
  b->started = 1;
  b->owners++;
  int e = pthread_create(&b->thread, NULL, reader, b);
  if (e != 0) {
    b->closed = 1;
    napi_release_threadsafe_function(b->tsfn, napi_tsfn_release);
    return throw_errno(env, "udp-batch: pthread_create", e);
  }
  return NULL;
}

/*
 * send(handle, slot, count) → failed: sends omsg[0, count) with one sendmmsg (more when the kernel
 * takes part of the batch), each to the source address of its datagram in `slot`. A reply the kernel
 * refuses is skipped and counted, never retried: UDP may drop it anyway, and JS must not block.
 */
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  batch_t *b = argc < 3 ? NULL : get_handle(env, argv[0]);
  if (b == NULL) return NULL;
  int32_t slot = 0, count = 0;
  napi_get_value_int32(env, argv[1], &slot);
  napi_get_value_int32(env, argv[2], &count);
  if (slot < 0 || slot >= SLOTS || count < 0 || count > BATCH || b->closed) count = 0;
  int failed = 0, lastErr = 0;
  for (int i = 0; i < count; i++) {
    int32_t off = b->omsg[i * 3], len = b->omsg[i * 3 + 1], src = b->omsg[i * 3 + 2];
    if (off < 0 || len < 0 || (int64_t)off + len > OUT_BYTES || src < 0 || src >= BATCH) {
      len = 0; /* JS never writes these; sent as nothing rather than trusting them */
      off = 0;
    }
    b->siov[i].iov_base = b->out + off;
    b->siov[i].iov_len = (size_t)len;
    struct msghdr *h = &b->smsg[i].msg_hdr;
    memset(h, 0, sizeof *h);
    h->msg_iov = &b->siov[i];
    h->msg_iovlen = 1;
    h->msg_name = &b->names[slot][src];
    h->msg_namelen = b->names[slot][src].ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  }
  int done = 0;
  while (done < count) {
    int n = sendmmsg(b->fd, b->smsg + done, (unsigned)(count - done), MSG_DONTWAIT);
    if (n > 0) {
      done += n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      lastErr = n < 0 ? errno : EIO;
      failed++;
      done++; /* skip the reply the kernel refused */
    }
  }
  napi_value obj, v;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_int32(env, failed, &v));
  CHECK(napi_set_named_property(env, obj, "failed", v));
  if (lastErr != 0) {
    CHECK(napi_create_string_utf8(env, strerror(lastErr), NAPI_AUTO_LENGTH, &v));
    CHECK(napi_set_named_property(env, obj, "error", v));
  }
  if (failed == 0) CHECK(napi_get_null(env, &obj));
  return obj;
}

/* close(handle): wakes and joins the reader, closes the socket; batches still queued are dropped. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  batch_t *b = argc < 1 ? NULL : get_handle(env, argv[0]);
  if (b == NULL || b->closed) return NULL;
  b->closed = 1;
  if (b->started) {
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    /* On an unbound-peer UDP socket Linux returns ENOTCONN but still wakes a blocked recvmmsg. */
    shutdown(b->fd, SHUT_RDWR);
    pthread_join(b->thread, NULL);
  }
  close(b->fd);
  b->fd = -1;
  if (b->started) napi_release_threadsafe_function(b->tsfn, napi_tsfn_release);
  return NULL;
}

/* ref(handle, bool): whether the reader keeps the event loop alive (as dgram's ref/unref). */
static napi_value js_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  batch_t *b = argc < 2 ? NULL : get_handle(env, argv[0]);
  if (b == NULL || !b->started || b->closed) return NULL;
  bool on = true;
  napi_get_value_bool(env, argv[1], &on);
  if (on) napi_ref_threadsafe_function(env, b->tsfn);
  else napi_unref_threadsafe_function(env, b->tsfn);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"ref", NULL, js_ref, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value v;
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  napi_create_int32(env, BATCH, &v);
  napi_set_named_property(env, exports, "BATCH", v);
  napi_create_int32(env, SLOTS, &v);
  napi_set_named_property(env, exports, "SLOTS", v);
  napi_create_int32(env, DGRAM_STRIDE, &v);
  napi_set_named_property(env, exports, "DGRAM_STRIDE", v);
  napi_create_int32(env, ADDR_STRIDE, &v);
  napi_set_named_property(env, exports, "ADDR_STRIDE", v);
  napi_create_int32(env, OUT_BYTES, &v);
  napi_set_named_property(env, exports, "OUT_BYTES", v);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
