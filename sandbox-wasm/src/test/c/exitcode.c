#include <stdlib.h>
/* Exits with the code given as argv[1] (default 1), through proc_exit. */
int main(int argc, char **argv) {
  exit(argc > 1 ? atoi(argv[1]) : 1);
}
