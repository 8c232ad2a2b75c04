#!/bin/sh
# A native plugin that never ends, and starts a child that would outlive it if it could.
sleep 1000 &
while :; do :; done
