/*
 * A plugin that reaches for more than it is granted: printf pulls in WASI (fd_write and friends),
 * which the server does not grant. The server refuses to load it and names the imports.
 */
#include <stdio.h>
#include "plugin.h"

EXPORT("handle") uint64_t handle(const char *in, int32_t len) {
  printf("%.*s\n", (int)len, in);
  return 0;
}
