#include <stdio.h>
/* Prints a line, then executes `unreachable`. */
int main(void) {
  printf("before trap\n");
  fflush(stdout);
  __builtin_trap();
}
