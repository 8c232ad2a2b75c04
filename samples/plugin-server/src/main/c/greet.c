/* A well-behaved plugin: "<greeting>, <input>!", the greeting looked up in the host's key-value store. */
#include "plugin.h"

EXPORT("handle") uint64_t handle(const char *in, int32_t len) {
  char greeting[64];
  int32_t g = kv_get("greeting", 8, greeting, (int32_t)sizeof greeting);
  if (g < 0) {
    memcpy(greeting, "hello", 5);
    g = 5;
  } else if (g > (int32_t)sizeof greeting) {
    g = (int32_t)sizeof greeting;
  }
  int32_t n = g + 2 + len + 1;
  char *out = malloc((size_t)n);
  memcpy(out, greeting, (size_t)g);
  memcpy(out + g, ", ", 2);
  memcpy(out + g + 2, in, (size_t)len);
  out[n - 1] = '!';
  return pack(out, n);
}
