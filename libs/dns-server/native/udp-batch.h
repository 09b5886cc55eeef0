/* Shared between udp-batch.c (the reader thread and the calls) and udp-batch-open.c (the socket). */
#ifndef UDP_BATCH_H
#define UDP_BATCH_H
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
  int joined; /* the reader thread has been joined */
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

const char *errno_code(int e);
napi_value throw_errno(napi_env env, const char *what, int e);
void disown(napi_env env, batch_t *b);
batch_t *get_handle(napi_env env, napi_value v);
napi_value js_open(napi_env env, napi_callback_info info);

#endif
