#!/bin/sh
# Check lib/noise.c against the Noise IK test vectors: the shared file when
# the workspace has one, else the copy kept in the repository.
f="$top_srcdir/../shared/vectors/noise-ik.json"
[ -f "$f" ] || f="$top_srcdir/tests/data/noise-ik.json"
exec "$top_builddir/tests/noise-vectors" "$f"
