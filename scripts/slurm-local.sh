#!/usr/bin/env bash
# A one-node Slurm cluster on 127.0.0.1 in a temporary folder, for tests and for trying `npm run sweep -- slurm`.
#
#   scripts/slurm-local.sh install          apt-get install slurmctld slurmd slurm-client munge (root + apt only)
#   scripts/slurm-local.sh start DIR        munged + slurmctld + slurmd with DIR/slurm.conf; prints
#                                           "export SLURM_CONF=DIR/slurm.conf" once the node is idle
#   scripts/slurm-local.sh stop DIR         stops the daemons started in DIR (by their pid files) and nothing else
#
# Exit status 77 means "cannot run Slurm here" (not installed, not root, daemons do not start): callers skip.
# Everything lives in DIR (munge key and socket, state, spool, logs, pid files) on ports of its own, so it
# touches no system Slurm or munge. The node gets this machine's CPUs and 90% of its memory.
set -uo pipefail

skip() { echo "slurm-local: $*" >&2; exit 77; }

cmd=${1:-}
dir=${2:-}

case "$cmd" in
  install)
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null; then
      echo "slurm-local: Slurm $(slurmctld -V | awk '{print $2}') and munge already installed"; exit 0
    fi
    [ "$(id -u)" = 0 ] || skip "not root: cannot install Slurm"
    command -v apt-get >/dev/null || skip "no apt-get: cannot install Slurm"
    export DEBIAN_FRONTEND=noninteractive
    # a short timeout: a machine without a package mirror skips instead of hanging
    timeout 300 apt-get update -qq >/dev/null 2>&1 || skip "apt-get update failed (offline?)"
    timeout 600 apt-get install -y -qq slurmctld slurmd slurm-client munge >/dev/null 2>&1 \
      || skip "apt-get install slurmctld slurmd slurm-client munge failed"
    echo "slurm-local: installed Slurm $(slurmctld -V | awk '{print $2}')"
    ;;

  start)
    [ -n "$dir" ] || { echo "usage: $0 start DIR" >&2; exit 2; }
    for b in slurmctld slurmd sbatch sinfo munged; do command -v $b >/dev/null || skip "$b not installed (scripts/slurm-local.sh install)"; done
    [ "$(id -u)" = 0 ] || skip "not root: this harness runs the daemons as root (SlurmUser=root)"
    mkdir -p "$dir"/{state,spool,log,munge}
    dir=$(cd "$dir" && pwd)
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)
    # free ports (the harness must not collide with a system Slurm)
    read -r p1 p2 < <(python3 - <<'PY' 2>/dev/null || echo "16817 16818"
import socket
ps = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ps.append(s)
print(*[s.getsockname()[1] for s in ps])
PY
)
    # munge: a key and socket of our own
    head -c 1024 /dev/urandom > "$dir/munge/munge.key"
    chmod 400 "$dir/munge/munge.key"
    chmod 700 "$dir/munge"
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
      --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed" \
      || skip "munged did not start: $(tail -3 "$dir/munge/munged.log" 2>/dev/null)"
    cat > "$dir/slurm.conf" <<EOF
ClusterName=rmllocal
SlurmctldHost=${host}(127.0.0.1)
SlurmctldPort=${p1}
SlurmdPort=${p2}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${dir}/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$(( mem / cpus ))
SchedulerType=sched/backfill
SwitchType=switch/none
MpiDefault=none
ReturnToService=2
StateSaveLocation=${dir}/state
SlurmdSpoolDir=${dir}/spool
SlurmctldPidFile=${dir}/slurmctld.pid
SlurmdPidFile=${dir}/slurmd.pid
SlurmctldLogFile=${dir}/log/slurmctld.log
SlurmdLogFile=${dir}/log/slurmd.log
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MaxArraySize=100001
InactiveLimit=0
KillWait=5
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem} State=UNKNOWN
PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -f "$SLURM_CONF" || skip "slurmctld did not start: $(tail -3 "$dir/log/slurmctld.log" 2>/dev/null)"
    slurmd -f "$SLURM_CONF" || { "$0" stop "$dir"; skip "slurmd did not start: $(tail -3 "$dir/log/slurmd.log" 2>/dev/null)"; }
    for _ in $(seq 1 60); do
      state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1)
      [ "$state" = idle ] && { echo "export SLURM_CONF=$SLURM_CONF"; exit 0; }
      sleep 0.5
    done
    "$0" stop "$dir"
    skip "the node did not become idle within 30 s (state '${state:-none}'); logs in $dir/log"
    ;;

  stop)
    [ -n "$dir" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
    for pf in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
      [ -s "$pf" ] || continue
      pid=$(cat "$pf")
      kill "$pid" 2>/dev/null || continue
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    done
    ;;

  *)
    sed -n '2,12p' "$0"; exit 2 ;;
esac
