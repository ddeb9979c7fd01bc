package dev.kinglet.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;

import dev.kinglet.dsl.Grayscale;
import dev.kinglet.model.WeightLoader;
import dev.kinglet.natives.StateDict;
import dev.kinglet.train.Callback;
import dev.kinglet.train.Checkpointed;
import dev.kinglet.train.Event;
import dev.kinglet.train.Learner;
import dev.kinglet.train.TrainState;
import dev.kinglet.util.AtomicFiles;
import dev.kinglet.util.Json;
import tools.jackson.databind.JsonNode;

/**
 * A job's checkpoint after every epoch: the weights ({@code checkpoint-eN.pth}, a state dict), the
 * optimizer's state ({@code checkpoint-eN.optim}, LibTorch's archive) and {@code checkpoint.json},
 * which names them with the epoch and step. Each file is written whole (temporary file, fsync,
 * rename) and the JSON last, so it only ever names complete files; the previous epoch's files
 * go after. Callbacks with state of their own ({@link Checkpointed}: EMA, early stopping) add
 * {@code checkpoint-eN.extra.pth} (their tensors, prefixed {@code name/}) and their numbers in
 * the JSON. The learning-rate schedule is a function of the step, and every epoch draws its
 * shuffling, augmentation and dropout from its own seed, so epoch and step restore them.
 */
public final class Checkpoints implements Callback {
    static final String INDEX = "checkpoint.json";
    private final Path dir;
    private final Learner learner;

    public Checkpoints(Path jobDir, Learner learner) {
        this.dir = jobDir;
        this.learner = learner;
    }

    /** The last complete checkpoint of a job directory. */
    public record Saved(int epoch, long step, Path weights, Path optimizer, Path extra, Map<String, Map<String, Double>> values) {}

    @Override
    public int order() {
        return 20; // after the metrics line of the epoch is written
    }

    @Override
    public void on(Event event, TrainState s) {
        if (event != Event.AFTER_EPOCH) return;
        try {
            save(s.epoch(), s.step());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint of epoch " + s.epoch() + " in " + dir, e);
        }
    }

    private void save(int epoch, long step) throws IOException {
        Optional<Saved> previous = read(dir);
        Path weights = dir.resolve("checkpoint-e" + epoch + ".pth"), optim = dir.resolve("checkpoint-e" + epoch + ".optim");
        Map<String, Tensor> state = learner.model().state();
        try {
            StateDict.writePth(weights, state);
        } finally {
            state.values().forEach(Tensor::close);
        }
        Path tmp = AtomicFiles.temporarySibling(optim);
        try (OutputArchive archive = new OutputArchive()) {
            learner.optimizer().save(archive);
            archive.save_to(tmp.toString());
        }
        AtomicFiles.commit(tmp, optim);
        Path extra = dir.resolve("checkpoint-e" + epoch + ".extra.pth");
        Map<String, Tensor> extraTensors = new LinkedHashMap<>();
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        for (Checkpointed c : checkpointed(learner)) {
            c.checkpointTensors().forEach((k, t) -> extraTensors.put(c.checkpointName() + "/" + k, t));
            values.put(c.checkpointName(), c.checkpointValues());
        }
        if (!values.isEmpty()) StateDict.writePth(extra, extraTensors);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("epoch", epoch);
        index.put("step", step);
        index.put("weights", weights.getFileName().toString());
        index.put("optimizer", optim.getFileName().toString());
        index.put("frozenGroups", learner.model().frozenGroups());
        if (!values.isEmpty()) {
            index.put("extra", extra.getFileName().toString());
            index.put("callbacks", values);
        }
        AtomicFiles.writeString(dir.resolve(INDEX), Json.PRETTY.writeValueAsString(index));
        if (previous.isPresent() && previous.get().epoch() != epoch) deleteFiles(previous.get());
    }

    public static Optional<Saved> read(Path jobDir) throws IOException {
        Path index = jobDir.resolve(INDEX);
        if (!Files.isRegularFile(index)) return Optional.empty();
        JsonNode j = Json.PRETTY.readTree(index.toFile());
        Map<String, Map<String, Double>> values = new LinkedHashMap<>();
        if (j.has("callbacks")) {
            for (String name : j.get("callbacks").propertyNames()) {
                Map<String, Double> v = new LinkedHashMap<>();
                for (String k : j.get("callbacks").get(name).propertyNames()) v.put(k, j.get("callbacks").get(name).get(k).asDouble());
                values.put(name, v);
            }
        }
        return Optional.of(new Saved(j.get("epoch").asInt(), j.get("step").asLong(), jobDir.resolve(j.get("weights").asString()),
                jobDir.resolve(j.get("optimizer").asString()), j.has("extra") ? jobDir.resolve(j.get("extra").asString()) : null, values));
    }

    /** Loads a checkpoint's weights (strictly), optimizer state and callbacks' state into the learner. */
    public static void restore(Saved saved, Learner learner) {
        try (StateDict sd = StateDict.read(saved.weights())) {
            WeightLoader.load(learner.model(), ModelFiles.tensors(sd), true, false, Grayscale.SUM);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoint " + saved.weights(), e);
        }
        try (InputArchive archive = new InputArchive()) {
            archive.load_from(saved.optimizer().toString());
            learner.optimizer().load(archive);
        }
        List<Checkpointed> parts = checkpointed(learner);
        if (parts.isEmpty()) return;
        if (saved.extra() == null) throw new IllegalStateException("the checkpoint " + saved.weights() + " has no state of " + parts.get(0).checkpointName()
                + ": the recipe changed since; run it afresh");
        try (StateDict sd = StateDict.read(saved.extra())) {
            Map<String, Tensor> all = ModelFiles.tensors(sd);
            for (Checkpointed c : parts) {
                Map<String, Double> v = saved.values().get(c.checkpointName());
                if (v == null) throw new IllegalStateException("the checkpoint has no state of " + c.checkpointName() + ": the recipe changed since; run it afresh");
                Map<String, Tensor> mine = new LinkedHashMap<>();
                String prefix = c.checkpointName() + "/";
                all.forEach((k, t) -> {
                    if (k.startsWith(prefix)) mine.put(k.substring(prefix.length()), t);
                });
                c.restoreCheckpoint(mine, v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the checkpoint " + saved.extra(), e);
        }
    }

    private static List<Checkpointed> checkpointed(Learner learner) {
        return learner.callbacks().stream().filter(Checkpointed.class::isInstance).map(Checkpointed.class::cast).toList();
    }

    /** Removes a job's checkpoint files (the job finished, or starts afresh). */
    public static void delete(Path jobDir) throws IOException {
        Optional<Saved> s = read(jobDir);
        if (s.isEmpty()) return;
        Files.deleteIfExists(jobDir.resolve(INDEX));
        deleteFiles(s.get());
    }

    private static void deleteFiles(Saved s) throws IOException {
        Files.deleteIfExists(s.weights());
        Files.deleteIfExists(s.optimizer());
        if (s.extra() != null) Files.deleteIfExists(s.extra());
    }
}
