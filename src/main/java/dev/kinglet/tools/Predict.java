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
import dev.kinglet.data.Table;
import dev.kinglet.data.TableEncoder;
import dev.kinglet.data.TableReader;
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
 * with its predicted value. A model of table rows predicts the rows of a CSV or TSV file instead,
 * each encoded as its job encoded its own rows; the first column is then the row's number.
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
        ModelFiles.Description d = ModelFiles.describe(members.get(0));
        Inputs in = Files.exists(members.get(0).resolve(JobRunner.TABLE_ENCODER)) ? Inputs.table(inputs) : Inputs.images(images(inputs));
        if (d.regression()) return writeTargets(members.get(0), d, in, csv, out);
        int k = d.classes().size();
        float[] p = null;
        for (Path member : members) {
            float[] q = probabilities(member, in);
            if (p == null) p = new float[q.length];
            for (int i = 0; i < p.length; i++) p[i] += q[i] / members.size();
        }
        int n = p.length / k;
        StringBuilder text = new StringBuilder(in.header() + ",predicted");
        for (String c : d.classes()) text.append(',').append(csvField("p_" + c));
        text.append('\n');
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
            text.append(csvField(in.name(i))).append(',').append(csvField(d.classes().get(best)));
            for (int c = 0; c < k; c++) text.append(String.format(Locale.ROOT, ",%.6f", p[i * k + c]));
            text.append('\n');
        }
        AtomicFiles.write(csv, text.toString().getBytes(StandardCharsets.UTF_8));
        out.println("wrote " + csv + ": " + n + " " + in.unit() + ", " + k + " classes"
                + (members.size() > 1 ? ", averaged over " + members.size() + " ensemble members" : ""));
        return n;
    }

    /**
     * What is predicted: image files, or the rows of one table file (CSV or TSV with the columns
     * the model was trained on, by header name; the target column may be there or not), each
     * row encoded by the member's own saved {@link TableEncoder}. The CSV's first column is the
     * image's path, or the row's number (1 = the first row after the header).
     */
    private record Inputs(List<Path> files, Path table) {
        static Inputs images(List<Path> files) {
            return new Inputs(files, null);
        }

        static Inputs table(List<Path> inputs) throws IOException {
            if (inputs.size() != 1 || !Files.isRegularFile(inputs.get(0))) {
                throw new IllegalArgumentException("a model of table rows predicts the rows of one CSV or TSV file with the columns it was trained on; got " + inputs);
            }
            return new Inputs(List.of(), inputs.get(0));
        }

        String header() { return table == null ? "path" : "row"; }
        String unit() { return table == null ? "image(s)" : "row(s) of " + table.getFileName(); }
        String name(int i) { return table == null ? files.get(i).toString() : Integer.toString(i + 1); }

        /** The table's rows, coded for {@code encoder}'s columns. */
        Table rows(TableEncoder encoder) throws IOException {
            return TableReader.rows(table, encoder.columns());
        }
    }

    /** Writes {@code path,<target>,...} rows of a regression model's predicted values. */
    private static int writeTargets(Path modelDir, ModelFiles.Description d, Inputs in, Path csv, PrintStream out) throws IOException {
        float[] v = d.targetScaling().restore(probabilities(modelDir, in)); // the network learned standardised targets
        int t = d.targets().size();
        StringBuilder text = new StringBuilder(in.header());
        for (String name : d.targets()) text.append(',').append(csvField(name));
        text.append('\n');
        int n = v.length / t;
        for (int i = 0; i < n; i++) {
            text.append(csvField(in.name(i)));
            for (int j = 0; j < t; j++) text.append(String.format(Locale.ROOT, ",%.6g", v[i * t + j]));
            text.append('\n');
        }
        AtomicFiles.write(csv, text.toString().getBytes(StandardCharsets.UTF_8));
        out.println("wrote " + csv + ": " + n + " " + in.unit() + ", targets " + d.targets());
        return n;
    }

    /** The network's outputs for every input, row-major: class probabilities, or a regression model's target values. */
    private static float[] probabilities(Path modelDir, Inputs in) throws IOException {
        ModelFiles.Description d = ModelFiles.describe(modelDir);
        TableEncoder encoder = in.table() == null ? null : TableEncoder.load(modelDir.resolve(JobRunner.TABLE_ENCODER));
        Table rows = encoder == null ? null : in.rows(encoder);
        int k = d.outputs(), count = rows == null ? in.files().size() : rows.rows();
        float[] p = new float[count * k];
        try (Network net = ModelFiles.load(modelDir, d); BatchBuffer buffer = new BatchBuffer(BATCH, d.channels(), d.height(), d.width(), 1);
             CosineObjective cosine = d.cosine() == null ? null : d.cosine().objective()) {
            net.setTraining(false);
            for (int from = 0; from < count; from += BATCH) {
                int size = Math.min(count, from + BATCH) - from;
                BatchBuffer.Batch batch = buffer.next();
                for (int i = 0; i < size; i++) {
                    if (rows != null) {
                        batch.putFeatures(i, encoder.encode(rows.row(from + i)), 0, null);
                        continue;
                    }
                    Path file = in.files().get(from + i);
                    try (var scope = Scope.image()) {
                        Image image;
                        try {
                            image = Image.read(file);
                        } catch (IOException e) {
                            throw new IOException(file + ": cannot be read as an image (" + e.getMessage() + ")", e);
                        }
                        batch.put(i, image.toChannels(d.channels()).resize(d.height(), d.width()), d.normalization(), 0);
                    }
                }
                try (var scope = Scope.evalBatch()) {
                    var output = net.logits(batch.images().narrow(0, 0, size));
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
