#!/usr/bin/env bats
# containerd 1.6 (ctr, containerd-shim-runc-v2) with cask (and runc, the reference) as
# the shim's runc binary: see helpers.bash.

load helpers
SUITE=containerd
NS=$CASK_CLIENTS_CTR_NS

cr() {
  trace ctr "$@"
  timeout 120 ctr --address "$T/containerd.sock" -n "$NS" "$@"
}
# cr_run ID [ctr run flags...] -- COMMAND...: on this runtime, with a private state root,
# in a cgroup under the test's own.
cr_run() {
  local id=$1 flags=()
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
  shift
  cr run --runc-binary "$T/rt/$RT/runc" --runc-root "$T/ctr-root/$RT" --cgroup "$CG/$id" \
    "${flags[@]}" "$IMG" "$id" "$@"
}
cleanup_containers() {
  local id
  for id in $(cr containers ls -q); do
    cr task resume "$id" >/dev/null 2>&1 || true
    cr task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    wait_until 10 sh -c "! ctr --address '$T/containerd.sock' -n '$NS' task ls | grep -q '^$id .*RUNNING'" || true
    cr task rm -f "$id" >/dev/null 2>&1 || true
    cr containers rm "$id" >/dev/null
  done
}
task_status() { cr task ls | awk -v id="$1" '$1 == id {print $3}'; }
status_is() { [ "$(task_status "$1")" = "$2" ]; }
detached() {  # id, command...
  local id=$1
  shift
  cr_run "$id" -d -- "$@" >/dev/null
  wait_until 20 status_is "$id" RUNNING
}

c_echo() { is "$(cr_run "$(cname)" --rm -- echo hi)" hi; }
@test "ctr run --rm echo" { both c_echo; }

c_exit0() { is "$(rc_of cr_run "$(cname)" --rm -- true)" 0 "exit code"; }
@test "ctr run: exit code 0" { both c_exit0; }
c_exit3() { is "$(rc_of cr_run "$(cname)" --rm -- sh -c 'exit 3')" 3 "exit code"; }
@test "ctr run: exit code 3" { both c_exit3; }
c_missing() {
  local out rc=0 id
  id=$(cname)
  out=$(cr_run "$id" --rm -- /bin/no-such-command 2>&1) || rc=$?
  [ $rc -ne 0 ] || { echo "FAIL: a missing command ran"; return 1; }
  has "${out,,}" "no such file or directory" "error"
  cr containers rm "$id" 2>/dev/null || true
}
@test "ctr run: a missing command fails with ENOENT" { both c_missing; }

c_tty() {
  local cmd out
  cmd=$(printf '%q ' ctr --address "$T/containerd.sock" -n "$NS" run --rm -t --runc-binary "$T/rt/$RT/runc" \
    --runc-root "$T/ctr-root/$RT" --cgroup "$CG/$(cname)" "$IMG" "$(cname)" sh -c "$TTY_SIZE")
  trace "$cmd"
  out=$(timeout 60 script -qec "stty rows 41 cols 103; $cmd" /dev/null | tr -d '\r')
  has "$out" /dev/pts/ "tty"
  has "$out" "41 103" "stty size"
}
@test "ctr run -t: a pty of the terminal's size" { both c_tty; }

c_task() {
  local id out
  id=$(cname)
  detached "$id" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  is "$(cr task exec --exec-id e1 "$id" echo ok)" ok "task exec"
  is "$(rc_of cr task exec --exec-id e2 "$id" sh -c 'exit 4')" 4 "task exec exit code"
  out=$(cr task ps "$id")
  has "$out" "$(cr task ls | awk -v id="$id" '$1 == id {print $2}')" "task ps: the task's pid"
  cr task pause "$id"
  is "$(task_status "$id")" PAUSED "status after pause"
  cr task resume "$id"
  is "$(task_status "$id")" RUNNING "status after resume"
  out=$(cr task metrics "$id")
  has "$out" memory "task metrics"
  has "$out" "$id" "task metrics"
  cr task kill "$id"  # SIGTERM: the payload exits 0
  wait_until 20 status_is "$id" STOPPED
  cr task rm "$id"
  cr containers rm "$id"
  is "$(cr containers ls -q | grep -c "^$id$" || true)" 0 "container removed"
}
@test "ctr run -d, task exec, ps, pause, resume, metrics, kill, rm, container rm" { both c_task; }

c_kill_paused() {
  local id
  id=$(cname)
  detached "$id" sleep 300
  cr task pause "$id"
  is "$(task_status "$id")" PAUSED "status after pause"
  cr task kill -s SIGKILL "$id"
  wait_until 20 status_is "$id" STOPPED
  cr task rm "$id"
  cr containers rm "$id"
}
@test "ctr task kill -s SIGKILL of a paused task" { both c_kill_paused; }

@test "containerd: no state, cgroup, mount or process left; no error in cask's logs" {
  check_leftovers
}
