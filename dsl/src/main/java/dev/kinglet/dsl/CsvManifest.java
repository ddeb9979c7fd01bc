package dev.kinglet.dsl;

/**
 * A CSV file of {@code path,label} rows (classification) or {@code path,target1,...} rows
 * (regression, {@code task: regression}: a header row {@code path,<target>,...} names the targets).
 * Paths are relative to the manifest; a path that leaves its folder is refused.
 */
public record CsvManifest(String file, Task task) implements DataSource {
    public enum Task {
        @com.fasterxml.jackson.annotation.JsonProperty("classification") CLASSIFICATION,
        @com.fasterxml.jackson.annotation.JsonProperty("regression") REGRESSION
    }

    public CsvManifest {
        RecipeException.require(file != null && !file.isBlank(), "data.source.file", "missing: the manifest, e.g. data/labels.csv");
        task = task == null ? Task.CLASSIFICATION : task;
    }
}
