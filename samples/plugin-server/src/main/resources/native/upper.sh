#!/bin/sh
# A well-behaved native plugin: the input in upper case.
exec tr a-z A-Z
