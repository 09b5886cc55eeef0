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
#include "udp-batch.h"

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
    /* A socket that is gone would fail at once forever: stop rather than spin. */
    if (n < 0 && (errno == EBADF || errno == ENOTSOCK || errno == EINVAL || errno == EFAULT)) break;
    if (n <= 0) continue; /* EINTR, ENOMEM, or an ICMP error queued on the socket: nothing to answer */
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

static void finalize_tsfn(napi_env env, void *data, void *hint) {
  (void)hint;
  disown(env, data);
}

static void on_env_exit(void *arg);

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
  CHECK(napi_add_env_cleanup_hook(env, on_env_exit, b));
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
static void stop_reader(batch_t *b) {
  if (!b->started || b->joined) return;
  pthread_mutex_lock(&b->mu);
  b->stop = 1;
  pthread_cond_broadcast(&b->cv);
  pthread_mutex_unlock(&b->mu);
  /* On an unbound-peer UDP socket Linux returns ENOTCONN but still wakes a blocked recvmmsg. */
  shutdown(b->fd, SHUT_RDWR);
  pthread_join(b->thread, NULL);
  b->joined = 1;
}

/*
 * The environment ends (process.exit, a worker thread's end) with the socket still open: join the
 * reader before Node finalizes the threadsafe function and the memory the reader writes into.
 */
static void on_env_exit(void *arg) {
  batch_t *b = arg;
  b->closed = 1;
  stop_reader(b);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  batch_t *b = argc < 1 ? NULL : get_handle(env, argv[0]);
  if (b == NULL || b->closed) return NULL;
  b->closed = 1;
  if (b->started) napi_remove_env_cleanup_hook(env, on_env_exit, b);
  stop_reader(b);
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
