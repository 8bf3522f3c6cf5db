#!/usr/bin/env bats
# docker 20.10 (Debian's /usr/bin/docker, dockerd on the suite's containerd) with cask
# (and runc, the reference) as the runtime: see helpers.bash. `runc` is a reserved
# runtime name in dockerd, so the runc wrapper is registered as `runcw`.

load helpers
SUITE=docker

dk() {
  trace docker "$@"
  timeout 120 "$CASK_CLIENTS_DOCKER" -H "unix://$T/docker.sock" "$@"
}
druntime() { if [ "$RT" = runc ]; then echo runcw; else echo cask; fi; }
# docker run on this runtime, with no network unless a case asks for one (dockerd runs
# with --bridge=none: there is no default bridge network).
drun() {
  local net=(--network none)
  local a
  for a in "$@"; do case $a in --network* | --net=*) net=() ;; esac; done
  dk run --runtime "$(druntime)" "${net[@]}" "$@"
}
cleanup_containers() {
  local ids
  ids=$(dk ps -aq)
  [ -z "$ids" ] || dk unpause $(dk ps -q --filter status=paused) >/dev/null 2>&1 || true
  [ -z "$ids" ] || dk rm -f $ids >/dev/null
}
state_of() { dk inspect -f '{{.State.Status}}' "$1"; }
running() { [ "$(state_of "$1")" = running ]; }
exited() { [ "$(state_of "$1")" = exited ]; }
detached() {  # name, run options and command...
  local n=$1
  shift
  drun -d --name "$n" "$@" >/dev/null
  wait_until 20 running "$n"
}

c_none() { is "$(drun --rm --network none "$IMG" sh -c 'echo hi; ls /sys/class/net')" "hi
lo" "output"; }
@test "docker run --rm --network none (libnetwork's prestart hook)" { both c_none; }

c_host() {
  is "$(drun --rm --network host "$IMG" readlink /proc/self/ns/net)" "$(readlink /proc/self/ns/net)" "net namespace"
}
@test "docker run --rm --network host" { both c_host; }

c_exit0() { is "$(rc_of drun --rm "$IMG" true)" 0 "exit code"; }
@test "docker run: exit code 0" { both c_exit0; }
c_exit3() { is "$(rc_of drun --rm "$IMG" sh -c 'exit 3')" 3 "exit code"; }
@test "docker run: exit code 3" { both c_exit3; }
c_exit127() { is "$(rc_of drun --rm "$IMG" /bin/no-such-command)" 127 "exit code"; }
@test "docker run: exit code 127 for a missing command" { both c_exit127; }
c_exit126() { is "$(rc_of drun --rm "$IMG" /bin/notexec)" 126 "exit code"; }
@test "docker run: exit code 126 for a file that is not executable" { both c_exit126; }

c_tty() {
  local cmd out
  cmd=$(printf '%q ' "$CASK_CLIENTS_DOCKER" -H "unix://$T/docker.sock" run --rm -it --runtime "$(druntime)" \
    --network none "$IMG" sh -c "$TTY_SIZE")
  trace "$cmd"
  out=$(timeout 60 script -qec "stty rows 41 cols 103; $cmd" /dev/null | tr -d '\r')
  has "$out" /dev/pts/ "tty"
  has "$out" "41 103" "stty size"
}
@test "docker run -it: a pty of the terminal's size" { both c_tty; }

c_ctrl_c() {
  local cmd out
  cmd=$(printf '%q ' "$CASK_CLIENTS_DOCKER" -H "unix://$T/docker.sock" run --rm -it --runtime "$(druntime)" \
    --network none "$IMG" sh -c "$CTRL_C_PAYLOAD")
  out=$(tty_ctrl_c "$cmd")
  has "$out" GOT-INT "SIGINT from Ctrl-C"
}
@test "docker run -it: Ctrl-C reaches the payload as SIGINT" { both c_ctrl_c; }

c_exec() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  is "$(dk exec "$n" echo ok)" ok "exec"
  is "$(dk exec "$n" sh -c 'exit 5' || echo "rc $?")" "rc 5" "exec exit code"
  is "$(dk exec -t "$n" sh -c 'tty >/dev/null && echo tty' | tr -d '\r')" tty "exec -t"
  is "$(dk exec -i "$n" cat <<<piped)" piped "exec -i"
  is "$(dk exec -u 1000:1000 "$n" id -u)" 1000 "exec -u"
}
@test "docker run -d, exec, exec -t, exec -i" { both c_exec; }

c_top() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  has "$(dk top "$n")" "sleep 300" "top"
}
@test "docker top" { both c_top; }

c_pause() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  dk pause "$n"
  is "$(state_of "$n")" paused "state after pause"
  dk unpause "$n"
  is "$(state_of "$n")" running "state after unpause"
  is "$(dk exec "$n" echo ok)" ok "exec after unpause"
}
@test "docker pause, unpause" { both c_pause; }

c_stats() {
  local n out
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  out=$(dk stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' "$n")
  has "$out" "$n" "stats"
  [[ $out =~ \ 1$ ]] || { echo "FAIL stats: pids not 1 in [$out]"; return 1; }
  lacks "$out" "0B / 0B" "memory usage"
}
@test "docker stats --no-stream" { both c_stats; }

c_update() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  dk update --memory 64m --memory-swap 128m "$n"
  is "$(dk exec "$n" cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" 67108864 "memory limit"
  is "$(dk inspect -f '{{.HostConfig.Memory}}' "$n")" 67108864 "inspect"
}
@test "docker update --memory 64m --memory-swap 128m" { both c_update; }

c_stop() {
  local n t0 t1
  n=$(cname)
  detached "$n" "$IMG" sleep 300  # pid 1 without a handler: SIGTERM does nothing
  t0=$(date +%s%N)
  dk stop -t 1 "$n"
  t1=$(date +%s%N)
  is "$(state_of "$n")" exited "state"
  is "$(dk inspect -f '{{.State.ExitCode}}' "$n")" 137 "exit code"
  [ $(((t1 - t0) / 1000000)) -ge 900 ] || { echo "FAIL: stopped before the grace time"; return 1; }
  n=$(cname 2)
  detached "$n" "$IMG" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
  dk stop -t 10 "$n"
  is "$(dk inspect -f '{{.State.ExitCode}}' "$n")" 7 "exit code after SIGTERM"
}
@test "docker stop: SIGTERM, then SIGKILL after the grace time" { both c_stop; }

c_kill() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  dk kill "$n"
  wait_until 20 exited "$n"
  is "$(dk inspect -f '{{.State.ExitCode}}' "$n")" 137 "exit code"
}
@test "docker kill" { both c_kill; }

c_rm_f() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sleep 300
  dk rm -f "$n"
  fails dk inspect "$n"
}
@test "docker rm -f of a running container" { both c_rm_f; }

c_logs() {
  local n
  n=$(cname)
  detached "$n" "$IMG" sh -c 'echo to-stdout; echo to-stderr >&2; sleep 300'
  wait_until 20 sh -c "$(printf '%q ' "$CASK_CLIENTS_DOCKER" -H "unix://$T/docker.sock" logs "$n") 2>&1 | grep -q to-stderr"
  is "$(dk logs "$n" 2>/dev/null)" to-stdout "stdout"
  is "$(dk logs "$n" 2>&1 >/dev/null)" to-stderr "stderr"
}
@test "docker logs" { both c_logs; }

c_opts() {
  is "$(drun --rm --user 1000:1000 "$IMG" sh -c 'echo $(id -u):$(id -g)')" 1000:1000 "--user"
  is "$(drun --rm --cap-drop ALL "$IMG" sh -c 'grep CapEff /proc/self/status | cut -f2')" 0000000000000000 "--cap-drop ALL"
  has "$(drun --rm --read-only "$IMG" sh -c 'touch /x 2>&1 || echo ro')" ro "--read-only"
  is "$(drun --rm -e FOO=bar -w /tmp "$IMG" sh -c 'echo $FOO $(pwd)')" "bar /tmp" "-e, -w"
}
@test "docker run --user, --cap-drop ALL, --read-only, -e, -w" { both c_opts; }

@test "docker: no state, cgroup, mount or process left; no error in cask's logs" {
  check_leftovers
}
