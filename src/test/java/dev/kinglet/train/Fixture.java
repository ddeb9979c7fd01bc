package dev.kinglet.train;

import java.nio.file.Path;
import java.util.List;

import dev.kinglet.TestData;
import dev.kinglet.data.Datasets;
import dev.kinglet.dsl.Adam;
import dev.kinglet.dsl.IdxSource;
import dev.kinglet.dsl.Model;
import dev.kinglet.dsl.SmallCnn;
import dev.kinglet.model.Network;
import dev.kinglet.natives.Device;
import dev.kinglet.natives.NativeRuntime;

/** A learner on the Fashion-MNIST subset, built the way the runner builds one. */
final class Fixture implements AutoCloseable {
    final Datasets.Split data;
    final Network net;
    final Learner learner;

    Fixture(int batch, long seed) throws Exception {
        this(batch, seed, java.util.function.UnaryOperator.identity());
    }

    /** A fixture whose learner trains as {@code config} makes the plain configuration. */
    Fixture(int batch, long seed, java.util.function.UnaryOperator<LearnerConfig> config) throws Exception {
        NativeRuntime.start(NativeRuntime.defaultThreads(), seed, Device.CPU);
        data = Datasets.load(IdxSource.fashionMnist(TestData.fashionMnist().toString()), Path.of(""));
        NativeRuntime.seed(seed);
        net = Network.build(new Model(new SmallCnn(null, null, null, null)), 1, 28, 28, 10);
        learner = new Learner(net, Device.CPU, data.train(), data.train().statistics(), config.apply(LearnerConfig.of(new Adam(null, null), batch, seed)));
    }

    /** Records every step's loss. */
    static final class Losses implements Callback {
        final java.util.ArrayList<Double> values = new java.util.ArrayList<>();

        @Override
        public void on(Event event, TrainState state) {
            if (event == Event.AFTER_STEP) values.add(state.stepLoss());
        }

        List<Double> values() {
            return values;
        }
    }

    @Override
    public void close() {
        learner.close();
        net.close();
        data.close();
    }
}
