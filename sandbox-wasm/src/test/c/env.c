#include <stdio.h>
extern char **environ;
/* Prints the whole environment, one NAME=value a line. */
int main(void) {
  for (char **e = environ; *e; e++) printf("%s\n", *e);
  return 0;
}
