# Sourced by bin/run and bin/serve: run several long-lived processes as one. Ctrl-C or TERM
# stops them all, and so does any one of them stopping (a web server without its job worker, or
# the reverse, must not go on unnoticed).
pids=()

start() {
  "$@" &
  pids+=($!)
}

stop_all() {
  # TERM: gunicorn and the job worker finish what they have in hand, then exit.
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}

supervise() {
  # Background processes of a script ignore Ctrl-C: the trap passes it on.
  trap 'stop_all; exit 130' INT
  trap 'stop_all; exit 143' TERM
  local status=0
  wait -n "${pids[@]}" || status=$?
  echo "A process stopped (exit status $status); stopping the others." >&2
  stop_all
  exit "$status"
}
