#include <stdio.h>
#include <string.h>
/* Writes 64-byte lines to stdout forever. */
int main(void) {
  char line[64];
  memset(line, 'x', sizeof line - 1);
  line[sizeof line - 1] = '\n';
  for (;;) fwrite(line, 1, sizeof line, stdout);
}
