/* A plugin that writes without end: the server's output cap must stop it. */
#include "plugin.h"

EXPORT("handle") uint64_t handle(const char *in, int32_t len) {
  (void)in;
  (void)len;
  static char line[4096];
  memset(line, 'x', sizeof line - 1);
  line[sizeof line - 1] = '\n';
  for (;;) {
    out_write(line, (int32_t)sizeof line);
  }
}
