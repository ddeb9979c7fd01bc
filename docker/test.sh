#!/usr/bin/env bash
# The truest "fresh machine": builds docker/Dockerfile on a bare Debian 12 root (debootstrap
# minbase: no Python, no OpenBLAS, nothing Kinglet's tests install) with this machine's JDK 25
# copied in as BASE, then runs in that image what a user runs: `natives`, the demo recipe with
# /runs mounted, the demo without /runs (must refuse), and a user's own YAML recipe from /data as
# another uid. Prints build time, image size and the demo's accuracy. Needs root, podman, runc and
# debootstrap (installed from Debian's packages when missing) and the shaded jar (built when missing).
#   docker/test.sh            KINGLET_DOCKER_WORK=DIR to keep the base root elsewhere (default /var/tmp/kinglet-docker)
#   docker/test.sh --source   instead: README's first command (./mvnw package && java -jar ... run fashion-quick)
#                             on a copy of HEAD in the bare base, from an empty Maven repository (needs Maven Central)
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
WORK=${KINGLET_DOCKER_WORK:-/var/tmp/kinglet-docker}
BASE_IMAGE=localhost/kinglet-base:bookworm-jdk25-2
IMAGE=localhost/kinglet:test
[ "$(id -u)" -eq 0 ] || { echo "docker/test.sh: needs root (podman with runc, debootstrap)" >&2; exit 2; }
if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman runc debootstrap >/dev/null
fi
mkdir -p "$WORK"
# Measured here: podman 4.3 runs containers as root with runc and cgroupfs (crun fails on this
# kernel's cgroups), and only with the host's ulimits.
printf '[containers]\ndefault_ulimits = []\n' > "$WORK/containers.conf"
export CONTAINERS_CONF="$WORK/containers.conf"
podman() { command podman --runtime runc --cgroup-manager=cgroupfs "$@"; }
step() { echo "== $*"; }
fail() { echo "docker/test.sh: FAILED: $*" >&2; exit 1; }

if [ ! -f recipes/target/kinglet-recipes.jar ]; then
  step "building the shaded jar"
  ./mvnw -B -q -DskipTests package
fi

if ! podman image exists "$BASE_IMAGE"; then
  step "bare base: debootstrap --variant=minbase bookworm, plus $JAVA_HOME as /opt/java/openjdk"
  rm -rf "$WORK/rootfs"
  t0=$(date +%s)
  debootstrap --variant=minbase bookworm "$WORK/rootfs" http://deb.debian.org/debian > "$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; }
  mkdir -p "$WORK/rootfs/opt/java"
  cp -a "$(readlink -f "$JAVA_HOME")" "$WORK/rootfs/opt/java/openjdk"
  # Debian's packaging of the JDK links its certificates to the host's /etc/ssl: take the file itself, as a JDK tarball has it.
  cacerts="$WORK/rootfs/opt/java/openjdk/lib/security/cacerts"
  if [ -L "$cacerts" ]; then rm "$cacerts"; cp -L "$JAVA_HOME/lib/security/cacerts" "$cacerts"; fi
  tar -C "$WORK/rootfs" -c . | podman import \
    --change 'ENV JAVA_HOME=/opt/java/openjdk' \
    --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$BASE_IMAGE" > /dev/null
  rm -rf "$WORK/rootfs"
  echo "base made in $(( $(date +%s) - t0 )) s"
fi

step "the base is bare: no OpenBLAS, no Python"
bare=$(podman run --rm --ulimit host --entrypoint sh "$BASE_IMAGE" -c \
  'ls /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu 2>/dev/null | grep -iE "openblas|libblas|gfortran" ; command -v python3 || true')
[ -z "$bare" ] || fail "the base image is not bare: $bare"

if [ "${1:-}" = "--source" ]; then
  step "README's first command in the bare base, on a copy of HEAD, with an empty Maven repository"
  rm -rf "$WORK/source" && mkdir -p "$WORK/source" && git archive HEAD | tar -x -C "$WORK/source"
  t0=$(date +%s)
  podman run --rm --ulimit host -v "$WORK/source:/src" -w /src "$BASE_IMAGE" bash -c \
    './mvnw -q -B -DskipTests package && "$JAVA_HOME/bin/java" -jar recipes/target/kinglet-recipes.jar run fashion-quick' \
    | tee "$WORK/source.txt" | grep -E '^(job|base)' || true
  grep -q '^job base.all.f0.s0.m0: test accuracy' "$WORK/source.txt" || fail "README's first command on the bare base"
  echo "docker/test.sh --source: PASSED in $(( $(date +%s) - t0 )) s"
  exit 0
fi

step "podman build --build-arg BASE=$BASE_IMAGE -f docker/Dockerfile"
t0=$(date +%s)
podman build -q --build-arg BASE="$BASE_IMAGE" -f docker/Dockerfile -t "$IMAGE" . > /dev/null
build_s=$(( $(date +%s) - t0 ))
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE")

step "kinglet natives (every preset library from the image's JavaCPP cache)"
t0=$(date +%s%N)
podman run --rm --ulimit host "$IMAGE" natives > "$WORK/natives.txt" || { cat "$WORK/natives.txt"; fail "natives"; }
natives_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
tail -1 "$WORK/natives.txt"
grep -q '^  /opt/kinglet/javacpp/kinglet-recipes.jar/org/bytedeco/openblas/linux-x86_64/libopenblas.so.0$' "$WORK/natives.txt" \
  || fail "OpenBLAS not loaded from /opt/kinglet/javacpp"

rm -rf "$WORK/runs" "$WORK/data" && mkdir -p "$WORK/runs" "$WORK/data"
chown 10001:10001 "$WORK/runs"   # the image's default user

step "run fashion-quick without /runs mounted (must refuse, exit 2)"
set +e
podman run --rm --ulimit host "$IMAGE" run fashion-quick > "$WORK/unmounted.txt" 2>&1
code=$?
set -e
cat "$WORK/unmounted.txt"
[ "$code" -eq 2 ] && grep -q -- '-v "$PWD/runs:/runs"' "$WORK/unmounted.txt" || fail "an unmounted /runs was not refused (exit $code)"

step "docker run -v runs:/runs kinglet run fashion-quick"
t0=$(date +%s)
podman run --rm --ulimit host -v "$WORK/runs:/runs" "$IMAGE" run fashion-quick --threads 2 | tee "$WORK/demo.txt" | grep -E '^(job|base|baseline)' || true
demo_s=$(( $(date +%s) - t0 ))
grep -q '^job base.all.f0.s0.m0: test accuracy' "$WORK/demo.txt" || fail "the demo did not finish"
ls "$WORK"/runs/fashion-quick/*/report.html > /dev/null || fail "no report.html on the host"
grep -q '<img alt="training loss"' "$WORK"/runs/fashion-quick/*/report.html || fail "report.html has no charts"

step "a user's recipe from /data, as uid 4242, with --out /runs"
cp -r test-data/fashion-mnist "$WORK/data/fashion-mnist"
cat > "$WORK/data/my.yaml" <<'YAML'
name: my-recipe
data:
  source: {type: idx, dir: /data/fashion-mnist}
  subset: {type: perClass, n: 20}
model:
  architecture: {type: smallCnn, conv1: 16, conv2: 32, hidden: 64, dropout: 0.25}
train:
  epochs: 2
  batchSize: 32
baseline:
  models: []
YAML
chmod -R a+rX "$WORK/data"; chmod 1777 "$WORK/runs"
podman run --rm --ulimit host --user 4242:4242 -v "$WORK/data:/data:ro" -v "$WORK/runs:/runs" "$IMAGE" \
  run /data/my.yaml --out /runs > "$WORK/user.txt" 2>&1 || { cat "$WORK/user.txt"; fail "the user's recipe"; }
grep -E '^job .*test accuracy' "$WORK/user.txt"
ls "$WORK"/runs/my-recipe/*/results.json > /dev/null || fail "no results.json of the user's recipe"

user_jar=examples/user-project/target/my-recipes.jar
if [ -f "$user_jar" ]; then
  step "a user's own recipe jar, mounted, its natives cached in the /cache volume"
  mkdir -p "$WORK/cache" && chmod 1777 "$WORK/cache"
  podman run --rm --ulimit host -v "$PWD/$user_jar:/opt/my/my-recipes.jar:ro" -v "$WORK/cache:/cache" -v "$WORK/runs:/runs" \
    --entrypoint java "$IMAGE" -Dorg.bytedeco.javacpp.cachedir=/cache/javacpp -jar /opt/my/my-recipes.jar run tiny-fashion \
    > "$WORK/user-jar.txt" 2>&1 || { cat "$WORK/user-jar.txt"; fail "the user's recipe jar"; }
  grep -E '^job .*test accuracy' "$WORK/user-jar.txt"
fi

acc=$(grep -oE '^job base.all.f0.s0.m0: test accuracy [0-9.]+%' "$WORK/demo.txt" | grep -oE '[0-9.]+%')
echo "docker/test.sh: PASSED. image build ${build_s} s; image $(( size / 1000000 )) MB (bare base with JDK $(( base_size / 1000000 )) MB);" \
     "kinglet natives in the container ${natives_ms} ms; demo ${demo_s} s, test accuracy ${acc}"
