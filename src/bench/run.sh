#!/usr/bin/env bash
# Side-by-side benchmark: Kinglet against the same job in Python PyTorch, alternating rounds.
#   src/bench/run.sh train|eval|augment [rounds] [seconds-per-round]
# augment: 512 RGB JPEGs of 320x256 (made once in $KINGLET_BENCH_IMAGES, default
# /tmp/kinglet-bench-images), RandomResizedCrop 224, flip, rotation, colour jitter, normalise,
# collate; TorchVision/PIL decoding every time, Kinglet both from its decode-once store
# (row augment-cached) and decoding every file every time it is drawn (row augment).
# Needs the jar (./mvnw -DskipTests package) and Debian's python3-torch
# (apt-get install --no-install-recommends python3-torch) for /usr/bin/python3.
# Python gets the thread fix Kinglet applies itself (OpenBLAS held to 1 thread: measured
# 785 vs 618 img/s for Python training here); both use all cores for LibTorch.
# forest: the demo's random-forest baseline, 100 trees on test-data's 1,000 training images (pixels / 255),
# scored on its 1,000 test images, against scikit-learn's RandomForestClassifier(100, n_jobs=all cores)
# (Debian's python3-sklearn), ROUNDS fits in one process each; ratio = scikit-learn's seconds / Kinglet's
# (above 1: Kinglet is faster), of the median warm fit; the first, cold fit (JIT) is printed before.
# Last line: RESULT <mode> ratio=<kinglet/python img/s> kinglet=<img/s> python=<img/s> (medians);
# augment prints two: RESULT augment-cached ..., then RESULT augment ... (both against torchvision).
# tables: the UCI tables of test-data/tables, ROUNDS x stratified 5-fold (default 2): Kinglet's random forest,
# XGBoost, logistic regression, one MLP and a 5-MLP ensemble (dev.kinglet.bench.TableBench), then
# scikit-learn's RandomForestClassifier(100) and HistGradientBoostingClassifier(100) on the same folds
# (src/bench/tables.py, Debian's python3-sklearn); about 5 minutes per round on 2 cores.
set -euo pipefail
mode=${1:-train}; rounds=${2:-3}; seconds=${3:-10}
cd "$(dirname "$0")/../.."
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=recipes/target/kinglet-recipes.jar
[ -f "$JAR" ] || ./mvnw -q -B -DskipTests package
if [ "$mode" = tables ]; then
  out=${KINGLET_BENCH_OUT:-target/table-bench}
  "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.kinglet.bench.TableBench --repeats "${2:-2}" --out "$out"
  /usr/bin/python3 -c "import sklearn" 2>/dev/null || { echo "scikit-learn side skipped: needs python3-sklearn for /usr/bin/python3" >&2; exit 0; }
  /usr/bin/python3 src/bench/tables.py "$out/folds.json"
  exit 0
fi
/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "needs python3-torch for /usr/bin/python3" >&2; exit 1; }
k=(); p=(); d=()
images=${KINGLET_BENCH_IMAGES:-/tmp/kinglet-bench-images}
if [ "$mode" = augment ]; then
  [ -d "$images" ] || /usr/bin/python3 src/bench/augment.py make "$images" 512
fi
if [ "$mode" = forest ]; then
  # one process each, ROUNDS fits in it (seeds 0, 1, ...): the first fit cold, the others warm
  /usr/bin/python3 -c "import sklearn" 2>/dev/null || { echo "needs python3-sklearn for /usr/bin/python3" >&2; exit 1; }
  kout=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.kinglet.bench.Bench forest --rounds "$rounds")
  pout=$(/usr/bin/python3 src/bench/forest.py test-data/fashion-mnist "$rounds")
  echo "kinglet: $(tr '\n' ' ' <<< "$kout")"; echo "sklearn: $(tr '\n' ' ' <<< "$pout")"
  get() { awk -v k="$1" '$1 == k {print $2}' <<< "$2"; }
  k=("$(get seconds "$kout")"); p=("$(get seconds "$pout")")
  ka=("$(get accuracy "$kout")"); pa=("$(get accuracy "$pout")")
  echo "cold (first fit): kinglet $(get cold "$kout") s, sklearn $(get cold "$pout") s, ratio $(awk -v a="$(get cold "$pout")" -v b="$(get cold "$kout")" 'BEGIN{printf "%.3f", a/b}')"
fi
for r in $(seq "$rounds"); do
  [ "$mode" = forest ] && break
  if [ "$mode" = augment ]; then
    # Kinglet from images decoded once, then decoding every time as TorchVision does (its usual DataLoader setup)
    v=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.kinglet.bench.Bench augment --data "$images" --seconds "$seconds" | awk '/^img\/s/{print $2}')
    echo "round $r kinglet (decoded once) $v img/s"; k+=("$v")
    v=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.kinglet.bench.Bench augment-decode --data "$images" --seconds "$seconds" | awk '/^img\/s/{print $2}')
    echo "round $r kinglet (decoding every time) $v img/s"; d+=("$v")
    v=$(/usr/bin/python3 src/bench/augment.py run "$images" "$seconds" | awk '/^img\/s/{print $2}')
    echo "round $r torchvision $v img/s"; p+=("$v")
    continue
  fi
  v=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" dev.kinglet.bench.Bench "$mode" --seconds "$seconds" | awk '/^img\/s/{print $2}')
  echo "round $r kinglet $v img/s"; k+=("$v")
  v=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 src/bench/bench.py "$mode" --seconds "$seconds" | awk '/^img\/s/{print $2}')
  echo "round $r python  $v img/s"; p+=("$v")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
km=$(median "${k[@]}"); pm=$(median "${p[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }
if [ "$mode" = forest ]; then
  echo "RESULT forest ratio=$(ratio "$pm" "$km") kinglet=${km}s sklearn=${pm}s kinglet-accuracy=$(median "${ka[@]}") sklearn-accuracy=$(median "${pa[@]}")"
elif [ "$mode" = augment ]; then
  dm=$(median "${d[@]}")
  echo "RESULT augment-cached ratio=$(ratio "$km" "$pm") kinglet=$km torchvision=$pm"
  echo "RESULT augment ratio=$(ratio "$dm" "$pm") kinglet=$dm torchvision=$pm"
else
  echo "RESULT $mode ratio=$(ratio "$km" "$pm") kinglet=$km python=$pm"
fi
