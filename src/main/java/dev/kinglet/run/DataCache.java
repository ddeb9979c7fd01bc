package dev.kinglet.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.kinglet.data.Datasets;
import dev.kinglet.dsl.Data;

/** Data sets loaded once per process, shared by the jobs, searches and pre-training (and variants) that read the same source. */
final class DataCache implements SplitSource, AutoCloseable {
    private final Path base;
    private final Map<List<Object>, Datasets.Split> loaded = new HashMap<>();

    DataCache(Path base) {
        this.base = base;
    }

    @Override
    public Datasets.Split get(Data data, long seed) throws IOException {
        List<Object> key = List.of(data.source(), data.imageSize(), String.valueOf(data.channels()), data.testFraction(), data.classes(), seed);
        Datasets.Split s = loaded.get(key);
        if (s == null) loaded.put(key, s = Datasets.load(data, base, seed));
        return s;
    }

    @Override
    public void close() {
        loaded.values().forEach(Datasets.Split::close);
    }
}
