/*
 * A plugin following Strata's allocator convention (see WasmPlugin):
 *   alloc(len) -> ptr, dealloc(ptr, len)
 *   a bytes function takes (ptr, len) and returns ((uint64)ptr << 32) | len of a buffer it allocated.
 * No WASI: built with -nostartfiles as a reactor-style library.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* A host function the embedder must grant explicitly. */
__attribute__((import_module("strata"), import_name("log")))
extern void host_log(const char *ptr, int32_t len);

EXPORT("alloc") void *plugin_alloc(int32_t len) { return malloc(len > 0 ? (size_t)len : 1); }
EXPORT("dealloc") void plugin_dealloc(void *ptr, int32_t len) { (void)len; free(ptr); }

EXPORT("add") int32_t add(int32_t a, int32_t b) { return a + b; }
EXPORT("fib") int64_t fib(int32_t n) {
  int64_t a = 0, b = 1;
  for (int32_t i = 0; i < n; i++) { int64_t t = a + b; a = b; b = t; }
  return a;
}

static uint64_t pack(void *ptr, int32_t len) { return ((uint64_t)(uintptr_t)ptr << 32) | (uint32_t)len; }

/* Returns the input reversed. */
EXPORT("reverse") uint64_t reverse(const char *in, int32_t len) {
  char *out = malloc(len > 0 ? (size_t)len : 1);
  for (int32_t i = 0; i < len; i++) out[i] = in[len - 1 - i];
  return pack(out, len);
}

/* Returns "hello, " + input + "!". */
EXPORT("greet") uint64_t greet(const char *in, int32_t len) {
  const char *pre = "hello, ";
  size_t plen = strlen(pre);
  char *out = malloc(plen + (size_t)len + 1);
  memcpy(out, pre, plen);
  memcpy(out + plen, in, (size_t)len);
  out[plen + len] = '!';
  return pack(out, (int32_t)(plen + len + 1));
}

/* Passes the input to the granted host function; no output. */
EXPORT("log_it") uint64_t log_it(const char *in, int32_t len) {
  host_log(in, len);
  return 0;
}

EXPORT("boom") int32_t boom(void) { __builtin_trap(); }
