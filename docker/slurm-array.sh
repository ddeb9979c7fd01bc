#!/usr/bin/env bash
# Kinglet on a Slurm cluster, in the container image: prepare a run once, then run its jobs as a
# Slurm array of N tasks, task i taking shard i of N (SLURM_ARRAY_TASK_ID; `--shard N` reads it).
# RUNS must be a directory every node sees (NFS, Lustre, BeeGFS...): a lock file per job keeps two
# tasks from training one job, a requeued task resumes its job from its checkpoint, and the last
# task to finish writes report.html.
#
#   docker/slurm-array.sh prepare RECIPE N     # on a login node or in an sbatch job; submits the array
#   squeue --me; tail -f "$RUNS"/<recipe>/latest/shards/shard-0-of-N.log
#
# Environment: RUNS (default $PWD/runs), DATA (mounted as /data, optional), IMAGE (default
# kinglet), ENGINE (podman, docker, apptainer, or jar with KINGLET_JAR; default podman), KINGLET_SBATCH (extra sbatch options, e.g. "--partition=cpu
# --cpus-per-task=8" or "--gres=gpu:1" with the CUDA image and KINGLET_ARGS="--device cuda").
#SBATCH --job-name=kinglet
#SBATCH --requeue
#SBATCH --output=kinglet-%A_%a.out
set -euo pipefail

RUNS=${RUNS:-$PWD/runs}
IMAGE=${IMAGE:-kinglet}
ENGINE=${ENGINE:-podman}

data=()
if [ -n "${DATA:-}" ]; then data=(-v "$DATA:/data:ro"); fi

# kinglet ARGS...: the CLI in the image, /runs being $RUNS (and /data being $DATA, if set)
kinglet() {
    case "$ENGINE" in
        podman|docker)
            "$ENGINE" run --rm --user "$(id -u):$(id -g)" -v "$RUNS:/runs" "${data[@]}" \
                -e SLURM_ARRAY_TASK_ID -e SLURM_ARRAY_TASK_MIN "$IMAGE" "$@" ;;
        apptainer)  # an image converted once: apptainer build kinglet.sif docker-daemon://kinglet:latest
            apptainer run --bind "$RUNS:/runs" ${DATA:+--bind "$DATA:/data"} "${IMAGE%.sif}.sif" "$@" ;;
        jar)        # no container: the jar on a shared path, Java 25 on the nodes; /runs is then $RUNS itself
            local args=()
            for a in "$@"; do args+=("${a/#\/runs/$RUNS}"); done
            java -jar "${KINGLET_JAR:?ENGINE=jar needs KINGLET_JAR, the kinglet-recipes.jar path}" "${args[@]}" ;;
        *) echo "ENGINE must be podman, docker, apptainer or jar, got $ENGINE" >&2; exit 2 ;;
    esac
}

case "${1:-shard}" in
    prepare)
        recipe=${2:?usage: $0 prepare RECIPE N}; n=${3:?usage: $0 prepare RECIPE N}
        mkdir -p "$RUNS"
        log=$(mktemp)
        kinglet run "$recipe" --out /runs --prepare ${KINGLET_ARGS:-} | tee "$log"
        # "prepared /runs/<recipe>/<timestamp>: ..." names the run directory under RUNS
        dir=$(sed -n "s#^prepared \\(/runs\\|$RUNS\\)/\\([^:]*\\): .*#\\2#p" "$log" | tail -1)
        rm -f "$log"
        [ -n "$dir" ] || { echo "prepare printed no run directory" >&2; exit 1; }
        # shellcheck disable=SC2086
        sbatch --array="0-$((n - 1))" ${KINGLET_SBATCH:-} --export="ALL,RUN_DIR=$dir,SHARDS=$n" "$0" shard ;;
    shard)
        : "${RUN_DIR:?set by prepare: the run directory under RUNS}" "${SHARDS:?set by prepare: the shard count}"
        # shellcheck disable=SC2086
        kinglet run --resume "/runs/$RUN_DIR" --shard "$SHARDS" ${KINGLET_ARGS:-} ;;
    *)
        echo "usage: $0 prepare RECIPE N   (the array tasks run: $0 shard)" >&2; exit 2 ;;
esac
