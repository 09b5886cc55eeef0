/*
 * The addon's socket: open() binds it and allocates the memory shared with JS (see udp-batch.c).
 */
#include "udp-batch.h"

const char *errno_code(int e) {
  switch (e) {
  case EADDRINUSE: return "EADDRINUSE";
  case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
  case EACCES: return "EACCES";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  case EINVAL: return "EINVAL";
  default: return "ERR_UDP_BATCH";
  }
}

napi_value throw_errno(napi_env env, const char *what, int e) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(e));
  napi_throw_error(env, errno_code(e), msg);
  return NULL;
}

/* Both finalizers run on the JS thread. A handle dropped without close() while started keeps its reader. */
void disown(napi_env env, batch_t *b) {
  if (--b->owners > 0) return;
  if (b->fd >= 0) close(b->fd);
  for (int i = 0; i < 5; i++)
    if (b->refs[i] != NULL) napi_delete_reference(env, b->refs[i]);
  pthread_mutex_destroy(&b->mu);
  pthread_cond_destroy(&b->cv);
  free(b);
}

static void finalize_handle(napi_env env, void *data, void *hint) {
  (void)hint;
  disown(env, data);
}

static napi_value new_buffer(napi_env env, batch_t *b, int ref, size_t bytes, void **data) {
  napi_value ab;
  /* Zero-filled by V8, and left untouched here: pages no datagram reaches stay unmapped (worker RSS). */
  CHECK(napi_create_arraybuffer(env, bytes, data, &ab));
  CHECK(napi_create_reference(env, ab, 1, &b->refs[ref]));
  return ab;
}

/* open(host: string, port: number, reusePort: boolean, rcvbuf: number) → { handle, port, in, lens, ... } */
napi_value js_open(napi_env env, napi_callback_info info) {
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

batch_t *get_handle(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "udp-batch: not a handle");
    return NULL;
  }
  return p;
}
