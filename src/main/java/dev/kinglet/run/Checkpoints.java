package dev.kinglet.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;

import dev.kinglet.dsl.Grayscale;
import dev.kinglet.model.WeightLoader;
import dev.kinglet.natives.StateDict;
import dev.kinglet.train.Callback;
import dev.kinglet.train.Event;
import dev.kinglet.train.Learner;
import dev.kinglet.train.TrainState;
import tools.jackson.databind.JsonNode;

/**
 * A job's checkpoint after every epoch: the weights ({@code checkpoint-eN.pth}, a state dict), the
 * optimizer's state ({@code checkpoint-eN.optim}, LibTorch's archive) and {@code checkpoint.json},
 * which names them with the epoch and step. Each file is written whole (temporary file, fsync,
 * rename) and the JSON last, so it only ever names complete files; the previous epoch's files
 * go after. The learning-rate schedule is a function of the step, and every epoch draws its
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
    public record Saved(int epoch, long step, Path weights, Path optimizer) {}

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
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("epoch", epoch);
        index.put("step", step);
        index.put("weights", weights.getFileName().toString());
        index.put("optimizer", optim.getFileName().toString());
        index.put("frozenGroups", learner.model().frozenGroups());
        AtomicFiles.writeString(dir.resolve(INDEX), Json.PRETTY.writeValueAsString(index));
        if (previous.isPresent() && previous.get().epoch() != epoch) {
            Files.deleteIfExists(previous.get().weights());
            Files.deleteIfExists(previous.get().optimizer());
        }
    }

    public static Optional<Saved> read(Path jobDir) throws IOException {
        Path index = jobDir.resolve(INDEX);
        if (!Files.isRegularFile(index)) return Optional.empty();
        JsonNode j = Json.PRETTY.readTree(index.toFile());
        return Optional.of(new Saved(j.get("epoch").asInt(), j.get("step").asLong(), jobDir.resolve(j.get("weights").asString()),
                jobDir.resolve(j.get("optimizer").asString())));
    }

    /** Loads a checkpoint's weights (strictly) and optimizer state into the learner. */
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
    }

    /** Removes a job's checkpoint files (the job finished, or starts afresh). */
    public static void delete(Path jobDir) throws IOException {
        Optional<Saved> s = read(jobDir);
        if (s.isEmpty()) return;
        Files.deleteIfExists(jobDir.resolve(INDEX));
        Files.deleteIfExists(s.get().weights());
        Files.deleteIfExists(s.get().optimizer());
    }
}
