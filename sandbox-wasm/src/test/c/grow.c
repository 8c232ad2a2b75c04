#include <stdio.h>
#include <stdlib.h>
/* Grows linear memory one page at a time, argv[1] times (default 100), and reports how far it got. */
int main(int argc, char **argv) {
  int want = argc > 1 ? atoi(argv[1]) : 100;
  int ok = 0;
  for (int i = 0; i < want; i++) {
    if (__builtin_wasm_memory_grow(0, 1) == (size_t)-1) break;
    ok++;
  }
  printf("grew %d of %d pages, now %zu pages\n", ok, want, __builtin_wasm_memory_size(0));
  return 0;
}
