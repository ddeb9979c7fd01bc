#!/usr/bin/env bash
# Runs docker/slurm-array.sh as on a Slurm cluster, with a stand-in for sbatch that starts the
# array's tasks on this machine at once (SLURM_ARRAY_TASK_ID, _MIN and _COUNT set as Slurm sets
# them), ENGINE=jar and the shaded jar: prepare, 2 shards, the merged report. No Slurm needed.
# Usage: docker/test-slurm.sh [path/to/kinglet-recipes.jar]   (after ./mvnw -B -DskipTests package)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar=${1:-$root/recipes/target/kinglet-recipes.jar}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
cat > "$work/bin/sbatch" <<'SBATCH'
#!/usr/bin/env bash
set -euo pipefail
array=; exports=; args=()
for a in "$@"; do
  case "$a" in
    --array=*) array=${a#--array=} ;;
    --export=*) exports=${a#--export=} ;;
    --*) ;;
    *) args+=("$a") ;;
  esac
done
IFS=, read -ra kv <<< "$exports"
for x in "${kv[@]}"; do [ "$x" = ALL ] || export "${x?}"; done
lo=${array%-*}; hi=${array#*-}
echo "Submitted batch job 1 (tasks $lo-$hi, run here)"
pids=()
for ((i = lo; i <= hi; i++)); do
  SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_MIN=$lo SLURM_ARRAY_TASK_COUNT=$((hi - lo + 1)) bash "${args[@]}" > "task-$i.out" 2>&1 &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
SBATCH
chmod +x "$work/bin/sbatch"
cat > "$work/tiny.yaml" <<YAML
name: slurm-shards
data:
  source: {type: idx, dir: $root/test-data/fashion-mnist}
  split: {type: holdout, validation: 0.2, repeats: 3}
model:
  architecture: {type: smallCnn, conv1: 8, conv2: 16, hidden: 32}
train: {epochs: 2, batchSize: 64}
YAML
cd "$work"
PATH="$work/bin:$PATH" ENGINE=jar KINGLET_JAR="$jar" RUNS="$work/runs" KINGLET_ARGS="--threads 1 --device cpu" \
  "$root/docker/slurm-array.sh" prepare tiny.yaml 2
run=$(readlink -f "$work/runs/slurm-shards/latest")
grep -q "2 of 3 job(s) are this shard's" task-0.out || { echo "FAILED: task 0 did not run shard 0/2"; cat task-0.out; exit 1; }
grep -q "1 of 3 job(s) are this shard's" task-1.out || { echo "FAILED: task 1 did not run shard 1/2"; cat task-1.out; exit 1; }
[ "$(grep -c '"state" : "done"' "$run/plan.json")" -eq 3 ] || { echo "FAILED: not every job is done in $run/plan.json"; exit 1; }
[ -s "$run/report.html" ] && [ -s "$run/results.json" ] || { echo "FAILED: no merged report in $run"; exit 1; }
echo "docker/test-slurm.sh PASSED: 3 jobs in 2 Slurm array tasks, merged report $(grep -h 'base: test accuracy' task-*.out | head -1)"
