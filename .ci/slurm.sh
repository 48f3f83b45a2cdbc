#!/usr/bin/env bash
# A throwaway single-node Slurm cluster on 127.0.0.1 for the executor tests.
#
#   .ci/slurm.sh up DIR     start munged, slurmctld and slurmd with all their state
#                           under DIR; wait until the node takes jobs; print
#                           "export SLURM_CONF=DIR/etc/slurm.conf" (also in DIR/env.sh)
#   .ci/slurm.sh down DIR   cancel the cluster's jobs, stop its daemons, remove DIR
#
# It needs root and Debian's slurmctld, slurmd, slurm-client and munge (.ci/run
# installs them). The daemons run as plain background processes: no systemd, no
# cgroups, no accounting daemon, a private munge socket. Each carries
# SDAPIPE_SLURM_CI=DIR in its environment, and `down` stops only processes that
# carry it, so it never touches another cluster or kills by name.
#
# Use `out=$(.ci/slurm.sh up DIR) && eval "$out"`: with eval "$(...)" a failed
# start would go unnoticed. Knobs: SDAPIPE_SLURM_TIMEOUT (seconds per wait,
# default 60), SDAPIPE_SLURM_CPUS (CPUs to advertise, default the machine's).
set -euo pipefail
export LC_ALL=C PATH="$PATH:/usr/sbin:/usr/bin:/sbin:/bin"

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 up|down DIR" >&2; exit 2; }
timeout=${SDAPIPE_SLURM_TIMEOUT:-60}

say() { echo "slurm.sh: $*" >&2; }

# running PID: the process exists and is not a zombie (kill -0 succeeds on a
# zombie, and a slow init leaves stopped daemons as zombies for a while).
running() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# ours PID: running and started by this script for this DIR. Slurm's
# setproctitle overwrites the first bytes of the environment block, which is
# why the daemons get a padding variable before the marker.
ours() {
	local env
	running "$1" || return 1
	env=$( { tr '\0' '\n' <"/proc/$1/environ"; } 2>/dev/null) || return 1
	grep -qxF "SDAPIPE_SLURM_CI=$state" <<<"$env"
}

stop() { # PID: TERM, then KILL after the timeout; only our own processes
	ours "$1" || return 0
	kill -TERM "$1" 2>/dev/null || true
	local i
	for ((i = 0; i < timeout * 10; i++)); do
		running "$1" || return 0
		sleep 0.1
	done
	kill -KILL "$1" 2>/dev/null || true
}

down() {
	[ -d "$dir" ] || return 0
	state=$(cd "$dir" && pwd -P)
	local conf="$state/etc/slurm.conf" p f
	if [ -f "$conf" ] && [ -s "$state/run/slurmctld" ] && ours "$(cat "$state/run/slurmctld")"; then
		local jobs
		jobs=$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ' || true)
		if [ -n "${jobs// /}" ]; then
			# shellcheck disable=SC2086 # one word per job id
			SLURM_CONF=$conf scancel $jobs 2>/dev/null || true
			for ((i = 0; i < timeout * 5; i++)); do
				[ -z "$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null)" ] && break
				sleep 0.2
			done
		fi
	fi
	for d in slurmd slurmctld munged; do
		f="$state/run/$d"
		[ -s "$f" ] && stop "$(cat "$f")"
		rm -f "$f"
	done
	# Whatever else carries the marker: the slurmstepd of a job that did not end.
	for f in /proc/[0-9]*/environ; do
		p=${f#/proc/}
		p=${p%/environ}
		[ "$p" != $$ ] && ours "$p" && stop "$p"
	done 2>/dev/null || true
	if [ -f "$state/.sdapipe-slurm-ci" ]; then
		rm -rf "$state"
	else
		rmdir "$state" 2>/dev/null || true # an empty folder `up` never filled
	fi
	say "down"
}

start() { # NAME COMMAND...: a foreground daemon in its own session, output to a log
	local name=$1
	shift
	setsid env -i SDAPIPE_PAD="$(printf '%0256d' 0)" PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
		"SDAPIPE_SLURM_CI=$state" SLURM_CONF="$conf" "$@" </dev/null >"$state/log/$name.out" 2>&1 &
	echo $! >"$state/run/$name"
}

wait_until() { # WHAT COMMAND...: poll every 0.1 s; fail if a daemon died or on timeout
	local what=$1 end=$((SECONDS + timeout)) d
	shift
	until "$@"; do
		for d in munged slurmctld slurmd; do
			if [ -s "$state/run/$d" ] && ! running "$(cat "$state/run/$d")"; then
				say "$d exited while waiting for $what; its log:"
				tail -n 20 "$state/log/$d.out" "$state/log/$d.log" >&2 2>/dev/null || true
				down
				exit 1
			fi
		done
		if ((SECONDS >= end)); then
			say "timed out after ${timeout}s waiting for $what"
			tail -n 20 "$state"/log/* >&2 2>/dev/null || true
			down
			exit 1
		fi
		sleep 0.1
	done
}

free_port() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

up() {
	[ "$(id -u)" = 0 ] || { say "must run as root"; exit 1; }
	local b
	for b in munged munge unmunge slurmctld slurmd sbatch squeue scontrol scancel sinfo; do
		command -v "$b" >/dev/null || { say "$b is not installed (apt-get install --no-install-recommends slurmctld slurmd slurm-client munge)"; exit 1; }
	done
	mkdir -p "$dir"
	state=$(cd "$dir" && pwd -P)
	conf="$state/etc/slurm.conf"
	mkdir -p "$state"/{etc,munge,spool/ctld,spool/d,log,run}
	touch "$state/.sdapipe-slurm-ci"
	# munged wants a socket directory that everybody may traverse.
	chmod 755 "$state" "$state/munge"
	local key="$state/munge/munge.key" sock="$state/munge/socket"
	[ -s "$key" ] || head -c 1024 /dev/urandom >"$key"
	chmod 600 "$key"

	# The node as slurmd sees it: "NodeName=x CPUs=2 Boards=1 SocketsPerBoard=1 ... RealMemory=24105".
	local hw cpus mem boards sockets cores threads
	hw=$(slurmd -C | head -n 1)
	field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$hw"; }
	cpus=$(field CPUs) mem=$(field RealMemory) boards=$(field Boards)
	sockets=$(field SocketsPerBoard) cores=$(field CoresPerSocket) threads=$(field ThreadsPerCore)
	[ -n "$cpus" ] && [ -n "$mem" ] || { say "cannot read the node from 'slurmd -C': $hw"; exit 1; }
	local topo="CPUs=$cpus Boards=$boards SocketsPerBoard=$sockets CoresPerSocket=$cores ThreadsPerCore=$threads"
	if [ -n "${SDAPIPE_SLURM_CPUS:-}" ] && [ "$SDAPIPE_SLURM_CPUS" != "$cpus" ]; then
		cpus=$SDAPIPE_SLURM_CPUS topo="CPUs=$cpus"
	fi
	mem=$((mem * 9 / 10))
	local port=6817
	until free_port "$port" && free_port $((port + 1)); do
		port=$((port + 2))
		((port < 6917)) || { say "no free port pair in 6817-6916"; exit 1; }
	done

	cat >"$conf" <<EOF
# Written by sdapipe's .ci/slurm.sh: one node, everything as root, no cgroups,
# no accounting, no mail.
ClusterName=sdapipe-ci
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$state/spool/ctld
SlurmdSpoolDir=$state/spool/d
SlurmctldPidFile=$state/run/slurmctld.pid
SlurmdPidFile=$state/run/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
# Start queued jobs on the next pass of the scheduler (about a second), not 3 s later.
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# Without a per-CPU default every job would ask for the whole node's memory.
DefMemPerCPU=$((mem / cpus < 1024 ? mem / cpus : 1024))
SlurmdParameters=config_overrides
ReturnToService=2
KillWait=5
# Keep finished jobs visible for 5 minutes (the executor does not rely on it).
MinJobAge=300
NodeName=localhost NodeAddr=127.0.0.1 $topo RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
	echo "export SLURM_CONF=$conf" >"$state/env.sh"

	local t0=$SECONDS
	start munged munged -F --force --key-file="$key" --socket="$sock" \
		--pid-file="$state/run/munged.pid.own" --log-file="$state/log/munged.log" --seed-file="$state/munge/seed"
	munge_ok() { munge -n -S "$sock" 2>/dev/null | unmunge -S "$sock" >/dev/null 2>&1; }
	wait_until munged munge_ok
	start slurmctld slurmctld -D -i
	ctld_ok() { [[ "$(SLURM_CONF=$conf scontrol ping 2>/dev/null)" == *"is UP"* ]]; }
	wait_until slurmctld ctld_ok
	start slurmd slurmd -D -N localhost
	node_ok() {
		case "$(SLURM_CONF=$conf sinfo -h -n localhost -o %t 2>/dev/null)" in
		idle* | mix* | alloc*) return 0 ;;
		down* | drain* | fail* | inval*) SLURM_CONF=$conf scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true ;;
		esac
		return 1
	}
	wait_until "the node" node_ok
	say "up in $((SECONDS - t0))s: $cpus CPUs, ${mem} MB, ports $port/$((port + 1)), state in $state"
	cat "$state/env.sh"
}

case "$cmd" in
up) up ;;
down) down ;;
*) echo "usage: $0 up|down DIR" >&2; exit 2 ;;
esac
