#!/usr/bin/env bash
# Whole-process timings of the mastery binary on synthetic collections.
#
#   benches/run.sh                 1k, 10k and 100k cards, 7 runs each (release build)
#   benches/run.sh --smoke         1k cards, 1 run, the debug build: keeps the harness from rotting
#   benches/run.sh --runs 3 --sizes "10000" --bin target/release/mastery
#
# Each size gets decks of N cards in 100-card files and a review log of about
# 10 reviews per card over two years (about 8 % of cards due today). Prints a
# Markdown table: median, min and max wall time in ms, and peak memory (RSS).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=7
sizes="1000 10000 100000"
bin=""
smoke=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1; runs=1; sizes="1000" ;;
    --runs) runs="$2"; shift ;;
    --sizes) sizes="$2"; shift ;;
    --bin) bin="$2"; shift ;;
    *) echo "usage: benches/run.sh [--smoke] [--runs N] [--sizes \"N ...\"] [--bin PATH]" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$bin" ]; then
  # Where cargo puts the binary: CARGO_TARGET_DIR when it is set.
  target=${CARGO_TARGET_DIR:-target}
  if [ "$smoke" = 1 ]; then
    cargo build --quiet
    bin=$target/debug/mastery
  else
    cargo build --release --quiet
    bin=$target/release/mastery
  fi
fi
bin=$(realpath "$bin")
timer=/usr/bin/time
[ -x "$timer" ] || timer=""

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MASTERY_CONFIG="$work/none.toml" MASTERY_NOW=2026-11-24T10:00:00Z TZ=UTC NO_COLOR=1

now_ns() { date +%s%N; }

# stats MS...: "median min max" of the numbers given
stats() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.1f %.1f %.1f", a[int((NR+1)/2)], a[1], a[NR]}'; }

# peak KiB of one run of a command, with stdin from $input
peak() {
  if [ -n "$timer" ]; then
    "$timer" -f %M -o "$work/peak" "$@" <"$input" >/dev/null 2>&1 || true
    awk '{printf "%.1f", $1/1024}' "$work/peak"
  else
    printf 'n/a'
  fi
}

# measure LABEL SETUP -- COMMAND...: SETUP runs before each timed run
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" "$6"; }
measure() {
  local label=$1 setup=$2; shift 2
  local times=() t0 t1
  for _ in $(seq "$runs"); do
    eval "$setup"
    t0=$(now_ns); "$@" <"$input" >/dev/null 2>&1; t1=$(now_ns)
    times+=("$(( (t1 - t0) / 1000 ))e-3")
  done
  eval "$setup"
  local s; s=$(stats "${times[@]}")
  # shellcheck disable=SC2086
  row "$size" "$label" $s "$(peak "$@")"
}

echo "| cards | what | median ms | min ms | max ms | peak MiB |"
echo "|---|---|---|---|---|---|"
for size in $sizes; do
  decks="$work/decks-$size"
  db="$work/db-$size.db"
  export MASTERY_DECKS="$decks" MASTERY_DB="$db"
  "$bin" dev generate --cards "$size" --out "$decks" >/dev/null
  input=/dev/null
  measure "cold compile" 'rm -f "$db" "$db-wal" "$db-shm"' "$bin" compile
  "$bin" compile >/dev/null
  "$bin" dev history --reviews $((size * 10)) >/dev/null
  measure "no-op compile" ':' "$bin" compile
  measure "status" ':' "$bin" status
  printf 'q\n' >"$work/quit"
  input="$work/quit"
  measure "launch → first card (review)" ':' "$bin" review
  measure "quiz start" ':' "$bin" quiz --count 20
  input=/dev/null
  measure "weak" ':' "$bin" weak
  measure "stats" ':' "$bin" stats
  measure 'cards "is:due"' ':' "$bin" cards "is:due"
  measure 'cards "prop:ease<1.8"' ':' "$bin" cards "prop:ease<1.8"
  measure 'cards "tag:x"' ':' "$bin" cards "tag:x"
  measure 'cards "hook exit" (word search)' ':' "$bin" cards "hook exit"
  # The Anki round trip: the first export gives every review its Anki id;
  # the measured ones reuse them. The import reads it all back as known.
  "$bin" export anki --out "$work/all.apkg" >/dev/null
  measure "export anki (every card and review)" ':' "$bin" export anki --out "$work/all.apkg"
  measure "import anki (the same package)" ':' "$bin" import anki "$work/all.apkg"
  # One grade's commit: 50 graded cards minus a session that quits at once.
  for _ in $(seq 50); do printf '\n4\n'; done >"$work/fifty"
  times=()
  for _ in $(seq "$runs"); do
    t0=$(now_ns); "$bin" review --limit 50 <"$work/fifty" >/dev/null 2>&1; t1=$(now_ns)
    t2=$(now_ns); "$bin" review --limit 50 <"$work/quit" >/dev/null 2>&1; t3=$(now_ns)
    times+=("$(( ((t1 - t0) - (t3 - t2)) / 50000 ))e-3")
  done
  # shellcheck disable=SC2046
  row "$size" "one grade committed" $(stats "${times[@]}") "—"
  # FSRS: a switch replays every reviewed card's log in one transaction
  # (the setup switches back to SM-2 first); then the same hot paths.
  input=/dev/null
  measure "switch to FSRS (replay every card)" '"$bin" status >/dev/null 2>&1' "$bin" --scheduler fsrs status
  "$bin" --scheduler fsrs status >/dev/null 2>&1
  input="$work/quit"
  measure "launch → first card (review, FSRS)" ':' "$bin" --scheduler fsrs review
  times=()
  for _ in $(seq "$runs"); do
    t0=$(now_ns); "$bin" --scheduler fsrs review --limit 50 <"$work/fifty" >/dev/null 2>&1; t1=$(now_ns)
    t2=$(now_ns); "$bin" --scheduler fsrs review --limit 50 <"$work/quit" >/dev/null 2>&1; t3=$(now_ns)
    times+=("$(( ((t1 - t0) - (t3 - t2)) / 50000 ))e-3")
  done
  # shellcheck disable=SC2046
  row "$size" "one grade committed (FSRS)" $(stats "${times[@]}") "—"
done

# `mastery eval` on an Anki revlog of a simulated FSRS learner: 100k cards
# over two years, about 1.1M reviews (1k cards in the smoke run).
revlog_cards=100000
[ "$smoke" = 1 ] && revlog_cards=1000
"$bin" dev fsrs-revlog --cards "$revlog_cards" --days 730 --out "$work/revlog.csv" >/dev/null
size="$(( $(wc -l <"$work/revlog.csv") - 1 )) reviews"
input=/dev/null
measure "eval --no-fit (Anki revlog CSV)" ':' "$bin" eval --no-fit --revlog "$work/revlog.csv"
measure "eval (FSRS fitted on the earlier half)" ':' "$bin" eval --revlog "$work/revlog.csv"

# Carry-over at scale: every note loses its id (so ids are derived from
# titles), then every title is renamed, and one compile carries the history
# of each. The decks and database are restored before each run.
[ "$smoke" = 1 ] && exit 0
for notes in 1000 10000; do
  rdir="$work/rename-$notes"
  mkdir -p "$rdir"
  "$bin" dev generate --cards $((notes * 16 / 10)) --out "$rdir/decks.orig" >/dev/null
  find "$rdir/decks.orig" -name '*.md' -exec sed -i 's/ {#s[0-9]*-[0-9]*}$//' {} +
  count=$(find "$rdir/decks.orig" -name '*.md' -exec cat {} + | grep -c '^## ')
  rm -rf "$rdir/decks"; cp -r "$rdir/decks.orig" "$rdir/decks"
  MASTERY_DECKS="$rdir/decks" MASTERY_DB="$rdir/db.orig" "$bin" compile >/dev/null
  export MASTERY_DECKS="$rdir/decks" MASTERY_DB="$rdir/db"
  size="$count notes"
  input=/dev/null
  measure "compile after renaming every title" \
    'rm -rf "$rdir/decks" "$rdir/db" "$rdir/db-wal" "$rdir/db-shm"; cp -r "$rdir/decks.orig" "$rdir/decks"; cp "$rdir/db.orig" "$rdir/db"; find "$rdir/decks" -name "*.md" -exec sed -i "s/^## \([A-Za-z]*\): /## \1: Renamed /" {} +' \
    "$bin" compile
done
