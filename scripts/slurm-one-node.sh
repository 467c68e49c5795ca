#!/usr/bin/env bash
# A one-node Slurm on this machine (Debian's slurm-wlm + munge), for the tests that grade through
# dask-jobqueue's SLURMCluster and for trying docs/cluster.md without a cluster:
#   bash scripts/slurm-one-node.sh start   # installs the packages if needed (root), ~1 min to come up
#   bash scripts/slurm-one-node.sh stop
# The node is this machine as `slurmd -C` describes it; one partition, "debug". Root only: it
# writes /etc/slurm/slurm.conf and starts munged, slurmctld and slurmd.
set -euo pipefail
action=${1:-start}
if [ "$(id -u)" != 0 ]; then echo "slurm-one-node: needs root" >&2; exit 2; fi
stop() {
  for d in slurmd slurmctld munged; do pkill -x "$d" 2>/dev/null || true; done
}
if [ "$action" = stop ]; then stop; exit 0; fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get install -y -q slurm-wlm munge >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q slurm-wlm munge >/dev/null 2>&1; }
fi
host=$(hostname -s)
node=$(slurmd -C | head -1 | sed "s/^NodeName=[^ ]*/NodeName=$host/; s/ UpTime=.*//")
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/lib/munge /var/log/munge
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=dlgrader
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
$node State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
[ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
chmod 400 /etc/munge/munge.key
stop
sleep 1
munged --force 2>/dev/null || su -s /bin/sh munge -c munged
slurmctld
slurmd
for _ in $(seq 1 90); do
  if sinfo -h -o "%t" 2>/dev/null | grep -qE "^(idle|mix|alloc)"; then
    sinfo
    exit 0
  fi
  sleep 1
done
echo "slurm-one-node: the node did not come up; see /var/log/slurm/slurmctld.log and slurmd.log" >&2
tail -5 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
