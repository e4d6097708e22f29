/* Caxton WASM ABI v1 for C (docs/wasm-abi.md): the host imports and the
 * exports the host calls. Include it in ONE .c file and write
 *
 *     static caxton_output handle(const char *request, size_t len) { ... }
 *     CAXTON_HANDLER(handle)
 *
 * `request` is the request JSON (not NUL-terminated); return the answer JSON
 * as a malloc'd buffer and its length. Build for wasm32-wasi as a reactor:
 *   clang --target=wasm32-wasi -O2 -mexec-model=reactor \
 *         -Wl,-z,stack-size=65536 -o agent.wasm agent.c
 */
#ifndef CAXTON_H
#define CAXTON_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CAXTON_IMPORT(name) \
    __attribute__((import_module("caxton"), import_name(name)))

CAXTON_IMPORT("log") void caxton_log_raw(int32_t level, const char *ptr, size_t len);
CAXTON_IMPORT("now_ms") int64_t caxton_now_ms(void);
CAXTON_IMPORT("memory_store") int32_t caxton_memory_store_raw(const char *ptr, size_t len);
CAXTON_IMPORT("send_message") int32_t caxton_send_message_raw(const char *ptr, size_t len);
CAXTON_IMPORT("memory_search")
int32_t caxton_memory_search_raw(const char *q, size_t q_len, char *out, size_t out_cap);

enum { CAXTON_ERROR = 0, CAXTON_WARN = 1, CAXTON_INFO = 2, CAXTON_DEBUG = 3 };

/* A line for the agent's log. */
static inline void caxton_log(int32_t level, const char *message) {
    caxton_log_raw(level, message, strlen(message));
}

/* What a handler returns: a malloc'd buffer (freed by the next call). */
typedef struct {
    char *ptr;
    size_t len;
} caxton_output;

/* Defines the three exports around `fn`. The answer stays alive until the
 * next call, as the ABI asks. */
#define CAXTON_HANDLER(fn)                                                   \
    __attribute__((export_name("caxton_alloc"))) void *caxton_alloc(size_t n) { \
        return malloc(n ? n : 1);                                            \
    }                                                                        \
    __attribute__((export_name("caxton_dealloc"))) void caxton_dealloc(void *p, size_t n) { \
        (void)n;                                                             \
        free(p);                                                             \
    }                                                                        \
    static caxton_output caxton_last_;                                       \
    __attribute__((export_name("caxton_handle"))) int64_t caxton_handle(char *p, size_t n) { \
        free(caxton_last_.ptr);                                              \
        caxton_last_ = fn(p, n);                                             \
        free(p);                                                             \
        return ((int64_t)(uintptr_t)caxton_last_.ptr << 32) | (uint32_t)caxton_last_.len; \
    }

#endif
