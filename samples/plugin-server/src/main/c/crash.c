/* A buggy plugin: it reads through a wild pointer, far outside its linear memory, and traps. */
#include "plugin.h"

EXPORT("handle") uint64_t handle(const char *in, int32_t len) {
  (void)in;
  volatile int32_t *wild = (volatile int32_t *)(uintptr_t)(0xfffffff0u - (uint32_t)len);
  return (uint64_t)*wild;
}
