package dev.kinglet.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.kinglet.train.Callback;
import dev.kinglet.train.Event;
import dev.kinglet.train.TrainState;
import dev.kinglet.util.Json;

/** Appends one JSON line per epoch to {@code metrics.jsonl}, each line forced to disk whole. */
public final class MetricsLog implements Callback {
    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public void on(Event event, TrainState s) {
        if (event != Event.AFTER_EPOCH) return;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("epoch", s.epoch());
        line.put("step", s.step());
        line.put("trainLoss", s.epochLoss());
        if (s.classifies()) line.put("trainAccuracy", s.epochAccuracy());
        line.put("images", s.imagesInEpoch());
        var unlabelled = s.unlabelledInEpoch();
        if (unlabelled != null) {
            line.put("unlabelledImages", unlabelled.images());
            line.put("pseudoLabelRate", unlabelled.rate());
        }
        line.put("seconds", s.epochSeconds());
        line.put("imagesPerSecond", s.imagesPerSecond());
        line.put("lr", s.lr());
        line.put("dataWaitFraction", s.dataWaitFraction());
        if (s.validation() != null) {
            line.put("validationLoss", s.validation().loss());
            line.put("validationAccuracy", s.validation().accuracy());
        }
        if (s.regressionValidation() != null) {
            line.put("validationMse", s.regressionValidation().loss());
            line.put("validationMae", s.regressionValidation().meanMae());
            line.put("validationR2", s.regressionValidation().meanR2());
        }
        if (s.reconstructionValidation() != null) line.put("reconstructionLoss", s.reconstructionValidation());
        append(file, line);
    }

    /** Appends {@code line} to {@code file} as one JSON line, forced to disk whole. */
    static void append(Path file, Map<String, Object> line) {
        byte[] bytes = (Json.LINE.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("could not append to " + file, e);
        }
    }
}
