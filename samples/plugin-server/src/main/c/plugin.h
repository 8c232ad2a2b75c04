/*
 * What every plugin of the sample server shares: Strata's allocator convention (see
 * dev.strata.sandbox.wasm.WasmPlugin) and the two host functions the server grants.
 *
 *   alloc(len) -> ptr, dealloc(ptr, len)    the host writes the input into a buffer from alloc
 *   handle(ptr, len) -> (ptr << 32) | len   the plugin's entry point; it returns a buffer from alloc
 *
 * Granted by the server, nothing else (no WASI, no files, no clock):
 *   kv.get(key, key_len, out, out_cap) -> value length, or -1 when the key is unknown
 *   out.write(ptr, len)                 appends to the response; past the server's cap it traps
 */
#ifndef STRATA_PLUGIN_H
#define STRATA_PLUGIN_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))

IMPORT("kv", "get") extern int32_t kv_get(const char *key, int32_t key_len, char *out, int32_t out_cap);
IMPORT("out", "write") extern void out_write(const char *ptr, int32_t len);

EXPORT("alloc") void *plugin_alloc(int32_t len) { return malloc(len > 0 ? (size_t)len : 1); }
EXPORT("dealloc") void plugin_dealloc(void *ptr, int32_t len) { (void)len; free(ptr); }

static inline uint64_t pack(void *ptr, int32_t len) {
  return ((uint64_t)(uintptr_t)ptr << 32) | (uint32_t)len;
}

#endif
