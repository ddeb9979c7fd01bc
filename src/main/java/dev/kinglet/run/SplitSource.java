package dev.kinglet.run;

import java.io.IOException;

import dev.kinglet.data.Datasets;
import dev.kinglet.dsl.Data;

/** Where a run's steps get the split of a data section: the run's {@link DataCache}, or in tests a fixed split. */
public interface SplitSource {
    /** The split of {@code data}'s source, size, channels and test share (not its validation split or subset). */
    Datasets.Split get(Data data, long seed) throws IOException;
}
