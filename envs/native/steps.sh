# Shared by the native build scripts (sourced): skip finished steps by their stamps.
# Needs STAMPS (the stamp folder) and PY (the venv's python).
mkdir -p "$STAMPS"
step() {  # step NAME COMMAND...: run COMMAND unless NAME's stamp exists
  local name=$1; shift
  if [ -e "$STAMPS/$name" ]; then echo "  [done] $name"; return; fi
  echo "  [build] $name ($(date +%T))"
  local t0=$SECONDS
  "$@"
  echo "  [ok] $name in $((SECONDS - t0)) s"
  touch "$STAMPS/$name"
}
pipi() { "$PY" -m pip install --no-build-isolation --no-cache-dir "$@"; }
