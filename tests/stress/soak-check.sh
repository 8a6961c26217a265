#!/bin/sh
# soak-check.sh -- `make check`'s soak: tests/soak.sh for $SOAK_SECONDS (default 120) seconds.
exec bash "${TOP_SRCDIR:-.}/tests/soak.sh" "${SOAK_SECONDS:-120}"
