#!/usr/bin/env bash
# A throw-away single-node Slurm cluster (munge + slurmctld + slurmd) in a folder of its own.
#
#   envs/slurm/single-node.sh start DIR   configure and start; prints the two exports to use:
#                                         SLURM_CONF=DIR/slurm.conf and PATH=DIR/bin:$PATH
#   envs/slurm/single-node.sh stop DIR    stop the daemons (the folder stays, with the logs)
#
# Needs root (slurmd manages jobs of any user) and Debian's slurmctld slurmd slurm-client
# munge. Nothing outside DIR is touched: its own munge key and socket, state, spool, logs.
# One partition "debug" with this machine's cores and memory; no accounting database, so
# job states come from squeue (MinJobAge keeps finished jobs visible for 5 minutes).
set -euo pipefail
cmd=${1:?usage: $0 start|stop DIR}
dir=$(mkdir -p "${2:?usage: $0 start|stop DIR}" && cd "$2" && pwd)

stop() {
  for name in slurmd slurmctld munged; do
    if [ -f "$dir/$name.pid" ]; then
      kill "$(cat "$dir/$name.pid")" 2>/dev/null || true
    fi
  done
  sleep 1
  for name in slurmd slurmctld munged; do
    if [ -f "$dir/$name.pid" ]; then
      kill -9 "$(cat "$dir/$name.pid")" 2>/dev/null || true
      rm -f "$dir/$name.pid"
    fi
  done
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "unknown command $cmd" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "error: a single-node Slurm needs root" >&2; exit 3; }
for tool in munged slurmctld slurmd sbatch squeue; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found (apt-get install slurmctld slurmd slurm-client munge)" >&2; exit 3; }
done

mkdir -p "$dir"/{state,spool,munge}
chmod 700 "$dir/munge"
host=$(hostname -s)
# This machine's topology as slurmd sees it (CPUs, sockets, cores, threads), less 1 GiB of memory.
# sed reads all of slurmd's output (head -1 could close the pipe early: SIGPIPE under pipefail)
topology=$(slurmd -C | sed -n -e '1{s/^NodeName=[^ ]* //' -e 's/ RealMemory=.*//' -e 'p}')
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
# Ports derived from the folder, so that parallel test runs do not collide.
base=$(( 20000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 20000 ))

dd if=/dev/urandom bs=1 count=1024 of="$dir/munge/munge.key" status=none
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/munge.seed"

cat > "$dir/slurm.conf" <<CONF
ClusterName=wavelearn
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MinJobAge=300
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 $topology RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
# Snakemake's slurm-jobstep executor strips SLURM_* variables (SLURM_CONF too) before its
# nested srun; real clusters keep slurm.conf in /etc/slurm. An srun wrapper first in PATH
# restores it, so that nothing outside DIR needs to change.
mkdir -p "$dir/bin"
real_srun=$(type -aP srun | awk -v own="$dir/bin/" 'index($0, own) != 1 && !found { print; found = 1 }')
printf '#!/bin/sh\nexport SLURM_CONF=%s\nexec %s "$@"\n' "$SLURM_CONF" "$real_srun" > "$dir/bin/srun"
chmod +x "$dir/bin/srun"
slurmctld -i -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 60); do
  states=$(sinfo -h -o '%T' 2>/dev/null || true)
  if grep -qE '^(idle|mixed|allocated)' <<<"$states"; then
    echo "export SLURM_CONF=$SLURM_CONF"
    echo "export PATH=$dir/bin:\$PATH"
    exit 0
  fi
  sleep 1
done
echo "error: the Slurm node did not become idle; logs in $dir" >&2
tail -5 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
stop
exit 1
