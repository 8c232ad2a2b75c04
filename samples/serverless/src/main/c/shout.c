/*
 * A serverless function: the request body (stdin) in upper case on stdout, and its byte count on
 * stderr. One source, built as a WASI command for the INSTRUCTION tier and as a static x86_64
 * program for the PROCESS and HARDWARE tiers.
 */
#include <ctype.h>
#include <stdio.h>

int main(void) {
  long n = 0;
  int c;
  while ((c = getchar()) != EOF) {
    putchar(toupper(c));
    n++;
  }
  fprintf(stderr, "%ld bytes\n", n);
  return 0;
}
