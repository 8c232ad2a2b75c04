#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* Allocates 1 MiB blocks and touches them until malloc fails, then aborts (a trap). */
char *volatile last;
int main(void) {
  size_t mib = 0;
  for (;;) {
    char *p = malloc(1 << 20);
    if (!p) {
      fprintf(stderr, "malloc failed after %zu MiB\n", mib);
      abort();
    }
    memset(p, (int)mib, 1 << 20);
    last = p;
    mib++;
  }
}
