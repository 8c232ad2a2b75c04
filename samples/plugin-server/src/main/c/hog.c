/* A plugin that takes memory until the sandbox refuses to grow it, then dies of it. */
#include "plugin.h"

/* Every block stays reachable, so the compiler cannot drop the allocations. */
static void *volatile kept;

EXPORT("handle") uint64_t handle(const char *in, int32_t len) {
  (void)in;
  (void)len;
  for (;;) {
    void **block = malloc(1 << 20);
    if (block == NULL) {
      __builtin_trap(); /* what a C program does when it cannot go on without memory */
    }
    memset(block, 1, 1 << 20);
    *block = kept;
    kept = block;
  }
}
