#include <stdio.h>
/* Prints argc, then each argument on its own line; exits with argc as status. */
int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
  return argc;
}
