# Shared by the client suites; test/clients/run sets the environment:
# CASK_CLIENTS_DIR (private directory), CASK_CLIENTS_CG (cgroup parent), CASK_RUNTIME_PATH,
# RUNC_PATH, CONTAINERS_CONF, CASK_CLIENTS_DOCKER.
#
# Every case is a function that `both` runs twice, with RT=runc (the reference) and with
# RT=cask, each in a subshell under `set -e` with a trace in its own log:
#   passes with both            -> ok
#   fails with cask only        -> not ok, with cask's log ("FAILED with cask, passed with runc")
#   fails with both             -> skip, with runc's reason
#   fails with runc only        -> ok, with a note
T=${CASK_CLIENTS_DIR:?run test/clients/run, not bats directly}
CG=${CASK_CLIENTS_CG:?}
IMG=localhost/bb:latest
RUNTIMES=${CASK_CLIENTS_RUNTIMES:-runc cask}

note() { echo "# $*" >&3; }
# The client commands, in the case's log (fd 4), apart from the output that cases capture.
trace() { { echo "+ $*" >&4; } 2>/dev/null || true; }
# A payload for the pty cases: the clients set the terminal's size just after the start
# (runc's pty starts at 0 0, cask's at 24 80), so it waits (5 s at most) until the size
# is the 41x103 of the terminal that the case runs the client in, then shows it. It
# keeps the pty open a moment after that: podman 4.3's conmon loses what a tty payload
# wrote just before it exited (2 of 8 runs printed nothing, with runc as with cask).
TTY_SIZE='tty; i=0; while [ "$(stty size)" != "41 103" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; stty size; sleep 0.5'

# --- assertions: print what differs, return non-zero (the case's set -e ends it)
is() {  # actual expected [what]
  [ "$1" == "$2" ] && return 0
  echo "FAIL ${3:-value}: got [$1], want [$2]" >&2
  return 1
}
has() {  # haystack needle [what]
  [[ $1 == *"$2"* ]] && return 0
  echo "FAIL ${3:-output}: [$1] does not contain [$2]" >&2
  return 1
}
lacks() {  # haystack needle [what]
  [[ $1 != *"$2"* ]] && return 0
  echo "FAIL ${3:-output}: [$1] contains [$2]" >&2
  return 1
}
fails() {  # command...: must exit non-zero
  if "$@"; then echo "FAIL: '$*' succeeded" >&2; return 1; fi
  return 0
}
rc_of() {  # command...: prints its exit status, its output goes to stderr (the log)
  local rc=0
  "$@" >&2 || rc=$?
  echo "$rc"
}
wait_until() {  # seconds, command...: retry every 0.1 s until it succeeds
  local n=$(($1 * 10))
  shift
  until "$@" >/dev/null 2>&1 4>/dev/null; do
    n=$((n - 1))
    if [ $n -le 0 ]; then echo "FAIL: timed out waiting for: $*" >&2; return 1; fi
    sleep 0.1
  done
}
# For Ctrl-C cases: a payload that says READY and ends with GOT-INT on SIGINT.
CTRL_C_PAYLOAD='trap "echo GOT-INT; exit 0" INT; echo READY; while :; do sleep 0.1; done'
# tty_ctrl_c COMMAND-LINE: runs it in a pty (script) of 41x103, waits until its output
# says READY, types Ctrl-C, waits for the end; prints the output, returns its status.
tty_ctrl_c() {
  local d=$BATS_TEST_TMPDIR/tty-$RT pid rc=0
  mkdir -p "$d"
  mkfifo "$d/in"
  trace "$1"
  timeout 60 script -qfec "stty rows 41 cols 103; $1" /dev/null <"$d/in" >"$d/out" 2>&1 &
  pid=$!
  exec 5>"$d/in"
  if ! wait_until 30 grep -q READY "$d/out"; then
    exec 5>&-
    kill "$pid" 2>/dev/null || true
    tr -d '\r' <"$d/out"
    return 1
  fi
  printf '\003' >&5
  wait_until 20 grep -q GOT-INT "$d/out" || true
  exec 5>&-
  wait "$pid" || rc=$?
  tr -d '\r' <"$d/out"
  return $rc
}

# A point that the case records without failing: a later case checks it with
# `point_ok NAME`, so that it is reported (and skipped, when runc shows the same) alone.
point() {  # name, command...
  local name=$1
  shift
  mkdir -p "$T/points"
  if "$@" 2>"$T/points/$SUITE.$name.$RT.err"; then echo ok; else cat "$T/points/$SUITE.$name.$RT.err"; fi >"$T/points/$SUITE.$name.$RT"
}
point_ok() {  # name
  local f=$T/points/$SUITE.$1.$RT
  [ -f "$f" ] || { echo "FAIL: point $1 was not recorded (its case failed early)" >&2; return 1; }
  [ "$(cat "$f")" = ok ] || { echo "$(cat "$f") (recorded by an earlier case)" >&2; return 1; }
}

# A unique container name for this case and runtime.
cname() { echo "cc-$SUITE-$BATS_TEST_NUMBER-$RT-${1:-0}-$$"; }

reason_of() {  # log: the line that says why the case failed
  local r
  r=$(grep -E '^FAIL|Error|error|denied|not found|No such' "$1" | grep -v '^+' | tail -2 | paste -sd '|' | sed 's/|/ | /')
  [ -n "$r" ] || r=$(grep -v '^+' "$1" | tail -1)
  [ -n "$r" ] || r="exit status without output, see the trace"
  echo "${r:0:300}"
}

both() {  # case function
  local fn=$1 rt log rc
  local -A rcs
  for rt in $RUNTIMES; do
    echo "$SUITE.$BATS_TEST_NUMBER" >"$T/current-case"
    log=$BATS_TEST_TMPDIR/$rt.log
    set +e
    (
      exec 4>&2
      trap - ERR DEBUG
      set +T -euo pipefail
      RT=$rt
      "$fn"
    ) >"$log" 2>&1 </dev/null
    rcs[$rt]=$?
    set -e
    # between the runtimes and after them: nothing of this case may stay
    { RT=$rt cleanup_containers; } >"$BATS_TEST_TMPDIR/$rt.cleanup.log" 2>&1 4>&2 || true
    echo none >"$T/current-case"
  done
  if [ "${rcs[cask]:-0}" -eq 0 ] && [ "${rcs[runc]:-0}" -eq 0 ]; then
    echo "$SUITE.$BATS_TEST_NUMBER" >>"$T/passed"
    return 0
  fi
  if [ -z "${rcs[runc]:-}" ] || [ "${rcs[runc]}" -eq 0 ]; then
    echo "FAILED with cask (exit ${rcs[cask]}), passed with runc: $(reason_of "$BATS_TEST_TMPDIR/cask.log")"
    echo "--- cask trace:"
    cat "$BATS_TEST_TMPDIR/cask.log"
    return 1
  fi
  if [ -z "${rcs[cask]:-}" ] || [ "${rcs[cask]}" -eq 0 ]; then
    note "runc failed, cask passed: $(reason_of "$BATS_TEST_TMPDIR/runc.log")"
    return 0
  fi
  local rr cr
  rr=$(reason_of "$BATS_TEST_TMPDIR/runc.log")
  cr=$(reason_of "$BATS_TEST_TMPDIR/cask.log")
  [ "$cr" = "$rr" ] && cr="the same"
  skip "fails with runc too: $rr (cask: $cr)"
}

# --- leftovers after a client's suite
# Container ids the wrapper saw in `create ID` (or `run ID`), with the state root, for
# the cases of this suite: "root id" lines.
suite_ids() {  # runtime
  [ -f "$T/calls.$1" ] || return 0
  awk -F'\t' -v s="$SUITE." -v rt="$1" 'index($1, s) == 1 {
      n = split($3, w, " "); sub_ = ""
      for (i = 1; i <= n; i++) if (w[i] == "create" || w[i] == "run") { sub_ = w[i]; break }
      if (sub_ == "") next
      root = $2; if (root == "default") root = (rt == "cask" ? "/run/cask" : "/run/runc")
      print root, w[n] }' "$T/calls.$1" | sort -u
}

error_lines() {  # log files...: the lines that report an error
  grep -hE '"level" *: *"(error|fatal|panic)"|level=(error|fatal|panic)' "$@" 2>/dev/null || true
}

check_leftovers() {
  local out i
  # what goes away by itself within seconds (podman's cleanup process) is no leftover
  for i in 1 2 3 4 5 6 7 8 9 10; do
    out=$(check_leftovers_ 2>&1) && break
    sleep 1
  done
  echo "$out" | grep '^# ' >&3 || true
  out=$(echo "$out" | grep -v '^# ' || true)
  [ -n "$out" ] || return 0
  echo "$out" | head -30
  [ "$(echo "$out" | wc -l)" -le 30 ] || echo "... $(($(echo "$out" | wc -l) - 30)) more lines"
  return 1
}
check_leftovers_() {
  local bad=0 rt root id ids=() d p m tag
  for rt in runc cask; do
    while read -r root id; do
      [ -n "$id" ] || continue
      ids+=("$id")
      if [ -e "$root/$id" ]; then echo "LEFTOVER state ($rt): $root/$id"; bad=1; fi
    done < <(suite_ids $rt)
  done
  echo "# checked ${#ids[@]} container ids"
  # cgroups: none named after a container, none with a process in it
  while read -r d; do
    [ -n "$d" ] || continue
    for id in "${ids[@]}"; do
      case $d in *"$id"*) echo "LEFTOVER cgroup: $d"; bad=1 ;; esac
    done
    if [ -s "$d/cgroup.procs" ]; then echo "LEFTOVER processes in $d: $(tr '\n' ' ' <"$d/cgroup.procs")"; bad=1; fi
  done < <(for h in /sys/fs/cgroup/*/; do [ -d "$h${CG#/}" ] && find "$h${CG#/}" -mindepth 1 -type d; done)
  # mounts: none naming a container, no overlay under the test directory
  while read -r m; do
    for id in "${ids[@]}"; do
      case $m in *"$id"*) echo "LEFTOVER mount: $m"; bad=1 ;; esac
    done
  done < <(awk '{print $5}' /proc/self/mountinfo)
  m=$(awk -v t="$T" 'index($5, t) == 1 && $0 ~ / - overlay / {print $5}' /proc/self/mountinfo)
  [ -z "$m" ] || { echo "LEFTOVER overlay mounts: $m"; bad=1; }
  # processes: none naming a container
  for p in /proc/[0-9]*; do
    local cmd
    cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
    for id in "${ids[@]}"; do
      case $cmd in *"$id"*) echo "LEFTOVER process ${p#/proc/}: $cmd"; bad=1 ;; esac
    done
  done
  # cask's --log files: no error line for a case that passed, unless runc's log for that
  # case has one too (podman reads a missing command's error from the log, for example)
  local checked=0 exempt=0
  for tag in $(grep "^$SUITE\." "$T/passed" 2>/dev/null); do
    compgen -G "$T/logs/cask.$tag.*.log" >/dev/null || continue
    if [ -n "$(error_lines "$T"/logs/runc."$tag".*.log)" ]; then
      exempt=$((exempt + 1))
      continue
    fi
    checked=$((checked + 1))
    local e
    e=$(error_lines "$T"/logs/cask."$tag".*.log)
    if [ -n "$e" ]; then echo "ERROR in cask's log for passed case $tag: $e"; bad=1; fi
  done
  echo "# checked cask's logs of $checked passed cases ($exempt where runc logs an error too)"
  return $bad
}
