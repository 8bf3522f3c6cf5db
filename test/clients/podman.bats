#!/usr/bin/env bats
# podman 4.3 with cask (and runc, the reference) as its runtime: see helpers.bash.

load helpers
SUITE=podman

pm() {
  trace podman "$@"
  timeout 120 podman --root "$T/podman/root" --runroot "$T/podman/run" --tmpdir "$T/podman/tmp" \
    --cgroup-manager=cgroupfs --events-backend=file --runtime "$T/rt/$RT/runc" "$@"
}
# podman run with what this machine needs: explicit rlimits (no CAP_SYS_RESOURCE), the
# test's cgroup parent, no network unless a case asks for one.
prun() {
  local net=(--network none)
  local a
  for a in "$@"; do case $a in --network* | --net=*) net=() ;; esac; done
  pm run --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --cgroup-parent "$CG" "${net[@]}" "$@"
}
cleanup_containers() {
  pm unpause --all >/dev/null 2>&1 || true
  pm rm -af -t 0 >/dev/null
}
state_of() { pm inspect -f '{{.State.Status}}' "$1"; }
running() { [ "$(state_of "$1")" = running ]; }
exited() { [ "$(state_of "$1")" = exited ]; }
detached() {  # name, run options and command...: run -d and wait until it runs
  local n=$1
  shift
  prun -d --name "$n" "$@" >/dev/null
  wait_until 20 running "$n"
}

# --- run --rm and exit codes
c_echo() { is "$(prun --rm "$IMG" echo hi)" hi; }
@test "podman run --rm echo" { both c_echo; }

c_exit0() { is "$(rc_of prun --rm "$IMG" true)" 0 "exit code"; }
@test "podman run: exit code 0" { both c_exit0; }
c_exit3() { is "$(rc_of prun --rm "$IMG" sh -c 'exit 3')" 3 "exit code"; }
@test "podman run: exit code 3" { both c_exit3; }
c_exit127() { is "$(rc_of prun --rm "$IMG" /bin/no-such-command)" 127 "exit code"; }
@test "podman run: exit code 127 for a missing command" { both c_exit127; }
c_exit126() { is "$(rc_of prun --rm "$IMG" /bin/notexec)" 126 "exit code"; }
@test "podman run: exit code 126 for a file that is not executable" { both c_exit126; }

# --- terminal
c_tty() {
  local cmd out
  cmd=$(printf '%q ' podman --root "$T/podman/root" --runroot "$T/podman/run" --tmpdir "$T/podman/tmp" \
    --cgroup-manager=cgroupfs --events-backend=file --runtime "$T/rt/$RT/runc" \
    run --rm -it --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --cgroup-parent "$CG" --network none \
    "$IMG" sh -c "$TTY_SIZE")
  out=$(timeout 60 script -qec "stty rows 41 cols 103; $cmd" /dev/null | tr -d '\r')
  has "$out" /dev/pts/ "tty"
  has "$out" "41 103" "stty size"
}
@test "podman run -it: a pty of the terminal's size" { both c_tty; }

c_ctrl_c() {
  local cmd out
  cmd=$(printf '%q ' podman --root "$T/podman/root" --runroot "$T/podman/run" --tmpdir "$T/podman/tmp" \
    --cgroup-manager=cgroupfs --events-backend=file --runtime "$T/rt/$RT/runc" \
    run --rm -it --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --cgroup-parent "$CG" --network none \
    "$IMG" sh -c "$CTRL_C_PAYLOAD")
  out=$(tty_ctrl_c "$cmd")
  has "$out" GOT-INT "SIGINT from Ctrl-C"
}
@test "podman run -it: Ctrl-C reaches the payload as SIGINT" { both c_ctrl_c; }

# --- a detached container's life
c_exec() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  is "$(pm exec "$n" echo ok)" ok "exec"
  is "$(pm exec "$n" sh -c 'exit 5' || echo "rc $?")" "rc 5" "exec exit code"
  is "$(pm exec -t "$n" sh -c 'tty >/dev/null && echo tty' | tr -d '\r')" tty "exec -t"
  is "$(pm exec -i "$n" cat <<<piped)" piped "exec -i"
  is "$(pm exec --user 1000:1000 "$n" id -u)" 1000 "exec --user"
}
@test "podman run -d, exec, exec -t, exec -i" { both c_exec; }

c_top() {
  local n out
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  out=$(pm top "$n")
  has "$out" "sleep 300" "top"
}
@test "podman top" { both c_top; }

c_pause() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  pm pause "$n"
  is "$(state_of "$n")" paused "state after pause"
  pm unpause "$n"
  is "$(state_of "$n")" running "state after unpause"
  is "$(pm exec "$n" echo ok)" ok "exec after unpause"
}
@test "podman pause, unpause" { both c_pause; }

c_stats() {
  local n out
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  out=$(pm stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' "$n")
  has "$out" "$n" "stats"
  [[ $out =~ \ 1$ ]] || { echo "FAIL stats: pids not 1 in [$out]"; return 1; }
}
@test "podman stats --no-stream" { both c_stats; }

c_update() {
  local n
  n=$(cname)
  detached "$n" --memory 128m "$IMG" sleep 300
  is "$(pm exec "$n" cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" 134217728 "limit before"
  pm update --memory 64m "$n"
  is "$(pm exec "$n" cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" 67108864 "limit after update"
}
@test "podman update --memory" { both c_update; }

c_stop() {
  local n t0 t1
  n=$(cname)
  detached "$n" "$IMG" sh -c 'trap "" TERM; while :; do sleep 1; done'
  t0=$(date +%s%N)
  pm stop -t 2 "$n"
  t1=$(date +%s%N)
  is "$(state_of "$n")" exited "state"
  is "$(pm inspect -f '{{.State.ExitCode}}' "$n")" 137 "exit code"
  local ms=$(((t1 - t0) / 1000000))
  [ $ms -ge 1900 ] || { echo "FAIL: stopped after $ms ms, before the 2 s grace time"; return 1; }
  [ $ms -lt 15000 ] || { echo "FAIL: stop took $ms ms"; return 1; }
}
@test "podman stop -t 2 of a payload that ignores SIGTERM: killed after the grace time" { both c_stop; }

c_stop_term() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
  pm stop -t 10 "$n"
  is "$(pm inspect -f '{{.State.ExitCode}}' "$n")" 7 "exit code"
}
@test "podman stop: SIGTERM reaches the payload" { both c_stop_term; }

c_kill() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  pm kill "$n"
  wait_until 20 exited "$n"
  is "$(pm inspect -f '{{.State.ExitCode}}' "$n")" 137 "exit code"
  n=$(cname 2)
  detached "$n" "$IMG" sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done'
  pm kill -s USR1 "$n"
  wait_until 20 exited "$n"
  is "$(pm inspect -f '{{.State.ExitCode}}' "$n")" 9 "exit code after SIGUSR1"
}
@test "podman kill, kill -s USR1" { both c_kill; }

c_kill_paused() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  pm pause "$n"
  pm kill "$n"
  wait_until 20 exited "$n"
  is "$(pm inspect -f '{{.State.ExitCode}}' "$n")" 137 "exit code"
}
@test "podman kill of a paused container" { both c_kill_paused; }

c_restart() {
  local n p1 p2
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  p1=$(pm inspect -f '{{.State.Pid}}' "$n")
  pm restart -t 0 "$n"
  wait_until 20 running "$n"
  p2=$(pm inspect -f '{{.State.Pid}}' "$n")
  [ "$p1" != "$p2" ] || { echo "FAIL: same pid $p1 after restart"; return 1; }
  is "$(pm exec "$n" echo ok)" ok "exec after restart"
}
@test "podman restart" { both c_restart; }

c_rm_f() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  pm rm -f -t 0 "$n"
  fails pm container exists "$n"
}
@test "podman rm -f of a running container" { both c_rm_f; }

# --- options
c_pid_host() {
  local out
  out=$(prun --rm --pid host "$IMG" readlink /proc/self/ns/pid)
  is "$out" "$(readlink /proc/self/ns/pid)" "pid namespace"
}
@test "podman run --pid host" { both c_pid_host; }

c_net_none() {
  local out
  out=$(prun --rm --network none "$IMG" sh -c 'ls /sys/class/net')
  is "$out" lo "interfaces"
  is "$(prun --rm --network none "$IMG" readlink /proc/self/ns/net | grep -c "$(readlink /proc/self/ns/net)" || true)" 0 "own netns"
}
@test "podman run --network none" { both c_net_none; }

c_read_only() {
  local out
  out=$(prun --rm --read-only "$IMG" sh -c 'touch /x 2>&1 && echo wrote; touch /tmp/y && echo tmp-ok')
  lacks "$out" wrote "write to /"
  has "$out" tmp-ok "write to /tmp"
}
@test "podman run --read-only (tmpfs /tmp with tmpcopyup)" { both c_read_only; }

c_tmpfs() {
  is "$(prun --rm --tmpfs /scratch "$IMG" sh -c 'echo x >/scratch/f && cat /scratch/f')" x "tmpfs"
}
@test "podman run --tmpfs" { both c_tmpfs; }

c_user() {
  is "$(prun --rm --user 1000:1000 "$IMG" sh -c 'echo $(id -u):$(id -g)')" 1000:1000 "ids"
}
@test "podman run --user 1000:1000" { both c_user; }

c_cap_drop() {
  local out
  out=$(prun --rm --cap-drop ALL "$IMG" grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status)
  is "$(echo "$out" | awk '{print $2}' | sort -u)" 0000000000000000 "capabilities"
}
@test "podman run --cap-drop ALL" { both c_cap_drop; }

c_oom() {
  local n rc
  n=$(cname)
  rc=$(rc_of prun --name "$n" --memory 32m --memory-swap 32m "$IMG" sh -c 'x=0123456789; while :; do x=$x$x; done')
  is "$rc" 137 "exit code of the OOM-killed payload"
  point oomkilled is "$(pm inspect -f '{{.State.OOMKilled}}' "$n")" true "podman inspect: State.OOMKilled"
}
@test "podman run --memory 32m: an OOM kill, exit 137" { both c_oom; }
c_oom_inspect() { point_ok oomkilled; }
@test "podman run --memory 32m: inspect says OOMKilled" { both c_oom_inspect; }

c_pids() {
  local out
  out=$(prun --rm --pids-limit 10 "$IMG" sh -c 'cat /sys/fs/cgroup/pids/pids.max; i=0; while [ $i -lt 20 ]; do sleep 10 & i=$((i+1)); done 2>&1; echo end' || true)  # sh exits when fork fails
  has "$out" 10 "pids.max"
  [[ $out == *"can't fork"* || $out == *"Resource temporarily unavailable"* ]] || {
    echo "FAIL: 20 forks under pids-limit 10 all worked: [$out]"
    return 1
  }
}
@test "podman run --pids-limit" { both c_pids; }

c_bind() {
  local d=$BATS_TEST_TMPDIR/vol-$RT
  mkdir -p "$d"
  echo from-host >"$d/in"
  is "$(prun --rm -v "$d:/data" "$IMG" sh -c 'cat /data/in; echo from-container >/data/out')" from-host "read"
  is "$(cat "$d/out")" from-container "write"
  is "$(prun --rm -v "$d:/data:ro" "$IMG" sh -c 'echo x >/data/ro 2>/dev/null && echo wrote; cat /data/in')" from-host "ro"
  [ ! -e "$d/ro" ] || { echo "FAIL: wrote through a :ro bind mount"; return 1; }
}
@test "podman run -v bind mounts, rw and ro" { both c_bind; }

c_device() {
  [ -c /dev/fuse ] || { echo "FAIL: no /dev/fuse on the host"; return 1; }
  is "$(prun --rm --device /dev/fuse "$IMG" sh -c '[ -c /dev/fuse ] && echo char')" char "device"
}
@test "podman run --device /dev/fuse" { both c_device; }

c_privileged() {
  local out
  out=$(prun --rm --privileged "$IMG" sh -c 'grep CapEff /proc/self/status | cut -f2; [ -c /dev/fuse ] && echo fuse; [ -b /dev/loop0 ] || [ -c /dev/loop-control ] && echo loop')
  has "$out" "$(grep CapBnd /proc/self/status | cut -f2)" "CapEff: the whole bounding set"
  has "$out" fuse "host devices"
}
@test "podman run --privileged: every capability, the host's devices" { both c_privileged; }

c_env_workdir() {
  is "$(prun --rm -e FOO=bar -w /tmp "$IMG" sh -c 'echo $FOO $(pwd)')" "bar /tmp" "env, workdir"
  is "$(prun --rm --hostname cc-host "$IMG" hostname)" cc-host "hostname"
}
@test "podman run -e, -w, --hostname" { both c_env_workdir; }

@test "podman: no state, cgroup, mount or process left; no error in cask's logs" {
  check_leftovers
}
