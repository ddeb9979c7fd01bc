package dev.kinglet.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.bytedeco.pytorch.global.torch;

import dev.kinglet.run.*;
import dev.kinglet.data.Datasets;
import dev.kinglet.model.Network;
import dev.kinglet.natives.BatchBuffer;
import dev.kinglet.natives.Image;
import dev.kinglet.natives.Scope;
import dev.kinglet.natives.TensorMemory;
import dev.kinglet.train.CosineObjective;
import dev.kinglet.util.AtomicFiles;

/**
 * Class probabilities of images from a saved model ({@link ModelFiles}): each image is decoded,
 * converted to the model's channels and size as in training, normalised as in training, and
 * passed through the network in evaluation mode. Writes a CSV: path, predicted class, then one
 * probability column per class. A regression model writes path, then one column per target
 * with its predicted value.
 */
public final class Predict {
    private static final int BATCH = 64;

    private Predict() {}

    /** Image files of {@code inputs}: files as given, directories searched recursively, sorted. */
    public static List<Path> images(List<Path> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isDirectory(in)) {
                try (var walk = Files.walk(in)) {
                    walk.filter(Files::isRegularFile).filter(Datasets::isImage).sorted().forEach(out::add);
                }
            } else if (Files.isRegularFile(in)) {
                out.add(in);
            } else {
                throw new IllegalArgumentException(in + " does not exist");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no images in " + inputs);
        return out;
    }

    /**
     * Writes the predictions of every image to {@code csv} (atomically) and returns how many. A
     * saved ensemble ({@code ensembles/<id>/} of a run) averages its members' probabilities.
     */
    public static int run(Path modelDir, List<Path> inputs, Path csv, PrintStream out) throws IOException {
        List<Path> members = Ensembles.members(modelDir);
        if (Files.exists(members.get(0).resolve(dev.kinglet.run.JobRunner.TABLE_FEATURES))) {
            throw new IllegalArgumentException(members.get(0) + " is a model of table rows; predict reads images, and predicting new rows of a table is not implemented yet"
                    + " (the job's results.json and test-probabilities.f32 hold its test predictions)");
        }
        ModelFiles.Description d = ModelFiles.describe(members.get(0));
        List<Path> files = images(inputs);
        if (d.regression()) return writeTargets(members.get(0), d, files, csv, out);
        int k = d.classes().size();
        float[] p = new float[files.size() * k];
        for (Path member : members) {
            float[] q = probabilities(member, files);
            for (int i = 0; i < p.length; i++) p[i] += q[i] / members.size();
        }
        StringBuilder text = new StringBuilder("path,predicted");
        for (String c : d.classes()) text.append(',').append(csvField("p_" + c));
        text.append('\n');
        for (int i = 0; i < files.size(); i++) {
            int best = 0;
            for (int c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
            text.append(csvField(files.get(i).toString())).append(',').append(csvField(d.classes().get(best)));
            for (int c = 0; c < k; c++) text.append(String.format(Locale.ROOT, ",%.6f", p[i * k + c]));
            text.append('\n');
        }
        AtomicFiles.write(csv, text.toString().getBytes(StandardCharsets.UTF_8));
        out.println("wrote " + csv + ": " + files.size() + " image(s), " + k + " classes"
                + (members.size() > 1 ? ", averaged over " + members.size() + " ensemble members" : ""));
        return files.size();
    }

    /** Writes {@code path,<target>,...} rows of a regression model's predicted values. */
    private static int writeTargets(Path modelDir, ModelFiles.Description d, List<Path> files, Path csv, PrintStream out) throws IOException {
        float[] v = d.targetScaling().restore(probabilities(modelDir, files)); // the network learned standardised targets
        int t = d.targets().size();
        StringBuilder text = new StringBuilder("path");
        for (String name : d.targets()) text.append(',').append(csvField(name));
        text.append('\n');
        for (int i = 0; i < files.size(); i++) {
            text.append(csvField(files.get(i).toString()));
            for (int j = 0; j < t; j++) text.append(String.format(Locale.ROOT, ",%.6g", v[i * t + j]));
            text.append('\n');
        }
        AtomicFiles.write(csv, text.toString().getBytes(StandardCharsets.UTF_8));
        out.println("wrote " + csv + ": " + files.size() + " image(s), targets " + d.targets());
        return files.size();
    }

    /** The network's outputs for every file, row-major: class probabilities, or a regression model's target values. */
    private static float[] probabilities(Path modelDir, List<Path> files) throws IOException {
        ModelFiles.Description d = ModelFiles.describe(modelDir);
        int k = d.outputs();
        float[] p = new float[files.size() * k];
        try (Network net = ModelFiles.load(modelDir, d); BatchBuffer buffer = new BatchBuffer(BATCH, d.channels(), d.height(), d.width(), 1);
             CosineObjective cosine = d.cosine() == null ? null : d.cosine().objective()) {
            net.setTraining(false);
            for (int from = 0; from < files.size(); from += BATCH) {
                List<Path> chunk = files.subList(from, Math.min(files.size(), from + BATCH));
                BatchBuffer.Batch batch = buffer.next();
                for (int i = 0; i < chunk.size(); i++) {
                    try (var scope = Scope.image()) {
                        Image image;
                        try {
                            image = Image.read(chunk.get(i));
                        } catch (IOException e) {
                            throw new IOException(chunk.get(i) + ": cannot be read as an image (" + e.getMessage() + ")", e);
                        }
                        batch.put(i, image.toChannels(d.channels()).resize(d.height(), d.width()), d.normalization(), 0);
                    }
                }
                try (var scope = Scope.evalBatch()) {
                    var output = net.logits(batch.images().narrow(0, 0, chunk.size()));
                    float[] q = TensorMemory.toFloats(d.regression() ? output : cosine == null ? torch.softmax(output, 1) : cosine.probabilities(output));
                    System.arraycopy(q, 0, p, from * k, q.length);
                }
            }
        }
        return p;
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
