#!/bin/sh
# A native plugin that crashes: it kills itself with SIGSEGV.
echo "about to crash" >&2
kill -SEGV $$
