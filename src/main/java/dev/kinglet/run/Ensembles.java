package dev.kinglet.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.kinglet.train.Evaluation;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;

/**
 * Deep ensembles (Lakshminarayanan et al.; Olson et al. for small data): the members of a plan
 * group (same variant, point, fold and seed; different initialisation and batch order) average
 * their test probabilities. Per ensemble: each member's accuracy, the ensemble's, and per test
 * image the predictive entropy of the averaged probabilities and the members' disagreement
 * (the share of members whose prediction differs from the ensemble's).
 */
public final class Ensembles {
    static final String PROBABILITIES = "test-probabilities.f32", INDEX = "ensemble.json";

    private Ensembles() {}

    public record Result(String id, List<String> members, List<Double> memberAccuracies, double accuracy, double loss,
                         double balancedAccuracy, double meanEntropy, double meanDisagreement, Map<String, Object> test) {}

    /** Saves a job's test probabilities ({@code [images, classes]} float32, little-endian) for its ensemble. */
    static void saveProbabilities(Path jobDir, float[] p) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(p.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(p);
        AtomicFiles.write(jobDir.resolve(PROBABILITIES), b.array());
    }

    static float[] readProbabilities(Path jobDir) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(jobDir.resolve(PROBABILITIES))).order(ByteOrder.LITTLE_ENDIAN);
        float[] p = new float[b.remaining() / Float.BYTES];
        b.asFloatBuffer().get(p);
        return p;
    }

    /**
     * Combines members into {@code ensembles/<id>/}: {@code ensemble.json} (metrics and the
     * member job directories, which {@code predict} averages) and {@code per-image.csv}.
     */
    static Result combine(Path runDir, String id, List<String> memberIds, int[] labels, List<String> classes) throws IOException {
        List<Path> dirs = memberIds.stream().map(j -> runDir.resolve("jobs").resolve(j)).toList();
        return combine(id, memberIds, dirs, runDir.resolve("ensembles").resolve(id), labels, classes).result();
    }

    /** An ensemble's metrics and its averaged test probabilities. */
    record Combined(Result result, Evaluation evaluation) {}

    /**
     * Combines the members saved in {@code memberDirs} (each with its test probabilities) into
     * {@code dir}: {@code ensemble.json}, naming the member directories relative to {@code dir},
     * and {@code per-image.csv}.
     */
    static Combined combine(String id, List<String> memberIds, List<Path> memberDirs, Path dir, int[] labels, List<String> classes) throws IOException {
        int k = classes.size(), n = labels.length, m = memberIds.size();
        float[] mean = new float[n * k];
        int[][] votes = new int[m][];
        List<Double> memberAccuracies = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            float[] p = readProbabilities(memberDirs.get(j));
            if (p.length != mean.length) throw new IOException(memberIds.get(j) + ": " + p.length + " probabilities, expected " + mean.length);
            for (int i = 0; i < p.length; i++) mean[i] += p[i] / m;
            Evaluation e = Evaluation.of(p, labels, classes);
            memberAccuracies.add(e.accuracy());
            votes[j] = argmaxes(p, n, k);
        }
        Evaluation ensemble = Evaluation.of(mean, labels, classes);
        int[] predicted = argmaxes(mean, n, k);
        StringBuilder csv = new StringBuilder("image,label,predicted,entropy,disagreement\n");
        double entropySum = 0, disagreementSum = 0;
        for (int i = 0; i < n; i++) {
            double h = 0;
            for (int c = 0; c < k; c++) {
                double q = mean[i * k + c];
                if (q > 0) h -= q * Math.log(q);
            }
            int differ = 0;
            for (int[] v : votes) if (v[i] != predicted[i]) differ++;
            double d = (double) differ / m;
            entropySum += h;
            disagreementSum += d;
            csv.append(String.format(Locale.ROOT, "%d,%s,%s,%.5f,%.3f%n", i, classes.get(labels[i]), classes.get(predicted[i]), h, d));
        }
        Result r = new Result(id, memberIds, memberAccuracies, ensemble.accuracy(), ensemble.loss(), ensemble.balancedAccuracy(),
                entropySum / n, disagreementSum / n, ensemble.metrics());
        Files.createDirectories(dir);
        AtomicFiles.writeString(dir.resolve("per-image.csv"), csv.toString());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("result", r);
        json.put("memberDirs", memberDirs.stream().map(d -> dir.toAbsolutePath().relativize(d.toAbsolutePath()).toString()).toList());
        AtomicFiles.writeString(dir.resolve(INDEX), Json.PRETTY.writeValueAsString(json));
        return new Combined(r, ensemble);
    }

    /**
     * The member model directories of a saved ensemble (a run's {@code ensembles/<id>/}, or a job
     * directory holding a snapshot ensemble), or just {@code dir} when it is a single model.
     */
    public static List<Path> members(Path dir) throws IOException {
        Path index = dir.resolve(INDEX);
        if (!Files.isRegularFile(index)) return List.of(dir);
        List<Path> out = new ArrayList<>();
        for (var m : Json.PRETTY.readTree(index.toFile()).get("memberDirs")) out.add(dir.resolve(m.asString()).normalize());
        return out;
    }

    private static int[] argmaxes(float[] p, int n, int k) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
            out[i] = best;
        }
        return out;
    }
}
