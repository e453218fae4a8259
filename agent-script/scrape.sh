#!/usr/bin/env bash
# scrape.sh: sent by mackerel-ecs-collector (SCRAPE_MODE=ssm) to ECS container instances with SSM Run Command
# (document AWS-RunShellScript). It fetches the metrics endpoints of the tasks on THIS instance over loopback and
# prints them framed and compressed, so that the collector can split the output back into one body per target
# and so that as much as possible fits the 24,000 characters GetCommandInvocation returns.
#
# The collector sends this file line for line, with its data assigned on the lines right after the shebang. The
# SSM Agent runs the lines as a file with `sh -c <file>`, so the shebang above is what makes it bash.
#
# Input: data only, never evaluated as code.
#   MECS_TARGETS         base64 of lines "<instance-id> <index> <port> <path>"; lines of other instances are
#                        skipped (one SendCommand covers up to 50 instances). $1 overrides it (manual runs).
#   MECS_TIMEOUT_MS      per-target timeout in milliseconds; MECS_MAX_BYTES: body cap in bytes.
#   AWS_SSM_INSTANCE_ID  set by the SSM Agent: selects this instance's lines.
#   SCRAPE_HOST          FOR THE LOCAL SIMULATOR ONLY: the address to curl instead of 127.0.0.1, so that one
#                        machine can stand in for many instances. Only 127.x.y.z is accepted.
# Output (stdout, ASCII lines):
#   @@MECS1 BEGIN <frames> <bytes of the frame lines that follow>
#   @@MECS1 <index> ok <curl-exit> <http-status> <body-bytes>      then one line: base64 of gzip of the body
#   @@MECS1 <index> error <curl-exit> <http-status> <body-bytes>   then one line: the reason
#   @@MECS1 END <frames>
#   or a single `@@MECS1 FATAL <reason>` when nothing can be scraped. BEGIN comes first so that output cut at
#   the 24,000-character limit still says how many characters the whole needed; a missing END means "cut".
# A failed target is an error frame, never a failed script: the exit status is 0 unless bash itself breaks.
set -euo pipefail
export LC_ALL=C

TIMEOUT_MS="${MECS_TIMEOUT_MS:-5000}"
MAX_BYTES="${MECS_MAX_BYTES:-5242880}"
# Targets fetched at once; `wait` per batch rather than `wait -n` (bash 4.3+; Amazon Linux 2 ships 4.2).
PARALLEL=8
# The collector validates paths with the same pattern; checked again so that a hand-made line is refused too.
PATH_RE="^/[A-Za-z0-9._~!\$&'()*+,;=:@%/?-]*\$"
ACCEPT='Accept: text/plain;version=0.0.4, application/json;q=0.9, */*;q=0.1'

fatal() {
  printf '@@MECS1 FATAL %s\n' "$1"
  exit 0
}

[[ $TIMEOUT_MS =~ ^[1-9][0-9]{0,6}$ ]] || fatal "MECS_TIMEOUT_MS must be a positive integer"
[[ $MAX_BYTES =~ ^[1-9][0-9]{0,9}$ ]] || fatal "MECS_MAX_BYTES must be a positive integer"
host=127.0.0.1
if [[ -n ${SCRAPE_HOST:-} ]]; then
  [[ $SCRAPE_HOST =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || fatal "SCRAPE_HOST must be a 127.x.y.z address"
  host=$SCRAPE_HOST
fi
me="${AWS_SSM_INSTANCE_ID:-}"
[[ -n $me ]] || fatal "AWS_SSM_INSTANCE_ID is not set (SSM Agent too old?)"
data="${1:-${MECS_TARGETS:-}}"
[[ $data =~ ^[A-Za-z0-9+/=]*$ ]] || fatal "MECS_TARGETS is not base64"
printf -v max_time '%d.%03d' $((TIMEOUT_MS / 1000)) $((TIMEOUT_MS % 1000))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%s' "$data" | base64 -d >"$work/targets" 2>/dev/null || fatal "MECS_TARGETS is not valid base64"

# Prints one error frame: index, curl exit, HTTP status, bytes, reason (made one printable line).
error_frame() {
  local reason
  reason=$(printf '%s' "$5" | tr -c '[:print:]' ' ' | head -c 300)
  printf '@@MECS1 %s error %s %s %s\n%s\n' "$1" "$2" "$3" "$4" "${reason:-curl exit $2}"
}

# Fetches one target into $work/<index>.frame. Never fails: every outcome is a frame.
scrape_one() {
  local idx=$1 port=$2 path=$3
  local body="$work/$idx.body" hdr="$work/$idx.hdr" err="$work/$idx.err" frame="$work/$idx.frame"
  local rc=0 status=0 bytes
  # -q: ignore ~/.curlrc; --noproxy: the agent passes http_proxy on; --globoff: [] {} are data, not globs.
  curl -q -sS --globoff --noproxy '*' --proto =http --max-time "$max_time" --max-filesize "$MAX_BYTES" \
    -H "$ACCEPT" -A mackerel-ecs-collector -D "$hdr" -o - "http://$host:$port$path" 2>"$err" |
    head -c $((MAX_BYTES + 1)) >"$body" || rc=${PIPESTATUS[0]}
  # --max-filesize only works with a Content-Length; head -c caps chunked bodies (curl then exits 23).
  bytes=$(wc -c <"$body")
  bytes=$((bytes))
  if [[ -s $hdr ]]; then
    read -r _ status _ <"$hdr" || true
    status=${status%$'\r'}
  fi
  [[ $status =~ ^[0-9]{3}$ ]] || status=0
  if ((bytes > MAX_BYTES || rc == 63)); then
    error_frame "$idx" "$rc" "$status" "$bytes" "body larger than $MAX_BYTES bytes" >"$frame"
  elif ((rc != 0)); then
    error_frame "$idx" "$rc" "$status" "$bytes" "$(cat "$err")" >"$frame"
  elif ((status < 200 || status > 299)); then
    error_frame "$idx" "$rc" "$status" "$bytes" "HTTP $status" >"$frame"
  else
    {
      printf '@@MECS1 %s ok %s %s %s\n' "$idx" "$rc" "$status" "$bytes"
      gzip -9nc <"$body" | base64 | tr -d '\n'
      printf '\n'
    } >"$frame"
  fi
  rm -f "$body" "$hdr" "$err"
}

running=0
: >"$work/order"
while read -r inst idx port path extra; do
  [[ $inst == "$me" ]] || continue
  [[ $idx =~ ^(0|[1-9][0-9]{0,5})$ && ! -e $work/$idx.frame ]] || continue
  printf '%s\n' "$idx" >>"$work/order"
  if [[ -n ${extra:-} || ! $port =~ ^[1-9][0-9]{0,4}$ || $port -gt 65535 || ! $path =~ $PATH_RE ]]; then
    error_frame "$idx" 0 0 0 "invalid target line" >"$work/$idx.frame"
    continue
  fi
  : >"$work/$idx.frame"
  scrape_one "$idx" "$port" "$path" </dev/null &
  running=$((running + 1))
  if ((running >= PARALLEL)); then
    wait
    running=0
  fi
done <"$work/targets"
wait

count=0
: >"$work/out"
while read -r idx; do
  if [[ ! -s $work/$idx.frame ]]; then
    error_frame "$idx" 0 0 0 "no result (the scrape was interrupted)" >"$work/$idx.frame"
  fi
  cat "$work/$idx.frame" >>"$work/out"
  count=$((count + 1))
done <"$work/order"
printf '@@MECS1 BEGIN %d %d\n' "$count" "$(wc -c <"$work/out")"
cat "$work/out"
printf '@@MECS1 END %d\n' "$count"
