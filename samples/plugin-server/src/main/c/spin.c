/* A plugin that never returns: the call's timeout must stop it. */
#include "plugin.h"

EXPORT("handle") uint64_t handle(const char *in, int32_t len) {
  volatile uint64_t n = (uint64_t)len + (uint64_t)(uintptr_t)in;
  for (;;) {
    n++;
  }
}
