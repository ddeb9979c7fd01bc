package dev.kinglet.dsl;

/**
 * A recipe value that cannot work. Carries the recipe path of the field ({@code train.optimizer.lr})
 * and says what a valid value looks like; only the CLI turns it into a message and an exit code.
 */
public class RecipeException extends IllegalArgumentException {
    private final String path;

    public RecipeException(String path, String message) {
        super(path + ": " + message);
        this.path = path;
    }

    public RecipeException(String path, String message, Throwable cause) {
        super(path + ": " + message, cause);
        this.path = path;
    }

    /** The recipe path of the offending field, e.g. {@code train.batchSize}. */
    public String path() {
        return path;
    }

    static void require(boolean ok, String path, String message) {
        if (!ok) throw new RecipeException(path, message);
    }
}
