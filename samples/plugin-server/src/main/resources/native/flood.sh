#!/bin/sh
# A native plugin that writes without end.
exec yes flood
