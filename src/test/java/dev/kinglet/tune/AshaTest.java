package dev.kinglet.tune;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.kinglet.TestData;
import dev.kinglet.dsl.Tune;
import dev.kinglet.dsl.TuneRange;

/** The promotion rule by hand, and whole searches over a fake objective with known curves (no training). */
class AshaTest {
    @TempDir Path tmp;

    @Test
    void rungsGrowByTheReductionFactorBelowTheMaximum() {
        assertThat(Asha.rungs(1, 3, 9)).containsExactly(1, 3);
        assertThat(Asha.rungs(2, 3, 20)).containsExactly(2, 6, 18);
        assertThat(Asha.rungs(2, 2, 2)).isEmpty();
    }

    @Test
    void aTrialContinuesOnlyInTheTopOneOverReductionOfItsRungSoFar() {
        Asha asha = new Asha(1, 3, 9, true);
        assertThat(asha.report(0, 1, 0.50)).as("first at the rung").isTrue();
        assertThat(asha.report(1, 1, 0.40)).as("2 results, keep 1, one better").isFalse();
        assertThat(asha.report(2, 1, 0.60)).as("new best").isTrue();
        assertThat(asha.report(3, 1, 0.55)).as("4 results, keep 1, 0.60 better").isFalse();
        assertThat(asha.report(4, 1, 0.45)).isFalse();
        assertThat(asha.report(5, 1, 0.52)).as("6 results, keep 2, 0.60 and 0.55 better").isFalse();
        assertThat(asha.report(6, 1, 0.58)).as("7 results, keep 2, only 0.60 better").isTrue();
        assertThat(asha.report(6, 2, 0.01)).as("no rung at epoch 2").isTrue();
        assertThat(asha.report(0, 3, 0.70)).isTrue();
        assertThat(asha.report(2, 3, 0.65)).isFalse();
        assertThat(asha.report(7, 1, Double.NaN)).as("a diverged trial stops").isFalse();
        assertThat(asha.results(0)).hasSize(8);

        Asha loss = new Asha(1, 2, 4, false);
        assertThat(loss.report(0, 1, 1.0)).isTrue();
        assertThat(loss.report(1, 1, 2.0)).as("keep 1 of 2: the larger loss stops").isFalse();
        assertThat(loss.report(2, 1, 0.5)).isTrue();
    }

    /** A fake objective: the metric peaks at lr = 1e-2 and rises slowly with epochs. */
    static double quality(Map<String, Double> config, int epoch) {
        double x = Math.log10(config.get("train.optimizer.lr")) + 2;
        return 1 - x * x / 10 + 0.001 * epoch;
    }

    static Tune tune(int trials, int workers) {
        return Tune.of(Map.of("train.optimizer.lr", TuneRange.logUniform(1e-4, 1))).withBudget(trials, 9, 1, 3).withWorkers(workers);
    }

    static Space space(Tune t) {
        return Space.of(TestData.fashionRecipe(9, 32, 1).withTune(t));
    }

    final List<Integer> started = Collections.synchronizedList(new ArrayList<>());

    Search.Trainer fake() {
        return (trial, config, epochs, listener) -> {
            started.add(trial);
            for (int e = 1; e <= epochs; e++) {
                double q = quality(config, e);
                if (!listener.after(e, new Search.Metrics(q, q, 1 - q))) return;
            }
        };
    }

    Search.Outcome search(Tune t, Search.Trainer trainer) throws Exception {
        return Search.run(t, 9, space(t), 5, tmp, trainer, new PrintStream(new ByteArrayOutputStream()), "test");
    }

    @Test
    void theBestConfigurationSurvivesAndTheOthersStopAtTheirRung() throws Exception {
        Tune t = tune(12, 1);
        Search.Outcome o = search(t, fake());
        assertThat(o.trials()).hasSize(12);
        assertThat(o.endedBy()).isEqualTo("trials");
        Search.TrialRecord truth = o.trials().stream().max(java.util.Comparator.comparingDouble(r -> quality(r.config(), 9))).orElseThrow();
        assertThat(o.best().trial()).isEqualTo(truth.trial());
        assertThat(o.best().state()).isEqualTo("finished");
        assertThat(o.best().epochs()).isEqualTo(9);
        assertThat(o.best().rung()).isEqualTo(2);
        Asha replay = new Asha(1, 3, 9, true);
        int stopped = 0;
        for (Search.TrialRecord r : o.trials()) {
            assertThat(r.curve()).hasSize(r.epochs());
            // trials arrive in index order with one worker: replaying their curves gives each decision again
            boolean go = true;
            for (Search.Point p : r.curve()) go = replay.report(r.trial(), p.epoch(), p.accuracy());
            if (r.state().equals("stopped")) {
                stopped++;
                assertThat(go).isFalse();
                assertThat(r.epochs()).isIn(1, 3);
                assertThat(r.rung()).isEqualTo(r.epochs() == 1 ? 0 : 1);
            } else {
                assertThat(r.state()).isEqualTo("finished");
                assertThat(r.epochs()).isEqualTo(9);
            }
        }
        assertThat(stopped).as("most of 12 trials stop early").isGreaterThanOrEqualTo(6);
        assertThat(o.trials().stream().mapToInt(Search.TrialRecord::epochs).sum()).isLessThan(12 * 9 / 2);
    }

    @Test
    void aStoppedTrialFreesItsWorkerWhileALongOneRuns() throws Exception {
        AtomicInteger running = new AtomicInteger(), most = new AtomicInteger();
        Map<Integer, Long> ended = new ConcurrentHashMap<>();
        Search.Trainer trainer = (trial, config, epochs, listener) -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                for (int e = 1; e <= epochs; e++) {
                    // trial 0 reports its first epoch at once, then trains slowly; the others are slow to their first rung and worse
                    Thread.sleep(trial == 0 ? (e == 1 ? 0 : 25) : 10);
                    double q = trial == 0 ? 0.9 : 0.5 - 0.01 * trial;
                    if (!listener.after(e, new Search.Metrics(q, q, 1 - q))) return;
                }
            } finally {
                ended.put(trial, System.nanoTime());
                running.decrementAndGet();
            }
        };
        Search.Outcome o = search(tune(6, 2), trainer);
        assertThat(most.get()).isEqualTo(2);
        assertThat(o.best().trial()).isZero();
        for (int i = 1; i < 6; i++) {
            Search.TrialRecord r = o.trials().get(i);
            assertThat(r.state()).as("trial " + i).isEqualTo("stopped");
            assertThat(r.epochs()).isEqualTo(1);
            assertThat(ended.get(i)).as("trial %d ended while trial 0 still ran", i).isLessThan(ended.get(0));
        }
    }

    @Test
    void aResumedSearchKeepsItsEndedTrialsAndRunsTheRest() throws Exception {
        Tune t = tune(8, 1);
        Search.Outcome first = search(t, fake());
        Path log = tmp.resolve("trials.jsonl");
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(8);
        // the kill came during trial 7: its line is missing, and a torn line is left
        Files.writeString(log, String.join("\n", lines.subList(0, 7)) + "\n" + lines.get(7).substring(0, 30));
        started.clear();
        Search.Outcome second = search(t, fake());
        assertThat(started).containsExactly(7);
        assertThat(second.keptFromEarlier()).isEqualTo(7);
        assertThat(Files.readAllLines(log)).hasSize(8);
        assertThat(second.best().trial()).isEqualTo(first.best().trial());
        for (int i = 0; i < 8; i++) {
            assertThat(second.trials().get(i).config()).isEqualTo(first.trials().get(i).config());
            assertThat(second.trials().get(i).state()).isEqualTo(first.trials().get(i).state());
        }
        // a trial missing from the middle is the only one run again
        List<String> now = Files.readAllLines(log);
        now.remove(3);
        Files.write(log, now);
        started.clear();
        Search.Outcome third = search(t, fake());
        assertThat(started).containsExactly(3);
        assertThat(third.trials()).hasSize(8);
    }

    @Test
    void theTimeLimitStopsLaunchingTrialsAndSaysSo() throws Exception {
        Tune t = tune(5, 1).withMaxMinutes(0.0005); // 30 ms
        Search.Trainer slow = (trial, config, epochs, listener) -> {
            started.add(trial);
            Thread.sleep(50);
            listener.after(1, new Search.Metrics(0.5, 0.5, 0.5));
        };
        Search.Outcome o = search(t, slow);
        assertThat(o.endedBy()).isEqualTo("maxMinutes");
        assertThat(started).containsExactly(0);
        assertThat(o.trials()).hasSize(1);
        assertThat(o.best().state()).isEqualTo("finished");
    }

    @Test
    void aFailedTrialIsRecordedAndTheSearchGoesOn() throws Exception {
        Search.Trainer flaky = (trial, config, epochs, listener) -> {
            if (trial == 1) throw new IllegalStateException("loss is NaN");
            fake().train(trial, config, epochs, listener);
        };
        Search.Outcome o = search(tune(3, 1), flaky);
        assertThat(o.trials().get(1).state()).isEqualTo("failed");
        assertThat(o.trials().get(1).error()).contains("loss is NaN");
        assertThat(o.best().trial()).isNotEqualTo(1);
    }
}
