#!/usr/bin/env bash
# Build wavelearn's thin C interface to the real sequential MUMPS (the mumps backend) into the
# venv: $VENV/lib/libwavelearn_dmumps.so from src/wavelearn/solvers/dmumps_shim.c, linked
# against Debian's libdmumps_seq (package libmumps-seq-dev, also what Kwant uses). Seconds.
# The stamp carries a hash of the C source, so editing it rebuilds.
set -euo pipefail
VENV=$(cd "${VENV:-.venv}" && pwd)
PY="$VENV/bin/python"
STAMPS="$VENV/.stamps"
SOURCE=$(cd "$(dirname "$0")/../.." && pwd)/src/wavelearn/solvers/dmumps_shim.c
source_hash=$(sha1sum "$SOURCE" | cut -c1-10)

# shellcheck source=steps.sh
source "$(dirname "$0")/steps.sh"

build_shim() {
  if [ ! -e /usr/include/mumps_seq/mpi.h ] || [ ! -e /usr/include/dmumps_c.h ]; then
    echo "error: MUMPS headers not found: install the Debian package libmumps-seq-dev" >&2
    return 1
  fi
  mkdir -p "$VENV/lib"
  cc -O2 -shared -fPIC -I/usr/include/mumps_seq "$SOURCE" \
     -ldmumps_seq -lmumps_common_seq -lmpiseq_seq -o "$VENV/lib/libwavelearn_dmumps.so.tmp"
  mv "$VENV/lib/libwavelearn_dmumps.so.tmp" "$VENV/lib/libwavelearn_dmumps.so"
}

step "dmumps-shim-$source_hash" build_shim
