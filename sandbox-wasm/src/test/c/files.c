#include <errno.h>
#include <stdio.h>
#include <string.h>
/*
 * files read PATH         prints the file's content; exit 2 and "denied: <errno text>" if it cannot open it
 * files write PATH TEXT   writes TEXT to PATH; exit 2 and "denied: ..." if it cannot
 * files copy FROM TO      copies a file
 */
int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "read") == 0) {
    FILE *f = fopen(argv[2], "r");
    if (!f) { printf("denied: %s\n", strerror(errno)); return 2; }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fwrite(buf, 1, n, stdout);
    fclose(f);
    return 0;
  }
  if (argc >= 4 && strcmp(argv[1], "write") == 0) {
    FILE *f = fopen(argv[2], "w");
    if (!f) { printf("denied: %s\n", strerror(errno)); return 2; }
    size_t len = strlen(argv[3]);
    if (fwrite(argv[3], 1, len, f) != len || fflush(f) != 0) {
      printf("denied: %s\n", strerror(errno));
      fclose(f);
      return 2;
    }
    fclose(f);
    printf("wrote %zu\n", len);
    return 0;
  }
  if (argc >= 4 && strcmp(argv[1], "copy") == 0) {
    FILE *in = fopen(argv[2], "r");
    if (!in) { printf("denied: %s\n", strerror(errno)); return 2; }
    FILE *out = fopen(argv[3], "w");
    if (!out) { printf("denied: %s\n", strerror(errno)); return 2; }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    fclose(in);
    if (fclose(out) != 0) { printf("denied: %s\n", strerror(errno)); return 2; }
    printf("copied\n");
    return 0;
  }
  fprintf(stderr, "usage: files read PATH | write PATH TEXT | copy FROM TO\n");
  return 64;
}
